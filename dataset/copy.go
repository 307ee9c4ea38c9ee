package dataset

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"sessiongraph/db"
	"sessiongraph/models"
)

// How CopyInto streams: batches of sessions, each one COPY (two in Agno 3's
// layout: the sessions, then their runs), spread over a few connections so
// that generating rows (Go) and parsing them (PostgreSQL) overlap on all cores.
const (
	copyBatch = 1000
	copyConns = 2
)

// The columns CopyInto sends, in Agno's order; Agno 2's sessions table has
// runs after metadata.
var (
	copySessionColumns = []string{"session_id", "session_type", "agent_id", "team_id", "workflow_id", "user_id",
		"session_data", "agent_data", "team_data", "workflow_data", "metadata", "summary", "created_at", "updated_at"}
	copyV2SessionColumns = []string{"session_id", "session_type", "agent_id", "team_id", "workflow_id", "user_id",
		"session_data", "agent_data", "team_data", "workflow_data", "metadata", "runs", "summary", "created_at", "updated_at"}
	copyRunColumns = []string{"run_id", "session_id", "run_type", "agent_id", "team_id", "workflow_id", "user_id",
		"parent_run_id", "status", "run_index", "run_data", "created_at", "updated_at"}
)

// CopyTarget is where CopyInto writes.
type CopyTarget struct {
	URL    string // a PostgreSQL URL, any that db.ParseURL accepts
	Schema string // "ai" when empty
	// Table is the sessions table, "agno_sessions" when empty; the runs
	// table is named as Agno names it (agno_runs beside agno_sessions).
	Table string
	// Layout is where the runs go: LayoutV3 (when empty, as current Agno)
	// into the runs table, LayoutV2 into the sessions table's runs column.
	// Missing tables are created in it; existing ones must have it.
	Layout db.Layout
	// Replace empties the tables first (TRUNCATE); without it CopyInto
	// refuses tables that hold rows.
	Replace bool
}

// CopyReport says what CopyInto wrote.
type CopyReport struct {
	Sessions  int
	Runs      int           // rows of the runs table (0 in Agno 2's layout)
	JSONBytes int64         // size of the JSON documents sent
	Elapsed   time.Duration // generating and copying the rows
	Vacuum    time.Duration // VACUUM (ANALYZE) afterwards
	// SessionsBytes and RunsBytes are pg_total_relation_size of the tables afterwards.
	SessionsBytes int64
	RunsBytes     int64
}

// RowsPerSecond is the copy rate in sessions per second.
func (r CopyReport) RowsPerSecond() float64 { return float64(r.Sessions) / r.Elapsed.Seconds() }

// RunsPerSecond is the copy rate in runs-table rows per second.
func (r CopyReport) RunsPerSecond() float64 { return float64(r.Runs) / r.Elapsed.Seconds() }

