package graph_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"sessiongraph/models"
)

// listedRun is a run of the fixture as allRuns should list it, computed
// from the fixture rows themselves (not through the server).
type listedRun struct {
	runID, sessionID, sessionType, status, parent, agentID, teamID, workflowID string
	userID                                                                     *string
	createdAt                                                                  int64
}

// listedRuns lists every run object with a run_id in the fixture's runs
// columns; created_at is the run's, else its session's.
func listedRuns(t *testing.T) []listedRun {
	t.Helper()
	var out []listedRun
	for _, row := range fixtureRows(t) {
		var runs []map[string]any
		if json.Unmarshal(row.Runs, &runs) != nil {
			continue
		}
		for _, r := range runs {
			id, _ := r["run_id"].(string)
			if r == nil || id == "" {
				continue
			}
			str := func(k string) string { s, _ := r[k].(string); return s }
			created := row.CreatedAt
			if c, ok := r["created_at"].(float64); ok {
				created = int64(c)
			}
			out = append(out, listedRun{runID: id, sessionID: row.SessionID, sessionType: string(row.EffectiveType()),
				status: str("status"), parent: str("parent_run_id"), agentID: str("agent_id"), teamID: str("team_id"),
				workflowID: str("workflow_id"), userID: row.UserID, createdAt: created})
		}
	}
	// Newest first, ties by run_id byte-wise, as allRuns orders by default.
	slices.SortFunc(out, func(a, b listedRun) int {
		if a.createdAt != b.createdAt {
			return int(b.createdAt - a.createdAt)
		}
		return strings.Compare(b.runID, a.runID)
	})
	return out
}

const allRunsQuery = `query($first: Int, $after: String, $last: Int, $before: String, $filter: RunsFilter, $order: RunOrder) {
	allRuns(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $order) {
		totalCount
		pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
		edges { cursor node { runId sessionId session { sessionId } } }
	}
}`

// walkAllRuns pages forward through allRuns with first: size and returns
// the run ids and the totalCount of the first page.
func walkAllRuns(t *testing.T, b servedBackend, filter map[string]any, order map[string]any, size int) ([]string, any) {
	t.Helper()
	var ids []string
	var total any
	vars := map[string]any{"first": size, "filter": filter, "order": order}
	for page := 0; ; page++ {
		if page > 200 {
			t.Fatal("allRuns never ends")
		}
		data := mustQuery(t, b.h, allRunsQuery, vars)
		if page == 0 {
			total = jsonAt(data, "allRuns", "totalCount")
		}
		for _, e := range listAt(t, data, "allRuns", "edges") {
			ids = append(ids, jsonAt(e, "node", "runId").(string))
			if got, want := jsonAt(e, "node", "session", "sessionId"), jsonAt(e, "node", "sessionId"); got != want {
				t.Errorf("run %v: session %v, sessionId %v", jsonAt(e, "node", "runId"), got, want)
			}
		}
		if jsonAt(data, "allRuns", "pageInfo", "hasNextPage") != true {
			return ids, total
		}
		vars["after"] = jsonAt(data, "allRuns", "pageInfo", "endCursor")
	}
}

