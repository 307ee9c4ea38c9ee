package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"sessiongraph/models"
)

// soakConfig is the configuration of sgbench soak.
type soakConfig struct {
	server        string
	token         string
	dbURL         string
	schema, table string
	serverPID     int
	concurrency   int
	duration      time.Duration
	maxRequests   int
	warmup        time.Duration
	renameShare   float64
	ids           int
	settle        time.Duration
	maxGrowth     float64
}

func parseSoakFlags(args []string, stderr io.Writer) (soakConfig, error) {
	fs := flag.NewFlagSet("sgbench soak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c soakConfig
	fs.StringVar(&c.server, "server", "http://127.0.0.1:8080", "the sessiongraph server (loopback only); /graphql is appended when the URL has no path")
	fs.StringVar(&c.token, "token", "", "send \"Authorization: Bearer TOKEN\" with every request")
	fs.StringVar(&c.dbURL, "db", "", "the PostgreSQL database the server serves first (loopback only), to pick random sessions from; without it the newest sessions are asked from the server")
	fs.StringVar(&c.schema, "db-schema", "ai", "schema of the sessions table (with --db)")
	fs.StringVar(&c.table, "session-table", "agno_sessions", "sessions table (with --db)")
	fs.IntVar(&c.serverPID, "server-pid", 0, "the server's process id, to report its RSS (and threads) and check --max-growth")
	fs.IntVar(&c.concurrency, "concurrency", 64, "concurrent clients, each with one request in flight")
	fs.DurationVar(&c.duration, "duration", time.Minute, "how long the load runs (at most 1h)")
	fs.IntVar(&c.maxRequests, "max-requests", 1000000, "most requests per phase, warm-up and load (0: no cap)")
	fs.DurationVar(&c.warmup, "warmup", 10*time.Second, "warm-up at full load before the memory baseline, reported apart (0: the baseline is the idle server)")
	fs.Float64Var(&c.renameShare, "rename-share", 0.1, "share of requests that rename a session (0–1); the rest are reads, in equal shares. Renames WRITE the database")
	fs.IntVar(&c.ids, "ids", 1000, "how many sessions to pick for the session, node and rename requests")
	fs.DurationVar(&c.settle, "settle", 5*time.Second, "pause after the warm-up and after the load before the server's memory is read")
	fs.Float64Var(&c.maxGrowth, "max-growth", 2, "fail when the server's RSS after the load and a settle exceeds its RSS before the load (after the warm-up and a settle) by more than this factor (with --server-pid)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("soak: unexpected argument %q", fs.Arg(0))
	case c.concurrency < 1 || c.concurrency > 1024:
		return c, errors.New("soak: --concurrency must be between 1 and 1024")
	case c.duration <= 0 || c.duration > time.Hour:
		return c, errors.New("soak: --duration must be positive and at most 1h")
	case c.maxRequests < 0:
		return c, errors.New("soak: --max-requests must not be negative")
	case c.warmup < 0 || c.warmup > time.Minute:
		return c, errors.New("soak: --warmup must be between 0 and 1m")
	case !(c.renameShare >= 0 && c.renameShare <= 1):
		return c, errors.New("soak: --rename-share must be between 0 and 1")
	case c.ids < 1:
		return c, errors.New("soak: --ids must be at least 1")
	case c.settle < 0 || c.settle > 5*time.Minute:
		return c, errors.New("soak: --settle must be between 0 and 5m")
	case !(c.maxGrowth >= 1):
		return c, errors.New("soak: --max-growth must be at least 1")
	}
	return c, nil
}

// runSoak drives a running server with a mix of reads and renames from many
// clients, then reports latencies, errors by class and the server's memory.
// It fails when a request met a transport error, an HTTP 5xx or an INTERNAL
// GraphQL error, or when the server's RSS grew beyond --max-growth.
func runSoak(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseSoakFlags(args, stderr)
	if err != nil {
		return err
	}
	rep, err := soak(ctx, cfg, stdout)
	if err != nil {
		return err
	}
	rep.print(stdout)
	if failures := rep.failures(); len(failures) > 0 {
		return fmt.Errorf("soak failed: %s", strings.Join(failures, "; "))
	}
	return nil
}

// soak runs the soak test and returns its report.
func soak(ctx context.Context, cfg soakConfig, stdout io.Writer) (*soakReport, error) {
	endpoint, err := loopbackServer(cfg.server)
	if err != nil {
		return nil, err
	}
	var dsn string
	if cfg.dbURL != "" {
		if dsn, err = loopbackPostgres(cfg.dbURL); err != nil {
			return nil, err
		}
	}
	client := newGraphQLClient(endpoint.String(), cfg.token, cfg.concurrency)
	defer client.close()

	var sample []sampledSession
	source := "the server's newest sessions"
	if dsn != "" {
		source = fmt.Sprintf("random sessions of %s.%s", cfg.schema, cfg.table)
		sample, err = sessionsFromDatabase(ctx, client, dsn, pgx.Identifier{cfg.schema, cfg.table}.Sanitize(), cfg.ids)
	} else {
		sample, err = sessionsFromServer(ctx, client, cfg.ids)
	}
	if err != nil {
		return nil, err
	}
	if err := checkNode(ctx, client, sample[0]); err != nil {
		return nil, err
	}

	probe := newServerProbe(ctx, client, metricsURL(endpoint), cfg.serverPID)
	rep := &soakReport{cfg: cfg, goroutineSource: probe.source()}
	if rep.start, err = probe.read(ctx); err != nil {
		return nil, err
	}
	limit := "no request cap"
	if cfg.maxRequests > 0 {
		limit = fmt.Sprintf("at most %d requests each", cfg.maxRequests)
	}
	fmt.Fprintf(stdout, "soak: server %s; %d clients; %s warm-up, %s load (%s); renames %.0f%%; %d sessions (%s)\n",
		endpoint, cfg.concurrency, cfg.warmup, cfg.duration, limit, cfg.renameShare*100, len(sample), source)

	mix := newSoakMix(sample, cfg.renameShare)
	phase := func(duration time.Duration, seed uint64, tally *soakTally) result {
		return drive(ctx, cfg.concurrency, duration, cfg.maxRequests, seed, func(ctx context.Context, r *rand.Rand) error {
			k, vars := mix.pick(r)
			t0 := time.Now()
			status, body, err := client.post(ctx, k.body(vars))
			if ctx.Err() != nil {
				return ctx.Err() // interrupted: not counted
			}
			return tally.record(k.key, time.Since(t0), status, body, err)
		})
	}
	settle := func() error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(cfg.settle):
			return nil
		}
	}

	// The warm-up grows the server to its working set (pools, caches, the
	// heap of many requests in flight), which it keeps; growth is then
	// measured from there, so that it shows what the load itself leaves.
	rep.before = rep.start
	if cfg.warmup > 0 {
		warm := newSoakTally(mix.kinds())
		rep.warmup = phase(cfg.warmup, 2, warm).elapsed
		rep.warmupKinds, rep.warmupErrors = warm.summary()
		if err := settle(); err != nil {
			return nil, err
		}
		if rep.before, err = probe.read(ctx); err != nil {
			return nil, err
		}
	}
	tally := newSoakTally(mix.kinds())
	meter := startCPU(cfg.serverPID, 0)
	rep.elapsed = phase(cfg.duration, 1, tally).elapsed
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	rep.serverCores, _, rep.selfCores = meter.cores()
	rep.kinds, rep.errors = tally.summary()
	if err := settle(); err != nil {
		return nil, err
	}
	if rep.after, err = probe.read(ctx); err != nil {
		return nil, err
	}
	return rep, nil
}

