package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
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
	runsPage      int
	ids           int
	countCache    time.Duration
	showSQL       bool
	peer          string
	peerPID       int
	rounds        int
	floor         bool
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
	fs.StringVar(&c.scenarios, "scenarios", "a,b,c,d,e,f,g", "scenarios to run: a (20 newest + totalCount), b (one session's run tree), c (a deep page, with page 1 for comparison), "+
		"d (20 sessions with runs and messages), e (allRuns: the 20 newest ERROR runs), f (the last 5 runs of the session with the most runs), "+
		"g (a deep page of allRuns, with page 1 for comparison; needs a runs table), "+
		"h (textContains a random order number + totalCount), i (textContains a common word + totalCount), j (facets: users, components and models of every session), "+
		"u (usage: tokens, cost and errors per day and component over the data's last 30 days; not in the default list, measure it with --concurrency 1)")
	fs.IntVar(&c.page, "page", 5000, "the page (of 20) scenario c reads; the last full page when the table is smaller")
	fs.IntVar(&c.runsPage, "runs-page", 5000, "the page (of 20) of allRuns scenario g reads; the last full page when there are fewer runs")
	fs.IntVar(&c.ids, "ids", 1000, "how many random session ids scenario b picks from")
	fs.DurationVar(&c.countCache, "count-cache-ttl", time.Second, "the server's --count-cache-ttl, so that the SQL captured in-process is what the server runs")
	fs.BoolVar(&c.showSQL, "show-sql", false, "print the SQL captured for each scenario")
	fs.StringVar(&c.peer, "peer", "", "a PostGraphile server over the same database (loopback only, e.g. http://127.0.0.1:5055/graphql): "+
		"its matching requests (a, b, f) run as a third phase of those scenarios")
	fs.IntVar(&c.peerPID, "peer-pid", 0, "the peer's process id, to report its CPU")
	fs.BoolVar(&c.floor, "floor", false, "also measure the floor: a plain Go server (net/http, pgx, encoding/json; no GraphQL) that runs each scenario's statements, started as `sgbench floor`")
	fs.IntVar(&c.rounds, "rounds", 1, "how many times each scenario's phases (server, raw SQL, peer) run, alternating, the order rotated each round; rates are the rounds' medians")
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
	case c.rounds < 1 || c.rounds > 100:
		return c, errors.New("load: --rounds must be between 1 and 100")
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
	want := map[string]bool{}
	for k := range strings.SplitSeq(cfg.scenarios, ",") {
		switch k = strings.TrimSpace(k); k {
		case "a", "b", "d", "e", "f", "h", "i", "j", "k", "u":
			want[k] = true
		case "c", "g":
			want[k], want[k+"1"] = true, true
		default:
			return fmt.Errorf("load: unknown scenario %q (a, b, c, d, e, f, g, h, i, j, k, u)", k)
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
	var backend int
	if err := l.pool.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&backend); err != nil {
		return err
	}
	l.postmaster = parentPID(backend)
	l.capt, err = newCapturer(ctx, db.Options{URL: cfg.dbURL, Schema: cfg.schema, Table: cfg.table, CountCacheTTL: cfg.countCache})
	if err != nil {
		return err
	}
	defer l.capt.Close()
	described := l.capt.store.Describe()
	t := tables{sessions: pgx.Identifier{cfg.schema, cfg.table}.Sanitize()}
	if described.RunsTable != nil {
		schema, table, _ := strings.Cut(*described.RunsTable, ".")
		t.runs = pgx.Identifier{schema, table}.Sanitize()
	}
	data, err := inspect(ctx, l.pool, t, cfg.page, cfg.runsPage, cfg.ids)
	if err != nil {
		return err
	}
	l.client = newGraphQLClient(endpoint.String(), "", cfg.concurrency)
	defer l.client.close()
	if cfg.peer != "" {
		peer, err := loopbackServer(cfg.peer)
		if err != nil {
			return fmt.Errorf("--peer: %w", err)
		}
		l.peer = newGraphQLClient(peer.String(), "", cfg.concurrency)
		defer l.peer.close()
	}

	if cfg.floor {
		if l.floor, err = startFloor(ctx, cfg.dbURL, cfg.concurrency); err != nil {
			return err
		}
		defer l.floor.close()
	}
	scenarios := data.scenarios()
	if err := l.post(ctx, scenarios["a"].body(nil)); err != nil {
		return fmt.Errorf("the server at %s does not answer scenario a: %w", endpoint, err)
	}
	layout := "Agno 2's layout (runs column)"
	if data.runsTable {
		layout = "Agno 3's layout (runs table " + t.runs + ")"
	}
	fmt.Fprintf(stdout, "%d sessions in %s.%s, %s; server %s; concurrency %d; %d round(s) of %s per phase after %s warm-up (at most %d requests)\n",
		data.sessions, cfg.schema, cfg.table, layout, endpoint, cfg.concurrency, cfg.rounds, cfg.duration, cfg.warmup, cfg.maxRequests)
	if data.longRuns > 0 {
		fmt.Fprintf(stdout, "the session with the most runs: %s (%d runs); (b) draws from %d other sessions\n", data.longSession, data.longRuns, len(data.ids))
	}
	if l.peer != nil {
		fmt.Fprintf(stdout, "peer %s: the matching requests of a, b and f run as a third phase\n", cfg.peer)
	}
	if l.floor != nil {
		fmt.Fprintf(stdout, "floor %s (pid %d): each scenario's statements behind net/http and encoding/json, no GraphQL\n", l.floor.url, l.floor.pid())
	}
	if err := l.printMemory("before"); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%-32s %8s %9s %9s %6s │ %9s %9s %9s │ %6s │ %5s %8s │ %-16s %s\n",
		"scenario", "req/s", "p50", "p99", "errors", "SQL req/s", "SQL p50", "SQL p99", "ratio", "stmts", "kB/req", "cores srv/pg/cli", "SQL: pg/cli, new pg conns srv/SQL")
	results := map[string]scenarioResult{}
	for _, key := range scenarioKeys {
		if !want[key] {
			continue
		}
		s, ok := scenarios[key]
		if !ok {
			fmt.Fprintf(stdout, "%-32s skipped: %s\n", key, map[string]string{
				"f": "no session has 5 runs", "g": "no runs table", "g1": "no runs table"}[key])
			continue
		}
		r, err := l.measure(ctx, s)
		if err != nil {
			return fmt.Errorf("scenario %s: %w", key, err)
		}
		results[key] = r
		l.printResult(s, r)
	}
	for _, deep := range []struct{ key, what string }{{"c", fmt.Sprintf("page %d", data.page)}, {"g", fmt.Sprintf("allRuns page %d", data.runsPage)}} {
		d, ok1 := results[deep.key]
		p1, ok2 := results[deep.key+"1"]
		if !ok1 || !ok2 {
			continue
		}
		ds, ps := d.server.merged(), p1.server.merged()
		dq, pq := d.sql.merged(), p1.sql.merged()
		fmt.Fprintf(stdout, "%s: %s vs page 1, p50 %s / %s = %.2f (raw SQL %s / %s = %.2f)\n", deep.key, deep.what,
			ms(ds.percentile(50)), ms(ps.percentile(50)), ratio(ds.percentile(50), ps.percentile(50)),
			ms(dq.percentile(50)), ms(pq.percentile(50)), ratio(dq.percentile(50), pq.percentile(50)))
	}
	l.printPeerSummary(results)
	if err := l.printMemory("after"); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "ratio = server req/s ÷ raw SQL req/s (with rounds, of the rounds' medians); stmts, kB/req = the SQL statements one request runs and the bytes they return;\n"+
		"cores = average CPU cores used during the phase by the server (with --server-pid; the peer in its line, with --peer-pid), the PostgreSQL cluster and sgbench;\n"+
		"new pg conns = PostgreSQL sessions that ended during the phase (pg_stat_database.sessions), i.e. connection churn.")
	return nil
}

