package db_test

import (
	"context"
	"reflect"
	"testing"

	"sessiongraph/db"
	"sessiongraph/internal/agnotest"
	"sessiongraph/models"
)

// TestASessionIsReadWithItsRunsInOneStatement checks, on PostgreSQL in Agno
// 3's layout, that GetSession reads a session and the runs each selection
// asks for in one statement, and gets what reading the runs with a second
// statement gets: for sessions of every type, with and without a stored
// name, with windows, whole runs, names and last activity, for the owner
// of a session and for another user.
func TestASessionIsReadWithItsRunsInOneStatement(t *testing.T) {
	s := agnotest.OpenPostgres(t, agnotest.V3)
	rows := agnotest.LoadRows(t, "sessions.json")
	if err := s.InsertRows(ctx, rows, db.PlainJSON); err != nil {
		t.Fatal(err)
	}
	statements := 0
	if err := s.OnStatement("test:count", func(context.Context, db.Statement) { statements++ }); err != nil {
		t.Fatal(err)
	}
	n := func(i int) *int { return &i }
	window := func(q models.RunsRequest) *models.RunsRequest { return &q }
	cases := []struct {
		name string
		cols models.SessionColumns
	}{
		{"the first runs", models.SessionColumns{RunsWindow: window(models.RunsRequest{First: n(2)})}},
		{"a name and the first 100 runs", models.SessionColumns{SessionData: true, NameRuns: true, RunsWindow: window(models.RunsRequest{First: n(100)})}},
		{"the last runs with their count", models.SessionColumns{RunsWindow: window(models.RunsRequest{Last: n(2), Count: true})}},
		{"no runs", models.SessionColumns{RunsWindow: window(models.RunsRequest{First: n(0)})}},
		{"the first completed top-level runs", models.SessionColumns{RunsWindow: window(models.RunsRequest{First: n(3),
			Filter: &models.RunFilter{Status: []models.RunStatus{models.RunStatusCompleted}, TopLevel: new(true)}})}},
		{"a name", models.SessionColumns{SessionData: true, NameRuns: true}},
		{"the last activity", models.SessionColumns{LastActivity: true}},
		{"a name and the last activity", models.SessionColumns{SessionData: true, NameRuns: true, LastActivity: true}},
		{"every run", models.SessionColumns{Runs: true}},
		{"every column", models.AllColumns},
	}
	for _, user := range []string{"", "someone else"} {
		ctx := ctx
		if user != "" {
			ctx = db.WithOwner(ctx, user)
		}
		for _, c := range cases {
			t.Run(c.name+" for "+user, func(t *testing.T) {
				for _, r := range rows {
					statements = 0
					one, err := s.GetSession(ctx, r.SessionID, nil, c.cols)
					if err != nil {
						t.Fatal(err)
					}
					if statements != 1 {
						t.Errorf("%s: %d statements", r.SessionID, statements)
					}
					two, err := s.GetSessionInTwo(ctx, r.SessionID, c.cols)
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(one, two) {
						t.Errorf("%s: in one statement\n%+v\nin two\n%+v", r.SessionID, one, two)
					}
					if (one == nil) != (user != "" && (r.UserID == nil || *r.UserID != user)) {
						t.Errorf("%s: read %v for user %q", r.SessionID, one != nil, user)
					}
				}
			})
		}
	}
}