// sampledSession is a session the requests name: by session_id, and by its
// global id for node lookups.
type sampledSession struct {
	id, nodeID string
}

// sessionsFromServer asks the server for up to n of its newest sessions.
func sessionsFromServer(ctx context.Context, client *graphQLClient, n int) ([]sampledSession, error) {
	const query = `query($after: String) { sessions(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { id sessionId } } }`
	var sample []sampledSession
	var after *string
	for len(sample) < n {
		var page struct {
			Data struct {
				Sessions struct {
					PageInfo struct {
						HasNextPage bool
						EndCursor   *string
					}
					Nodes []struct{ ID, SessionID string }
				}
			}
		}
		if err := queryInto(ctx, client, query, map[string]any{"after": after}, &page); err != nil {
			return nil, fmt.Errorf("asking the server for sessions: %w", err)
		}
		for _, s := range page.Data.Sessions.Nodes {
			sample = append(sample, sampledSession{id: s.SessionID, nodeID: s.ID})
		}
		if !page.Data.Sessions.PageInfo.HasNextPage {
			break
		}
		after = page.Data.Sessions.PageInfo.EndCursor
	}
	if len(sample) == 0 {
		return nil, errors.New("the server has no sessions to soak")
	}
	return sample[:min(n, len(sample))], nil
}

// sessionsFromDatabase picks n random sessions of the table from (a
// sanitized identifier) and builds their global ids for the server's first
// database, whose id it asks the server for.
func sessionsFromDatabase(ctx context.Context, client *graphQLClient, dsn, from string, n int) ([]sampledSession, error) {
	var dbs struct {
		Data struct{ Databases []struct{ ID string } }
	}
	if err := queryInto(ctx, client, `{ databases { id } }`, nil, &dbs); err != nil {
		return nil, fmt.Errorf("asking the server for its databases: %w", err)
	}
	if len(dbs.Data.Databases) == 0 {
		return nil, errors.New("the server serves no database")
	}
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	rows, err := sampleSessions(ctx, pool, from, n, "")
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s holds no sessions", from)
	}
	sample := make([]sampledSession, len(rows))
	for i, row := range rows {
		// The global id as the server builds it for a row of its database.
		sample[i] = sampledSession{id: row.SessionID, nodeID: models.NewSession(dbs.Data.Databases[0].ID, row).GetID()}
	}
	return sample, nil
}

// checkNode makes sure the server finds a sampled session by its global id,
// i.e. that --db is the database the server serves first.
func checkNode(ctx context.Context, client *graphQLClient, s sampledSession) error {
	var resp struct {
		Data struct{ Node *struct{ SessionID string } }
	}
	if err := queryInto(ctx, client, queryNode, map[string]any{"id": s.nodeID}, &resp); err != nil {
		return fmt.Errorf("the server at %s does not answer a node lookup: %w", client.endpoint, err)
	}
	if resp.Data.Node == nil || resp.Data.Node.SessionID != s.id {
		return fmt.Errorf("the server does not find session %q by its id %s: does it serve --db first?", s.id, s.nodeID)
	}
	return nil
}

// metricsURL is the Prometheus endpoint beside the GraphQL endpoint.
func metricsURL(endpoint *url.URL) string {
	u := *endpoint
	u.Path, u.RawQuery, u.Fragment = "/metrics", "", ""
	return u.String()
}
