package graph_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"sessiongraph/db"
	"sessiongraph/internal/agnotest"
	"sessiongraph/models"
)

// TestAllRunsReadOnlyTheKeysTheyShow checks models.RunDataKeys: allRuns
// whose selected fields read only some keys of run_data reads only those
// on PostgreSQL, and answers (data and errors) exactly as when run_data is
// read whole (raw selected beside them), field by field and all together,
// on every layout, with runs whose keys are missing, JSON null or of the
// wrong type.
func TestAllRunsReadOnlyTheKeysTheyShow(t *testing.T) {
	rows, sets := runKeysFixture(t)
	eachBackend(t, serveBackends(agnotest.EveryLayout(t, rows)), func(t *testing.T, b servedBackend) {
		log := logStatements(t, b.store)
		projected := func() bool { return keysRead(log.take()) }
		// Each field alone, and all of them with and without a filter
		// (whose arguments follow the projection's SQL).
		filters := []map[string]any{nil, {"status": []string{"COMPLETED", "ERROR"}, "sessionType": "TEAM"}}
		for i, set := range sets {
			if i > 0 {
				filters = filters[:1]
			}
			for _, filter := range filters {
				sel := strings.Join(set, " ")
				q := `query($after: String, $filter: RunsFilter) { allRuns(first: 100, after: $after, filter: $filter) { pageInfo { hasNextPage endCursor } nodes { ` + sel + ` %s } } }`
				var after any
				for n := 0; ; n++ {
					vars := map[string]any{"after": after, "filter": filter}
					part := query(t, b.h, strings.Replace(q, "%s", "", 1), vars)
					if got, want := projected(), b.store.Dialect() == db.Postgres; got != want {
						t.Errorf("{ %s }: run_data read as selected keys: %v, want %v", sel, got, want)
					}
					whole := query(t, b.h, strings.Replace(q, "%s", "raw", 1), vars)
					if projected() {
						t.Errorf("{ %s raw }: run_data read as selected keys", sel)
					}
					type page struct {
						AllRuns struct {
							PageInfo struct {
								HasNextPage bool
								EndCursor   string
							}
							Nodes []map[string]any
						}
					}
					var p, w page
					json.Unmarshal(part.Data, &p)
					json.Unmarshal(whole.Data, &w)
					for _, n := range w.AllRuns.Nodes {
						delete(n, "raw")
					}
					if len(p.AllRuns.Nodes) == 0 || !reflect.DeepEqual(p, w) {
						t.Fatalf("{ %s } (filter %v) page %d differs:\n keys  %s\n whole %s\n%+v", sel, filter, n, part.Data, whole.Data, part.Errors)
					}
					if pe, we := sortedErrors(part), sortedErrors(whole); !reflect.DeepEqual(pe, we) {
						t.Errorf("{ %s } page %d: errors %q, with run_data whole %q", sel, n, pe, we)
					}
					if !p.AllRuns.PageInfo.HasNextPage {
						break
					}
					after = p.AllRuns.PageInfo.EndCursor
				}
			}
		}
		// A field that reads more than its keys reads run_data whole.
		for _, f := range []string{"messages { role }", "tools { toolName }", "events", "media { kind }", "inputMedia { kind }",
			"responseAudio { kind }", "... on WorkflowRun { steps { name } }", "... on WorkflowRun { stepRuns { runId } }", "... on TeamRun { memberRuns { runId } }"} {
			query(t, b.h, `{ allRuns(first: 5) { nodes { runId `+f+` } } }`, nil)
			if projected() {
				t.Errorf("{ runId %s }: run_data read as selected keys", f)
			}
		}
	})
}

