package graph_test

import (
	"encoding/json"
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
	rows := append(fixtureRows(t), models.SessionRow{SessionID: "k-odd", SessionType: "team", TeamID: ptr("t"), CreatedAt: 1757000000,
		Runs: json.RawMessage(`[{"run_id": "k-bare"},
			{"run_id": "k-nulls", "status": null, "parent_run_id": null, "user_id": null, "input": null, "content": null, "content_type": null,
			 "model": null, "model_provider": null, "metrics": null, "created_at": null, "agent_id": null, "agent_name": null,
			 "team_id": null, "team_name": null, "workflow_id": null, "workflow_name": null},
			{"run_id": "k-odd", "status": "SLEEPING", "parent_run_id": 7, "user_id": ["u"], "input": {"input_content": "hi"}, "content": {"a": [1, null]},
			 "content_type": 3, "model": {"id": "m"}, "model_provider": "", "metrics": [1], "created_at": "soon", "team_id": "t", "team_name": 5,
			 "messages": [{"role": "user", "content": "hi"}]},
			{"run_id": "k-wf", "workflow_id": "w", "workflow_name": "W", "status": 3, "metrics": {"input_tokens": "many", "total_tokens": 9.5, "cost": "free"},
			 "created_at": 1757000001.5, "content": "", "step_executor_runs": [{"run_id": "k-step", "agent_id": "a", "status": "COMPLETED"}]}]`)})
	fields := []string{"__typename", "id", "runId", "sessionId", "parentRunId", "userId", "status", "inputRaw", "content", "contentType",
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
	eachBackend(t, serveBackends(agnotest.EveryLayout(t, rows)), func(t *testing.T, b servedBackend) {
		log := logStatements(t, b.store)
		projected := func() bool {
			return slices.ContainsFunc(log.take(), func(s string) bool { return strings.Contains(s, "jsonb_each((c.d).f1)") })
		}
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
					if !reflect.DeepEqual(part.Errors, whole.Errors) {
						t.Errorf("{ %s } page %d: errors %+v, with run_data whole %+v", sel, n, part.Errors, whole.Errors)
					}
					if !p.AllRuns.PageInfo.HasNextPage {
						break
					}
					after = p.AllRuns.PageInfo.EndCursor
				}
			}
		}
		// A field that reads more than its keys reads run_data whole.
		for _, f := range []string{"input", "messages { role }", "tools { toolName }", "events", "media { kind }", "inputMedia { kind }",
			"responseAudio { kind }", "... on WorkflowRun { steps { name } }", "... on WorkflowRun { stepRuns { runId } }", "... on TeamRun { memberRuns { runId } }"} {
			query(t, b.h, `{ allRuns(first: 5) { nodes { runId `+f+` } } }`, nil)
			if projected() {
				t.Errorf("{ runId %s }: run_data read as selected keys", f)
			}
		}
	})
}
