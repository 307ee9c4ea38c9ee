// Package agnotest loads Agno-shaped fixture rows into every backend Agno
// users run, so that one test suite checks SQLite (double-encoded as Agno up
// to 2.9 writes it, and plain as later Agno writes it) and PostgreSQL alike.
package agnotest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

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

// Clock makes the stores' writes stamp rows with now (db.Options.Now).
func Clock(now func() time.Time) Option { return func(o *db.Options) { o.Now = now } }

// V3 creates Agno 3's layout (runs in the runs table) where stores are
// opened on new databases, instead of Agno 2's (runs in the sessions
// table's runs column), which they get by default.
func V3(o *db.Options) { o.CreateLayout = db.LayoutV3 }

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
	o := db.Options{URL: url, CreateLayout: db.LayoutV2}
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

// EveryLayout returns Backends, then the same rows in Agno 3's layout on
// both backends (see V3), then in a mix of both (see Mixed): every answer
// derived from runs must be the same on all of them.
func EveryLayout(tb testing.TB, rows []models.SessionRow, opts ...Option) []Backend {
	tb.Helper()
	out := Backends(tb, rows, opts...)
	v3 := append(slices.Clone(opts), V3)
	for _, b := range []Backend{{Name: "sqlite v3", Store: OpenSQLite(tb, v3...)}, {Name: "postgres v3", Store: OpenPostgres(tb, v3...)}} {
		if err := b.Store.InsertRows(context.Background(), rows, db.DoubleEncoded); err != nil {
			tb.Fatalf("%s: %v", b.Name, err)
		}
		out = append(out, b)
	}
	for _, b := range []Backend{{Name: "sqlite mixed", Store: OpenSQLite(tb, opts...)}, {Name: "postgres mixed", Store: OpenPostgres(tb, opts...)}} {
		Mixed(tb, b.Store, rows)
		out = append(out, b)
	}
	return out
}

// AnalyticsTables returns two PostgreSQL stores of Agno 3's layout loaded
// with rows and carrying the analytics tables (see
// db.Store.InstallAnalyticsTables): one
// installed before the rows were written (its rows written by the trigger),
// one after (filled by the install).
func AnalyticsTables(tb testing.TB, rows []models.SessionRow, opts ...Option) []Backend {
	tb.Helper()
	ctx := context.Background()
	v3 := append(slices.Clone(opts), V3)
	before, after := OpenPostgres(tb, v3...), OpenPostgres(tb, v3...)
	if _, err := before.InstallAnalyticsTables(ctx); err != nil {
		tb.Fatal(err)
	}
	for _, s := range []*db.Store{before, after} {
		if err := s.InsertRows(ctx, rows, db.DoubleEncoded); err != nil {
			tb.Fatal(err)
		}
	}
	if _, err := after.InstallAnalyticsTables(ctx); err != nil {
		tb.Fatal(err)
	}
	return []Backend{{Name: "postgres v3, analytics tables kept by their triggers", Store: before}, {Name: "postgres v3, analytics tables filled by their install", Store: after}}
}

// Mixed loads rows into a store of Agno 2's layout as a database that Agno 3
// upgraded holds them: the runs table is created, and each session's runs
// are split between the legacy column and the table the ways Agno 3 leaves
// them. Sessions in turn keep every run in the column only (never touched
// by Agno 3), have them all copied into the table as well (Agno's
// migration), or keep their older half in the column and their newer half
// in the table only (continued by Agno 3 without the migration), the
// copied half's table copies being the ones read.
func Mixed(tb testing.TB, s *db.Store, rows []models.SessionRow) {
	tb.Helper()
	ctx := context.Background()
	legacy := make([]models.SessionRow, len(rows))
	var table []models.RunRow
	for i, r := range rows {
		legacy[i] = r
		runs, err := models.RunRowsOf(r)
		var elems []json.RawMessage
		if err != nil || len(runs) == 0 || json.Unmarshal(r.Runs, &elems) != nil || len(elems) != len(runs) {
			continue // corrupt or empty runs stay in the column as they are
		}
		switch i % 3 {
		case 1:
			table = append(table, runs...)
		case 2:
			half := len(runs) / 2
			legacy[i].Runs = models.RunsArray(runs[:half])
			table = append(table, runs[half:]...)
		}
	}
	if err := s.InsertRows(ctx, legacy, db.DoubleEncoded); err != nil {
		tb.Fatal(err)
	}
	if err := s.CreateRunsTable(ctx); err != nil {
		tb.Fatal(err)
	}
	if err := s.InsertRuns(ctx, table); err != nil {
		tb.Fatal(err)
	}
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

// insertCorruptRuns stores the elements of a corrupt runs column as rows of
// Agno 3's runs table, each as the table can hold it: SQLite text that is
// not JSON; PostgreSQL jsonb that is not an object. A column that is not an
// array becomes one such row.
func insertCorruptRuns(s *db.Store, sessionID, runs string) error {
	var elems []json.RawMessage
	if json.Unmarshal([]byte(runs), &elems) != nil || len(elems) == 0 {
		elems = []json.RawMessage{json.RawMessage(runs)}
		if s.Dialect() == db.Postgres {
			elems = []json.RawMessage{json.RawMessage(`[1, 2]`)}
		}
	}
	doc := "$3"
	if s.Dialect() == db.Postgres {
		doc = "CAST($3 AS jsonb)"
	}
	for i, e := range elems {
		id := fmt.Sprintf("%s-run-%d", sessionID, i)
		var r struct {
			RunID string `json:"run_id"`
		}
		if json.Unmarshal(e, &r) == nil && r.RunID != "" {
			id = r.RunID
		}
		_, err := s.Pool().ExecContext(context.Background(), "INSERT INTO "+*s.Describe().RunsTable+
			" (run_id, session_id, run_type, user_id, run_index, run_data, created_at) VALUES ($1, $2, 'agent', 'u-x', $4, "+doc+", 1757000000)",
			id, sessionID, string(e), i)
		if err != nil {
			return err
		}
	}
	return nil
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
	doc := func(n int) string {
		if s.Dialect() == db.Postgres {
			return fmt.Sprintf("CAST($%d AS jsonb)", n)
		}
		return fmt.Sprintf("$%d", n)
	}
	d := s.Describe()
	ids := make([]string, len(rows))
	for i, r := range rows {
		at := 1757000000 + int64(i)
		var err error
		if d.LegacyRunsColumn {
			_, err = s.Pool().ExecContext(context.Background(), "INSERT INTO "+d.SessionTable+" (session_id, session_type, agent_id, user_id, session_data, runs, metadata, created_at, updated_at) VALUES ($1, 'agent', 'broken-agent', 'u-x', "+doc(2)+", "+doc(3)+", "+doc(4)+", $5, $6)",
				r.id, r.sessionData, r.runs, r.metadata, at, at)
		} else {
			_, err = s.Pool().ExecContext(context.Background(), "INSERT INTO "+d.SessionTable+" (session_id, session_type, agent_id, user_id, session_data, metadata, created_at, updated_at) VALUES ($1, 'agent', 'broken-agent', 'u-x', "+doc(2)+", "+doc(3)+", $4, $5)",
				r.id, r.sessionData, r.metadata, at, at)
			if err == nil {
				err = insertCorruptRuns(s, r.id, r.runs)
			}
		}
		if err != nil {
			tb.Fatalf("inserting corrupt row %s: %v", r.id, err)
		}
		ids[i] = r.id
	}
	return ids
}
