package db_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"sessiongraph/dataset"
	"sessiongraph/db"
	"sessiongraph/internal/agnotest"
	"sessiongraph/models"
)

func TestListSessionsReadsOnlyTheColumnsAskedFor(t *testing.T) {
	rows := dataset.Rows(dataset.Realistic(3, 200, time.Unix(1760000000, 0)))
	names := models.SessionColumns{SessionData: true, WorkflowData: true, NameRuns: true}
	first := 100
	for _, b := range agnotest.Backends(t, rows, agnotest.SliceAllRuns) {
		t.Run(b.Name, func(t *testing.T) {
			var full, projected, nameRuns int
			var derived int
			for _, cols := range []models.SessionColumns{models.AllColumns, names} {
				var after *string
				for {
					page, err := b.Store.ListSessions(ctx, nil, models.DefaultSessionOrder, models.PageArgs{First: &first, After: after}, cols)
					if err != nil {
						t.Fatal(err)
					}
					for _, r := range page.Rows {
						if cols == models.AllColumns {
							full += len(r.Runs)
							continue
						}
						projected += len(r.Runs) + len(r.Metadata) + len(r.AgentData) + len(r.Summary)
						nameRuns += len(r.NameRuns)
						stored := models.NewSession(b.Store.ID(), r).Core().StoredName() != nil
						if stored && r.NameRuns != nil {
							t.Errorf("%s has a stored name but its runs were read", r.SessionID)
						}
						if !stored {
							derived++
						}
					}
					if !page.HasNextPage {
						break
					}
					after = ptr(page.Keys[len(page.Keys)-1].Encode())
				}
			}
			if projected != 0 {
				t.Errorf("a names-only page read %d bytes of runs, metadata, agent_data and summary", projected)
			}
			t.Logf("runs bytes read: all columns %d, names only %d (%d sessions with a derived name)", full, nameRuns, derived)
			if b.Store.Dialect() == db.Postgres && nameRuns*10 > full {
				t.Errorf("PostgreSQL shipped %d bytes for names, over a tenth of the %d bytes of runs", nameRuns, full)
			}
		})
	}
}

func TestRunsWindowShipsOnlyTheRunsAskedFor(t *testing.T) {
	runs := make([]map[string]any, 10000)
	for i := range runs {
		runs[i] = map[string]any{"run_id": fmt.Sprint("r-", i), "agent_id": "a", "status": "COMPLETED", "created_at": 1757000000 + i,
			"content": strings.Repeat("x", 400), "messages": []map[string]any{{"role": "user", "content": "hi"}}}
	}
	raw, _ := json.Marshal(runs)
	row := models.SessionRow{SessionID: "big", SessionType: "agent", AgentID: ptr("a"), Runs: raw, CreatedAt: 1}
	s := agnotest.OpenPostgres(t) // 5.5 MB of runs: sliced at the default threshold
	if err := s.InsertRows(ctx, []models.SessionRow{row}, db.PlainJSON); err != nil {
		t.Fatal(err)
	}
	five := 5
	for _, q := range []*models.RunsRequest{{First: &five}, {Last: &five}} {
		got, err := s.GetSession(ctx, "big", nil, models.SessionColumns{RunsWindow: q})
		if err != nil {
			t.Fatal(err)
		}
		full, _ := s.GetSession(ctx, "big", nil, models.SessionColumns{Runs: true})
		if got.Runs != nil || got.RunsWindow == nil {
			t.Fatalf("the whole runs column was read (%d bytes)", len(got.Runs))
		}
		window := 0
		for _, r := range got.RunsWindow.Runs {
			window += len(r.Data)
		}
		t.Logf("runs(first: %v, last: %v) of 10,000 runs: %d bytes of runs read, the whole column %d bytes", q.First != nil, q.Last != nil, window, len(full.Runs))
		if window*100 > len(full.Runs) {
			t.Errorf("the window read %d bytes of runs (runs column: %d)", window, len(full.Runs))
		}
		conn, err := models.NewSession(s.ID(), *got).Core().RunConnection(models.PageArgs{First: q.First, Last: q.Last}, nil)
		total, _ := conn.TotalCount(ctx)
		if err != nil || total != 10000 || len(conn.Nodes) != 5 {
			t.Fatalf("connection from the window: %v, total %d, %d runs", err, total, len(conn.Nodes))
		}
		wantFirst := "r-0"
		if q.Last != nil {
			wantFirst = "r-9995"
		}
		if id := conn.Nodes[0].Core().RunID(); id != wantFirst {
			t.Errorf("first run of the window is %s, want %s", id, wantFirst)
		}
	}
}

