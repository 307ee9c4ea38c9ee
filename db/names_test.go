package db_test

import (
	"context"
	"encoding/json"
	"maps"
	"testing"

	"sessiongraph/db"
	"sessiongraph/internal/agnotest"
	"sessiongraph/models"
)

// TestCachedNamesFollowEveryWrite checks, on Agno 3's layout in PostgreSQL,
// that names derived from runs are right after each kind of write Agno (or
// anyone) makes to the runs that decide them, whether the names cache held
// them or not: a first deciding run, an upsert of it, a run ordered before
// it, its deletion, a run after it, a change of session type. Each step reads
// the names three times: with what the cache held from the step before,
// with the cache emptied, and again with the cache, and the last read's
// statement must not look into any run.
func TestCachedNamesFollowEveryWrite(t *testing.T) {
	s := agnotest.OpenPostgres(t, agnotest.V3)
	session := func(id, typ string) models.SessionRow {
		return models.SessionRow{SessionID: id, SessionType: typ, UserID: ptr("u"), CreatedAt: 1757000000,
			SessionData: json.RawMessage(`{}`), WorkflowData: json.RawMessage(`{"name": "Flow"}`)}
	}
	if err := s.InsertRows(ctx, []models.SessionRow{session("sa", "agent"), session("st", "team"), session("sw", "workflow"), session("sf", "workflow")}, db.PlainJSON); err != nil {
		t.Fatal(err)
	}
	exec := func(query string, args ...any) {
		t.Helper()
		if _, err := s.Pool().ExecContext(ctx, query, args...); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	// upsert writes a run as Agno 3's upsert_run does: insert, or replace
	// run_data on conflict.
	upsert := func(runID, sessionID, runType, agentID string, index int, input string) {
		t.Helper()
		doc := map[string]any{"run_id": runID, "created_at": 1757000000 + index}
		if agentID != "" {
			doc["agent_id"] = agentID
		}
		if input != "" {
			doc["input"] = map[string]any{"input_content": input}
			doc["messages"] = []any{map[string]any{"role": "system", "content": "be brief"}, map[string]any{"role": "user", "content": input}}
			if runType == "workflow" {
				doc["input"] = input
			}
		}
		data, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		exec(`INSERT INTO ai.agno_runs (run_id, session_id, run_type, agent_id, user_id, status, run_index, run_data, created_at, updated_at)
			VALUES ($1, $2, $3, NULLIF($4, ''), 'u', 'COMPLETED', CAST($5 AS int), $6, 1757000000 + CAST($5 AS int), 1757000000 + CAST($5 AS int))
			ON CONFLICT (run_id) DO UPDATE SET run_data = EXCLUDED.run_data, updated_at = EXCLUDED.updated_at + 1`,
			runID, sessionID, runType, agentID, index, string(data))
	}
	names := func() (map[string]string, []db.Statement) {
		t.Helper()
		var stmts []db.Statement
		if err := s.OnStatement("test:names", func(_ context.Context, st db.Statement) { stmts = append(stmts, st) }); err != nil {
			t.Fatal(err)
		}
		defer s.OnStatement("test:names", nil)
		first := 10
		page, err := s.ListSessions(ctx, nil, models.DefaultSessionOrder, models.PageArgs{First: &first},
			models.SessionColumns{SessionData: true, WorkflowData: true, NameRuns: true})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, row := range page.Rows {
			got[row.SessionID] = models.NewSession(s.ID(), row).Core().Name()
		}
		return got, stmts
	}
	steps := []struct {
		name  string
		write func()
		want  map[string]string
	}{
		{"no runs", func() {}, map[string]string{"sa": "", "st": "", "sw": "", "sf": ""}},
		{"runs that do not decide", func() {
			upsert("a0", "sa", "agent", "a", 0, "")
			upsert("t0", "st", "team", "member", 0, "member question")
			upsert("w0", "sw", "agent", "a", 0, "a step's agent")
			upsert("w1", "sw", "workflow", "", 1, "flow input")
			upsert("f0", "sf", "workflow", "", 0, "") // no input: the workflow's name
		}, map[string]string{"sa": "", "st": "", "sw": "flow input", "sf": "New Flow Session"}},
		{"a deciding run after them", func() {
			upsert("a1", "sa", "agent", "a", 1, "hello")
			upsert("t1", "st", "team", "", 1, "leader question")
		}, map[string]string{"sa": "hello", "st": "leader question", "sw": "flow input", "sf": "New Flow Session"}},
		{"the deciding run upserted", func() {
			upsert("a1", "sa", "agent", "a", 1, "hello again")
			upsert("w1", "sw", "workflow", "", 1, "flow input 2")
		}, map[string]string{"sa": "hello again", "st": "leader question", "sw": "flow input 2", "sf": "New Flow Session"}},
		{"a run ordered before them", func() {
			upsert("a-1", "sa", "agent", "a", -1, "earlier")
			upsert("t-1", "st", "team", "", -1, "earlier leader question")
		}, map[string]string{"sa": "earlier", "st": "earlier leader question", "sw": "flow input 2", "sf": "New Flow Session"}},
		{"that run deleted", func() {
			exec(`DELETE FROM ai.agno_runs WHERE run_id IN ('a-1', 't-1')`)
		}, map[string]string{"sa": "hello again", "st": "leader question", "sw": "flow input 2", "sf": "New Flow Session"}},
		{"runs after the deciding one", func() {
			upsert("a2", "sa", "agent", "a", 2, "later")
			upsert("t2", "st", "team", "", 2, "later leader question")
			upsert("w2", "sw", "workflow", "", 2, "later flow input")
		}, map[string]string{"sa": "hello again", "st": "leader question", "sw": "flow input 2", "sf": "New Flow Session"}},
		{"the session type changed", func() {
			exec(`UPDATE ai.agno_sessions SET session_type = 'team' WHERE session_id = 'sa'`)
			upsert("a3", "sa", "team", "", 3, "a leader at last")
		}, map[string]string{"sa": "a leader at last", "st": "leader question", "sw": "flow input 2", "sf": "New Flow Session"}},
		{"the workflow renamed", func() {
			// Its runs, and the name cached from them, stay as they were.
			exec(`UPDATE ai.agno_sessions SET workflow_data = '{"name": "Renamed"}' WHERE session_id = 'sf'`)
		}, map[string]string{"sa": "a leader at last", "st": "leader question", "sw": "flow input 2", "sf": "New Renamed Session"}},
	}
	for _, step := range steps {
		step.write()
		cached, _ := names()
		s.ForgetNames()
		fresh, _ := names()
		again, stmts := names()
		for _, got := range []struct {
			read  string
			names map[string]string
		}{{"with the names cached before the write", cached}, {"derived from the runs", fresh}, {"cached again", again}} {
			if !maps.Equal(got.names, step.want) {
				t.Errorf("%s: names %s are %v, want %v", step.name, got.read, got.names, step.want)
			}
		}
		// With every name cached, the page's statement alone; a session
		// without runs has nothing cached, and the runs statement finds none.
		if len(stmts) != 1 && step.name != "no runs" {
			t.Errorf("%s: %d statements with every name cached, want only the page's", step.name, len(stmts))
		}
		for _, st := range stmts[1:] {
			plan, text := explainAnalyze(t, s, st)
			var walk func(n planNode)
			walk = func(n planNode) {
				if n.Type == "WindowAgg" && n.ActualRows*n.Loops > 0 {
					t.Errorf("%s: with every name cached, a statement looked into runs again; plan:\n%s", step.name, text)
				}
				for _, c := range n.Plans {
					walk(c)
				}
			}
			walk(plan)
		}
	}
}

// TestNamesCacheKeepsOnlyWhatItCanCheck: the sessions statement reads the
// versions of a session's first 4 runs, so a name that more runs decide, or
// that 4 runs leave undecided, is not kept (it could never be found current).
func TestNamesCacheKeepsOnlyWhatItCanCheck(t *testing.T) {
	s := agnotest.OpenPostgres(t, agnotest.V3)
	var rows []models.SessionRow
	for _, id := range []string{"decided", "undecided"} {
		rows = append(rows, models.SessionRow{SessionID: id, SessionType: "agent", UserID: ptr("u"), CreatedAt: 1757000000, SessionData: json.RawMessage(`{}`)})
	}
	if err := s.InsertRows(ctx, rows, db.PlainJSON); err != nil {
		t.Fatal(err)
	}
	// "decided": its first run has an input; "undecided": 4 runs without one.
	if _, err := s.Pool().ExecContext(ctx, `INSERT INTO ai.agno_runs (run_id, session_id, run_type, agent_id, user_id, status, run_index, run_data, created_at, updated_at)
		SELECT s || '-' || i, s, 'agent', 'a', 'u', 'COMPLETED', i,
			CASE WHEN s = 'decided' THEN jsonb_build_object('run_id', s || '-' || i, 'input', jsonb_build_object('input_content', 'q')) ELSE jsonb_build_object('run_id', s || '-' || i) END,
			1757000000 + i, 1757000000 + i
		FROM unnest(ARRAY['decided', 'undecided']) s, generate_series(0, 3) i`); err != nil {
		t.Fatal(err)
	}
	first := 10
	if _, err := s.ListSessions(ctx, nil, models.DefaultSessionOrder, models.PageArgs{First: &first}, models.SessionColumns{SessionData: true, NameRuns: true}); err != nil {
		t.Fatal(err)
	}
	if n := s.CachedNames(); n != 1 {
		t.Fatalf("the names cache holds %d sessions, want 1 (only the decided one)", n)
	}
}