// runKeysFixture returns the fixture rows with a session of quirk runs, and
// the selections to compare (the fixture holds 15 sessions): every field models.RunDataKeys lists, all
// together first, then each alone. Its quirk runs include inputs that fall
// back on messages (no input, input_content null, input not an object, a
// workflow's first step, a run with a workflow_id typed by its agent_id,
// its team_id or its session) and inputs that do not.
func runKeysFixture(t *testing.T) ([]models.SessionRow, [][]string) {
	t.Helper()
	rows := append(fixtureRows(t), models.SessionRow{SessionID: "k-odd", SessionType: "team", TeamID: ptr("t"), CreatedAt: 1757000000, UpdatedAt: ptrTo(int64(1757000100)),
		Runs: json.RawMessage(`[{"run_id": "k-bare"},
			{"run_id": "k-nulls", "status": null, "parent_run_id": null, "user_id": null, "input": null, "content": null, "content_type": null,
			 "model": null, "model_provider": null, "metrics": null, "created_at": null, "agent_id": null, "agent_name": null,
			 "team_id": null, "team_name": null, "workflow_id": null, "workflow_name": null},
			{"run_id": "k-odd", "status": "SLEEPING", "parent_run_id": 7, "user_id": ["u"], "input": {"input_content": "hi"}, "content": {"a": [1, null]},
			 "content_type": 3, "model": {"id": "m"}, "model_provider": "", "metrics": [1], "created_at": "soon", "team_id": "t", "team_name": 5,
			 "messages": [{"role": "user", "content": "hi"}]},
			{"run_id": "k-wf", "workflow_id": "w", "workflow_name": "W", "status": 3, "metrics": {"input_tokens": "many", "total_tokens": 9.5, "cost": "free"},
			 "created_at": 1757000001.5, "content": "", "step_executor_runs": [{"run_id": "k-step", "agent_id": "a", "status": "COMPLETED"}]},
			{"run_id": "k-in-msgs", "agent_id": "a", "messages": [{"role": "user", "content": "from messages"}, {"role": "assistant", "content": "ok"}]},
			{"run_id": "k-in-null", "agent_id": "a", "input": {"input_content": null}, "messages": [{"role": "user", "content": [{"type": "text", "text": "listed"}]}]},
			{"run_id": "k-in-str", "agent_id": "a", "input": "input_content", "messages": [{"role": "user", "content": "not the string"}]},
			{"run_id": "k-in-obj", "team_id": "t", "input": {"input_content": {"b": [1, 2]}}, "messages": [{"role": "user", "content": "unused"}]},
			{"run_id": "k-wf-steps", "workflow_id": "w", "step_executor_runs": [{"run_id": "k-wf-step", "agent_id": "a", "messages": [{"role": "user", "content": "step's"}]}],
			 "messages": [{"role": "user", "content": "workflow's"}]},
			{"run_id": "k-wf-in", "workflow_id": "w", "input": {"input_content": "given"}, "messages": [{"role": "user", "content": "unused"}]},
			{"run_id": "k-wf-str", "workflow_id": "w", "input": "typed", "step_executor_runs": [{"run_id": "k-wf-str-step", "agent_id": "a", "messages": [{"role": "user", "content": "unused"}]}]},
			{"run_id": "k-wf-null", "workflow_id": "w", "input": null, "step_executor_runs": [{"run_id": "k-wf-null-step", "agent_id": "a", "messages": [{"role": "user", "content": "first step's"}]}]},
			{"run_id": "k-wf-agent", "workflow_id": "w", "agent_id": "a", "input": "an agent's", "messages": [{"role": "user", "content": "the agent run's"}]},
			{"run_id": "k-wf-team", "workflow_id": "w", "team_id": "t", "input": "a team's", "messages": [{"role": "user", "content": "the team run's"}]},
			{"run_id": "k-untyped", "input": "by its session", "messages": [{"role": "user", "content": "the team run's"}]}]`)})
	fields := []string{"__typename", "id", "runId", "sessionId", "parentRunId", "userId", "status", "input", "inputRaw", "content", "contentType",
		"model", "modelProvider", "metrics { inputTokens outputTokens totalTokens cost durationSeconds raw }", "createdAt",
		"trace { traceId }", "session { sessionId type }",
		"... on AgentRun { agentId agentName }", "... on TeamRun { teamId teamName }", "... on WorkflowRun { workflowId workflowName }"}
	sets := append([][]string{fields}, func() [][]string {
		var one [][]string
		for _, f := range fields {
			one = append(one, []string{f})
		}
		return one
	}()...)
	return rows, sets
}