// loader holds what the phases of sgbench load share.
type loader struct {
	cfg    loadConfig
	out    io.Writer
	client *graphQLClient
	peer   *graphQLClient // nil without --peer
	floor  *floorProcess  // nil without --floor
	pool   *pgxpool.Pool  // the raw SQL baseline's
	capt   *capturer
	// postmaster is the PostgreSQL cluster's main process, whose processes
	// alone count as PostgreSQL's CPU (0: every postgres process).
	postmaster int
}

// scenarioResult is a scenario's server phases beside its baseline phases
// and, with a peer, the peer's: one of each per round.
type scenarioResult struct {
	server, sql, peer, floor rounds
	statements               int // per request
	bytesPerRequest          int // what those statements return
}

// phaseResult is one measured phase and the CPU it took.
type phaseResult struct {
	result
	serverCores, postgresCores, selfCores float64
	newConns                              int64
}

// rounds are the phases of one kind, one per round.
type rounds []phaseResult

// rate is the median of the rounds' rates.
func (rs rounds) rate() float64 {
	return median(rs, func(p phaseResult) float64 { return p.rate() })
}

// merged pools the rounds: all latencies (for percentiles), errors, and
// the median of each CPU figure.
func (rs rounds) merged() phaseResult {
	var m phaseResult
	for _, p := range rs {
		m.lat = append(m.lat, p.lat...)
		m.requests += p.requests
		m.errors += p.errors
		m.elapsed += p.elapsed
		m.newConns += p.newConns
		if m.firstErr == nil {
			m.firstErr = p.firstErr
		}
	}
	slices.Sort(m.lat)
	m.serverCores = median(rs, func(p phaseResult) float64 { return p.serverCores })
	m.postgresCores = median(rs, func(p phaseResult) float64 { return p.postgresCores })
	m.selfCores = median(rs, func(p phaseResult) float64 { return p.selfCores })
	return m
}

