// The fetcher GraphiQL runs operations with: queries and mutations are
// POSTed to /graphql; subscriptions go over a WebSocket to /graphql in the
// graphql-transport-ws protocol (the graphql-ws library), whose
// connection_init payload carries the headers a POST would send.
import { getOperationAST, parse } from 'graphql';
import { createClient } from 'graphql-ws';

// Relative to the page, so that the playground keeps working behind a proxy
// that mounts sessiongraph under a path prefix.
const endpoint = new URL('graphql', document.baseURI);
const socketEndpoint = new URL(endpoint);
socketEndpoint.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';

// createFetcher returns GraphiQL's fetcher for a token from the token field.
// Its dispose closes the WebSocket it may have opened.
export function createFetcher(token) {
  let socket = null; // {client, params}, made by the first subscription
  // socketClient connects lazily, when a subscription starts, and anew when
  // the Headers tab changed what goes in connection_init. It does not retry:
  // a refused or dropped connection is shown at once (graphql-ws would retry
  // for half a minute, a bad token's 4403 Forbidden included).
  function socketClient(headers) {
    const params = JSON.stringify(headers);
    if (socket?.params !== params) {
      socket?.client.dispose();
      socket = { params, client: createClient({ url: socketEndpoint.href, connectionParams: headers, retryAttempts: 0 }) };
    }
    return socket.client;
  }
  const fetcher = async (params, opts) => {
    const headers = requestHeaders(token, opts?.headers);
    if (isSubscription(params)) return subscription(socketClient(headers), params);
    return post(params, headers);
  };
  fetcher.dispose = () => socket?.client.dispose();
  return fetcher;
}

// isSubscription parses the query rather than trusting GraphiQL's
// documentAST, which can lag behind the editor when Run follows typing.
// A query that does not parse is POSTed, for the server to explain.
function isSubscription({ query, operationName }) {
  try {
    return getOperationAST(parse(query), operationName)?.operation === 'subscription';
  } catch {
    return false;
  }
}

// requestHeaders returns "Authorization: Bearer <token>" for the token field,
// under the headers of GraphiQL's Headers tab, which win whatever their case.
function requestHeaders(token, tabHeaders) {
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  for (const [name, value] of Object.entries(tabHeaders ?? {})) {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === name.toLowerCase()) delete headers[key];
    }
    headers[name] = String(value);
  }
  return headers;
}

// post sends one operation. An answer that is not JSON (a proxy's error
// page, say) is shown as a GraphQL error instead of failing to parse.
async function post(params, headers) {
  const httpHeaders = new Headers({
    'Content-Type': 'application/json',
    Accept: 'application/graphql-response+json, application/json;q=0.9',
  });
  for (const [name, value] of Object.entries(headers)) httpHeaders.set(name, value);
  const res = await fetch(endpoint, { method: 'POST', headers: httpHeaders, body: JSON.stringify(params) });
  if (/json/.test(res.headers.get('Content-Type') ?? '')) return res.json();
  return { errors: [{ message: `HTTP ${res.status}: ${(await res.text()).trim()}` }] };
}

// subscription runs one operation over the socket as an observable, which
// GraphiQL stops at once when its stop button is pressed (an async iterator
// would stop only when the next event arrived).
function subscription(client, params) {
  return {
    subscribe(sink) {
      const unsubscribe = client.subscribe(params, {
        next: (result) => sink.next(result),
        complete: () => sink.complete(),
        error: (err) => sink.error(socketErrors(err)),
      });
      return { unsubscribe };
    },
  };
}

// socketErrors turns what graphql-ws fails with into GraphQL errors for the
// result pane: the server's errors as they are, a close event as its code
// and reason. (JSON.stringify shows none of a browser event's fields.)
function socketErrors(err) {
  if (Array.isArray(err)) return err;
  if (typeof err?.code === 'number' && 'reason' in err) {
    return [{ message: `WebSocket closed: ${err.code} ${err.reason}`.trim() }];
  }
  if (err instanceof Event) {
    // The browser keeps the cause of a failed WebSocket to its console.
    return [{ message: `WebSocket to ${socketEndpoint} failed; the browser console says why` }];
  }
  return [{ message: err instanceof Error ? err.message : String(err) }];
}
