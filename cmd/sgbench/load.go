package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"sessiongraph/db"
)

// loadConfig is the configuration of sgbench load.
type loadConfig struct {
	server        string
	dbURL         string
	schema, table string
	serverPID     int
	concurrency   int
	duration      time.Duration
	warmup        time.Duration
	maxRequests   int
	scenarios     string
	page          int
	ids           int
	countCache    time.Duration
	showSQL       bool
}

func parseLoadFlags(args []string, stderr io.Writer) (loadConfig, error) {
	fs := flag.NewFlagSet("sgbench load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c loadConfig
	fs.StringVar(&c.server, "server", "http://127.0.0.1:8080", "the sessiongraph server (loopback only); /graphql is appended when the URL has no path")
	fs.StringVar(&c.dbURL, "db", "", "the PostgreSQL database the server serves (loopback only), for the raw SQL baseline")
	fs.StringVar(&c.schema, "db-schema", "ai", "schema of the sessions table")
	fs.StringVar(&c.table, "session-table", "agno_sessions", "sessions table")
	fs.IntVar(&c.serverPID, "server-pid", 0, "the server's process id, to report its RSS and CPU")
	fs.IntVar(&c.concurrency, "concurrency", 16, "requests in flight")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "how long each phase (server, then raw SQL) runs")
	fs.DurationVar(&c.warmup, "warmup", time.Second, "warm-up before each phase, not measured")
	fs.IntVar(&c.maxRequests, "max-requests", 100000, "most requests per phase (0: no cap)")
	fs.StringVar(&c.scenarios, "scenarios", "a,b,c,d", "scenarios to run: a (20 newest + totalCount), b (one session's run tree), c (a deep page, with page 1 for comparison), d (20 sessions with runs and messages)")
	fs.IntVar(&c.page, "page", 5000, "the page (of 20) scenario c reads; the last full page when the table is smaller")
	fs.IntVar(&c.ids, "ids", 1000, "how many random session ids scenario b picks from")
	fs.DurationVar(&c.countCache, "count-cache-ttl", time.Second, "the server's --count-cache-ttl, so that the SQL captured in-process is what the server runs")
	fs.BoolVar(&c.showSQL, "show-sql", false, "print the SQL captured for each scenario")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("load: unexpected argument %q", fs.Arg(0))
	case c.dbURL == "":
		return c, errors.New("load: --db is required (the raw SQL baseline runs against it)")
	case c.concurrency < 1 || c.concurrency > 1024:
		return c, errors.New("load: --concurrency must be between 1 and 1024")
	case c.duration <= 0 || c.duration > 10*time.Minute:
		return c, errors.New("load: --duration must be positive and at most 10m")
	case c.warmup < 0 || c.warmup > time.Minute:
		return c, errors.New("load: --warmup must be between 0 and 1m")
	case c.maxRequests < 0:
		return c, errors.New("load: --max-requests must not be negative")
	}
	return c, nil
}

