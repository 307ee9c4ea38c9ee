// GraphiQL for sessiongraph: the explorer plugin, a fetcher for /graphql
// (subscriptions over a WebSocket) and a token field that sends
// "Authorization: Bearer <token>".
import { useEffect, useMemo } from 'react';
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
import { createFetcher } from './fetcher.js';
import { TokenField, useToken } from './token.jsx';

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

// GraphiQL's default plugins are the history alone; the docs come anyway.
const plugins = [HISTORY_PLUGIN, explorerPlugin()];

function Playground() {
  const token = useToken();
  // A new fetcher makes GraphiQL introspect again, with the new token; the
  // old one's WebSocket, authenticated with the old token, is closed.
  const fetcher = useMemo(() => createFetcher(token.applied), [token.applied]);
  useEffect(() => fetcher.dispose, [fetcher]);
  return (
    <>
      <TokenField token={token} />
      <GraphiQL fetcher={fetcher} plugins={plugins} defaultQuery={defaultQuery} />
    </>
  );
}

createRoot(document.getElementById('root')).render(<Playground />);
