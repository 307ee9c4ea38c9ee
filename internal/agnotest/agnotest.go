// Package agnotest loads Agno-shaped fixture rows into every backend Agno
// users run, so that one test suite checks SQLite (double-encoded as Agno up
// to 2.9 writes it, and plain as later Agno writes it) and PostgreSQL alike.
package agnotest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"sessiongraph/db"
	"sessiongraph/internal/testpg"
	"sessiongraph/models"
)

// Backend is a store of one kind loaded with fixture rows.
type Backend struct {
	Name  string
	Store *db.Store
}

// FixturePath returns the path of a file in the repository's testdata/.
func FixturePath(name string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", name)
}

// LoadRows reads a fixture file: a JSON array of rows keyed by column name.
// A JSON column that is absent is SQL NULL; one that is null is JSON null.
func LoadRows(tb testing.TB, name string) []models.SessionRow {
	tb.Helper()
	data, err := os.ReadFile(FixturePath(name))
	if err != nil {
		tb.Fatal(err)
	}
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	rows := make([]models.SessionRow, len(raw))
	for i, r := range raw {
		row := &rows[i]
		str := func(key string) *string {
			var s *string
			if v, ok := r[key]; ok {
				if err := json.Unmarshal(v, &s); err != nil {
					tb.Fatalf("%s row %d %s: %v", name, i, key, err)
				}
			}
			return s
		}
		row.SessionID, row.SessionType = *str("session_id"), *str("session_type")
		row.AgentID, row.TeamID, row.WorkflowID, row.UserID = str("agent_id"), str("team_id"), str("workflow_id"), str("user_id")
		row.SessionData, row.AgentData, row.TeamData = r["session_data"], r["agent_data"], r["team_data"]
		row.WorkflowData, row.Metadata, row.Runs, row.Summary = r["workflow_data"], r["metadata"], r["runs"], r["summary"]
		if err := json.Unmarshal(r["created_at"], &row.CreatedAt); err != nil {
			tb.Fatalf("%s row %d created_at: %v", name, i, err)
		}
		if v, ok := r["updated_at"]; ok {
			if err := json.Unmarshal(v, &row.UpdatedAt); err != nil {
				tb.Fatalf("%s row %d updated_at: %v", name, i, err)
			}
		}
	}
	return rows
}

// Option adjusts the options a store is opened with.
type Option func(*db.Options)

// SliceAllRuns makes PostgreSQL slice every runs column in SQL, however
// small, so that fixtures exercise the slicing SQL.
func SliceAllRuns(o *db.Options) { o.SliceRunsAbove = -1 }

// OpenSQLite opens a store on a new SQLite file.
func OpenSQLite(tb testing.TB, opts ...Option) *db.Store {
	tb.Helper()
	return open(tb, filepath.Join(tb.TempDir(), "agno.db"), opts)
}

// OpenPostgres opens a store on a new PostgreSQL database (see testpg).
func OpenPostgres(tb testing.TB, opts ...Option) *db.Store {
	tb.Helper()
	return open(tb, testpg.NewDatabase(tb), opts)
}

func open(tb testing.TB, url string, opts []Option) *db.Store {
	tb.Helper()
	o := db.Options{URL: url}
	for _, opt := range opts {
		opt(&o)
	}
	s, err := db.Open(context.Background(), o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// Backends returns one store per backend, each loaded with rows.
func Backends(tb testing.TB, rows []models.SessionRow, opts ...Option) []Backend {
	tb.Helper()
	backends := []Backend{
		{Name: "sqlite double-encoded", Store: OpenSQLite(tb, opts...)},
		{Name: "sqlite plain", Store: OpenSQLite(tb, opts...)},
		{Name: "postgres", Store: OpenPostgres(tb, opts...)},
	}
	for i, b := range backends {
		enc := db.DoubleEncoded
		if i == 1 {
			enc = db.PlainJSON
		}
		if err := b.Store.InsertRows(context.Background(), rows, enc); err != nil {
			tb.Fatalf("%s: %v", b.Name, err)
		}
	}
	return backends
}

// InsertCorrupt stores rows whose JSON is broken or oddly shaped, the way
// each backend can hold it: SQLite text that is not JSON or whose double
// encoding hides invalid JSON; PostgreSQL jsonb of the wrong shape. Every
// row has valid columns too, so that the other fields still resolve.
// It returns the ids of the rows it stored.
func InsertCorrupt(tb testing.TB, s *db.Store) []string {
	tb.Helper()
	type corruptRow struct{ id, sessionData, runs, metadata string }
	var rows []corruptRow
	if s.Dialect() == db.SQLite {
		rows = []corruptRow{
			{"x-broken-1", `{not json`, `"[broken"`, `[1,`},
			{"x-broken-2", `"{\"session_name\": \"ok name\"}"`, `["oops", {"run_id": "r-x2", "agent_id": "a", "status": "COMPLETED", "created_at": 1757000001, "messages": "not a list"}]`, `{"fine": true}`},
		}
	} else {
		rows = []corruptRow{
			{"x-broken-1", `[1, 2]`, `{"a": 1}`, `"just a string"`},
			{"x-broken-2", `{"session_name": "ok name"}`, `["oops", {"run_id": "r-x2", "agent_id": "a", "status": "COMPLETED", "created_at": 1757000001, "messages": "not a list"}]`, `{"fine": true}`},
		}
	}
	docs := "$2, $3, $4"
	if s.Dialect() == db.Postgres {
		docs = "CAST($2 AS jsonb), CAST($3 AS jsonb), CAST($4 AS jsonb)"
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		_, err := s.Pool().ExecContext(context.Background(), "INSERT INTO "+s.Describe().SessionTable+" (session_id, session_type, agent_id, user_id, session_data, runs, metadata, created_at, updated_at) VALUES ($1, 'agent', 'broken-agent', 'u-x', "+docs+", $5, $6)",
			r.id, r.sessionData, r.runs, r.metadata, 1757000000+int64(i), 1757000000+int64(i))
		if err != nil {
			tb.Fatalf("inserting corrupt row %s: %v", r.id, err)
		}
		ids[i] = r.id
	}
	return ids
}
