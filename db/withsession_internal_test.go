package db

import (
	"testing"

	"sessiongraph/models"
)

// TestRunsGuessedForAnotherSessionAreNotAttached checks that the runs
// sessionWithRuns read are set on the session only when the statement saw
// the session as its row says: of its type and, for a derived name, without
// a stored name; and that a name left out for the names cache, which does
// not hold it after all, is not taken as read. GetSession then reads the
// runs with attachRuns.
func TestRunsGuessedForAnotherSessionAreNotAttached(t *testing.T) {
	s := &Store{dialect: Postgres}
	l := &layout{runsTable: true}
	first := 5
	cols := models.SessionColumns{SessionData: true, NameRuns: true, RunsWindow: &models.RunsRequest{First: &first}}
	cases := []struct {
		name     string
		sqlType  string
		derived  bool
		cached   bool
		attached bool
	}{
		{"an agent session seen as one without a stored name gets its runs", "agent", true, false, true},
		{"an agent session seen as a workflow's does not", "workflow", true, false, false},
		{"an agent session seen as one with a stored name does not", "agent", false, false, false},
		{"an agent session whose name runs were left to the cache does not", "agent", true, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := guessRuns(cols, c.cached)
			g.read = newRunsRead(g.branches)
			g.sqlType, g.derived = c.sqlType, c.derived
			rows := []models.SessionRow{{SessionID: "s", SessionType: "agent", SessionData: []byte(`{}`), ValidJSON: true}}
			if got := g.attach(s, l, rows, cols); got != c.attached {
				t.Fatalf("attached %v, want %v", got, c.attached)
			}
			if set := rows[0].RunsWindow != nil; set != c.attached {
				t.Errorf("runs window set %v, want %v", set, c.attached)
			}
		})
	}
}
