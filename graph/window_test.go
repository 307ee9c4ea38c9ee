package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"sessiongraph/dataset"
	"sessiongraph/db"
	"sessiongraph/internal/agnotest"
	"sessiongraph/models"
)

// TestRunWindowsMatchFullRuns checks that runs(...) answered from a window
// sliced in the database (PostgreSQL) equals the answer from the whole runs
// column, which selecting chatHistory beside it forces, for every kind of
// argument the window handles, and that the first is read as a window.
func TestRunWindowsMatchFullRuns(t *testing.T) {
	rows := append(agnotest.LoadRows(t, "sessions.json"), dataset.Rows(dataset.Realistic(5, 120, time.Unix(1760000000, 0)))...)
	rows = append(rows, models.SessionRow{SessionID: "w-odd", SessionType: "team", TeamID: ptr("t"), CreatedAt: 1,
		Runs: json.RawMessage(`[{"run_id": "a", "status": "COMPLETED"}, 7, {"run_id": "b", "parent_run_id": "a", "created_at": 1757000000.9, "status": "ERROR"},
			{"run_id": "c", "parent_run_id": "", "created_at": "soon", "status": 3}]`)})
	// PostgreSQL slicing every runs column in SQL, and PostgreSQL at the
	// default threshold, where these small runs are read whole.
	for name, store := range map[string]*db.Store{
		"sliced in SQL":         agnotest.OpenPostgres(t, agnotest.SliceAllRuns),
		"small runs read whole": agnotest.OpenPostgres(t),
	} {
		if err := store.InsertRows(context.Background(), rows, db.PlainJSON); err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) { checkWindows(t, newHandler(store), logStatements(t, store)) })
	}
}

func checkWindows(t *testing.T, h http.Handler, log *statementLog) {
	args := []string{
		"", "first: 0", "first: 1", "first: 3", "last: 2", "last: 30",
		`filter: {topLevel: true}`, `first: 2, filter: {topLevel: false}`,
		`last: 1, filter: {status: [COMPLETED, ERROR]}`, `filter: {status: []}`,
		`filter: {createdAfter: "2025-09-08T16:00:00Z"}`, `first: 3, filter: {createdBefore: "2025-09-08T15:52:10.5Z", topLevel: true}`,
	}
	const fields = `totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { __typename id runId status createdAt } }`
	for _, a := range args {
		t.Run("runs("+a+")", func(t *testing.T) {
			paren := ""
			if a != "" {
				paren = "(" + a + ")"
			}
			var after any
			for page := 0; ; page++ {
				q := fmt.Sprintf(`query($after: String) { sessions(first: 20, after: $after) { pageInfo { hasNextPage endCursor } nodes { sessionId %%s runs%s { %s } } } }`, paren, fields)
				// A window joins the runs column once (runsCopy); whole runs do not.
				windowed := func() bool {
					return slices.ContainsFunc(log.take(), func(s string) bool { return strings.Contains(s, "runs_copy") })
				}
				window := query(t, h, fmt.Sprintf(q, ""), map[string]any{"after": after})
				if !windowed() {
					t.Fatalf("page %d: runs%s was not read as a window", page, paren)
				}
				full := query(t, h, fmt.Sprintf(q, "chatHistory { id }"), map[string]any{"after": after})
				if windowed() {
					t.Fatalf("page %d: runs%s beside chatHistory was read as a window", page, paren)
				}
				var w, f struct {
					Sessions struct {
						PageInfo struct {
							HasNextPage bool
							EndCursor   string
						}
						Nodes []map[string]any
					}
				}
				json.Unmarshal(window.Data, &w)
				json.Unmarshal(full.Data, &f)
				for i := range f.Sessions.Nodes {
					delete(f.Sessions.Nodes[i], "chatHistory")
				}
				if len(w.Sessions.Nodes) == 0 || !reflect.DeepEqual(w, f) {
					t.Fatalf("page %d differs:\n window %s\n full   %s", page, window.Data, full.Data)
				}
				if w, f := runsErrors(window), runsErrors(full); !reflect.DeepEqual(w, f) {
					t.Errorf("page %d: errors %v from the window, %v from full runs", page, w, f)
				}
				if !w.Sessions.PageInfo.HasNextPage {
					break
				}
				after = w.Sessions.PageInfo.EndCursor
			}
		})
	}
}

