package graph_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"sessiongraph/dataset"
	"sessiongraph/db"
	"sessiongraph/internal/agnotest"
)

// TestProjectedNamesMatchFullRuns checks that a name derived from what the
// Store reads for names alone (no runs selected) equals the name derived from
// the whole runs column, on every backend, for fixtures, corrupt rows and a
// generated dataset.
func TestProjectedNamesMatchFullRuns(t *testing.T) {
	rows := append(agnotest.LoadRows(t, "sessions.json"), dataset.Rows(dataset.Realistic(7, 300, time.Unix(1760000000, 0)))...)
	sliced := agnotest.OpenPostgres(t, agnotest.SliceAllRuns) // names from the slim runs SQL computes
	if err := sliced.InsertRows(context.Background(), rows, db.PlainJSON); err != nil {
		t.Fatal(err)
	}
	backends := append(agnotest.EveryLayout(t, rows), agnotest.Backend{Name: "postgres slicing runs in SQL", Store: sliced})
	for _, b := range backends {
		t.Run(b.Name, func(t *testing.T) {
			agnotest.InsertCorrupt(t, b.Store)
			h := newHandler(b.Store)
			names := func(selection string) map[string]string {
				out := map[string]string{}
				var after any
				for {
					resp := query(t, h, `query($after: String) { sessions(first: 100, after: $after) { pageInfo { hasNextPage endCursor }
						nodes { sessionId name nameIsDerived `+selection+` } } }`, map[string]any{"after": after})
					var got struct {
						Sessions struct {
							PageInfo struct {
								HasNextPage bool
								EndCursor   string
							}
							Nodes []struct {
								SessionID     string
								Name          string
								NameIsDerived bool
							}
						}
					}
					if err := json.Unmarshal(resp.Data, &got); err != nil {
						t.Fatal(err)
					}
					for _, e := range resp.Errors {
						if c := e.Extensions["code"]; c != "DATA_CORRUPT" {
							t.Fatalf("unexpected error %+v", e)
						}
					}
					for _, n := range got.Sessions.Nodes {
						out[n.SessionID] = n.Name + map[bool]string{true: " (derived)", false: ""}[n.NameIsDerived]
					}
					if !got.Sessions.PageInfo.HasNextPage {
						return out
					}
					after = got.Sessions.PageInfo.EndCursor
				}
			}
			projected, full := names(""), names("runs(first: 0) { totalCount }")
			if len(projected) != len(rows)+2 {
				t.Fatalf("listed %d sessions, want %d", len(projected), len(rows)+2)
			}
			if !reflect.DeepEqual(projected, full) {
				for id, n := range full {
					if projected[id] != n {
						t.Errorf("%s: projected name %q, from full runs %q", id, projected[id], n)
					}
				}
			}
		})
	}
}

