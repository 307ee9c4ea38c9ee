package dataset_test

import (
	"testing"
	"time"

	"sessiongraph/dataset"
	"sessiongraph/db"
)

// TestObservability: the demo's traces and metrics, written in Agno's
// tables, read back as a trace per top-level run whose tree holds the run,
// its members' and steps' runs, a model call around each tool call and each
// tool call, and as daily metrics that count every session once.
func TestObservability(t *testing.T) {
	now := time.Date(2025, 11, 20, 12, 0, 0, 0, time.UTC)
	sessions := dataset.Generate(realistic)
	for _, c := range []struct {
		name string
		url  func(t *testing.T) string
	}{{"sqlite", sqliteFile}, {"postgres", postgresDatabase}} {
		t.Run(c.name, func(t *testing.T) {
			store, err := db.Open(t.Context(), db.Options{URL: c.url(t), CreateLayout: db.LayoutV3})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = store.Close() })
			if err := dataset.Insert(t.Context(), store, sessions, db.PlainJSON); err != nil {
				t.Fatal(err)
			}
			if err := dataset.InsertObservability(t.Context(), store, sessions, now); err != nil {
				t.Fatal(err)
			}
			traced, sessionsCounted, typed := 0, 0, 0
			for _, s := range sessions {
				if s.Row.SessionType != "" {
					typed++
				}
				read, err := store.SessionTraces(t.Context(), s.Row.SessionID, 10_000)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range s.Runs {
					if r.ParentRunID != nil {
						continue
					}
					traced++
					tr, err := store.RunTrace(t.Context(), s.Row.SessionID, r.RunID, 10_000)
					if err != nil || len(tr.Traces) != 1 {
						t.Fatalf("run %s: %d traces, %v", r.RunID, len(tr.Traces), err)
					}
					roots, err := tr.Traces[0].Roots()
					if err != nil || len(roots) != 1 || roots[0].Children() == nil {
						t.Fatalf("run %s: %d roots, %v", r.RunID, len(roots), err)
					}
					if len(roots[0].Children()) == 0 {
						t.Errorf("run %s: the run's span has no model call", r.RunID)
					}
				}
				if len(read.Traces) != countTopLevel(s) {
					t.Errorf("session %s: %d traces, want %d", s.Row.SessionID, len(read.Traces), countTopLevel(s))
				}
			}
			if traced == 0 {
				t.Fatal("no run was traced")
			}
			metrics, err := store.AgnoMetrics(t.Context(), nil, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range metrics {
				sessionsCounted += m.AgentSessionsCount + m.TeamSessionsCount + m.WorkflowSessionsCount
			}
			if sessionsCounted != typed {
				t.Errorf("the daily metrics count %d sessions, want %d", sessionsCounted, typed)
			}
		})
	}
}

func countTopLevel(s dataset.Session) int {
	n := 0
	for _, r := range s.Runs {
		if r.ParentRunID == nil {
			n++
		}
	}
	return n
}
