// A live session list and a live transcript with the graphql-ws client
// (npm install graphql-ws). The token goes in connection_init; on a
// reconnect each subscription resumes after the last event it applied.
import { createClient } from 'graphql-ws';

const client = createClient({
  url: 'wss://sessions.example.com/graphql',
  connectionParams: () => ({ Authorization: `Bearer ${getToken()}` }),
  retryAttempts: Infinity,
});

// live keeps a subscription running across reconnects, resuming after the
// cursor of the last event given to onEvent.
function live(query, variables, field, onEvent) {
  let after = null;
  let stop = () => {};
  const start = () => {
    stop = client.subscribe(
      { query, variables: { ...variables, after } },
      {
        next: ({ data, errors }) => {
          if (errors) return console.warn(errors); // e.g. UNAUTHENTICATED: sign in again
          after = data[field].cursor;
          onEvent(data[field]);
        },
        error: () => setTimeout(start, 1000), // SLOW_CONSUMER, a dropped socket: resume
        complete: () => {},
      },
    );
  };
  start();
  return () => stop();
}

// The session list: upsert on CREATED/UPDATED, remove on DELETED.
live(LIVE_SESSIONS, { filter: { userId: 'u-42' } }, 'sessionEvents', (ev) => {
  if (ev.kind === 'DELETED') rows.delete(ev.sessionId);
  else rows.set(ev.sessionId, ev.session);
});

// The transcript of the open session: a run appears, then changes status.
live(LIVE_TRANSCRIPT, { sessionId: openSessionId }, 'runEvents', (ev) => {
  if (ev.kind === 'DELETED') return closeTranscript();
  transcript.set(ev.runId, ev.run);
});