// runLoad measures each scenario over HTTP, then its raw SQL baseline.
func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseLoadFlags(args, stderr)
	if err != nil {
		return err
	}
	endpoint, err := loopbackServer(cfg.server)
	if err != nil {
		return err
	}
	dsn, err := loopbackPostgres(cfg.dbURL)
	if err != nil {
		return err
	}
	var keys []string
	for k := range strings.SplitSeq(cfg.scenarios, ",") {
		switch k = strings.TrimSpace(k); k {
		case "a", "b", "d":
			keys = append(keys, k)
		case "c":
			keys = append(keys, "c", "c1")
		default:
			return fmt.Errorf("load: unknown scenario %q (a, b, c, d)", k)
		}
	}

	l := &loader{cfg: cfg, out: stdout}
	// The same session parameters as the server's connections (jit=off).
	poolCfg, err := pgxpool.ParseConfig(db.WithSessionDefaults(dsn))
	if err != nil {
		return err
	}
	poolCfg.MaxConns = int32(cfg.concurrency)
	if l.pool, err = pgxpool.NewWithConfig(ctx, poolCfg); err != nil {
		return err
	}
	defer l.pool.Close()
	data, err := inspect(ctx, l.pool, cfg.schema, cfg.table, cfg.page, cfg.ids)
	if err != nil {
		return err
	}
	l.capt, err = newCapturer(ctx, db.Options{URL: cfg.dbURL, Schema: cfg.schema, Table: cfg.table, CountCacheTTL: cfg.countCache})
	if err != nil {
		return err
	}
	defer l.capt.Close()
	l.client = newGraphQLClient(endpoint.String(), "", cfg.concurrency)
	defer l.client.close()

	scenarios := data.scenarios()
	if err := l.post(ctx, scenarios["a"].body(nil)); err != nil {
		return fmt.Errorf("the server at %s does not answer scenario a: %w", endpoint, err)
	}
	fmt.Fprintf(stdout, "%d sessions in %s.%s; server %s; concurrency %d; %s per phase after %s warm-up (at most %d requests)\n",
		data.sessions, cfg.schema, cfg.table, endpoint, cfg.concurrency, cfg.duration, cfg.warmup, cfg.maxRequests)
	if err := l.printMemory("before"); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%-32s %8s %9s %9s %6s │ %9s %9s %9s │ %6s │ %5s %8s │ %-16s %s\n",
		"scenario", "req/s", "p50", "p99", "errors", "SQL req/s", "SQL p50", "SQL p99", "ratio", "stmts", "kB/req", "cores srv/pg/cli", "SQL: pg/cli, new pg conns srv/SQL")
	results := map[string]scenarioResult{}
	for _, key := range keys {
		r, err := l.measure(ctx, scenarios[key])
		if err != nil {
			return fmt.Errorf("scenario %s: %w", key, err)
		}
		results[key] = r
		l.printResult(scenarios[key], r)
	}
	if deep, ok := results["c"]; ok {
		p1 := results["c1"]
		fmt.Fprintf(stdout, "c: page %d vs page 1, p50 %s / %s = %.2f (raw SQL %s / %s = %.2f)\n", data.page,
			ms(deep.server.percentile(50)), ms(p1.server.percentile(50)), ratio(deep.server.percentile(50), p1.server.percentile(50)),
			ms(deep.sql.percentile(50)), ms(p1.sql.percentile(50)), ratio(deep.sql.percentile(50), p1.sql.percentile(50)))
	}
	if err := l.printMemory("after"); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "ratio = server req/s ÷ raw SQL req/s; stmts, kB/req = the SQL statements one request runs and the bytes they return;\n"+
		"cores = average CPU cores used during the phase by the server (with --server-pid), all postgres processes and sgbench;\n"+
		"new pg conns = PostgreSQL sessions that ended during the phase (pg_stat_database.sessions), i.e. connection churn.")
	return nil
}

// loader holds what the phases of sgbench load share.
type loader struct {
	cfg    loadConfig
	out    io.Writer
	client *graphQLClient
	pool   *pgxpool.Pool // the raw SQL baseline's
	capt   *capturer
}

// scenarioResult is a scenario's server phase beside its baseline phase.
type scenarioResult struct {
	server, sql     phaseResult
	statements      int // per request
	bytesPerRequest int // what those statements return
}

// phaseResult is one measured phase and the CPU it took.
type phaseResult struct {
	result
	serverCores, postgresCores, selfCores float64
	newConns                              int64
}

// post sends one GraphQL request to the server.
func (l *loader) post(ctx context.Context, body []byte) error {
	_, err := l.client.check(ctx, body)
	return err
}