// TestANameAloneReadsOnlyTheSessionName: a page that selects names and
// nothing else of session_data reads, on PostgreSQL, an object of its
// session_name alone, and every backend gets the same names from it as from
// the whole column, whatever session_data holds (JSON null, SQL NULL, a
// name that is not a string, not an object, an object in a JSON string,
// double-encoded). What else of
// session_data a session would give is reported as not read, never taken
// from the reduced object.
func TestANameAloneReadsOnlyTheSessionName(t *testing.T) {
	rows := agnotest.LoadRows(t, "sessions.json")
	big := json.RawMessage(fmt.Sprintf(`{"session_state": {"notes": %q}, "session_name": "with state"}`, strings.Repeat("x", 64<<10)))
	for id, data := range map[string]json.RawMessage{"q-null": json.RawMessage(`null`), "q-sql-null": nil,
		"q-number": json.RawMessage(`{"session_name": 42}`), "q-array": json.RawMessage(`[]`), "q-state": big,
		"q-in-a-string": json.RawMessage(`"{\"session_name\": \"in a string\"}"`)} {
		rows = append(rows, models.SessionRow{SessionID: id, SessionType: "agent", UserID: ptr("u"), CreatedAt: 1757000000, SessionData: data})
	}
	first := 100
	for _, b := range agnotest.Backends(t, rows) {
		t.Run(b.Name, func(t *testing.T) {
			read := func(cols models.SessionColumns) map[string]models.SessionRow {
				t.Helper()
				page, err := b.Store.ListSessions(ctx, nil, models.DefaultSessionOrder, models.PageArgs{First: &first}, cols)
				if err != nil {
					t.Fatal(err)
				}
				out := map[string]models.SessionRow{}
				for _, r := range page.Rows {
					out[r.SessionID] = r
				}
				return out
			}
			whole := read(models.SessionColumns{SessionData: true, WorkflowData: true, NameRuns: true})
			alone := read(models.SessionColumns{SessionName: true, WorkflowData: true, NameRuns: true})
			if len(alone) != len(rows) || len(whole) != len(rows) {
				t.Fatalf("read %d and %d sessions, want %d", len(whole), len(alone), len(rows))
			}
			for id, w := range whole {
				a := alone[id]
				sw, sa := models.NewSession(b.Store.ID(), w).Core(), models.NewSession(b.Store.ID(), a).Core()
				if sw.Name() != sa.Name() || sw.NameIsDerived() != sa.NameIsDerived() {
					t.Errorf("%s: name %q (derived %v) from session_name alone, %q (derived %v) from the whole column",
						id, sa.Name(), sa.NameIsDerived(), sw.Name(), sw.NameIsDerived())
				}
				if _, err := sa.State(); err == nil {
					t.Errorf("%s: session_state read from a session_data read for its name alone", id)
				}
				if _, err := sa.Data(); err == nil {
					t.Errorf("%s: session_data served whole when only its name was read", id)
				}
			}
			if b.Store.Dialect() == db.Postgres {
				if got := string(alone["q-state"].SessionData); got != `{"session_name": "with state"}` {
					t.Errorf("PostgreSQL read %.80q… (%d bytes) of session_data for a name", got, len(got))
				}
			}
		})
	}
}
