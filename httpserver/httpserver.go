// Package httpserver is the server's HTTP layer. Every endpoint gets the
// same request scope from Wrap: a request id, security headers, a body cap,
// a deadline, and a metric of its answers. The /graphql endpoint gets its
// own from GraphQL: authentication, CORS, tracing and the
// GraphQL-over-HTTP transport. A request this package refuses (a body over
// the cap, a body that is not a GraphQL request, a missing or bad token, a
// mutation over GET) gets a GraphQL-shaped answer with an extensions.code,
// a log line and a metric. ListenAndServe runs the http.Server with its
// timeouts and graceful shutdown.
package httpserver

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/felixge/httpsnoop"
	"go.opentelemetry.io/otel/trace"

	"sessiongraph/auth"
	"sessiongraph/internal/telemetry"
)

// Defaults of Options.
const (
	DefaultMaxBodyBytes   = 1 << 20
	DefaultRequestTimeout = 30 * time.Second
)

// Options configures the HTTP layer. Its zero value is the safe default: a
// field left zero takes its default.
type Options struct {
	// MaxBodyBytes caps a request body; a larger one gets 413.
	MaxBodyBytes int64
	// RequestTimeout is the deadline of a request's context; GraphQL work
	// cut short by it fails with TIMEOUT.
	RequestTimeout time.Duration
	// ShutdownGrace is how long requests in flight may finish once
	// ListenAndServe's context is done; zero cancels them at once.
	ShutdownGrace time.Duration
	// CORSOrigins are the origins browsers may call /graphql from ("*" for
	// any, "https://*.example.com" for subdomains); with none, no CORS
	// headers are sent at all.
	CORSOrigins []string
	// Auth authenticates every /graphql request but CORS preflights (401
	// without a valid security key or JWT); nil serves everyone as an
	// admin, as AgentOS does without a security key.
	Auth *auth.Authenticator
	// Logger receives a line for every request the layer refuses and for
	// the server's start and stop; default slog.Default().
	Logger *slog.Logger
	// Metrics, when set, count and time every answer (see NewMetrics).
	Metrics *Metrics
	// TracerProvider, when set, receives a server span per /graphql request.
	TracerProvider trace.TracerProvider
	// MaxSubscriptionsPerConnection bounds the subscriptions one WebSocket
	// or SSE stream holds at once (live.DefaultMaxPerConnection when zero).
	MaxSubscriptionsPerConnection int
}

// Server is the HTTP layer configured by Options.
type Server struct {
	opts    Options
	streams streams
}

// New returns the HTTP layer for opts.
func New(opts Options) *Server {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Server{opts: opts}
}

// securityHeaders are sent with every answer; an endpoint may replace them
// (the playground sends a Content-Security-Policy that lets its page run,
// and Cache-Control that lets its assets be cached).
var securityHeaders = [][2]string{
	{"Cache-Control", "no-store"},
	{"X-Content-Type-Options", "nosniff"},
	{"Referrer-Policy", "no-referrer"},
	{"X-Frame-Options", "DENY"},
	{"Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"},
}

// Wrap gives every request to next its scope: its id (the caller's
// X-Request-Id when it is 1 to 128 printable ASCII characters, else a
// generated one), echoed in X-Request-Id and named by every log line
// written with its context (telemetry.WithRequestID); the security
// headers; a body capped at MaxBodyBytes; a deadline of RequestTimeout;
// and, with Metrics, the count and time of its answer by the route that
// served it (next is usually an http.ServeMux, which names the route).
func (s *Server) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !saneRequestID(id) {
			id = rand.Text()
		}
		h := w.Header()
		h.Set("X-Request-Id", id)
		for _, kv := range securityHeaders {
			h.Set(kv[0], kv[1])
		}
		ctx, cancel := telemetry.WithRequestID(r.Context(), id), context.CancelFunc(func() {})
		if !isStream(r) { // a subscription lasts as long as its client wants
			ctx, cancel = context.WithTimeout(ctx, s.opts.RequestTimeout)
		}
		defer cancel()
		r = r.WithContext(ctx)
		r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
		if s.opts.Metrics == nil {
			next.ServeHTTP(w, r)
			return
		}
		status := http.StatusOK
		w = httpsnoop.Wrap(w, httpsnoop.Hooks{
			WriteHeader: func(next httpsnoop.WriteHeaderFunc) httpsnoop.WriteHeaderFunc {
				return func(code int) {
					status = code
					next(code)
				}
			},
		})
		next.ServeHTTP(w, r)
		s.opts.Metrics.observe(r.Pattern, status, time.Since(start))
	})
}

// saneRequestID keeps the ids that are safe to log and echo.
func saneRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := range len(id) {
		if id[i] < 0x20 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

// ListenAndServe serves handler on addr until ctx is done, then stops
// accepting connections and lets the requests in flight finish for
// ShutdownGrace; past it, it cancels what is left and returns nil, as an
// orchestrator's stop expects.
func (s *Server) ListenAndServe(ctx context.Context, addr string, handler http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	// Requests' contexts derive from base, cancelled when the grace period
	// is over so that their database calls stop too.
	base, cancelBase := context.WithCancel(context.Background())
	defer cancelBase()
	srv := &http.Server{
		Handler:           handler,
		BaseContext:       func(net.Listener) context.Context { return base },
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		// Past the request timeout, so that a timed-out request still gets its coded answer.
		WriteTimeout: max(60*time.Second, s.opts.RequestTimeout+10*time.Second),
		IdleTimeout:  120 * time.Second,
	}
	// Shutdown neither sees hijacked WebSockets nor ends SSE streams.
	srv.RegisterOnShutdown(s.streams.closeAll)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.opts.Logger.Info("serving", "url", "http://"+ln.Addr().String()+"/")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		s.opts.Logger.Warn("shutdown grace period over; closing the remaining connections", "grace", s.opts.ShutdownGrace, "error", err)
		cancelBase()
		_ = srv.Close()
	}
	s.opts.Logger.Info("stopped")
	return nil
}