// TestStatementBudget checks that a sessions page costs one statement plus
// one for totalCount, and a session with its whole tree one, however deep
// the selection; where runs are rows of Agno 3's runs table, one more
// statement reads the runs of the whole page (or session).
func TestStatementBudget(t *testing.T) {
	const tree = `__typename id name nameIsDerived state data metadata metrics { totalTokens } totalTokens createdAt updatedAt lastActivityAt
		chatHistory { role content }
		... on AgentSession { agent { name } summary { summary } }
		... on TeamSession { team { name } }
		... on WorkflowSession { workflow { name steps { name } } }
		runs(first: 10) { totalCount nodes { __typename id runId status input content metrics { totalTokens }
			messages { role content toolCalls { name } } tools { toolName childRunId } events
			... on TeamRun { memberRuns { runId messages { content } tools { toolName } ... on AgentRun { agentName } } }
			... on WorkflowRun { steps { stepName } stepRuns { runId input messages { content } } } } }`
	rows := agnotest.LoadRows(t, "sessions.json")
	cases := []struct {
		name  string
		query string
		max   int
	}{
		{"a sessions page with its whole tree and totalCount costs two statements", `{ sessions(first: 5) { totalCount nodes { ` + tree + ` } } }`, 2},
		{"a sessions page with its whole tree costs one statement", `{ sessions(first: 5) { edges { node { ` + tree + ` } } } }`, 1},
		{"a session with its whole tree costs one statement", `{ session(sessionId: "s-200") { ` + tree + ` } }`, 1},
		{"a run with its members costs one statement", `{ run(sessionId: "s-200", runId: "r-t1") { runId ... on TeamRun { memberRuns { runId } } } }`, 1},
		{"runs of a session cost one statement", `{ runs(sessionId: "s-300") { totalCount nodes { runId ... on WorkflowRun { stepRuns { runId } } } } }`, 1},
		{"a sessions page with names and the last runs of each costs one statement", `{ sessions(first: 20) { nodes { name lastActivityAt runs(last: 2) { totalCount nodes { runId status } } } } }`, 1},
		{"a page of runs across sessions with their sessions' names and their members costs two statements, and one for totalCount",
			`{ allRuns(first: 10) { totalCount nodes { runId input session { name lastActivityAt } ... on TeamRun { memberRuns { runId } } } } }`, 3},
		{"usage by day and user with sessions and totalCount costs one statement", `{ usage(groupBy: [DAY, USER]) { totalCount nodes { sessions runs totalTokens } } }`, 1},
		{"facets cost a statement per field, a field asked twice alike once",
			`{ facets { users { value } again: users { value count } components { value } models { value count } } }`, 3},
	}
	for _, b := range agnotest.EveryLayout(t, rows) {
		t.Run(b.Name, func(t *testing.T) {
			log := logStatements(t, b.Store)
			h := newHandler(b.Store)
			for _, c := range cases {
				if b.Store.Describe().RunsTable != nil {
					c.max++ // the runs of the page, in one statement
				}
				resp := query(t, h, c.query, nil)
				for _, e := range resp.Errors {
					if e.Extensions["code"] != "DATA_CORRUPT" {
						t.Fatalf("%s: %+v", c.name, e)
					}
				}
				if stmts := log.take(); len(stmts) > c.max || len(stmts) == 0 {
					t.Errorf("%s: ran %d statements: %s", c.name, len(stmts), strings.Join(stmts, "\n"))
				}
			}
		})
	}
}

// TestLastActivityBesideDerivedNames asks a page's last activity beside
// names while the names cache is cold: the runs statement then unions
// branches of the last activity (no run columns) before the branches
// deriving names, and PostgreSQL typed two untyped ones in a row as text,
// failing INTERNAL ("UNION types text and jsonb cannot be matched").
func TestLastActivityBesideDerivedNames(t *testing.T) {
	rows := agnotest.LoadRows(t, "sessions.json")
	for _, b := range agnotest.EveryLayout(t, rows) {
		t.Run(b.Name, func(t *testing.T) {
			h := newHandler(b.Store)
			// Newest first, the page opens with sessions whose names are stored.
			got := query(t, h, `{ sessions(first: 100) { nodes { sessionId name lastActivityAt } } }`, nil)
			if len(got.Errors) > 0 {
				t.Fatalf("%+v", got.Errors)
			}
			want := query(t, h, `{ sessions(first: 100) { nodes { sessionId name } } }`, nil)
			var g, w struct {
				Sessions struct{ Nodes []map[string]any }
			}
			json.Unmarshal(got.Data, &g)
			json.Unmarshal(want.Data, &w)
			for _, n := range g.Sessions.Nodes {
				if n["lastActivityAt"] == nil {
					t.Errorf("%v has no lastActivityAt", n["sessionId"])
				}
				delete(n, "lastActivityAt")
			}
			if len(w.Sessions.Nodes) < 10 || !reflect.DeepEqual(g, w) {
				t.Errorf("names beside lastActivityAt:\n%v\nalone:\n%v", g, w)
			}
		})
	}
}
