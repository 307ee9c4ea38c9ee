// Package db reads and writes Agno's sessions table on PostgreSQL and SQLite.
// All SQL lives here; dialect differences are named and side by side in dialect.go.
package db

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	_ "modernc.org/sqlite" // cgo-free SQLite driver, registered as "sqlite"

	"sessiongraph/models"
)

// Options configure one database.
type Options struct {
	ID     string // the dbId clients pass; "default" when empty
	URL    string // see ParseURL
	Schema string // PostgreSQL schema of the sessions table; "ai" when empty
	Table  string // the sessions table; "agno_sessions" when empty
	// RunsTable is Agno 3's runs table; when empty, named as Agno names it:
	// agno_runs, or <Table>_runs when the sessions table is not agno_sessions.
	RunsTable string
	// TracesTable, SpansTable and MetricsTable are the tables Agno's tracing
	// and metrics write, in the sessions table's schema ("agno_traces",
	// "agno_spans", "agno_metrics" when empty, Agno's defaults: Agno takes
	// them from its own arguments, never from the sessions table's name).
	TracesTable, SpansTable, MetricsTable string
	// CreateLayout is the layout created when the sessions table is missing
	// (LayoutV3 when empty, as current Agno creates).
	CreateLayout Layout
	// MaxConns caps the connection pool; 0 means DefaultMaxConns().
	MaxConns int
	// CountCacheTTL is how long a totalCount answer is reused (see
	// countCache); 0 counts on every request.
	CountCacheTTL time.Duration
	// SliceRunsAbove: on PostgreSQL, runs columns stored in more bytes than
	// this are sliced in SQL for runs(first|last: n), smaller ones are read
	// whole (see pgSmallRuns). 0 means DefaultSliceRunsAbove; a negative
	// value slices every runs column.
	SliceRunsAbove int
	// StatementTimeout, when positive, is PostgreSQL's statement_timeout on
	// the Store's connections (unless the URL sets one).
	StatementTimeout time.Duration
	// ChangeWindow is how far behind the newest change the change feed
	// looks again for rows committed late, rounded up to whole seconds; 0
	// means models.DefaultFeedWindow seconds (see models.ChangeCursor).
	ChangeWindow time.Duration
	// ChangeMemory is the most rows per table a change cursor remembers
	// delivering; 0 means models.DefaultFeedMaxSeen.
	ChangeMemory int
	// Now is the clock the Store's writes stamp created_at and updated_at
	// with (epoch seconds, as Agno writes them); time.Now when nil. Tests
	// give backends one clock, to compare what their writes leave.
	Now func() time.Time
}

// DefaultSliceRunsAbove is the stored size (after compression) above which
// runs are sliced in PostgreSQL rather than read whole.
const DefaultSliceRunsAbove = 16 << 10

// DefaultMaxConns is the default size of a database's connection pool:
// max(4, GOMAXPROCS), as pgxpool sizes its pools. More connections than the
// database has cores to run them buys no throughput, only longer and more
// uneven waits: on two shared cores, with 16 clients asking for the 20
// newest sessions, 20 connections gave a p99 of 70 ms and 4 (with calls
// queued first come first served, see Store.enter) 27–33 ms at the same
// rate (docs/performance.md). A database with more cores than the server
// wants --db-max-conns raised.
func DefaultMaxConns() int { return max(4, runtime.GOMAXPROCS(0)) }

// Store is one configured database holding an Agno sessions table.
type Store struct {
	id      string
	dialect Dialect
	target  Target
	db      *gorm.DB
	schema  string
	table   string
	from    string // the quoted, qualified table name for SQL
	// runsTable is the runs table's name, runsFrom its quoted, qualified name.
	runsTable string
	runsFrom  string
	// agnoTables names Agno's traces, spans and metrics tables.
	agnoTables   agnoTables
	createLayout Layout
	layoutState  layoutState
	counts       countCache
	names        *namesCache // derived names' runs with their versions; nil on SQLite
	// nameVersionsOf is the sessions statement's column of NameVersions.
	nameVersionsOf string
	slots          *semaphore.Weighted // one per pool connection, taken in FIFO order (see enter)
	// smallRunsBytes: runs stored in at most this many bytes are read whole.
	smallRunsBytes int
	now            func() time.Time // Options.Now
	// feed bounds the change feed (see Changes).
	feed models.FeedConfig
	// pgDSN is what the pool connects with on PostgreSQL; ListenChanges
	// opens its own connection with it.
	pgDSN string
	// malformedNotices counts the notices ListenChanges skipped.
	malformedNotices atomic.Int64
	// fold is the COLLATE clause under which lower() folds case as Go does
	// (see detectFold); "" on SQLite, or when the database has no such collation.
	fold string

	// ready is set once Init has succeeded: the database answered and holds
	// an Agno sessions table. Until then every call first tries Init again
	// (see available), at most once per retryInitEvery.
	ready   atomic.Bool
	initMu  sync.Mutex
	initTry time.Time
	initErr error
}