// runsErrors returns the paths of the errors under a runs field.
func runsErrors(r gqlResponse) []string {
	var out []string
	for _, e := range r.Errors {
		path := fmt.Sprint(e.Path...)
		if len(e.Path) > 3 && e.Path[3] == "runs" {
			out = append(out, path+" "+fmt.Sprint(e.Extensions["code"]))
		}
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// TestARunsSessionIsReadForItsOwnFields: a run's session is the row its
// runs were read with, so what is selected on it (runs with other
// arguments, runs showing other fields, chat history), at any depth, is
// read with the page: its answers are the session's own.
func TestARunsSessionIsReadForItsOwnFields(t *testing.T) {
	const inner = `name metadata state runs(first: 3) { nodes { runId createdAt messages { role content } } } chatHistory { role content }`
	eachBackend(t, fixtureBackends(t), func(t *testing.T, b servedBackend) {
		want := map[string]any{}
		teamRun := jsonAt(mustQuery(t, b.h, `{ run(sessionId: "s-200", runId: "r-t1") { id } }`, nil), "run", "id")
		for _, n := range listAt(t, mustQuery(t, b.h, `{ sessions(first: 20) { nodes { sessionId `+inner+` } } }`, nil), "sessions", "nodes") {
			want[jsonAt(n, "sessionId").(string)] = n
		}
		for name, q := range map[string]string{
			"other arguments":      `{ sessions(first: 20) { nodes { sessionId runs(first: 2) { nodes { runId session { sessionId ` + inner + ` } } } } } }`,
			"the same arguments":   `{ sessions(first: 20) { nodes { sessionId runs(first: 3) { nodes { runId session { sessionId ` + inner + ` } } } } } }`,
			"two runs deep, edges": `{ sessions(first: 20) { nodes { sessionId runs(last: 1) { edges { node { session { runs(first: 1) { nodes { session { sessionId ` + inner + ` } } } } } } } } } }`,
			"a member run's":       `{ sessions(first: 20) { nodes { sessionId runs(first: 5) { nodes { ... on TeamRun { memberRuns { session { sessionId ` + inner + ` } } } } } } } }`,
			"a step run's":         `{ sessions(first: 20) { nodes { sessionId runs(first: 5) { nodes { ... on WorkflowRun { stepRuns { session { sessionId ` + inner + ` } } } } } } } }`,
			"allRuns' member runs": `{ allRuns(first: 50) { nodes { ... on TeamRun { memberRuns { session { sessionId ` + inner + ` } } } } } }`,
			"allRuns' step runs":   `{ allRuns(first: 50) { edges { node { ... on WorkflowRun { stepRuns { session { sessionId ` + inner + ` } } } } } } }`,
			"a run's member runs":  `{ run(sessionId: "s-200", runId: "r-t1") { ... on TeamRun { memberRuns { session { sessionId ` + inner + ` } } } } }`,
			"runs' step runs":      `{ runs(sessionId: "s-300") { nodes { ... on WorkflowRun { stepRuns { session { sessionId ` + inner + ` } } } } } }`,
			"a node's member runs": `query($id: ID!) { node(id: $id) { ... on TeamRun { memberRuns { session { sessionId ` + inner + ` } } } } }`,
		} {
			t.Run(name, func(t *testing.T) {
				got := mustQuery(t, b.h, q, map[string]any{"id": teamRun})
				seen := 0
				var walk func(v any)
				walk = func(v any) {
					switch v := v.(type) {
					case map[string]any:
						if s, ok := v["session"].(map[string]any); ok && s["chatHistory"] != nil {
							id, _ := s["sessionId"].(string)
							if !reflect.DeepEqual(s, want[id]) {
								t.Errorf("the session of a run of %s reads\n %v\nwhere the session itself reads\n %v", id, s, want[id])
							}
							seen++
						}
						for _, c := range v {
							walk(c)
						}
					case []any:
						for _, c := range v {
							walk(c)
						}
					}
				}
				walk(got)
				if seen == 0 {
					t.Fatal("no run's session in the answer")
				}
			})
		}
	})
}

// TestEmptyWindowsCount asks runs(first: 0) and runs(last: 0): no runs, but
// the count and whether there are more. A window read from Agno 3's runs
// table returned no row to carry its count, and answered 0 and false.
func TestEmptyWindowsCount(t *testing.T) {
	eachBackend(t, fixtureBackends(t), func(t *testing.T, b servedBackend) {
		want := map[string]any{}
		for _, n := range listAt(t, mustQuery(t, b.h, `{ sessions(first: 20) { nodes { sessionId runs(filter: {status: [COMPLETED]}) { totalCount } } } }`, nil), "sessions", "nodes") {
			want[jsonAt(n, "sessionId").(string)] = jsonAt(n, "runs", "totalCount")
		}
		for _, arg := range []string{"first: 0", "last: 0"} {
			q := `{ sessions(first: 20) { nodes { sessionId c: runs(` + arg + `, filter: {status: [COMPLETED]}) { totalCount nodes { runId } }
				m: runs(` + arg + `, filter: {status: [COMPLETED]}) { pageInfo { hasNextPage hasPreviousPage } } } } }`
			some := 0
			for _, n := range listAt(t, mustQuery(t, b.h, q, nil), "sessions", "nodes") {
				id := jsonAt(n, "sessionId").(string)
				total := jsonAt(n, "c", "totalCount")
				if total != want[id] || len(listAt(t, n, "c", "nodes")) != 0 {
					t.Errorf("%s: runs(%s) of %s counts %v runs with %v, want %v and none", b.name, arg, id, total, listAt(t, n, "c", "nodes"), want[id])
				}
				// first: 0 has a next page when runs match (last: n tells
				// nothing of pages after it).
				if hasNext := jsonAt(n, "m", "pageInfo", "hasNextPage"); arg == "first: 0" && hasNext != (total.(float64) > 0) {
					t.Errorf("%s: runs(%s) of %s (%v runs): hasNextPage %v", b.name, arg, id, total, hasNext)
				}
				if total.(float64) > 0 {
					some++
				}
			}
			if some == 0 {
				t.Fatalf("%s: no session has COMPLETED runs", arg)
			}
		}
	})
}
