package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"sessiongraph/db"
)

// subscribeConfig is the configuration of sgbench subscribe.
type subscribeConfig struct {
	server, token        string
	dbURL, schema, table string
	serverPID            int
	subscribers          int
	perConnection        int
	transport            string // ws or sse
	document             string // a key of subscribeDocuments
	idle                 time.Duration
	duration             time.Duration
	writeRate            float64
	updateAfter          time.Duration
	drain                time.Duration
	messages             int
}

// subscribeDocuments are the subscriptions sgbench subscribe opens.
var subscribeDocuments = map[string]string{
	// events: what a client that keeps its own list needs.
	"events": `subscription { sessionEvents { kind sessionId at cursor } }`,
	// dashboard: a session list that shows each changed session's name.
	"dashboard": `subscription { sessionEvents { kind sessionId at cursor session { name updatedAt } } }`,
}

// Bounds of sgbench subscribe.
const (
	maxSubscribers = 10000
	// maxPerConnection is the server's default --max-subscriptions-per-connection.
	maxPerConnection = 100
	// dialers open connections concurrently.
	dialers = 32
	// settleAfterAll is how long sgbench still listens once every expected
	// event arrived, for duplicates.
	settleAfterAll = 2 * time.Second
)

func parseSubscribeFlags(args []string, stderr io.Writer) (subscribeConfig, error) {
	fs := flag.NewFlagSet("sgbench subscribe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c subscribeConfig
	fs.StringVar(&c.server, "server", "http://127.0.0.1:8080", "the sessiongraph server (loopback only); /graphql is appended when the URL has no path. Its /metrics must answer")
	fs.StringVar(&c.token, "token", "", "authenticate with this bearer token (WebSocket: in connection_init; SSE: the Authorization header)")
	fs.StringVar(&c.dbURL, "db", "", "the database the server serves first: a SQLite file or a PostgreSQL URL (loopback only). sgbench WRITES sessions into it, as Agno does, and deletes them at the end")
	fs.StringVar(&c.schema, "db-schema", "ai", "schema of the sessions table (PostgreSQL)")
	fs.StringVar(&c.table, "session-table", "agno_sessions", "sessions table")
	fs.IntVar(&c.serverPID, "server-pid", 0, "the server's process id, to report its CPU and RSS")
	fs.IntVar(&c.subscribers, "subscribers", 1000, fmt.Sprintf("subscriptions to open (1 to %d)", maxSubscribers))
	fs.IntVar(&c.perConnection, "per-connection", 1, fmt.Sprintf("subscriptions per WebSocket (1 to %d, the server's default bound); SSE has one per stream", maxPerConnection))
	fs.StringVar(&c.transport, "transport", "ws", "ws (graphql-transport-ws) or sse (graphql-sse, distinct connections)")
	fs.StringVar(&c.document, "document", "events", "what each subscription selects: events (kind sessionId at cursor) or dashboard (also session { name updatedAt })")
	fs.DurationVar(&c.idle, "idle", 25*time.Second, "how long the baseline (no subscriptions) and the idle phase (all open, no writes) each last; the server pings each WebSocket every 25 s")
	fs.DurationVar(&c.duration, "duration", 30*time.Second, "how long the writer writes")
	fs.Float64Var(&c.writeRate, "write-rate", 5, "changes per second the writer makes (half new sessions, half runs added to them), each at a random moment of its 1/rate slot")
	fs.DurationVar(&c.updateAfter, "update-after", 10*time.Second, "how long after its creation a session gets its next run; events are matched to writes by session, so this must exceed the slowest delivery")
	fs.DurationVar(&c.drain, "drain", 15*time.Second, "how long after the last write sgbench waits for the events still due")
	fs.IntVar(&c.messages, "messages", 6, "messages per run of the sessions written")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("subscribe: unexpected argument %q", fs.Arg(0))
	case c.dbURL == "":
		return c, errors.New("subscribe: --db is required (the writer writes there)")
	case c.subscribers < 1 || c.subscribers > maxSubscribers:
		return c, fmt.Errorf("subscribe: --subscribers must be between 1 and %d", maxSubscribers)
	case c.perConnection < 1 || c.perConnection > maxPerConnection:
		return c, fmt.Errorf("subscribe: --per-connection must be between 1 and %d", maxPerConnection)
	case c.transport != "ws" && c.transport != "sse":
		return c, errors.New("subscribe: --transport must be ws or sse")
	case c.transport == "sse" && c.perConnection != 1:
		return c, errors.New("subscribe: an SSE stream holds one subscription: --per-connection must be 1")
	case subscribeDocuments[c.document] == "":
		return c, errors.New("subscribe: --document must be events or dashboard")
	case c.idle < 0 || c.idle > 10*time.Minute:
		return c, errors.New("subscribe: --idle must be between 0 and 10m")
	case c.duration <= 0 || c.duration > time.Hour:
		return c, errors.New("subscribe: --duration must be positive and at most 1h")
	case !(c.writeRate > 0 && c.writeRate <= 1000) || float64(c.duration)*c.writeRate < float64(time.Second):
		return c, errors.New("subscribe: --write-rate must be above 0 and at most 1000, and make at least one write in --duration")
	case c.updateAfter <= 0:
		return c, errors.New("subscribe: --update-after must be positive")
	case c.drain < 0 || c.drain > 10*time.Minute:
		return c, errors.New("subscribe: --drain must be between 0 and 10m")
	case c.messages < 1 || c.messages > 1000:
		return c, errors.New("subscribe: --messages must be between 1 and 1000")
	}
	return c, nil
}

