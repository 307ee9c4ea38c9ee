// The bearer token field. The token stays in memory unless the user ticks
// "remember", which keeps it in this browser's localStorage until unticked.
import { useEffect, useState } from 'react';

const storageKey = 'sessiongraph.token';

function stored() {
  try {
    return localStorage.getItem(storageKey);
  } catch {
    return null; // storage disabled
  }
}

// useToken holds what is typed (draft) and what requests use (applied):
// applying on Enter, on leaving the field or after a pause, so that GraphiQL
// does not introspect on every keystroke.
export function useToken() {
  const [draft, setDraft] = useState(() => stored() ?? '');
  const [applied, setApplied] = useState(draft.trim());
  const [remember, setRemember] = useState(() => stored() !== null);
  const apply = () => setApplied(draft.trim());
  useEffect(() => {
    const timer = setTimeout(apply, 600);
    return () => clearTimeout(timer);
  }, [draft]);
  useEffect(() => {
    try {
      if (remember) localStorage.setItem(storageKey, applied);
      else localStorage.removeItem(storageKey);
    } catch {
      // storage disabled: the token lives for this page only
    }
  }, [remember, applied]);
  return { draft, setDraft, applied, apply, remember, setRemember };
}

export function TokenField({ token }) {
  return (
    <form className="sg-auth" onSubmit={(e) => { e.preventDefault(); token.apply(); }}>
      <span className="sg-name">sessiongraph</span>
      <label htmlFor="sg-token">Bearer token</label>
      <input
        id="sg-token"
        type="password"
        autoComplete="off"
        spellCheck="false"
        placeholder="security key or JWT, if the server asks for one"
        value={token.draft}
        onChange={(e) => token.setDraft(e.target.value)}
        onBlur={token.apply}
      />
      <label className="sg-remember">
        <input id="sg-remember" type="checkbox" checked={token.remember} onChange={(e) => token.setRemember(e.target.checked)} />
        remember in this browser
      </label>
      <span className="sg-hint" id="sg-token-state">
        {token.applied ? 'sent as Authorization: Bearer …' : 'no Authorization header'}
        {' '}(a header set in the Headers tab wins)
      </span>
    </form>
  );
}
