// Command sessiongraph serves a GraphQL API over the session table that the
// Agno agent framework stores in PostgreSQL or SQLite.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"sessiongraph/config"
	"sessiongraph/dataset"
	"sessiongraph/db"
	"sessiongraph/graph"
	"sessiongraph/httpserver"
	"sessiongraph/internal/telemetry"
	"sessiongraph/live"
	"sessiongraph/playground"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "sessiongraph:", err)
		os.Exit(1)
	}
}

// run starts the server with the given arguments and environment and serves
// until ctx is done, then shuts down gracefully.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	if len(args) > 0 && commands[args[0]] != nil {
		return commands[args[0]](ctx, args[1:], getenv, stderr)
	}
	cfg, err := config.Load(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	opts, err := newOptions(cfg, getenv, stderr)
	if err != nil {
		return err
	}
	slog.SetDefault(opts.logger)
	slog.LogAttrs(ctx, slog.LevelInfo, "configuration", cfg.LogAttrs()...)
	tuneGC(getenv, opts.logger)
	a, err := newApp(ctx, opts)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Serve(ctx)
}

// app is a configured server: its stores and HTTP handler.
type app struct {
	cfg     options
	stores  []*db.Store
	metrics *prometheus.Registry // nil under --no-metrics
	live    *live.Hub
	web     *httpserver.Server
	handler http.Handler
	cleanup []func()
}

// newApp opens every database (creating Agno's table where missing) and builds the handler.
func newApp(ctx context.Context, cfg options) (*app, error) {
	a := &app{cfg: cfg}
	if cfg.demo {
		path, err := a.prepareDemo(ctx, cfg.dbs[0].Table)
		if err != nil {
			a.Close()
			return nil, err
		}
		cfg.dbs[0].URL = path
	}
	for _, o := range cfg.dbs {
		s, err := db.New(o)
		if err != nil {
			a.Close()
			return nil, err
		}
		a.stores = append(a.stores, s)
		a.cleanup = append(a.cleanup, func() { _ = s.Close() })
		// A database that is down at start does not stop the server: /readyz
		// answers 503 and requests UNAVAILABLE until it answers, and the
		// first request after that initializes it.
		// A table that is not Agno's is a configuration error, and fails.
		openCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		if err := s.Ping(openCtx); err != nil {
			slog.Warn("database not ready; serving anyway, /readyz answers 503 until it is", "db", o.ID, "error", err)
		} else if err := s.Init(openCtx); err != nil {
			cancel()
			a.Close()
			return nil, err
		}
		cancel()
	}
	if err := a.observe(ctx); err != nil {
		a.Close()
		return nil, err
	}
	liveOpts := a.cfg.live
	if a.metrics != nil {
		liveOpts.Registerer = a.metrics
	}
	hub, err := live.New(liveOpts)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.live = hub
	a.cleanup = append(a.cleanup, hub.Close) // before the stores close
	a.handler = a.routes()
	return a, nil
}

// observe sets up the logs, the metrics served at /metrics and, when the
// OTEL_* environment asks for it, tracing of requests, operations and SQL.
func (a *app) observe(ctx context.Context) error {
	var operationMetrics *telemetry.OperationMetrics
	if !a.cfg.noMetrics {
		var err error
		if a.metrics, err = telemetry.NewRegistry(a.stores); err != nil {
			return err
		}
		if operationMetrics, err = telemetry.NewOperationMetrics(a.metrics); err != nil {
			return err
		}
		if a.cfg.http.Metrics, err = httpserver.NewMetrics(a.metrics); err != nil {
			return err
		}
	}
	observer := telemetry.OperationObserver(a.cfg.logger, operationMetrics, a.cfg.metricsOps)
	if !a.cfg.tracing {
		a.cfg.graphql.Observers = []graphql.HandlerExtension{observer}
		return nil
	}
	tp, err := telemetry.NewTracerProvider(ctx)
	if err != nil {
		return err
	}
	a.cleanup = append(a.cleanup, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := tp.Shutdown(ctx); err != nil {
			slog.Warn("tracing: spans left unsent", "error", err)
		}
	})
	for _, s := range a.stores {
		if err := s.TraceStatements(tp); err != nil {
			return err
		}
	}
	// The tracer first: the observer's log line names the trace.
	a.cfg.graphql.Observers = []graphql.HandlerExtension{telemetry.OperationTracer(tp), observer}
	a.cfg.http.TracerProvider = tp
	return nil
}

// prepareDemo writes the realistic dataset into table in a fresh SQLite
// file in Agno 3's layout (the runs in the runs table), the session columns
// of half of it double-encoded like Agno up to 2.9 and early 3.0 and half
// plain like later Agno, with Agno's traces and daily metrics of it, and
// returns the file's path.
func (a *app) prepareDemo(ctx context.Context, table string) (string, error) {
	dir, err := os.MkdirTemp("", "sessiongraph-demo-")
	if err != nil {
		return "", err
	}
	a.cleanup = append(a.cleanup, func() { _ = os.RemoveAll(dir) })
	path := filepath.Join(dir, "demo.db")
	s, err := db.Open(ctx, db.Options{URL: path, Table: table, CreateLayout: db.LayoutV3})
	if err != nil {
		return "", err
	}
	defer s.Close()
	now := time.Now()
	sessions := dataset.Generate(dataset.Realistic(1, 500, now))
	if err := dataset.InsertDemo(ctx, s, sessions, now); err != nil {
		return "", err
	}
	slog.Info("demo dataset ready", "sessions", len(sessions), "file", path)
	return path, nil
}

// routes wires the endpoints, each in the HTTP layer's request scope.
func (a *app) routes() http.Handler {
	a.web = httpserver.New(a.cfg.http)
	web := a.web
	mux := http.NewServeMux()
	mux.Handle("/graphql", web.GraphQL(graph.NewServer(&graph.Resolver{Stores: a.stores, Live: a.live}, a.cfg.graphql)))
	if !a.cfg.noPlayground {
		page := playground.Handler() // GraphiQL, embedded: no CDN
		mux.Handle("GET /{$}", page)
		mux.Handle("GET "+playground.AssetsPath, page)
	}
	mux.HandleFunc("GET /livez", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /readyz", a.readyz)
	if a.metrics != nil {
		// Outside /graphql's authentication: keep the port off public networks.
		mux.Handle("GET /metrics", promhttp.HandlerFor(a.metrics, promhttp.HandlerOpts{}))
	}
	return web.Wrap(mux)
}

// readyz answers 200 when every configured database answers, else 503.
func (a *app) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	for _, s := range a.stores {
		if err := s.Ready(ctx); err != nil {
			slog.Warn("not ready", "db", s.ID(), "error", err)
			http.Error(w, "database "+s.ID()+" does not answer", http.StatusServiceUnavailable)
			return
		}
	}
	_, _ = io.WriteString(w, "ok\n")
}

// Serve listens on the configured address until ctx is done, then lets
// in-flight requests finish within the shutdown grace period.
func (a *app) Serve(ctx context.Context) error {
	return a.web.ListenAndServe(ctx, a.cfg.addr, a.handler)
}

// Close closes the databases and removes the demo file.
func (a *app) Close() {
	for i := len(a.cleanup) - 1; i >= 0; i-- {
		a.cleanup[i]()
	}
}