// CopyInto writes the sessions of p into the PostgreSQL database of
// target with COPY, creating the tables with Agno's DDL when they are
// missing, then runs VACUUM (ANALYZE) on them (see vacuum), so that they are
// measured as autovacuum would leave them (statistics, visibility map)
// rather than while autovacuum works on them.
func CopyInto(ctx context.Context, target CopyTarget, p Profile) (CopyReport, error) {
	url, err := db.ParseURL(target.URL)
	if err != nil {
		return CopyReport{}, err
	}
	if url.Dialect != db.Postgres {
		return CopyReport{}, fmt.Errorf("CopyInto needs a PostgreSQL URL, got a %s one", url.Dialect)
	}
	layout, err := db.ParseLayout(string(target.Layout))
	if err != nil {
		return CopyReport{}, err
	}
	sessions, runs, err := openTables(ctx, target, layout)
	if err != nil {
		return CopyReport{}, err
	}
	cfg, err := pgxpool.ParseConfig(url.DSN)
	if err != nil {
		return CopyReport{}, err
	}
	cfg.MaxConns = copyConns
	// Only the wait for the WAL flush is skipped; a crash loses the last batches, never corrupts them.
	cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "off"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return CopyReport{}, err
	}
	defer pool.Close()
	tables := []pgx.Identifier{sessions}
	if runs != nil {
		tables = []pgx.Identifier{runs, sessions} // the runs first: they refer to the sessions
	}
	if err := emptyTables(ctx, pool, tables, target.Replace); err != nil {
		return CopyReport{}, err
	}

	report := CopyReport{Sessions: max(p.Len(), 0)}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next             atomic.Int64
		jsonBytes, total atomic.Int64
		wg               sync.WaitGroup
		errMu            sync.Mutex
		firstErr         error
	)
	fail := func(err error) {
		errMu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		errMu.Unlock()
		cancel()
	}
	start := time.Now()
	for range copyConns {
		wg.Go(func() {
			for {
				lo := int(next.Add(1)-1) * copyBatch
				if lo >= report.Sessions || ctx.Err() != nil {
					return
				}
				src := &sessionSource{p: p, i: lo - 1, end: min(lo+copyBatch, report.Sessions), stashRuns: runs != nil}
				columns := copyV2SessionColumns
				if runs != nil {
					columns = copySessionColumns
				}
				if _, err := pool.CopyFrom(ctx, sessions, columns, src); err != nil {
					fail(fmt.Errorf("copying sessions %d–%d into %s: %w", lo, src.end-1, sessions.Sanitize(), err))
					return
				}
				if runs != nil {
					rs := &runSource{runs: src.runs, i: -1}
					if _, err := pool.CopyFrom(ctx, runs, copyRunColumns, rs); err != nil {
						fail(fmt.Errorf("copying the runs of sessions %d–%d into %s: %w", lo, src.end-1, runs.Sanitize(), err))
						return
					}
					total.Add(int64(len(src.runs)))
					jsonBytes.Add(rs.jsonBytes)
				}
				jsonBytes.Add(src.jsonBytes)
			}
		})
	}
	wg.Wait()
	report.Elapsed, report.JSONBytes, report.Runs = time.Since(start), jsonBytes.Load(), int(total.Load())
	if firstErr != nil {
		return report, firstErr
	}
	start = time.Now()
	for _, t := range tables {
		if err := vacuum(ctx, pool, t); err != nil {
			return report, err
		}
	}
	report.Vacuum = time.Since(start)
	size := func(t pgx.Identifier, into *int64) error {
		return pool.QueryRow(ctx, "SELECT pg_total_relation_size($1::regclass)", t.Sanitize()).Scan(into)
	}
	if err := size(sessions, &report.SessionsBytes); err != nil {
		return report, err
	}
	if runs != nil {
		err = size(runs, &report.RunsBytes)
	}
	return report, err
}

