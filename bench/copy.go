package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"sessiongraph/db"
	"sessiongraph/models"
)

// How CopyInto streams: batches of sessions, each one COPY, spread over a
// few connections so that generating rows (Go) and parsing them (PostgreSQL)
// overlap on all cores.
const (
	copyBatch = 2000
	copyConns = 2
)

// copyColumns are Agno's columns in the order CopyInto sends them.
var copyColumns = []string{"session_id", "session_type", "agent_id", "team_id", "workflow_id", "user_id",
	"session_data", "agent_data", "team_data", "workflow_data", "metadata", "runs", "summary", "created_at", "updated_at"}

// CopyReport says what CopyInto wrote.
type CopyReport struct {
	Sessions   int
	JSONBytes  int64         // size of the JSON documents sent
	Elapsed    time.Duration // generating and copying the rows
	Vacuum     time.Duration // VACUUM (ANALYZE) afterwards
	TableBytes int64         // pg_total_relation_size of the table afterwards
}

// RowsPerSecond is the copy rate in sessions per second.
func (r CopyReport) RowsPerSecond() float64 { return float64(r.Sessions) / r.Elapsed.Seconds() }

// CopyInto writes the sessions of spec into schema.table of the PostgreSQL
// database at pgURL (any URL db.ParseURL accepts), creating the table with
// Agno's DDL when it is missing, then runs VACUUM (ANALYZE), so that the
// table is measured as autovacuum would leave it (statistics, visibility
// map) rather than while autovacuum works on it. The rows are appended:
// copying the same spec twice fails on the primary key.
func CopyInto(ctx context.Context, pgURL, schema, table string, spec Spec) (CopyReport, error) {
	target, err := db.ParseURL(pgURL)
	if err != nil {
		return CopyReport{}, err
	}
	if target.Dialect != db.Postgres {
		return CopyReport{}, fmt.Errorf("CopyInto needs a PostgreSQL URL, got a %s one", target.Dialect)
	}
	store, err := db.Open(ctx, db.Options{URL: pgURL, Schema: schema, Table: table, CreateLayout: db.LayoutV2})
	if err != nil {
		return CopyReport{}, err
	}
	if err := store.Close(); err != nil {
		return CopyReport{}, err
	}
	cfg, err := pgxpool.ParseConfig(target.DSN)
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

	report := CopyReport{Sessions: max(spec.Sessions, 0)}
	ident := pgx.Identifier{schema, table}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next      atomic.Int64
		jsonBytes atomic.Int64
		wg        sync.WaitGroup
		errMu     sync.Mutex
		firstErr  error
	)
	start := time.Now()
	for range copyConns {
		wg.Go(func() {
			for {
				lo := int(next.Add(1)-1) * copyBatch
				if lo >= report.Sessions || ctx.Err() != nil {
					return
				}
				src := &rowSource{spec: spec, i: lo - 1, end: min(lo+copyBatch, report.Sessions)}
				if _, err := pool.CopyFrom(ctx, ident, copyColumns, src); err != nil {
					errMu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("copying sessions %d–%d into %s: %w", lo, src.end-1, ident.Sanitize(), err)
					}
					errMu.Unlock()
					cancel()
					return
				}
				jsonBytes.Add(src.jsonBytes)
			}
		})
	}
	wg.Wait()
	report.Elapsed, report.JSONBytes = time.Since(start), jsonBytes.Load()
	if firstErr != nil {
		return report, firstErr
	}
	start = time.Now()
	if _, err := pool.Exec(ctx, "VACUUM (ANALYZE) "+ident.Sanitize()); err != nil {
		return report, fmt.Errorf("vacuuming %s: %w", ident.Sanitize(), err)
	}
	report.Vacuum = time.Since(start)
	err = pool.QueryRow(ctx, "SELECT pg_total_relation_size($1::regclass)", ident.Sanitize()).Scan(&report.TableBytes)
	return report, err
}

// rowSource feeds sessions i+1 … end-1 of spec to CopyFrom, generating each
// as it is asked for. JSON columns go as text (pgx sends []byte as the
// document); nil is SQL NULL.
type rowSource struct {
	spec      Spec
	i, end    int
	row       models.SessionRow
	jsonBytes int64
}

func (s *rowSource) Next() bool {
	s.i++
	if s.i >= s.end {
		return false
	}
	s.row = s.spec.Row(s.i)
	return true
}

func (s *rowSource) Values() ([]any, error) {
	r := &s.row
	values := []any{r.SessionID, r.SessionType, r.AgentID, r.TeamID, r.WorkflowID, r.UserID}
	for _, doc := range [][]byte{r.SessionData, r.AgentData, r.TeamData, r.WorkflowData, r.Metadata, r.Runs, r.Summary} {
		if doc == nil {
			values = append(values, nil)
			continue
		}
		s.jsonBytes += int64(len(doc))
		values = append(values, doc)
	}
	return append(values, r.CreatedAt, r.UpdatedAt), nil
}

func (s *rowSource) Err() error { return nil }

var _ pgx.CopyFromSource = (*rowSource)(nil)
