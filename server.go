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
	"runtime/debug"
	"syscall"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/KimMachineGun/automemlimit/memlimit"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"sessiongraph/config"
	"sessiongraph/db"
	"sessiongraph/demo"
	"sessiongraph/graph"
	"sessiongraph/httpserver"
	"sessiongraph/internal/telemetry"
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
	if len(args) > 0 && args[0] == "migrate-indexes" {
		return migrateIndexes(ctx, args[1:], getenv, stderr)
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

// defaultGCPercent is the garbage collector's target (GOGC) when the
// environment sets none. A request allocates a few hundred kilobytes and
// keeps almost none of them, so the live heap is small and, at Go's default
// of 100, the collector ran dozens of times a second under load and took
// about a tenth of the server's CPU. At 300 one session's run tree is
// served about 12% faster; the peak RSS of a 10,000-session load run
// (sgbench a–d) grows from about 113 to 145 MB (at 400 it reached 202 MB
// for the same rate). docs/performance.md has the runs.
const defaultGCPercent = 300

// tuneGC sets the collector's target to defaultGCPercent unless GOGC is
// set, and, unless GOMEMLIMIT is set, a soft memory limit of 90% of the
// container's (cgroup) memory limit when there is one, so that a request
// holding a large live heap makes the collector work harder before the
// kernel's OOM killer would step in, whatever GOGC allows.
func tuneGC(getenv func(string) string, logger *slog.Logger) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		// Set reads GOMEMLIMIT and AUTOMEMLIMIT itself, logs what it sets
		// and leaves the limit alone where there is none.
		_, _ = memlimit.Set(memlimit.WithProvider(memlimit.FromCgroup), memlimit.WithLogger(logger))
	}
}

// migrateIndexes creates the recommended indexes on every configured
// database (`sessiongraph migrate-indexes --db URL`), reporting each one.
func migrateIndexes(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := config.Load(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if cfg.Demo {
		return errors.New("migrate-indexes works on a --db, not on --demo")
	}
	for _, d := range cfg.DBs {
		s, err := db.Open(ctx, db.Options{ID: d.ID, URL: d.URL.Reveal(), Schema: cfg.DBSchema, Table: cfg.SessionTable})
		if err != nil {
			return err
		}
		err = s.CreateIndexes(ctx, func(ix db.Index, took time.Duration, created bool) {
			state := "exists"
			if created {
				state = "created in " + took.Round(time.Millisecond).String()
			}
			fmt.Fprintf(stderr, "%s: %s %s — %s\n", d.ID, ix.Name, state, ix.Purpose)
		})
		s.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// options are the configuration mapped onto the options of the server's parts.
type options struct {
	addr string
	demo bool
	// dbs are the stores' options; under demo, the one store's, whose URL
	// is the file prepareDemo writes.
	dbs          []db.Options
	graphql      graph.Options      // limits and introspection of the executor
	http         httpserver.Options // body cap, deadline, shutdown grace, CORS and authentication
	metricsOps   []string           // operation names metrics label by name
	noPlayground bool
	logger       *slog.Logger // --log-format, from --log-level up
	noMetrics    bool         // no /metrics
	tracing      bool         // the OTEL_* environment asks for traces (telemetry.TracingEnabled)
}

// newOptions maps the configuration onto the options of the server's parts:
// the stores, the GraphQL executor, the HTTP layer, the logger (writing to
// stderr) and tracing.
func newOptions(cfg config.Config, getenv func(string) string, stderr io.Writer) (options, error) {
	logger, err := telemetry.NewLogger(stderr, cfg.LogFormat, cfg.LogLevel)
	if err != nil {
		return options{}, err
	}
	authenticator, err := cfg.Authenticator()
	if err != nil {
		return options{}, err
	}
	o := options{
		addr: cfg.Addr,
		demo: cfg.Demo,
		graphql: graph.Options{
			MaxDepth:             cfg.MaxDepth,
			MaxAliases:           cfg.MaxAliases,
			ComplexityLimit:      cfg.MaxComplexity,
			DisableIntrospection: cfg.NoIntrospection,
			Logger:               logger,
		},
		http: httpserver.Options{
			RequestTimeout: cfg.RequestTimeout,
			ShutdownGrace:  cfg.ShutdownGrace,
			CORSOrigins:    cfg.CORSOrigins,
			Auth:           authenticator,
			Logger:         logger,
		},
		metricsOps:   cfg.MetricsOperations,
		noPlayground: cfg.NoPlayground,
		logger:       logger,
		noMetrics:    cfg.NoMetrics,
		tracing:      telemetry.TracingEnabled(getenv),
	}
	store := db.Options{Schema: cfg.DBSchema, Table: cfg.SessionTable, MaxConns: cfg.DBMaxConns,
		CountCacheTTL: cfg.CountCacheTTL, StatementTimeout: cfg.DBStatementTimeout}
	if cfg.Demo {
		store.ID = "default"
		o.dbs = append(o.dbs, store)
	}
	for _, d := range cfg.DBs {
		store.ID, store.URL = d.ID, d.URL.Reveal()
		o.dbs = append(o.dbs, store)
	}
	return o, nil
}

// app is a configured server: its stores and HTTP handler.
type app struct {
	cfg     options
	stores  []*db.Store
	metrics *prometheus.Registry // nil under --no-metrics
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

// prepareDemo writes the generated dataset into table in a fresh SQLite
// file, half of it double-encoded like Agno up to 2.9 and half plain like
// later Agno, and returns the file's path.
func (a *app) prepareDemo(ctx context.Context, table string) (string, error) {
	dir, err := os.MkdirTemp("", "sessiongraph-demo-")
	if err != nil {
		return "", err
	}
	a.cleanup = append(a.cleanup, func() { _ = os.RemoveAll(dir) })
	path := filepath.Join(dir, "demo.db")
	s, err := db.Open(ctx, db.Options{URL: path, Table: table})
	if err != nil {
		return "", err
	}
	defer s.Close()
	rows := demo.Generate(1, 500, time.Now())
	half := len(rows) / 2
	if err := s.InsertRows(ctx, rows[:half], db.DoubleEncoded); err != nil {
		return "", err
	}
	if err := s.InsertRows(ctx, rows[half:], db.PlainJSON); err != nil {
		return "", err
	}
	slog.Info("demo dataset ready", "sessions", len(rows), "file", path)
	return path, nil
}

// routes wires the endpoints, each in the HTTP layer's request scope.
func (a *app) routes() http.Handler {
	web := httpserver.New(a.cfg.http)
	mux := http.NewServeMux()
	mux.Handle("/graphql", web.GraphQL(graph.NewServer(&graph.Resolver{Stores: a.stores}, a.cfg.graphql)))
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
	return httpserver.New(a.cfg.http).ListenAndServe(ctx, a.cfg.addr, a.handler)
}

// Close closes the databases and removes the demo file.
func (a *app) Close() {
	for i := len(a.cleanup) - 1; i >= 0; i-- {
		a.cleanup[i]()
	}
}