// measure captures the SQL the server runs for the scenario, then runs the
// server phase and the raw SQL phase.
func (l *loader) measure(ctx context.Context, s *scenario) (scenarioResult, error) {
	var sampleVars map[string]any
	if s.variables != nil {
		sampleVars = s.variables(rand.New(rand.NewPCG(7, 7)))
	}
	stmts, cold, err := l.capt.capture(ctx, s.body(sampleVars))
	if err != nil {
		return scenarioResult{}, err
	}
	if len(cold) != len(stmts) {
		fmt.Fprintf(l.out, "   %s: a first request ran %d statements, a warm one %d; the baseline replays the warm ones\n", s.key, len(cold), len(stmts))
	}
	if l.cfg.showSQL {
		for _, st := range stmts {
			fmt.Fprintf(l.out, "-- %s: %s\n--   args %v\n", s.key, oneLine(st.sql), st.args)
		}
	}
	r := scenarioResult{statements: len(stmts)}
	if r.bytesPerRequest, err = replay(ctx, l.pool, stmts, "", ""); err != nil {
		return r, fmt.Errorf("replaying the captured SQL: %w", err)
	}
	from := ""
	if s.substitute != "" {
		from = sampleVars[s.substitute].(string)
	}
	r.server = l.phase(ctx, func(ctx context.Context, rnd *rand.Rand) error {
		var vars map[string]any
		if s.variables != nil {
			vars = s.variables(rnd)
		}
		return l.post(ctx, s.body(vars))
	})
	if ctx.Err() != nil {
		return r, ctx.Err()
	}
	r.sql = l.phase(ctx, func(ctx context.Context, rnd *rand.Rand) error {
		to := ""
		if s.substitute != "" {
			to, _ = s.variables(rnd)[s.substitute].(string)
		}
		_, err := replay(ctx, l.pool, stmts, from, to)
		return err
	})
	return r, ctx.Err()
}

// phase warms up, then measures do and the CPU and connections it took.
func (l *loader) phase(ctx context.Context, do func(context.Context, *rand.Rand) error) phaseResult {
	drive(ctx, l.cfg.concurrency, l.cfg.warmup, l.cfg.maxRequests, 99, do)
	sessions := pgSessions(ctx, l.pool)
	meter := startCPU(l.cfg.serverPID)
	p := phaseResult{result: drive(ctx, l.cfg.concurrency, l.cfg.duration, l.cfg.maxRequests, 1, do)}
	p.serverCores, p.postgresCores, p.selfCores = meter.cores()
	p.newConns = pgSessions(ctx, l.pool) - sessions
	return p
}

func (l *loader) printResult(s *scenario, r scenarioResult) {
	srv, raw := r.server, r.sql
	fmt.Fprintf(l.out, "%-32s %8.0f %9s %9s %6d │ %9.0f %9s %9s │ %6.2f │ %5d %8.1f │ %-16s %.2f/%.2f, %d/%d\n",
		s.key+" "+s.title, srv.rate(), ms(srv.percentile(50)), ms(srv.percentile(99)), srv.errors,
		raw.rate(), ms(raw.percentile(50)), ms(raw.percentile(99)),
		srv.rate()/raw.rate(), r.statements, float64(r.bytesPerRequest)/1024,
		coresOrDash(srv.serverCores)+fmt.Sprintf("/%.2f/%.2f", srv.postgresCores, srv.selfCores),
		raw.postgresCores, raw.selfCores, srv.newConns, raw.newConns)
	for _, p := range []phaseResult{srv, raw} {
		if p.firstErr != nil {
			fmt.Fprintf(l.out, "   %s: %d errors, the first: %v\n", s.key, p.errors, p.firstErr)
		}
	}
}

// printMemory reports the server's memory when its PID is known.
func (l *loader) printMemory(when string) error {
	if l.cfg.serverPID <= 0 {
		return nil
	}
	m, err := readMemory(l.cfg.serverPID)
	if err != nil {
		return fmt.Errorf("--server-pid: %w", err)
	}
	fmt.Fprintf(l.out, "server %-6s %s\n", when+":", m)
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func coresOrDash(c float64) string {
	if c < 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", c)
}

// oneLine folds whitespace runs into single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// pgSessions returns how many sessions the database has seen end
// (pg_stat_database.sessions, PostgreSQL 14+); 0 when unknown.
func pgSessions(ctx context.Context, pool *pgxpool.Pool) int64 {
	var n int64
	_ = pool.QueryRow(ctx, "SELECT pg_stat_force_next_flush(), sessions FROM pg_stat_database WHERE datname = current_database()").Scan(nil, &n)
	return n
}