// TestAllRuns checks allRuns on every layout against the runs computed from
// the fixture: every filter, both directions, forward and backward pages.
func TestAllRuns(t *testing.T) {
	all := listedRuns(t)
	if len(all) < 10 {
		t.Fatalf("the fixture has only %d runs", len(all))
	}
	pick := func(keep func(r listedRun) bool) []string {
		var ids []string
		for _, r := range all {
			if keep(r) {
				ids = append(ids, r.runID)
			}
		}
		return ids
	}
	mid := all[len(all)/2].createdAt
	cases := []struct {
		name   string
		filter map[string]any
		want   []string
	}{
		{"every run, newest first", nil, pick(func(listedRun) bool { return true })},
		{"runs that failed", map[string]any{"status": []string{"ERROR"}},
			pick(func(r listedRun) bool { return r.status == "ERROR" })},
		{"runs that completed or were cancelled", map[string]any{"status": []string{"COMPLETED", "CANCELLED"}},
			pick(func(r listedRun) bool { return r.status == "COMPLETED" || r.status == "CANCELLED" })},
		{"top-level runs", map[string]any{"topLevel": true}, pick(func(r listedRun) bool { return r.parent == "" })},
		{"member runs", map[string]any{"topLevel": false}, pick(func(r listedRun) bool { return r.parent != "" })},
		{"runs of team sessions", map[string]any{"sessionType": "TEAM"}, pick(func(r listedRun) bool { return r.sessionType == string(models.SessionTypeTeam) })},
		{"runs of agent support", map[string]any{"componentId": "support"},
			pick(func(r listedRun) bool {
				return r.agentID == "support" || r.teamID == "support" || r.workflowID == "support"
			})},
		{"runs of user u-7", map[string]any{"userId": "u-7"}, pick(func(r listedRun) bool { return r.userID != nil && *r.userID == "u-7" })},
		{"runs created at or after the middle one", map[string]any{"createdAfter": time.Unix(mid, 0).UTC().Format(time.RFC3339)},
			pick(func(r listedRun) bool { return r.createdAt >= mid })},
		{"runs created at or before the middle one", map[string]any{"createdBefore": time.Unix(mid, 0).UTC().Format(time.RFC3339)},
			pick(func(r listedRun) bool { return r.createdAt <= mid })},
	}
	for _, c := range cases {
		if len(c.want) == 0 && c.name != "runs that failed" {
			t.Fatalf("%s: the fixture has no such runs; the case tests nothing", c.name)
		}
	}
	eachBackend(t, fixtureBackends(t), func(t *testing.T, b servedBackend) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				ids, total := walkAllRuns(t, b, c.filter, nil, 3)
				wantEqual(t, "runs", ids, orEmpty(c.want))
				wantEqual(t, "totalCount", total, len(c.want))
			})
		}
		t.Run("oldest first", func(t *testing.T) {
			ids, _ := walkAllRuns(t, b, nil, map[string]any{"field": "CREATED_AT", "direction": "ASC"}, 4)
			want := pick(func(listedRun) bool { return true })
			slices.Reverse(want)
			wantEqual(t, "runs", ids, want)
		})
		t.Run("last pages backwards", func(t *testing.T) {
			var ids []string
			vars := map[string]any{"last": 4}
			for range 100 {
				data := mustQuery(t, b.h, allRunsQuery, vars)
				var nodes []string
				for _, e := range listAt(t, data, "allRuns", "edges") {
					nodes = append(nodes, jsonAt(e, "node", "runId").(string))
				}
				ids = append(nodes, ids...)
				if jsonAt(data, "allRuns", "pageInfo", "hasPreviousPage") != true {
					break
				}
				vars["before"] = jsonAt(data, "allRuns", "pageInfo", "startCursor")
			}
			wantEqual(t, "runs", ids, pick(func(listedRun) bool { return true }))
		})
		t.Run("a cursor of another order is refused", func(t *testing.T) {
			data := mustQuery(t, b.h, allRunsQuery, map[string]any{"first": 1})
			resp := query(t, b.h, allRunsQuery, map[string]any{"first": 1, "after": jsonAt(data, "allRuns", "pageInfo", "endCursor"),
				"order": map[string]any{"field": "CREATED_AT", "direction": "ASC"}})
			if len(resp.Errors) == 0 || resp.Errors[0].Extensions["code"] != string(models.BadUserInput) {
				t.Errorf("errors %+v, want BAD_USER_INPUT", resp.Errors)
			}
		})
	})
}

// TestAllRunsIsolation checks that a user restricted to their own sessions
// sees only their runs, whatever filter they pass.
func TestAllRunsIsolation(t *testing.T) {
	var own []string
	for _, r := range listedRuns(t) {
		if r.userID != nil && *r.userID == "u-7" {
			own = append(own, r.runID)
		}
	}
	eachBackend(t, fixtureBackends(t), func(t *testing.T, b servedBackend) {
		h := withAuth(t, b.h)
		bearer := token(t, "u-7", []string{"sessions:read"})
		for _, filter := range []map[string]any{nil, {"userId": "u-8"}, {"sessionType": "AGENT"}} {
			resp := queryAs(t, h, bearer, `query($f: RunsFilter) { allRuns(first: 100, filter: $f) { totalCount nodes { runId session { userId } } } }`, map[string]any{"f": filter})
			var data map[string]any
			resp.decode(t, &data)
			for _, n := range listAt(t, data, "allRuns", "nodes") {
				if u := jsonAt(n, "session", "userId"); u != "u-7" {
					t.Errorf("filter %v: run %v of user %v", filter, jsonAt(n, "runId"), u)
				}
			}
			if filter == nil {
				wantEqual(t, "own runs", stringsAt(t, data, "runId", "allRuns", "nodes"), own)
			}
		}
	})
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// TestRunSessionReadsWhatItSelects checks that a run's session field
// resolves whatever it selects, however the run was reached: below a
// session, from runs and run, by node id, and across sessions.
func TestRunSessionReadsWhatItSelects(t *testing.T) {
	const sel = `session { sessionId name metadata state lastActivityAt }`
	eachBackend(t, fixtureBackends(t), func(t *testing.T, b servedBackend) {
		runID := mustQuery(t, b.h, `{ session(sessionId: "s-100") { runs(first: 1) { nodes { id } } } }`, nil)
		id := jsonAt(runID, "session", "runs", "nodes", 0, "id")
		for name, q := range map[string]string{
			"below a session": `{ x: session(sessionId: "s-100") { runs(first: 1) { nodes { ` + sel + ` } } } }`,
			"from runs":       `{ x: runs(sessionId: "s-100", first: 1) { nodes { ` + sel + ` } } }`,
			"from run":        `{ x: run(sessionId: "s-100", runId: "r-a1") { ` + sel + ` } }`,
			"by node id":      `query($id: ID!) { x: node(id: $id) { ... on AgentRun { ` + sel + ` } } }`,
			"across sessions": `{ x: allRuns(first: 3) { nodes { ` + sel + ` } } }`,
		} {
			t.Run(name, func(t *testing.T) {
				resp := query(t, b.h, q, map[string]any{"id": id})
				if len(resp.Errors) > 0 {
					t.Fatalf("%+v", resp.Errors)
				}
				if !strings.Contains(string(resp.Data), `"lastActivityAt":"`) || !strings.Contains(string(resp.Data), `"sessionId":"`) {
					t.Errorf("no session in %s", resp.Data)
				}
			})
		}
	})
}
