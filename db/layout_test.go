package db_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"sessiongraph/db"
	"sessiongraph/internal/agnotest"
	"sessiongraph/internal/testpg"
	"sessiongraph/models"
)

// tableShape describes what Agno checks and relies on in its tables: each
// column's name, type, nullability and key, the indexes with their columns,
// foreign keys with their delete rule, and the versions recorded for them.
func tableShape(t *testing.T, s *db.Store) []string {
	t.Helper()
	pool := s.Pool()
	var out []string
	rows := func(query string, args ...any) [][]string {
		r, err := pool.QueryContext(ctx, query, args...)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		defer r.Close()
		cols, _ := r.Columns()
		var got [][]string
		for r.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := r.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			row := make([]string, len(cols))
			for i, v := range vals {
				row[i] = v.String
			}
			got = append(got, row)
		}
		return got
	}
	for _, table := range []string{"agno_sessions", "agno_runs"} {
		if s.Dialect() == db.SQLite {
			for _, c := range rows(`SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid`, table) {
				out = append(out, fmt.Sprintf("%s column %v", table, c))
			}
			for _, ix := range rows(`SELECT name FROM pragma_index_list(?) WHERE origin = 'c' ORDER BY name`, table) {
				var cols []string
				for _, c := range rows(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`, ix[0]) {
					cols = append(cols, c[0])
				}
				out = append(out, fmt.Sprintf("%s index %s (%s)", table, ix[0], strings.Join(cols, ", ")))
			}
			for _, fk := range rows(`SELECT "table", "from", "to", on_delete FROM pragma_foreign_key_list(?)`, table) {
				out = append(out, fmt.Sprintf("%s foreign key %v", table, fk))
			}
		} else {
			for _, c := range rows(`SELECT column_name, data_type, is_nullable FROM information_schema.columns
				WHERE table_schema = 'ai' AND table_name = $1 ORDER BY ordinal_position`, table) {
				out = append(out, fmt.Sprintf("%s column %v", table, c))
			}
			for _, ix := range rows(`SELECT indexdef FROM pg_indexes WHERE schemaname = 'ai' AND tablename = $1 ORDER BY indexname`, table) {
				out = append(out, fmt.Sprintf("%s index %s", table, ix[0]))
			}
			for _, fk := range rows(`SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
				JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'ai' AND t.relname = $1 AND c.contype IN ('f', 'p') ORDER BY c.contype, c.conname`, table) {
				out = append(out, fmt.Sprintf("%s constraint %s", table, fk[0]))
			}
		}
	}
	versions := "SELECT table_name, version FROM agno_schema_versions WHERE table_name IN ('agno_sessions', 'agno_runs') ORDER BY table_name"
	if s.Dialect() == db.Postgres {
		versions = strings.Replace(versions, "FROM agno_schema_versions", "FROM ai.agno_schema_versions", 1)
	}
	for _, v := range rows(versions) {
		out = append(out, fmt.Sprintf("version %v", v))
	}
	return out
}

// TestCreatedTablesAreAgno3s checks that the tables the server creates on an
// empty database are those real Agno 3 creates (its fixture database): same
// columns and types, indexes, keys and recorded versions, so that Agno 3
// adopts them without migrating.
func TestCreatedTablesAreAgno3s(t *testing.T) {
	for _, c := range []struct {
		name          string
		agno, created func(t *testing.T) *db.Store
	}{
		{"sqlite", func(t *testing.T) *db.Store { return agnotest.OpenRealAgnoSQLite(t, "v3") },
			func(t *testing.T) *db.Store { return agnotest.OpenSQLite(t, agnotest.V3) }},
		{"postgres", func(t *testing.T) *db.Store { return agnotest.OpenRealAgnoPostgres(t, "v3") },
			func(t *testing.T) *db.Store { return agnotest.OpenPostgres(t, agnotest.V3) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			want, got := tableShape(t, c.agno(t)), tableShape(t, c.created(t))
			if len(want) < 20 {
				t.Fatalf("Agno's tables read as %d facts: %v", len(want), want)
			}
			if !slices.Equal(got, want) {
				t.Errorf("created tables differ from Agno 3's:\n got  %s\n want %s", strings.Join(got, "\n      "), strings.Join(want, "\n      "))
			}
		})
	}
}

// v3Backends opens an empty store of Agno 3's layout on each backend.
func v3Backends(t *testing.T) map[string]*db.Store {
	return map[string]*db.Store{"sqlite": agnotest.OpenSQLite(t, agnotest.V3), "postgres": agnotest.OpenPostgres(t, agnotest.V3)}
}

// runIDs returns the run_ids of the runs table, in order.
func runIDs(t *testing.T, s *db.Store) []string {
	t.Helper()
	r, err := s.Pool().QueryContext(ctx, "SELECT run_id FROM "+*s.Describe().RunsTable+" ORDER BY run_id")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ids := []string{}
	for r.Next() {
		var id string
		if err := r.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func sessionWithRuns(id string, runIDs ...string) models.SessionRow {
	runs := make([]string, len(runIDs))
	for i, r := range runIDs {
		runs[i] = fmt.Sprintf(`{"run_id": %q, "agent_id": "a", "status": "COMPLETED", "created_at": %d}`, r, 1757000000+i)
	}
	return models.SessionRow{SessionID: id, SessionType: "agent", AgentID: ptr("a"), UserID: ptr("u"), CreatedAt: 1757000000,
		UpdatedAt: ptr(int64(1757000000)), SessionData: json.RawMessage(`{"session_name": "n"}`), Runs: json.RawMessage("[" + strings.Join(runs, ", ") + "]")}
}

// TestWritesKeepTheRunsTableAsAgnoExpects checks, on Agno 3's layout, that
// deleting sessions deletes their run rows in the same transaction (SQLite
// does not cascade: the server's connections do not enable foreign keys),
// and that renames and updates leave the runs table as it is.
func TestWritesKeepTheRunsTableAsAgnoExpects(t *testing.T) {
	for name, s := range v3Backends(t) {
		t.Run(name, func(t *testing.T) {
			rows := []models.SessionRow{sessionWithRuns("s-1", "r-1a", "r-1b"), sessionWithRuns("s-2", "r-2a"), sessionWithRuns("s-3", "r-3a", "r-3b"), sessionWithRuns("s-4", "r-4a")}
			if err := s.InsertRows(ctx, rows, db.PlainJSON); err != nil {
				t.Fatal(err)
			}
			before := runIDs(t, s)
			if _, err := s.RenameSession(ctx, "s-1", "renamed", nil); err != nil {
				t.Fatal(err)
			}
			if _, err := s.UpdateSession(ctx, "s-2", nil, models.SessionEdit{Metadata: json.RawMessage(`{"k": 1}`)}); err != nil {
				t.Fatal(err)
			}
			if got := runIDs(t, s); !slices.Equal(got, before) {
				t.Fatalf("runs after rename and update: %v, want %v", got, before)
			}
			if err := s.DeleteSession(ctx, "s-1", nil); err != nil {
				t.Fatal(err)
			}
			if got, want := runIDs(t, s), []string{"r-2a", "r-3a", "r-3b", "r-4a"}; !slices.Equal(got, want) {
				t.Errorf("runs after deleting s-1: %v, want %v", got, want)
			}
			deleted, notFound, err := s.DeleteSessions(ctx, []string{"s-3", "s-9", "s-4"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(deleted, []string{"s-3", "s-4"}) || !slices.Equal(notFound, []string{"s-9"}) {
				t.Errorf("deleted %v, not found %v", deleted, notFound)
			}
			if got, want := runIDs(t, s), []string{"r-2a"}; !slices.Equal(got, want) {
				t.Errorf("runs after deleting s-3 and s-4: %v, want %v", got, want)
			}
			t.Run("a session of another owner keeps its runs", func(t *testing.T) {
				err := s.DeleteSession(db.WithOwner(ctx, "someone-else"), "s-2", nil)
				var coded *models.Error
				if !errors.As(err, &coded) || coded.Code != models.NotFound {
					t.Fatalf("deleting another user's session: %v", err)
				}
				if got, want := runIDs(t, s), []string{"r-2a"}; !slices.Equal(got, want) {
					t.Errorf("runs: %v, want %v", got, want)
				}
			})
		})
	}
}

// TestUpgradeWhileServing checks that a database of Agno 2's layout that
// Agno 3 upgrades while the server runs (it creates the runs table on its
// first run save and writes new runs there) is served as upgraded without a
// restart: the new runs appear after the legacy ones.
func TestUpgradeWhileServing(t *testing.T) {
	for name, url := range map[string]string{"sqlite": filepath.Join(t.TempDir(), "agno.db"), "postgres": testpg.NewDatabase(t)} {
		t.Run(name, func(t *testing.T) {
			s, err := db.Open(ctx, db.Options{URL: url, CreateLayout: db.LayoutV2})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.InsertRows(ctx, []models.SessionRow{sessionWithRuns("s-1", "r-old")}, db.DoubleEncoded); err != nil {
				t.Fatal(err)
			}
			// Agno 3, from another process: its DDL, then a run row.
			agno, err := db.Open(ctx, db.Options{URL: url})
			if err != nil {
				t.Fatal(err)
			}
			defer agno.Close()
			if err := agno.CreateRunsTable(ctx); err != nil {
				t.Fatal(err)
			}
			run := sessionWithRuns("s-1", "r-old", "r-new")
			runs, _ := models.RunRowsOf(run)
			if err := agno.InsertRuns(ctx, runs[1:]); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for {
				row, err := s.GetSession(ctx, "s-1", nil, models.SessionColumns{Runs: true})
				if err != nil {
					t.Fatal(err)
				}
				conn, _ := models.NewSession(s.ID(), *row).Core().RunConnection(models.PageArgs{}, nil)
				var ids []string
				for _, n := range conn.Nodes {
					ids = append(ids, n.Core().RunID())
				}
				if slices.Equal(ids, []string{"r-old", "r-new"}) && s.Describe().RunsTable != nil && s.Describe().LegacyRunsColumn {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("after 10 s the server reads runs %v, databases %+v", ids, s.Describe())
				}
				time.Sleep(200 * time.Millisecond)
			}
		})
	}
}

// TestLastRunsOfALongSessionReadOnlyThoseRows checks, on PostgreSQL, that
// runs(last: 5) of a session with 10,000 runs in the runs table reads 5 run
// rows through Agno's (session_id, run_index) index: the plan of the
// statement the Store runs scans the table's heap for 5 rows, and counts
// the session's runs from the index alone.
func TestLastRunsOfALongSessionReadOnlyThoseRows(t *testing.T) {
	s := agnotest.OpenPostgres(t, agnotest.V3)
	// Other sessions' runs first, so that the long session's rows lie behind
	// them in the heap (where a sequential scan would reach them last), and
	// the long session holds half of the runs (where the planner may take a
	// sequential scan for a few of its rows).
	others := make([]models.SessionRow, 200)
	for i := range others {
		ids := make([]string, 50)
		for j := range ids {
			ids[j] = fmt.Sprintf("o-%d-%d", i, j)
		}
		others[i] = sessionWithRuns(fmt.Sprintf("other-%d", i), ids...)
	}
	if err := s.InsertRows(ctx, others, db.PlainJSON); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertRows(ctx, []models.SessionRow{sessionWithRuns("long")}, db.PlainJSON); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool().ExecContext(ctx, `INSERT INTO ai.agno_runs (run_id, session_id, run_type, agent_id, user_id, status, run_index, run_data, created_at, updated_at)
		SELECT 'r-' || i, 'long', 'agent', 'a', 'u', 'COMPLETED', i,
			jsonb_build_object('run_id', 'r-' || i, 'agent_id', 'a', 'status', 'COMPLETED', 'content', repeat('x', 500), 'created_at', 1757000000 + i),
			1757000000 + i, 1757000000 + i
		FROM generate_series(0, 9999) i`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool().ExecContext(ctx, "VACUUM (ANALYZE) ai.agno_runs"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool().ExecContext(ctx, "VACUUM (ANALYZE) ai.agno_runs"); err != nil {
		t.Fatal(err)
	}
	var stmts []db.Statement
	if err := s.OnStatement("test:plan", func(_ context.Context, st db.Statement) { stmts = append(stmts, st) }); err != nil {
		t.Fatal(err)
	}
	last := 5
	row, err := s.GetSession(ctx, "long", nil, models.SessionColumns{RunsWindow: &models.RunsRequest{Last: &last}})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := models.NewSession(s.ID(), *row).Core().RunConnection(models.PageArgs{Last: &last}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, n := range conn.Nodes {
		ids = append(ids, n.Core().RunID())
	}
	if !slices.Equal(ids, []string{"r-9995", "r-9996", "r-9997", "r-9998", "r-9999"}) || !conn.PageInfo.HasPreviousPage {
		t.Fatalf("last 5: %v, hasPreviousPage %v", ids, conn.PageInfo.HasPreviousPage)
	}
	if len(stmts) != 1 {
		t.Fatalf("%d statements, want one: the session's, with its runs", len(stmts))
	}
	t.Run("with totalCount, the session's runs are counted", func(t *testing.T) {
		q := &models.RunsRequest{Last: &last, Count: true}
		row, err := s.GetSession(ctx, "long", nil, models.SessionColumns{RunsWindow: q})
		if err != nil {
			t.Fatal(err)
		}
		conn, err := models.NewSession(s.ID(), *row).Core().RunConnection(models.PageArgs{Last: &last}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if total, _ := conn.TotalCount(ctx); total != 10000 || len(conn.Nodes) != 5 {
			t.Errorf("total %d, %d runs", total, len(conn.Nodes))
		}
	})
	plan, text := explainAnalyze(t, s, stmts[0])
	// Every scan of the runs table reads at most 6 rows or index entries
	// (those it returns and those its filter removed): the 5 runs (found
	// through Agno's (session_id, run_index) index), and the 5th's
	// run_index and whether a 6th exists; none reads the session's 10,000,
	// nor other sessions' runs.
	var scans []planNode
	var walk func(n planNode)
	walk = func(n planNode) {
		if n.Relation == "agno_runs" || strings.HasPrefix(n.Index, "idx_agno_runs") {
			scans = append(scans, n)
		}
		for _, c := range n.Plans {
			walk(c)
		}
	}
	walk(plan)
	throughIndex := false
	for _, n := range scans {
		if read := (n.ActualRows + n.RemovedByFilter) * n.Loops; read > 6 {
			t.Errorf("a %s of the runs table read %v rows; plan:\n%s", n.Type, read, text)
		}
		throughIndex = throughIndex || (n.Index == "idx_agno_runs_session_id_run_index" && n.ActualRows == 5)
	}
	if !throughIndex {
		t.Errorf("the 5 runs were not read through idx_agno_runs_session_id_run_index; plan:\n%s", text)
	}
}

// explainAnalyze runs st under EXPLAIN (ANALYZE, FORMAT JSON) and returns its
// plan's root, and the plan as PostgreSQL wrote it.
func explainAnalyze(t *testing.T, s *db.Store, st db.Statement) (planNode, string) {
	t.Helper()
	var plan []struct{ Plan planNode }
	var text string
	if err := s.Pool().QueryRowContext(ctx, "EXPLAIN (ANALYZE, FORMAT JSON) "+st.SQL, st.Args...).Scan(&text); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(text), &plan); err != nil {
		t.Fatal(err)
	}
	return plan[0].Plan, text
}

// planNode is a node of PostgreSQL's EXPLAIN (FORMAT JSON).
type planNode struct {
	Type        string  `json:"Node Type"`
	Relation    string  `json:"Relation Name"`
	Index       string  `json:"Index Name"`
	ActualRows  float64 `json:"Actual Rows"`
	Loops       float64 `json:"Actual Loops"`
	HeapFetches float64 `json:"Heap Fetches"`
	// RemovedByFilter are the rows the scan read and its filter dropped.
	RemovedByFilter float64    `json:"Rows Removed by Filter"`
	Plans           []planNode `json:"Plans"`
}

// TestADerivedNameReadsRunsOnlyUpToTheDecidingOne checks, on Agno 3's
// layout, that deriving a name looks into the runs of a session only up to
// the first one that decides it: the window's count of deciding runs is a
// run condition (PostgreSQL 15), so that no run past the second is
// detoasted to ask whether it decides.
func TestADerivedNameReadsRunsOnlyUpToTheDecidingOne(t *testing.T) {
	s := agnotest.OpenPostgres(t, agnotest.V3)
	row := sessionWithRuns("s")
	row.SessionData = json.RawMessage(`{}`)
	if err := s.InsertRows(ctx, []models.SessionRow{row}, db.PlainJSON); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool().ExecContext(ctx, `INSERT INTO ai.agno_runs (run_id, session_id, run_type, agent_id, user_id, status, run_index, run_data, created_at, updated_at)
		SELECT 'r-' || i, 's', 'agent', 'a', 'u', 'COMPLETED', i,
			jsonb_build_object('run_id', 'r-' || i, 'agent_id', 'a', 'input', jsonb_build_object('input_content', 'question ' || i), 'created_at', 1757000000 + i),
			1757000000 + i, 1757000000 + i
		FROM generate_series(0, 99) i`); err != nil {
		t.Fatal(err)
	}
	var stmts []db.Statement
	if err := s.OnStatement("test:plan", func(_ context.Context, st db.Statement) { stmts = append(stmts, st) }); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetSession(ctx, "s", nil, models.SessionColumns{SessionData: true, NameRuns: true})
	if err != nil {
		t.Fatal(err)
	}
	if name := models.NewSession(s.ID(), *got).Core().Name(); !strings.Contains(name, "question 0") {
		t.Fatalf("the derived name is %q", name)
	}
	if len(stmts) != 1 {
		t.Fatalf("%d statements, want one: the session's, with its name runs", len(stmts))
	}
	plan, text := explainAnalyze(t, s, stmts[0])
	var walk func(n planNode)
	walk = func(n planNode) {
		if n.Type == "WindowAgg" && n.ActualRows*n.Loops > 2 {
			t.Errorf("a window over the session's runs went through %v of its 100 runs; plan:\n%s", n.ActualRows*n.Loops, text)
		}
		for _, c := range n.Plans {
			walk(c)
		}
	}
	walk(plan)
}
