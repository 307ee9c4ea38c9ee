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
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/99designs/gqlgen/graphql/playground"

	"sessiongraph/db"
	"sessiongraph/demo"
	"sessiongraph/graph"
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
	slog.SetDefault(slog.New(slog.NewTextHandler(stderr, nil)))
	a, err := newApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Serve(ctx)
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
	shutdownGrace time.Duration
	maxConns      int
	countCacheTTL time.Duration
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
	fs.IntVar(&cfg.maxConns, "db-max-conns", db.DefaultMaxConns, "connections per database pool")
	fs.DurationVar(&cfg.countCacheTTL, "count-cache-ttl", time.Second, "reuse a totalCount answer this long (refreshed in the background up to 4x); 0 counts every time")
	fs.BoolVar(&cfg.demo, "demo", false, "serve a generated demo dataset from a temporary SQLite file")
	fs.DurationVar(&cfg.shutdownGrace, "shutdown-grace", 10*time.Second, "how long in-flight requests may finish on SIGINT/SIGTERM")
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
		openCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
		s, err := db.Open(openCtx, db.Options{ID: spec.id, URL: spec.url, Schema: cfg.schema, Table: cfg.table, MaxConns: cfg.maxConns, CountCacheTTL: cfg.countCacheTTL})
		cancel()
		if err != nil {
			a.Close()
			return nil, err
		}
		a.stores = append(a.stores, s)
		a.cleanup = append(a.cleanup, func() { _ = s.Close() })
	}
	a.handler = a.routes()
	return a, nil
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

// routes wires the endpoints.
func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/graphql", graph.NewHandler(&graph.Resolver{Stores: a.stores}))
	mux.Handle("GET /{$}", playground.Handler("sessiongraph", "/graphql", playground.WithGraphiqlEnablePluginExplorer(true)))
	mux.HandleFunc("GET /livez", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /readyz", a.readyz)
	return mux
}

// readyz answers 200 when every configured database answers, else 503.
func (a *app) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	for _, s := range a.stores {
		if err := s.Ping(ctx); err != nil {
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
	ln, err := net.Listen("tcp", a.cfg.addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", a.cfg.addr, err)
	}
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	slog.Info("serving", "url", "http://"+ln.Addr().String()+"/", "databases", len(a.stores))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), a.cfg.shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	slog.Info("stopped")
	return nil
}

// Close closes the databases and removes the demo file.
func (a *app) Close() {
	for i := len(a.cleanup) - 1; i >= 0; i-- {
		a.cleanup[i]()
	}
}
