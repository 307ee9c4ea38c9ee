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
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/KimMachineGun/automemlimit/memlimit"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"sessiongraph/auth"
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
	cfg, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	slog.SetDefault(cfg.logger)
	tuneGC(getenv, cfg.logger)
	a, err := newApp(ctx, cfg)
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
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	if cfg.demo {
		return errors.New("migrate-indexes works on a --db, not on --demo")
	}
	for _, spec := range cfg.dbs {
		s, err := db.Open(ctx, db.Options{ID: spec.id, URL: spec.url, Schema: cfg.schema, Table: cfg.table})
		if err != nil {
			return err
		}
		err = s.CreateIndexes(ctx, func(ix db.Index, took time.Duration, created bool) {
			state := "exists"
			if created {
				state = "created in " + took.Round(time.Millisecond).String()
			}
			fmt.Fprintf(stderr, "%s: %s %s — %s\n", spec.id, ix.Name, state, ix.Purpose)
		})
		s.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// config is the server's configuration.
type config struct {
	addr          string
	dbs           []dbSpec
	schema        string
	table         string
	demo          bool
	maxConns      int
	countCacheTTL time.Duration
	// statementTimeout is PostgreSQL's statement_timeout on our connections.
	statementTimeout time.Duration
	graphql          graph.Options      // limits and introspection
	http             httpserver.Options // request timeout, CORS, authentication
	metricsOps       []string           // operation names metrics label by name
	noPlayground     bool
	logger           *slog.Logger // --log-format, from --log-level up
	noMetrics        bool         // no /metrics
	tracing          bool         // the OTEL_* environment asks for traces (telemetry.TracingEnabled)
}

// dbSpec is one --db value: an optional id and a URL.
type dbSpec struct{ id, url string }

// dbFlags collects repeated --db values.
type dbFlags []dbSpec

var dbIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func (f *dbFlags) String() string { return fmt.Sprint(len(*f), " databases") }

// Set accepts URL or ID=URL.
func (f *dbFlags) Set(v string) error {
	spec := dbSpec{url: v}
	if id, url, ok := strings.Cut(v, "="); ok && dbIDPattern.MatchString(id) {
		spec = dbSpec{id: id, url: url}
	}
	if _, err := db.ParseURL(spec.url); err != nil {
		return err
	}
	*f = append(*f, spec)
	return nil
}

// originFlags collects repeated --cors-origin values.
type originFlags []string

func (f *originFlags) String() string { return strings.Join(*f, ",") }

// Set accepts * or scheme://host[:port], where host may start with *.
// (e.g. https://*.example.com); a path would never match an Origin header.
func (f *originFlags) Set(v string) error {
	if u, err := url.Parse(v); v != "*" && (err != nil || u.Scheme == "" || u.Host == "" || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "") {
		return fmt.Errorf("CORS origin %q is not * or scheme://host[:port]", v)
	}
	*f = append(*f, v)
	return nil
}

// operationFlags collects repeated --metrics-operation values.
type operationFlags []string

var graphQLName = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]*$`)

func (f *operationFlags) String() string { return strings.Join(*f, ",") }

// Set accepts a GraphQL operation name.
func (f *operationFlags) Set(v string) error {
	if !graphQLName.MatchString(v) {
		return fmt.Errorf("%q is not a GraphQL operation name", v)
	}
	*f = append(*f, v)
	return nil
}

// parseConfig reads flags, falling back to environment variables.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("sessiongraph", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	var dbs dbFlags
	fs.StringVar(&cfg.addr, "addr", envOr(getenv, "SESSIONGRAPH_ADDR", "127.0.0.1:8080"), "listen address (env SESSIONGRAPH_ADDR)")
	fs.Var(&dbs, "db", "database URL, or ID=URL; repeat for several databases, the first is the default (env DATABASE_URL; default sqlite:///agno.db)")
	fs.StringVar(&cfg.schema, "db-schema", envOr(getenv, "SESSIONGRAPH_DB_SCHEMA", "ai"), "PostgreSQL schema of the sessions table (env SESSIONGRAPH_DB_SCHEMA)")
	fs.StringVar(&cfg.table, "session-table", envOr(getenv, "SESSIONGRAPH_SESSION_TABLE", "agno_sessions"), "sessions table (env SESSIONGRAPH_SESSION_TABLE)")
	fs.IntVar(&cfg.maxConns, "db-max-conns", 0, "connections per database pool; 0 means max(4, GOMAXPROCS), as pgxpool (env SESSIONGRAPH_DB_MAX_CONNS)")
	fs.DurationVar(&cfg.statementTimeout, "db-statement-timeout", 30*time.Second, "PostgreSQL statement_timeout on the server's connections (0: the database's own; env SESSIONGRAPH_DB_STATEMENT_TIMEOUT)")
	fs.DurationVar(&cfg.countCacheTTL, "count-cache-ttl", time.Second, "reuse a totalCount answer this long (refreshed in the background up to 4x); 0 counts every time (env SESSIONGRAPH_COUNT_CACHE_TTL)")
	fs.BoolVar(&cfg.demo, "demo", false, "serve a generated demo dataset from a temporary SQLite file")
	fs.DurationVar(&cfg.http.ShutdownGrace, "shutdown-grace", 10*time.Second, "how long in-flight requests may finish on SIGINT/SIGTERM (env SESSIONGRAPH_SHUTDOWN_GRACE)")
	fs.IntVar(&cfg.graphql.MaxDepth, "max-depth", graph.DefaultMaxDepth, "deepest nesting of fields a query may have, introspection aside (env SESSIONGRAPH_MAX_DEPTH)")
	fs.IntVar(&cfg.graphql.MaxAliases, "max-aliases", graph.DefaultMaxAliases, "most aliases a query may have (env SESSIONGRAPH_MAX_ALIASES)")
	fs.IntVar(&cfg.graphql.ComplexityLimit, "max-complexity", graph.DefaultComplexityLimit, "most a query may cost (env SESSIONGRAPH_MAX_COMPLEXITY)")
	fs.DurationVar(&cfg.http.RequestTimeout, "request-timeout", httpserver.DefaultRequestTimeout, "how long a GraphQL request may run (env SESSIONGRAPH_REQUEST_TIMEOUT)")
	fs.BoolVar(&cfg.graphql.DisableIntrospection, "no-introspection", false, "refuse introspection queries (env SESSIONGRAPH_NO_INTROSPECTION)")
	fs.BoolVar(&cfg.noPlayground, "no-playground", false, "do not serve GraphiQL at / (env SESSIONGRAPH_NO_PLAYGROUND)")
	var logFormat, logLevel string
	fs.StringVar(&logFormat, "log-format", envOr(getenv, "SESSIONGRAPH_LOG_FORMAT", "text"), "log format: text or json (env SESSIONGRAPH_LOG_FORMAT)")
	fs.StringVar(&logLevel, "log-level", envOr(getenv, "SESSIONGRAPH_LOG_LEVEL", "info"), "least severe level logged: debug, info (a line per GraphQL operation), warn or error (env SESSIONGRAPH_LOG_LEVEL)")
	fs.BoolVar(&cfg.noMetrics, "no-metrics", false, "do not serve Prometheus metrics at /metrics, which needs no authentication: keep it off public networks (env SESSIONGRAPH_NO_METRICS)")
	var metricsOps operationFlags
	fs.Var(&metricsOps, "metrics-operation", "a GraphQL operation name that metrics label by name (others count as \"other\"); repeat for several (env SESSIONGRAPH_METRICS_OPERATIONS, comma-separated)")
	var authCfg auth.Config
	var jwtSecret, jwtPublicKey string
	fs.StringVar(&authCfg.SecurityKey, "security-key", getenv("OS_SECURITY_KEY"), "require Authorization: Bearer <key> on every request, as AgentOS does (env OS_SECURITY_KEY; prefer the env, flags show in ps)")
	fs.StringVar(&jwtSecret, "jwt-secret", getenv("SESSIONGRAPH_JWT_SECRET"), "accept HS256 JWTs signed with this secret, at least 32 bytes (env SESSIONGRAPH_JWT_SECRET)")
	fs.StringVar(&jwtPublicKey, "jwt-public-key", getenv("SESSIONGRAPH_JWT_PUBLIC_KEY"), "accept JWTs signed for this PEM public key file: RS256 (RSA) or ES256 (P-256) (env SESSIONGRAPH_JWT_PUBLIC_KEY)")
	fs.StringVar(&authCfg.Audience, "jwt-audience", getenv("SESSIONGRAPH_JWT_AUDIENCE"), "require this aud in JWTs (env SESSIONGRAPH_JWT_AUDIENCE)")
	fs.StringVar(&authCfg.Issuer, "jwt-issuer", getenv("SESSIONGRAPH_JWT_ISSUER"), "require this iss in JWTs (env SESSIONGRAPH_JWT_ISSUER)")
	fs.StringVar(&authCfg.UserClaim, "jwt-user-claim", envOr(getenv, "SESSIONGRAPH_JWT_USER_CLAIM", auth.DefaultUserClaim), "the JWT claim holding the user id sessions are scoped to (env SESSIONGRAPH_JWT_USER_CLAIM)")
	fs.StringVar(&authCfg.ScopesClaim, "jwt-scopes-claim", envOr(getenv, "SESSIONGRAPH_JWT_SCOPES_CLAIM", auth.DefaultScopesClaim), "the JWT claim holding the scopes (env SESSIONGRAPH_JWT_SCOPES_CLAIM)")
	fs.StringVar(&authCfg.AdminScope, "admin-scope", envOr(getenv, "SESSIONGRAPH_ADMIN_SCOPE", auth.DefaultAdminScope), "the scope that sees every user's sessions (env SESSIONGRAPH_ADMIN_SCOPE)")
	var origins originFlags
	fs.Var(&origins, "cors-origin", "an origin browsers may call /graphql from, e.g. https://app.example.com, or * for any; repeat for several (env SESSIONGRAPH_CORS_ORIGINS, comma-separated; default none)")
	for _, f := range [][2]string{{"max-depth", "SESSIONGRAPH_MAX_DEPTH"}, {"max-aliases", "SESSIONGRAPH_MAX_ALIASES"},
		{"max-complexity", "SESSIONGRAPH_MAX_COMPLEXITY"}, {"request-timeout", "SESSIONGRAPH_REQUEST_TIMEOUT"},
		{"no-introspection", "SESSIONGRAPH_NO_INTROSPECTION"}, {"no-playground", "SESSIONGRAPH_NO_PLAYGROUND"},
		{"db-max-conns", "SESSIONGRAPH_DB_MAX_CONNS"}, {"db-statement-timeout", "SESSIONGRAPH_DB_STATEMENT_TIMEOUT"},
		{"count-cache-ttl", "SESSIONGRAPH_COUNT_CACHE_TTL"}, {"shutdown-grace", "SESSIONGRAPH_SHUTDOWN_GRACE"},
		{"no-metrics", "SESSIONGRAPH_NO_METRICS"}} {
		if v := getenv(f[1]); v != "" {
			if err := fs.Set(f[0], v); err != nil {
				return cfg, fmt.Errorf("%s: %w", f[1], err)
			}
		}
	}
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: sessiongraph [flags]\n       sessiongraph migrate-indexes [flags]   create the recommended indexes, then exit\n\nServes a GraphQL API over Agno's session table.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, err
		}
		return cfg, fmt.Errorf("%w (see --help)", err)
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q (see --help)", fs.Arg(0))
	}
	if min(cfg.graphql.MaxDepth, cfg.graphql.MaxAliases, cfg.graphql.ComplexityLimit) < 1 || cfg.http.RequestTimeout <= 0 {
		return cfg, errors.New("--max-depth, --max-aliases, --max-complexity and --request-timeout must be positive")
	}
	if len(origins) == 0 {
		for _, o := range strings.Split(getenv("SESSIONGRAPH_CORS_ORIGINS"), ",") {
			if o = strings.TrimSpace(o); o != "" {
				if err := origins.Set(o); err != nil {
					return cfg, fmt.Errorf("SESSIONGRAPH_CORS_ORIGINS: %w", err)
				}
			}
		}
	}
	cfg.http.CORSOrigins = origins
	if len(metricsOps) == 0 {
		for _, name := range strings.Split(getenv("SESSIONGRAPH_METRICS_OPERATIONS"), ",") {
			if name = strings.TrimSpace(name); name != "" {
				if err := metricsOps.Set(name); err != nil {
					return cfg, fmt.Errorf("SESSIONGRAPH_METRICS_OPERATIONS: %w", err)
				}
			}
		}
	}
	cfg.metricsOps = metricsOps
	logger, err := telemetry.NewLogger(stderr, logFormat, logLevel)
	if err != nil {
		return cfg, err
	}
	cfg.logger = logger
	cfg.tracing = telemetry.TracingEnabled(getenv)
	if jwtSecret != "" {
		authCfg.JWTSecret = []byte(jwtSecret)
	}
	if jwtPublicKey != "" {
		pem, err := os.ReadFile(jwtPublicKey)
		if err != nil {
			return cfg, fmt.Errorf("--jwt-public-key: %w", err)
		}
		authCfg.JWTPublicKeyPEM = pem
	}
	if authCfg.SecurityKey != "" || authCfg.JWTSecret != nil || authCfg.JWTPublicKeyPEM != nil {
		a, err := auth.New(authCfg)
		if err != nil {
			return cfg, fmt.Errorf("authentication: %w", err)
		}
		cfg.http.Auth = a
	} else if authCfg.Audience != "" || authCfg.Issuer != "" {
		return cfg, errors.New("--jwt-audience and --jwt-issuer need --jwt-secret or --jwt-public-key")
	}
	if len(dbs) == 0 {
		if env := getenv("DATABASE_URL"); env != "" {
			if err := dbs.Set(env); err != nil {
				return cfg, fmt.Errorf("DATABASE_URL: %w", err)
			}
		}
	}
	if cfg.demo && len(dbs) > 0 {
		return cfg, errors.New("--demo serves its own dataset and never touches another database: drop --db / DATABASE_URL")
	}
	if len(dbs) == 0 && !cfg.demo {
		dbs = dbFlags{{url: "agno.db"}} // Agno's own default SQLite file
	}
	seen := map[string]bool{}
	for i := range dbs {
		if dbs[i].id == "" {
			dbs[i].id = "default"
			if i > 0 {
				dbs[i].id = fmt.Sprintf("db%d", i+1)
			}
		}
		if seen[dbs[i].id] {
			return cfg, fmt.Errorf("database id %q is given twice", dbs[i].id)
		}
		seen[dbs[i].id] = true
	}
	cfg.dbs = dbs
	return cfg, nil
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// app is a configured server: its stores and HTTP handler.
type app struct {
	cfg     config
	stores  []*db.Store
	metrics *prometheus.Registry // nil under --no-metrics
	handler http.Handler
	cleanup []func()
}

// newApp opens every database (creating Agno's table where missing) and builds the handler.
func newApp(ctx context.Context, cfg config) (*app, error) {
	a := &app{cfg: cfg}
	if cfg.demo {
		spec, err := a.prepareDemo(ctx)
		if err != nil {
			a.Close()
			return nil, err
		}
		cfg.dbs = []dbSpec{spec}
	}
	for _, spec := range cfg.dbs {
		s, err := db.New(db.Options{ID: spec.id, URL: spec.url, Schema: cfg.schema, Table: cfg.table,
			MaxConns: cfg.maxConns, CountCacheTTL: cfg.countCacheTTL, StatementTimeout: cfg.statementTimeout})
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
			slog.Warn("database not ready; serving anyway, /readyz answers 503 until it is", "db", spec.id, "error", err)
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
	a.cfg.graphql.Logger = a.cfg.logger
	a.cfg.http.Logger = a.cfg.logger
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

// prepareDemo writes the generated dataset into a fresh SQLite file, half of
// it double-encoded like Agno up to 2.9 and half plain like later Agno.
func (a *app) prepareDemo(ctx context.Context) (dbSpec, error) {
	dir, err := os.MkdirTemp("", "sessiongraph-demo-")
	if err != nil {
		return dbSpec{}, err
	}
	a.cleanup = append(a.cleanup, func() { _ = os.RemoveAll(dir) })
	path := filepath.Join(dir, "demo.db")
	s, err := db.Open(ctx, db.Options{URL: path, Table: a.cfg.table})
	if err != nil {
		return dbSpec{}, err
	}
	defer s.Close()
	rows := demo.Generate(1, 500, time.Now())
	half := len(rows) / 2
	if err := s.InsertRows(ctx, rows[:half], db.DoubleEncoded); err != nil {
		return dbSpec{}, err
	}
	if err := s.InsertRows(ctx, rows[half:], db.PlainJSON); err != nil {
		return dbSpec{}, err
	}
	slog.Info("demo dataset ready", "sessions", len(rows), "file", path)
	return dbSpec{id: "default", url: path}, nil
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
