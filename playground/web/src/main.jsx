// GraphiQL for sessiongraph: the explorer plugin, a fetcher for /graphql and
// a token field that sends "Authorization: Bearer <token>".
import { useMemo } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL, HISTORY_PLUGIN } from 'graphiql';
import { explorerPlugin } from '@graphiql/plugin-explorer';
// GraphiQL's parts without graphiql/style.css, which repeats Monaco's CSS
// (bundled from Monaco's own imports) and inlines Roboto and Fira Code
// (system fonts stand in).
import '@graphiql/react/style.css';
import '@graphiql/plugin-doc-explorer/style.css';
import '@graphiql/plugin-history/style.css';
import '@graphiql/plugin-explorer/style.css';
import 'graphiql/graphiql.css';
import './workers.js';
import './app.css';
import { TokenField, useToken } from './token.jsx';

// Relative to the page, so that the playground keeps working behind a proxy
// that mounts sessiongraph under a path prefix.
const endpoint = new URL('graphql', document.baseURI).href;

const defaultQuery = `# sessiongraph: GraphQL over Agno's agno_sessions table.
# Run with Ctrl-Enter. If the server wants a security key or a JWT,
# paste it into "Bearer token" above.
{
  sessions(first: 20) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { __typename sessionId name userId componentId updatedAt totalTokens }
  }
}
`;

// createFetcher posts to /graphql. The headers tab wins over the token field,
// and an answer that is not JSON (a proxy's error page, say) is shown as a
// GraphQL error instead of failing to parse.
function createFetcher(token) {
  return async (params, opts) => {
    const headers = new Headers({
      'Content-Type': 'application/json',
      Accept: 'application/graphql-response+json, application/json;q=0.9',
    });
    if (token) headers.set('Authorization', `Bearer ${token}`);
    for (const [name, value] of Object.entries(opts?.headers ?? {})) headers.set(name, String(value));
    const res = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify(params) });
    if (/json/.test(res.headers.get('Content-Type') ?? '')) return res.json();
    return { errors: [{ message: `HTTP ${res.status}: ${(await res.text()).trim()}` }] };
  };
}

// GraphiQL's default plugins are the history alone; the docs come anyway.
const plugins = [HISTORY_PLUGIN, explorerPlugin()];

function Playground() {
  const token = useToken();
  // A new fetcher makes GraphiQL introspect again, with the new token.
  const fetcher = useMemo(() => createFetcher(token.applied), [token.applied]);
  return (
    <>
      <TokenField token={token} />
      <GraphiQL fetcher={fetcher} plugins={plugins} defaultQuery={defaultQuery} />
    </>
  );
}

createRoot(document.getElementById('root')).render(<Playground />);