// runSubscribe opens many subscriptions on a running server, measures its
// cost while they are idle, then changes sessions in its database as Agno
// does and measures how long each subscription took to hear of each change.
// It fails when a subscription missed a change or heard of one twice.
func runSubscribe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseSubscribeFlags(args, stderr)
	if err != nil {
		return err
	}
	rep, err := subscribe(ctx, cfg, stdout)
	if err != nil {
		return err
	}
	rep.print(stdout)
	if p := rep.problems(); len(p) > 0 {
		return fmt.Errorf("subscribe failed: %s", strings.Join(p, "; "))
	}
	return nil
}

// subscriptionLoad holds what the phases of sgbench subscribe share.
type subscriptionLoad struct {
	cfg        subscribeConfig
	endpoint   string
	metrics    string // the server's /metrics
	client     *graphQLClient
	store      *db.Store
	postmaster int // the PostgreSQL cluster's main process; 0 on SQLite
	clock      *loadClock
}

// subscribe runs the phases and returns their report.
func subscribe(ctx context.Context, cfg subscribeConfig, stdout io.Writer) (*subscribeReport, error) {
	endpoint, err := loopbackServer(cfg.server)
	if err != nil {
		return nil, err
	}
	target, err := loopbackDatabase(cfg.dbURL)
	if err != nil {
		return nil, err
	}
	store, err := db.Open(ctx, db.Options{URL: cfg.dbURL, Schema: cfg.schema, Table: cfg.table, MaxConns: 2})
	if err != nil {
		return nil, err
	}
	defer store.Close()
	l := &subscriptionLoad{cfg: cfg, endpoint: endpoint.String(), metrics: metricsURL(endpoint), store: store,
		client: newGraphQLClient(endpoint.String(), cfg.token, 2), clock: &loadClock{sessions: newSessionIndex()}}
	defer l.client.close()
	rep := &subscribeReport{cfg: cfg, connections: (cfg.subscribers + cfg.perConnection - 1) / cfg.perConnection}
	rep.database = string(target.Dialect) + ", Agno 2's layout (runs column)"
	if runs := store.Describe().RunsTable; runs != nil {
		rep.database = string(target.Dialect) + ", Agno 3's layout (runs table " + *runs + ")"
	}
	if target.Dialect == db.Postgres {
		var backend int
		if err := store.Pool().QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&backend); err != nil {
			return nil, err
		}
		l.postmaster = parentPID(backend)
	}
	open0, _, _, err := l.serverCounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("sgbench subscribe reads the server's subscriptions from %s: %w", l.metrics, err)
	}
	fmt.Fprintf(stdout, "subscribe: server %s, %s, %d subscriptions (%d per connection, %d connections), document %s; database %s; writes %.4g/s for %s, each session's next run %s after its creation\n",
		l.endpoint, cfg.transport, cfg.subscribers, cfg.perConnection, rep.connections, cfg.document, rep.database, cfg.writeRate, cfg.duration, cfg.updateAfter)

	if rep.baseline, err = l.measure(ctx, func() error { return sleep(ctx, cfg.idle) }); err != nil {
		return nil, err
	}
	rep.memBaseline = l.memory()

	l.clock.start = time.Now()
	var conns []*subscriberConn
	defer func() {
		shutAll(conns)
		ids := make([]string, 0, len(l.clock.sessions.ids))
		for id := range l.clock.sessions.ids {
			ids = append(ids, id)
		}
		cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if err := newAgnoWriter(store, cfg.schema, cfg.table, cfg.messages, 0).remove(cleanup, ids); err != nil {
			fmt.Fprintf(stdout, "deleting the %d sessions sgbench wrote: %v\n", len(ids), err)
		}
	}()
	rep.opening, err = l.measure(ctx, func() error {
		var err error
		if conns, err = l.open(ctx); err != nil {
			return err
		}
		return l.waitOpen(ctx, open0, conns)
	})
	if err != nil {
		return nil, err
	}
	rep.memOpened = l.memory()

	if rep.idle, err = l.measure(ctx, func() error { return sleep(ctx, cfg.idle) }); err != nil {
		return nil, err
	}
	rep.memIdle = l.memory()

	_, events0, ended0, err := l.serverCounts(ctx)
	if err != nil {
		return nil, err
	}
	writer := newAgnoWriter(store, cfg.schema, cfg.table, cfg.messages, time.Now().UnixNano())
	rep.writing, err = l.measure(ctx, func() error {
		var err error
		rep.writes, err = l.write(ctx, writer)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := l.drain(ctx, len(rep.writes)); err != nil {
		return nil, err
	}
	_, events1, ended1, err := l.serverCounts(ctx)
	if err != nil {
		return nil, err
	}
	rep.serverEvents, rep.serverEnded = events1-events0, ended1-ended0
	rep.memAfter = l.memory()
	shutAll(conns)
	rep.delivery = accountDeliveries(cfg.subscribers, rep.writes, conns)
	for _, c := range conns {
		rep.failed += int(c.failed.Load())
		if len(rep.failures) < 5 {
			rep.failures = append(rep.failures, c.failures...)
		}
	}
	return rep, nil
}

// measure runs phase and returns the CPU it took.
func (l *subscriptionLoad) measure(ctx context.Context, phase func() error) (phaseUsage, error) {
	meter := startCPU(l.cfg.serverPID, l.postmaster)
	err := phase()
	u := phaseUsage{elapsed: time.Since(meter.start)}
	u.server, u.postgres, u.self = meter.cores()
	if l.postmaster == 0 {
		u.postgres = -1
	}
	if err == nil {
		err = ctx.Err()
	}
	return u, err
}

// memory reads the server's memory; nil without its PID.
func (l *subscriptionLoad) memory() *memory {
	if l.cfg.serverPID <= 0 {
		return nil
	}
	m, err := readMemory(l.cfg.serverPID)
	if err != nil {
		return nil
	}
	return &m
}

// serverCounts reads the server's subscriptions open, events queued and
// subscriptions it ended from its /metrics (a counter or gauge not yet
// used is not exposed: 0).
func (l *subscriptionLoad) serverCounts(ctx context.Context) (open, events, ended float64, err error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	status, body, err := l.client.get(ctx, l.metrics)
	if err != nil {
		return 0, 0, 0, err
	}
	if status != http.StatusOK {
		return 0, 0, 0, fmt.Errorf("status %d (is it running with --no-metrics?)", status)
	}
	counts := []*float64{&open, &events, &ended}
	for i, name := range []string{"sessiongraph_subscriptions_open", "sessiongraph_subscription_events_total", "sessiongraph_subscriptions_ended_total"} {
		if *counts[i], _, err = promSum(body, name); err != nil {
			return 0, 0, 0, err
		}
	}
	return open, events, ended, nil
}

// open opens the connections and their subscriptions, dialers at a time.
func (l *subscriptionLoad) open(ctx context.Context) ([]*subscriberConn, error) {
	n, per := l.cfg.subscribers, l.cfg.perConnection
	conns := make([]*subscriberConn, (n+per-1)/per)
	doc := subscribeDocuments[l.cfg.document]
	var (
		mu       sync.Mutex
		firstErr error
		next     int
		wg       sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range min(dialers, len(conns)) {
		wg.Go(func() {
			for ctx.Err() == nil {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= len(conns) {
					return
				}
				first := int32(i * per)
				var c *subscriberConn
				var err error
				if l.cfg.transport == "sse" {
					c, err = dialSSE(ctx, l.client, l.cfg.token, doc, l.clock, first)
				} else {
					c, err = dialWS(ctx, l.endpoint, l.cfg.token, doc, l.clock, first, int32(min(per, n-i*per)))
				}
				mu.Lock()
				conns[i] = c
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("connection %d of %d: %w", i+1, len(conns), err)
					cancel()
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		shutAll(conns)
		return nil, firstErr
	}
	return conns, nil
}

// waitOpen waits until the server holds every subscription (its gauge of
// subscriptions open, from open0 before): from then on each is in its
// database's feed and gets every later change. It fails when a
// subscription ended instead, or after a minute plus 10 ms per subscription.
func (l *subscriptionLoad) waitOpen(ctx context.Context, open0 float64, conns []*subscriberConn) error {
	want := open0 + float64(l.cfg.subscribers)
	deadline := time.Now().Add(time.Minute + time.Duration(l.cfg.subscribers)*10*time.Millisecond)
	for {
		open, _, _, err := l.serverCounts(ctx)
		if err != nil {
			return err
		}
		if open >= want {
			return nil
		}
		for _, c := range conns {
			if c.failed.Load() > 0 {
				shutAll(conns)
				return fmt.Errorf("a subscription did not open: %s", strings.Join(c.failures, "; "))
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the server holds %.0f of the %d subscriptions after %s", open-open0, l.cfg.subscribers, time.Since(l.clock.start).Round(time.Second))
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
}

// write runs the writer at --write-rate for --duration: even changes
// create a session, odd ones add a run to the oldest session created at
// least --update-after before (else create one too). Each change falls at
// a random moment of its 1/rate slot, as Agno's writes fall at any moment
// of the watcher's interval (evenly spaced writes would keep one phase to
// its ticks, and give a few latencies only).
func (l *subscriptionLoad) write(ctx context.Context, writer *agnoWriter) ([]writeLog, error) {
	type due struct {
		s     *writtenSession
		index int32
		at    time.Duration
	}
	var (
		writes  []writeLog
		pending []due
		begin   = l.clock.now()
		slot    = time.Duration(float64(time.Second) / l.cfg.writeRate)
		r       = rand.New(rand.NewPCG(uint64(writer.profile.Seed), 1))
	)
	for op := 0; time.Duration(op+1)*slot <= l.cfg.duration; op++ {
		at := begin + time.Duration(op)*slot + time.Duration(r.Int64N(int64(slot)))
		if err := sleep(ctx, at-l.clock.now()); err != nil {
			return writes, err
		}
		if op%2 == 1 && len(pending) > 0 && pending[0].at <= l.clock.now() {
			p := pending[0]
			pending = pending[1:]
			start := l.clock.now()
			if err := writer.addTurn(ctx, p.s, time.Now().Unix()); err != nil {
				return writes, err
			}
			writes = append(writes, writeLog{session: p.index, start: start, commit: l.clock.now()})
			continue
		}
		s := writer.generate()
		index := l.clock.sessions.add(s.Row.SessionID)
		start := l.clock.now()
		if err := writer.create(ctx, s, time.Now().Unix()); err != nil {
			return writes, err
		}
		commit := l.clock.now()
		writes = append(writes, writeLog{session: index, create: true, start: start, commit: commit})
		pending = append(pending, due{s: s, index: index, at: commit + l.cfg.updateAfter})
	}
	return writes, sleep(ctx, begin+l.cfg.duration-l.clock.now())
}

// drain waits until every subscription got an event of every write (then
// settleAfterAll more, for duplicates), or --drain.
func (l *subscriptionLoad) drain(ctx context.Context, writes int) error {
	want := int64(l.cfg.subscribers) * int64(writes)
	deadline := time.Now().Add(l.cfg.drain)
	for l.clock.delivered.Load() < want && time.Now().Before(deadline) {
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return err
		}
	}
	return sleep(ctx, min(settleAfterAll, time.Until(deadline)))
}

// sleep waits d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// shutAll closes the connections that are open.
func shutAll(conns []*subscriberConn) {
	var wg sync.WaitGroup
	for _, c := range conns {
		if c != nil && !c.closing.Load() {
			wg.Go(c.shut)
		}
	}
	wg.Wait()
}
