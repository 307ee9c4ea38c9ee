package httpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	coderws "github.com/coder/websocket"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"sessiongraph/auth"
	"sessiongraph/live"
	"sessiongraph/models"
)

// Timings of the subscription transports.
const (
	// wsInitTimeout is how long a WebSocket may stay open without
	// connection_init (then closed with 1002, as gqlgen does).
	wsInitTimeout = 10 * time.Second
	// wsPingInterval is how often the server pings a graphql-transport-ws
	// client; one that has not answered two pings later is closed.
	wsPingInterval = 25 * time.Second
	// sseKeepAlive is how often an idle SSE stream gets a comment line, so
	// that proxies do not time it out.
	sseKeepAlive = 15 * time.Second
)

// WebSocket close codes of the graphql-transport-ws protocol.
const (
	closeForbidden   = 4403
	closeGoingAway   = 1001
	closeSlowReading = 1008 // policy violation: the client did not read
)

// streams are the long-lived connections (WebSockets, SSE streams) open on
// the server, which shutdown closes: http.Server.Shutdown neither sees a
// hijacked connection nor ends a stream.
type streams struct {
	mu   sync.Mutex
	open map[*func()]struct{}
}

func (s *streams) add(close func()) (remove func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open == nil {
		s.open = map[*func()]struct{}{}
	}
	k := &close
	s.open[k] = struct{}{}
	return func() {
		s.mu.Lock()
		delete(s.open, k)
		s.mu.Unlock()
	}
}

func (s *streams) closeAll() {
	s.mu.Lock()
	all := make([]func(), 0, len(s.open))
	for k := range s.open {
		all = append(all, *k)
	}
	s.mu.Unlock()
	for _, c := range all {
		c()
	}
}

// isStream reports whether r opens a long-lived stream (a WebSocket or an
// SSE subscription), which the request timeout does not bound.
func isStream(r *http.Request) bool {
	return r.Header.Get("Upgrade") != "" || strings.Contains(r.Header.Get("Accept"), "text/event-stream")
}

// noDeadlines lifts the server's read and write timeouts from a stream's
// connection.
func noDeadlines(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
}

// wsTransport is GraphQL over WebSocket: gqlgen's transport, which speaks
// graphql-transport-ws (and the older graphql-ws), with the connection
// authenticated by its connection_init payload ({"Authorization": "Bearer
// <token>"}, else the upgrade request's Authorization header), origins
// checked against the CORS allow-list, and the connection closable by the
// subscriptions' hub (a client that does not read) and by shutdown.
type wsTransport struct{ s *Server }

var _ graphql.Transport = wsTransport{}

func (wsTransport) Supports(r *http.Request) bool { return r.Header.Get("Upgrade") != "" }

func (t wsTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	noDeadlines(w)
	var (
		mu   sync.Mutex
		conn transport.WebsocketConn
	)
	closeWith := func(code int, reason string) {
		mu.Lock()
		c := conn
		mu.Unlock()
		if c != nil {
			_ = c.WriteClose(code, reason)
			_ = c.Close()
		}
	}
	lc := live.NewConnection(t.s.opts.MaxSubscriptionsPerConnection, func(reason string) { closeWith(closeSlowReading, reason) })
	defer t.s.streams.add(func() { closeWith(closeGoingAway, "server shutting down") })()
	header := r.Header.Get("Authorization")
	ws := transport.Websocket{
		Implementation: acceptInto{t.originOptions(), func(c transport.WebsocketConn) {
			mu.Lock()
			conn = c
			mu.Unlock()
		}},
		InitTimeout:           wsInitTimeout,
		PingPongInterval:      wsPingInterval,
		KeepAlivePingInterval: wsPingInterval,
		InitFunc: func(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			token := payload.Authorization()
			if token == "" {
				token = header
			}
			scheme, rest, ok := strings.Cut(token, " ")
			if ok && strings.EqualFold(scheme, "Bearer") {
				token = strings.TrimSpace(rest)
			}
			p, err := t.s.principal(token)
			if err != nil {
				t.s.opts.Logger.InfoContext(ctx, "WebSocket refused", "code", string(models.Unauthenticated), "reason", authReason(err))
				ctx = transport.AppendCloseReason(transport.WithWebsocketCloseCode(ctx, closeForbidden), authReason(err))
				return ctx, nil, errors.New(authReason(err))
			}
			return live.WithConnection(auth.WithPrincipal(ctx, p), lc), nil, nil
		},
	}
	ws.Do(w, r, exec)
}

// originOptions lets browsers open WebSockets from this server's own origin
// and from the CORS allow-list's.
func (t wsTransport) originOptions() coderws.AcceptOptions {
	var o coderws.AcceptOptions
	for _, origin := range t.s.opts.CORSOrigins {
		if origin == "*" {
			o.InsecureSkipVerify = true
		}
		o.OriginPatterns = append(o.OriginPatterns, origin)
	}
	return o
}

// acceptInto accepts with coder/websocket and hands the connection to keep.
type acceptInto struct {
	opts coderws.AcceptOptions
	keep func(transport.WebsocketConn)
}

func (a acceptInto) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	c, err := transport.CoderWebsocketImplementation{AcceptOptions: a.opts}.Accept(w, r, o)
	if err == nil {
		a.keep(c)
	}
	return c, err
}

// principal authenticates a token as Authenticate does; with no
// Authenticator everyone is an admin.
func (s *Server) principal(token string) (auth.Principal, error) {
	if s.opts.Auth == nil {
		return auth.Principal{Method: auth.MethodNone}, nil
	}
	return s.opts.Auth.Authenticate(token)
}

// authReason is what a client is told about a token refused.
func authReason(err error) string {
	switch {
	case errors.Is(err, auth.ErrMissingToken):
		return auth.ErrMissingToken.Error()
	case errors.Is(err, auth.ErrExpiredToken):
		return auth.ErrExpiredToken.Error()
	}
	return auth.ErrInvalidToken.Error()
}

// sseTransport is GraphQL over Server-Sent Events (graphql-sse's distinct
// connections mode: a POST with Accept: text/event-stream), gqlgen's
// transport behind this package's reading of the request, so that a body
// that is not a GraphQL request is refused with a code as over HTTP. The
// stream ends when its subscription does, at shutdown, or when the
// subscriptions' hub cuts it off.
type sseTransport struct{ s *Server }

var _ graphql.Transport = sseTransport{}

func (sseTransport) Supports(r *http.Request) bool { return transport.SSE{}.Supports(r) }

func (t sseTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	params := graphQLTransport{t.s}.readParams(w, r)
	if params == nil {
		return
	}
	body, err := json.Marshal(params)
	if err != nil {
		t.s.refuse(w, r, http.StatusBadRequest, models.BadUserInput, "request body is not a GraphQL request")
		return
	}
	noDeadlines(w)
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer t.s.streams.add(cancel)()
	lc := live.NewConnection(t.s.opts.MaxSubscriptionsPerConnection, func(string) { cancel() })
	r = r.WithContext(live.WithConnection(ctx, lc))
	r.Body = io.NopCloser(bytes.NewReader(body))
	transport.SSE{KeepAlivePingInterval: sseKeepAlive}.Do(w, r, exec)
}