// retryInitEvery spaces the attempts to initialize a Store whose database was
// unreachable, so that a flood of requests does not become a flood of connects.
const retryInitEvery = time.Second

var identPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// Open connects to a database and makes sure the sessions table exists
// (creating it with Agno's DDL when missing). It fails when the database
// cannot be reached or the table is not an Agno sessions table.
func Open(ctx context.Context, opts Options) (*Store, error) {
	s, err := New(opts)
	if err != nil {
		return nil, err
	}
	if err := s.Init(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// New configures a Store without touching the database; Init connects.
func New(opts Options) (*Store, error) {
	if opts.ID == "" {
		opts.ID = "default"
	}
	if opts.Schema == "" {
		opts.Schema = "ai"
	}
	if opts.Table == "" {
		opts.Table = "agno_sessions"
	}
	if opts.RunsTable == "" {
		opts.RunsTable = agnoRunsTableName(opts.Table)
	}
	if !identPattern.MatchString(opts.Schema) || !identPattern.MatchString(opts.Table) || !identPattern.MatchString(opts.RunsTable) {
		return nil, fmt.Errorf("schema %q, table %q and runs table %q must be plain SQL identifiers", opts.Schema, opts.Table, opts.RunsTable)
	}
	agno, err := newAgnoTables(opts.TracesTable, opts.SpansTable, opts.MetricsTable)
	if err != nil {
		return nil, err
	}
	if opts.ChangeWindow < 0 || opts.ChangeMemory < 0 {
		return nil, fmt.Errorf("the change window (%s) and memory (%d) cannot be negative", opts.ChangeWindow, opts.ChangeMemory)
	}
	createLayout, err := ParseLayout(string(opts.CreateLayout))
	if err != nil {
		return nil, err
	}
	target, err := ParseURL(opts.URL)
	if err != nil {
		return nil, err
	}
	s := &Store{id: opts.ID, dialect: target.Dialect, target: target, schema: opts.Schema, table: opts.Table,
		runsTable: opts.RunsTable, agnoTables: agno, createLayout: createLayout,
		counts: countCache{ttl: opts.CountCacheTTL}, smallRunsBytes: opts.SliceRunsAbove, now: opts.Now,
		feed: models.FeedConfig{Window: models.DefaultFeedWindow, MaxSeen: cmp.Or(opts.ChangeMemory, models.DefaultFeedMaxSeen)}}
	if s.now == nil {
		s.now = time.Now
	}
	if opts.ChangeWindow > 0 {
		s.feed.Window = int64((opts.ChangeWindow + time.Second - 1) / time.Second)
	}
	switch {
	case opts.SliceRunsAbove == 0:
		s.smallRunsBytes = DefaultSliceRunsAbove
	case opts.SliceRunsAbove < 0:
		s.smallRunsBytes = -1
	}
	s.from = s.qualify(s.table)
	s.runsFrom = s.qualify(s.runsTable)
	s.names = newNamesCache(s.dialect)
	s.nameVersionsOf = nameVersionsSQL(s.runsFrom)
	cfg := &gorm.Config{Logger: logger.Discard, SkipDefaultTransaction: true, DisableAutomaticPing: true}
	var dialector gorm.Dialector
	if s.dialect == Postgres {
		dsn := WithSessionDefaults(target.DSN)
		if opts.StatementTimeout > 0 {
			dsn = withParam(dsn, "statement_timeout", fmt.Sprint(opts.StatementTimeout.Milliseconds()))
		}
		s.pgDSN = dsn
		dialector = postgres.Open(dsn)
	} else {
		// busy_timeout: wait for Agno's writers instead of failing with SQLITE_BUSY.
		conn, err := sql.Open("sqlite", "file:"+target.DSN+"?_pragma=busy_timeout(5000)&_txlock=immediate")
		if err != nil {
			return nil, fmt.Errorf("opening %s: %w", target.DSN, err)
		}
		dialector = sqliteDialector{conn: conn}
	}
	if s.db, err = gorm.Open(dialector, cfg); err != nil {
		return nil, fmt.Errorf("opening %s: %w", target.Redacted(), err)
	}
	if s.dialect == Postgres {
		if err := s.db.Callback().Row().Replace("gorm:row", readRows); err != nil {
			return nil, err
		}
	}
	if err := s.OnStatement("sessiongraph:count", countStatement); err != nil {
		return nil, err
	}
	pool, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = DefaultMaxConns()
	}
	// Keep the pool warm: PostgreSQL connections cost milliseconds to open,
	// and pgx caches prepared statements per connection.
	s.slots = semaphore.NewWeighted(int64(opts.MaxConns))
	pool.SetMaxOpenConns(opts.MaxConns)
	pool.SetMaxIdleConns(opts.MaxConns)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	pool.SetConnMaxLifetime(30 * time.Minute)
	return s, nil
}

// Init checks the connection and makes sure the sessions table exists.
func (s *Store) Init(ctx context.Context) error {
	if err := s.Ping(ctx); err != nil {
		return err
	}
	if err := s.ensureTable(ctx); err != nil {
		return err
	}
	if err := s.detectLayout(ctx); err != nil {
		return err
	}
	if err := s.detectFold(ctx); err != nil {
		return err
	}
	s.ready.Store(true)
	return nil
}

// Ready reports whether the Store can serve: initialized (trying Init again
// when it is not) and its database answering a ping.
func (s *Store) Ready(ctx context.Context) error {
	if err := s.available(ctx); err != nil {
		return err
	}
	return s.Ping(ctx)
}

// enter admits a call that reads or writes the table: the Store must be
// available (see available), and the call then waits its turn, first come
// first served, for one of the pool's MaxConns connections, which it holds
// until release. database/sql gives a freed connection to a random waiter,
// so when more requests want the database than the pool has connections,
// some would wait many times longer than others; queued here they wait in
// order, and database/sql never has waiters.
func (s *Store) enter(ctx context.Context) (release func(), err error) {
	if err := s.available(ctx); err != nil {
		return nil, err
	}
	return s.acquire(ctx)
}

// acquire waits, first come first served, for one of the pool's connections.
func (s *Store) acquire(ctx context.Context) (release func(), err error) {
	if err := s.slots.Acquire(ctx, 1); err != nil {
		return nil, internal("waiting for a database connection", err)
	}
	return func() { s.slots.Release(1) }, nil
}

// available makes sure the Store is initialized before a call touches the
// table: when the database was unreachable at start, the first calls after
// it comes back initialize it. Until then calls fail fast with UNAVAILABLE.
func (s *Store) available(ctx context.Context) error {
	if s.ready.Load() {
		return nil
	}
	s.initMu.Lock()
	defer s.initMu.Unlock()
	if s.ready.Load() {
		return nil
	}
	if time.Since(s.initTry) >= retryInitEvery {
		s.initTry = time.Now()
		s.initErr = s.Init(ctx)
	}
	if s.initErr != nil {
		return &models.Error{Code: models.Unavailable, Message: fmt.Sprintf("database %q is unavailable, try again later", s.id), Err: s.initErr}
	}
	return nil
}

// Close closes the connection pool.
func (s *Store) Close() error {
	conn, err := s.db.DB()
	if err != nil {
		return err
	}
	return conn.Close()
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	conn, err := s.db.DB()
	if err == nil {
		err = conn.PingContext(ctx)
	}
	if err != nil {
		return fmt.Errorf("database %q (%s) does not answer: %s", s.id, s.target.Redacted(), oneLine(err))
	}
	return nil
}

// ID returns the database id clients pass as dbId.
func (s *Store) ID() string { return s.id }

// Dialect returns the backend.
func (s *Store) Dialect() Dialect { return s.dialect }

// Describe returns the database as the API lists it.
func (s *Store) Describe() models.Database {
	d := models.Database{ID: s.id, Dialect: string(s.dialect), SessionTable: s.qualifiedName()}
	s.describeLayout(&d)
	return d
}

// WithSessionDefaults returns a PostgreSQL URL that sets the session parameters
// the Store runs with (tools replaying its SQL use it too). It sets them on our own connections (pgx
// sends unknown URL parameters as runtime parameters) unless the URL sets
// them: jit=off, because the planner's cost estimates for jsonb set-returning
// functions are inflated enough to make PostgreSQL JIT-compile millisecond
// queries for hundreds of milliseconds (measured: 437 ms of JIT for a 1.9 ms
// page of names).
func WithSessionDefaults(dsn string) string {
	return withParam(dsn, "jit", "off")
}

// withParam sets a URL query parameter unless the URL sets it already.
func withParam(dsn, key, value string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	if !q.Has(key) {
		q.Set(key, value)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// oneLine folds a driver's multi-line error message into one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
}

// nowEpoch is the Store's clock in epoch seconds, as Agno stamps rows.
func (s *Store) nowEpoch() int64 { return s.now().Unix() }