// vacuum runs VACUUM (ANALYZE) on t until its visibility map covers
// every page, as autovacuum would leave it (at most 10 times, a second
// apart). Right after the copies a first VACUUM may mark few pages
// all-visible: it sets no hint bits for commits not yet flushed to the WAL
// (the copies do not wait for it), and a transaction that began during the
// copies (autovacuum's own ANALYZE) keeps their rows from being visible to
// all. The table would then be measured with index-only scans that visit
// the heap.
func vacuum(ctx context.Context, pool *pgxpool.Pool, t pgx.Identifier) error {
	for try := 0; ; try++ {
		if _, err := pool.Exec(ctx, "VACUUM (ANALYZE) "+t.Sanitize(), pgx.QueryExecModeSimpleProtocol); err != nil {
			return fmt.Errorf("vacuuming %s: %w", t.Sanitize(), err)
		}
		var covered bool
		err := pool.QueryRow(ctx, "SELECT relallvisible >= relpages FROM pg_class WHERE oid = $1::regclass", t.Sanitize()).Scan(&covered)
		if err != nil || covered || try == 9 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// openTables creates the tables in layout when they are missing (db.Open
// does, with Agno's DDL) and returns them; runs is nil in Agno 2's layout.
// Tables in the other layout are refused.
func openTables(ctx context.Context, target CopyTarget, layout db.Layout) (sessions, runs pgx.Identifier, err error) {
	store, err := db.Open(ctx, db.Options{URL: target.URL, Schema: target.Schema, Table: target.Table, CreateLayout: layout})
	if err != nil {
		return nil, nil, err
	}
	d := store.Describe()
	if err := store.Close(); err != nil {
		return nil, nil, err
	}
	ident := func(qualified string) pgx.Identifier {
		schema, table, _ := strings.Cut(qualified, ".")
		return pgx.Identifier{schema, table}
	}
	switch {
	case layout == db.LayoutV3 && d.RunsTable == nil:
		return nil, nil, fmt.Errorf("%s has Agno 2's layout (runs in its runs column, no runs table): copy in layout v2, or into another table", d.SessionTable)
	case layout == db.LayoutV2 && !d.LegacyRunsColumn:
		return nil, nil, fmt.Errorf("%s has Agno 3's layout (no runs column): copy in layout v3, or into another table", d.SessionTable)
	case layout == db.LayoutV3:
		return ident(d.SessionTable), ident(*d.RunsTable), nil
	}
	return ident(d.SessionTable), nil, nil
}

// emptyTables makes sure the tables hold no rows: it truncates them with
// replace, and otherwise refuses to append to a filled table.
func emptyTables(ctx context.Context, pool *pgxpool.Pool, tables []pgx.Identifier, replace bool) error {
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = t.Sanitize()
		var filled bool
		if err := pool.QueryRow(ctx, "SELECT EXISTS (SELECT FROM "+names[i]+")").Scan(&filled); err != nil {
			return err
		}
		if filled && !replace {
			return fmt.Errorf("%s already holds rows; replace them (TRUNCATE) or use another database", names[i])
		}
	}
	if !replace {
		return nil
	}
	_, err := pool.Exec(ctx, "TRUNCATE "+strings.Join(names, ", "))
	return err
}

// sessionSource feeds sessions i+1 … end-1 of p to CopyFrom, generating
// each as it is asked for, and keeps their runs for the runs table when
// stashRuns. JSON columns go as text (pgx sends []byte as the document);
// nil is SQL NULL.
type sessionSource struct {
	p         Profile
	i, end    int
	stashRuns bool
	row       models.SessionRow
	runs      []models.RunRow
	jsonBytes int64
}

func (s *sessionSource) Next() bool {
	s.i++
	if s.i >= s.end {
		return false
	}
	session := s.p.Session(s.i)
	s.row = session.Row
	if s.stashRuns {
		s.runs = append(s.runs, session.Runs...)
	}
	return true
}

func (s *sessionSource) Values() ([]any, error) {
	r := &s.row
	values := make([]any, 0, 15)
	values = append(values, r.SessionID, r.SessionType, r.AgentID, r.TeamID, r.WorkflowID, r.UserID)
	docs := [][]byte{r.SessionData, r.AgentData, r.TeamData, r.WorkflowData, r.Metadata, r.Runs, r.Summary}
	if s.stashRuns {
		docs = append(docs[:5], r.Summary) // no runs column
	}
	for _, doc := range docs {
		if doc == nil {
			values = append(values, nil)
			continue
		}
		s.jsonBytes += int64(len(doc))
		values = append(values, doc)
	}
	return append(values, r.CreatedAt, r.UpdatedAt), nil
}

func (s *sessionSource) Err() error { return nil }

// runSource feeds runs-table rows to CopyFrom.
type runSource struct {
	runs      []models.RunRow
	i         int
	jsonBytes int64
}

func (s *runSource) Next() bool {
	s.i++
	return s.i < len(s.runs)
}

func (s *runSource) Values() ([]any, error) {
	r := &s.runs[s.i]
	s.jsonBytes += int64(len(r.RunData))
	return []any{r.RunID, r.SessionID, r.RunType, r.AgentID, r.TeamID, r.WorkflowID, r.UserID,
		r.ParentRunID, r.Status, r.RunIndex, []byte(r.RunData), r.CreatedAt, r.UpdatedAt}, nil
}

func (s *runSource) Err() error { return nil }

var (
	_ pgx.CopyFromSource = (*sessionSource)(nil)
	_ pgx.CopyFromSource = (*runSource)(nil)
)