// ratios are the per-round rate ratios of rs to other.
func (rs rounds) ratios(other rounds) []float64 {
	out := make([]float64, 0, len(rs))
	for i := range min(len(rs), len(other)) {
		out = append(out, rs[i].rate()/other[i].rate())
	}
	return out
}

func median[T any](xs []T, f func(T) float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	v := make([]float64, len(xs))
	for i, x := range xs {
		v[i] = f(x)
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// post sends one GraphQL request to the server.
func (l *loader) post(ctx context.Context, body []byte) error {
	_, err := l.client.check(ctx, body)
	return err
}

// measure captures the SQL the server runs for the scenario, then runs the
// server phase, the raw SQL phase, (with a peer and a matching request) the
// peer phase and (with --floor) the floor phase, --rounds times, rotating
// which goes first.
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
	vars := func(rnd *rand.Rand) map[string]any {
		if s.variables == nil {
			return nil
		}
		return s.variables(rnd)
	}
	from := ""
	if s.substitute != "" {
		from = sampleVars[s.substitute].(string)
	}
	type phaseKind struct {
		pid  int
		into *rounds
		do   func(context.Context, *rand.Rand) error
	}
	kinds := []phaseKind{
		{l.cfg.serverPID, &r.server, func(ctx context.Context, rnd *rand.Rand) error { return l.post(ctx, s.body(vars(rnd))) }},
		{l.cfg.serverPID, &r.sql, func(ctx context.Context, rnd *rand.Rand) error {
			to := ""
			if s.substitute != "" {
				to, _ = s.variables(rnd)[s.substitute].(string)
			}
			_, err := replay(ctx, l.pool, stmts, from, to)
			return err
		}},
	}
	if l.peer != nil && s.peer != "" {
		if _, err := l.peer.check(ctx, s.peerBody(sampleVars)); err != nil {
			return r, fmt.Errorf("the peer does not answer the matching request: %w", err)
		}
		kinds = append(kinds, phaseKind{l.cfg.peerPID, &r.peer, func(ctx context.Context, rnd *rand.Rand) error {
			_, err := l.peer.check(ctx, s.peerBody(vars(rnd)))
			return err
		}})
	}
	if l.floor != nil {
		if err := l.floor.serve(ctx, stmts, from, s.substitute); err != nil {
			return r, err
		}
		if _, err := l.floor.client.check(ctx, s.body(sampleVars)); err != nil {
			return r, fmt.Errorf("the floor: %w", err)
		}
		kinds = append(kinds, phaseKind{l.floor.pid(), &r.floor, func(ctx context.Context, rnd *rand.Rand) error {
			_, err := l.floor.client.check(ctx, s.body(vars(rnd)))
			return err
		}})
	}
	for round := range l.cfg.rounds {
		for k := range kinds {
			kind := kinds[(round+k)%len(kinds)]
			*kind.into = append(*kind.into, l.phase(ctx, kind.pid, kind.do))
			if ctx.Err() != nil {
				return r, ctx.Err()
			}
		}
	}
	return r, nil
}

// phase warms up, then measures do and the CPU (of pid, PostgreSQL and
// sgbench) and connections it took.
func (l *loader) phase(ctx context.Context, pid int, do func(context.Context, *rand.Rand) error) phaseResult {
	drive(ctx, l.cfg.concurrency, l.cfg.warmup, l.cfg.maxRequests, 99, do)
	sessions := pgSessions(ctx, l.pool)
	meter := startCPU(pid, l.postmaster)
	p := phaseResult{result: drive(ctx, l.cfg.concurrency, l.cfg.duration, l.cfg.maxRequests, 1, do)}
	p.serverCores, p.postgresCores, p.selfCores = meter.cores()
	p.newConns = pgSessions(ctx, l.pool) - sessions
	return p
}

func (l *loader) printResult(s *scenario, r scenarioResult) {
	srv, raw := r.server.merged(), r.sql.merged()
	fmt.Fprintf(l.out, "%-32s %8s %9s %9s %6d │ %9s %9s %9s │ %6.2f │ %5d %8.1f │ %-16s %.2f/%.2f, %d/%d\n",
		s.key+" "+s.title, rate(r.server.rate()), ms(srv.percentile(50)), ms(srv.percentile(99)), srv.errors,
		rate(r.sql.rate()), ms(raw.percentile(50)), ms(raw.percentile(99)),
		r.server.rate()/r.sql.rate(), r.statements, float64(r.bytesPerRequest)/1024,
		coresOrDash(srv.serverCores)+fmt.Sprintf("/%.2f/%.2f", srv.postgresCores, srv.selfCores),
		raw.postgresCores, raw.selfCores, srv.newConns, raw.newConns)
	if len(r.server) > 1 {
		fmt.Fprintf(l.out, "   %s rounds: req/s %s, raw SQL %s, ratios %s\n", s.key,
			rates(r.server), rates(r.sql), floats(r.server.ratios(r.sql)))
	}
	if len(r.peer) > 0 {
		peer := r.peer.merged()
		fmt.Fprintf(l.out, "%-32s %8s %9s %9s %6d │ sessiongraph ÷ peer %.2f (rounds %s) │ cores peer/pg/cli %s/%.2f/%.2f\n",
			"   peer (PostGraphile)", rate(r.peer.rate()), ms(peer.percentile(50)), ms(peer.percentile(99)), peer.errors,
			r.server.rate()/r.peer.rate(), floats(r.server.ratios(r.peer)),
			coresOrDash(peer.serverCores), peer.postgresCores, peer.selfCores)
	}
	if len(r.floor) > 0 {
		fl := r.floor.merged()
		fmt.Fprintf(l.out, "%-32s %8s %9s %9s %6d │ floor ÷ raw SQL %.2f (rounds %s), server ÷ floor %.2f │ cores floor/pg/cli %.2f/%.2f/%.2f\n",
			"   floor (no GraphQL)", rate(r.floor.rate()), ms(fl.percentile(50)), ms(fl.percentile(99)), fl.errors,
			r.floor.rate()/r.sql.rate(), floats(r.floor.ratios(r.sql)), r.server.rate()/r.floor.rate(),
			fl.serverCores, fl.postgresCores, fl.selfCores)
	}
	for _, p := range []struct {
		what string
		rs   rounds
	}{{"server", r.server}, {"raw SQL", r.sql}, {"peer", r.peer}, {"floor", r.floor}} {
		if m := p.rs.merged(); m.firstErr != nil {
			fmt.Fprintf(l.out, "   %s %s: %d errors, the first: %v\n", s.key, p.what, m.errors, m.firstErr)
		}
	}
}

// printPeerSummary lists sessiongraph's rate over the peer's for each
// scenario that ran against the peer.
func (l *loader) printPeerSummary(results map[string]scenarioResult) {
	var parts []string
	for _, key := range scenarioKeys {
		if r, ok := results[key]; ok && len(r.peer) > 0 {
			parts = append(parts, fmt.Sprintf("%s %.2f×", key, r.server.rate()/r.peer.rate()))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(l.out, "sessiongraph ÷ PostGraphile, requests/s: %s\n", strings.Join(parts, ", "))
	}
}

func rates(rs rounds) string {
	out := make([]string, len(rs))
	for i, p := range rs {
		out[i] = rate(p.rate())
	}
	return strings.Join(out, "/")
}

// rate formats requests per second: whole ones, tenths below 100.
func rate(r float64) string {
	if r < 100 {
		return fmt.Sprintf("%.1f", r)
	}
	return fmt.Sprintf("%.0f", r)
}

func floats(v []float64) string { return strings.Join(format(v, "%.2f"), "/") }

func format(v []float64, verb string) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = fmt.Sprintf(verb, x)
	}
	return out
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