// TestRunWindowsReadOnlyTheKeysTheyShow is TestAllRunsReadOnlyTheKeysTheyShow
// for the runs(...) windows of a sessions page and of one session: on
// PostgreSQL with a runs table a window whose runs show only listed fields
// reads only their keys, and every backend answers (names, windows, counts,
// page info, errors) as when the runs are read whole.
func TestRunWindowsReadOnlyTheKeysTheyShow(t *testing.T) {
	rows, sets := runKeysFixture(t)
	eachBackend(t, serveBackends(agnotest.EveryLayout(t, rows)), func(t *testing.T, b servedBackend) {
		log := logStatements(t, b.store)
		projected := func() bool { return keysRead(log.take()) }
		// Agno 3's layout reads every window from the runs table; the
		// mix reads those of sessions whose runs are all in it.
		wantProjected := b.store.Dialect() == db.Postgres && strings.Contains(b.name, "v3")
		requests := []struct{ name, query string }{
			{"a page's runs(first: 2)", `{ x: sessions(first: 20) { nodes { sessionId name runs(first: 2) { totalCount pageInfo { hasNextPage hasPreviousPage } nodes { %s } } } } }`},
			{"a page's runs(last: 3, filter)", `{ x: sessions(first: 20) { nodes { sessionId name runs(last: 3, filter: {status: [COMPLETED, ERROR]}) { pageInfo { hasNextPage hasPreviousPage } edges { cursor node { %s } } } } } }`},
			{"a page's two aliased windows", `{ x: sessions(first: 20) { nodes { sessionId a: runs(first: 1) { nodes { runId } } b: runs(first: 1) { nodes { %s } } } } }`},
			{"one session's runs(last: 2)", `{ x: session(sessionId: "k-odd") { name runs(last: 2) { totalCount nodes { %s } } } }`},
		}
		for _, r := range requests {
			for i, set := range sets {
				if i > 0 && r.name != requests[0].name {
					break // each field alone on one request
				}
				sel := strings.Join(set, " ")
				part := query(t, b.h, fmt.Sprintf(r.query, sel), nil)
				if got := projected(); got != wantProjected && !strings.Contains(b.name, "mixed") {
					t.Errorf("%s { %s }: run_data read as selected keys: %v, want %v", r.name, sel, got, wantProjected)
				}
				whole := query(t, b.h, fmt.Sprintf(r.query, sel+" wholeRaw: raw"), nil)
				if stmts := log.take(); keysRead(stmts) {
					t.Errorf("%s { %s raw }: run_data read as selected keys: %q", r.name, sel, stmts)
				}
				var p, w any
				json.Unmarshal(part.Data, &p)
				json.Unmarshal(whole.Data, &w)
				dropKey(w, "wholeRaw")
				if p == nil || !reflect.DeepEqual(p, w) {
					t.Fatalf("%s { %s } differs at %s (errors %+v)", r.name, sel, firstDiff(p, w, ""), part.Errors)
				}
				if pe, we := sortedErrors(part), sortedErrors(whole); !reflect.DeepEqual(pe, we) {
					t.Errorf("%s { %s }: errors %q, with run_data whole %q", r.name, sel, pe, we)
				}
			}
		}
		// A window beside fields that read more reads run_data whole.
		for _, f := range []string{"messages { role }", "tools { toolName }", "... on WorkflowRun { steps { name } }"} {
			query(t, b.h, `{ sessions(first: 5) { nodes { runs(first: 2) { nodes { runId `+f+` } } } } }`, nil)
			if projected() {
				t.Errorf("runs { runId %s }: run_data read as selected keys", f)
			}
		}
	})
}

// dropKey removes key from every object below v.
func dropKey(v any, key string) {
	switch v := v.(type) {
	case map[string]any:
		delete(v, key)
		for _, c := range v {
			dropKey(c, key)
		}
	case []any:
		for _, c := range v {
			dropKey(c, key)
		}
	}
}

// firstDiff returns the path of the first difference between a and b, "" when none.
func firstDiff(a, b any, path string) string {
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return fmt.Sprintf("%s: %v vs %v", path, a, b)
		}
		for k, v := range a {
			if d := firstDiff(v, bm[k], path+"."+k); d != "" {
				return d
			}
		}
		return ""
	case []any:
		bl, ok := b.([]any)
		if !ok || len(a) != len(bl) {
			return fmt.Sprintf("%s: %v vs %v", path, a, b)
		}
		for i := range a {
			if d := firstDiff(a[i], bl[i], fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(a, b) {
		return fmt.Sprintf("%s: %v vs %v", path, a, b)
	}
	return ""
}

// sortedErrors returns r's errors as path, code and message, sorted: the
// order fields fail in is not the answer's.
func sortedErrors(r gqlResponse) []string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, fmt.Sprint(e.Path, " ", e.Extensions["code"], " ", e.Message))
	}
	slices.Sort(out)
	return out
}

// keysRead reports whether one of stmts reads run_data as selected keys
// (db's runDataKeysSQL).
func keysRead(stmts []string) bool {
	return slices.ContainsFunc(stmts, func(s string) bool { return strings.Contains(s, "jsonb_each((c.d).f1)") })
}
