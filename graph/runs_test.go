package graph_test

import (
	"fmt"
	"testing"
	"time"

	"sessiongraph/models"
)

// fixtureRunIDs lists the run_id of each element of a fixture session's runs array.
func fixtureRunIDs(t *testing.T, sessionID string) []string {
	t.Helper()
	ids := []string{}
	runs, _ := fixtureJSON(t, fixtureRow(t, sessionID).Runs).([]any)
	for _, r := range runs {
		ids = append(ids, jsonAt(r, "run_id").(string))
	}
	return ids
}

func TestRunConnection(t *testing.T) {
	bs := fixtureBackends(t)
	t.Run("every session lists its runs in stored order", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			data := mustQuery(t, b.h, `{ sessions(first: 100) { nodes { sessionId runs(first: 10) { totalCount nodes { runId } } } } }`, nil)
			for _, s := range listAt(t, data, "sessions", "nodes") {
				id := jsonAt(s, "sessionId").(string)
				want := fixtureRunIDs(t, id)
				wantEqual(t, id+" runs", stringsAt(t, s, "runId", "runs", "nodes"), want)
				wantEqual(t, id+" totalCount", jsonAt(s, "runs", "totalCount"), len(want))
			}
		})
	})
	const runsQuery = `query($s: String!, $first: Int, $after: String, $last: Int, $before: String, $f: RunFilter) {
		runs(sessionId: $s, first: $first, after: $after, last: $last, before: $before, filter: $f) {
			totalCount
			edges { cursor node { runId } }
			pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
		}
	}`
	readRuns := func(t *testing.T, b servedBackend, vars map[string]any) connPage {
		t.Helper()
		return connPageOf(t, jsonAt(mustQuery(t, b.h, runsQuery, vars), "runs"), "runId")
	}
	walks := []struct {
		name    string
		session string
		filter  map[string]any
		want    []string
	}{
		{"s-103", "s-103", nil, []string{"r-c1", "r-c2", "r-c3", "r-c4"}},
		{"s-103 filtered on three statuses", "s-103", map[string]any{"status": []string{"COMPLETED", "PAUSED", "CANCELLED"}}, []string{"r-c1", "r-c3", "r-c4"}},
		{"s-200", "s-200", nil, []string{"r-m1", "r-t1"}},
	}
	for _, w := range walks {
		t.Run("first 1 with after walks the runs of "+w.name+" to the end", func(t *testing.T) {
			eachBackend(t, bs, func(t *testing.T, b servedBackend) {
				var seen []string
				var after any
				for i := 0; i <= len(w.want); i++ {
					p := readRuns(t, b, map[string]any{"s": w.session, "first": 1, "after": after, "f": w.filter})
					p.checkCursors(t)
					seen = append(seen, p.ids...)
					if wantNext := len(seen) < len(w.want); p.hasNext != wantNext {
						t.Errorf("page %d %v hasNextPage = %v, want %v", i, p.ids, p.hasNext, wantNext)
					}
					if i == 0 && p.hasPrev {
						t.Errorf("the first page has hasPreviousPage = true")
					}
					wantEqual(t, "totalCount", p.totalCount, len(w.want))
					if !p.hasNext {
						break
					}
					after = p.endCursor
				}
				wantEqual(t, "walk", seen, w.want)
			})
		})
		t.Run("last 1 with before walks the runs of "+w.name+" to the start", func(t *testing.T) {
			eachBackend(t, bs, func(t *testing.T, b servedBackend) {
				var seen []string
				var before any
				for i := 0; i <= len(w.want); i++ {
					p := readRuns(t, b, map[string]any{"s": w.session, "last": 1, "before": before, "f": w.filter})
					p.checkCursors(t)
					seen = append(p.ids, seen...)
					if wantPrev := len(seen) < len(w.want); p.hasPrev != wantPrev {
						t.Errorf("page %d from the end %v hasPreviousPage = %v, want %v", i, p.ids, p.hasPrev, wantPrev)
					}
					if i == 0 && p.hasNext {
						t.Errorf("the last page has hasNextPage = true")
					}
					if !p.hasPrev {
						break
					}
					before = p.startCursor
				}
				wantEqual(t, "walk", seen, w.want)
			})
		})
	}
	t.Run("after and before select the runs between two cursors", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			all := readRuns(t, b, map[string]any{"s": "s-103"})
			p := readRuns(t, b, map[string]any{"s": "s-103", "after": all.cursors[0], "before": all.cursors[3]})
			wantEqual(t, "between", p.ids, []string{"r-c2", "r-c3"})
			p = readRuns(t, b, map[string]any{"s": "s-103", "first": 1, "after": all.cursors[0], "before": all.cursors[3]})
			wantEqual(t, "first 1 between", p.ids, []string{"r-c2"})
			if !p.hasNext {
				t.Errorf("first 1 between has hasNextPage = false")
			}
		})
	})
	t.Run("first 0 returns no runs", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			p := readRuns(t, b, map[string]any{"s": "s-103", "first": 0})
			if len(p.ids) != 0 || !p.hasNext {
				t.Errorf("first 0 = %v (hasNextPage %v), want no runs and true", p.ids, p.hasNext)
			}
			p.checkCursors(t)
		})
	})
	filters := []struct {
		name, session string
		filter        map[string]any
		want          []string
	}{
		{"status keeps the runs with one of the statuses", "s-103", map[string]any{"status": []string{"COMPLETED", "PAUSED"}}, []string{"r-c1", "r-c3"}},
		{"status CANCELLED keeps the cancelled run", "s-103", map[string]any{"status": []string{"CANCELLED"}}, []string{"r-c4"}},
		{"status ERROR keeps the failed run", "s-100", map[string]any{"status": []string{"ERROR"}}, []string{"r-a2"}},
		{"status never keeps a run whose status is outside the enum", "s-103", map[string]any{"status": []string{"PENDING", "RUNNING", "COMPLETED", "PAUSED", "CANCELLED", "ERROR", "REGENERATED"}},
			[]string{"r-c1", "r-c3", "r-c4"}},
		{"an empty status list keeps nothing", "s-103", map[string]any{"status": []string{}}, []string{}},
		{"createdAfter is inclusive at the exact second", "s-103", map[string]any{"createdAfter": rfc3339(1757370020)}, []string{"r-c2", "r-c3", "r-c4"}},
		{"createdAfter a fractional second excludes that second", "s-103", map[string]any{"createdAfter": time.Unix(1757370020, 5e8).UTC().Format(time.RFC3339Nano)}, []string{"r-c3", "r-c4"}},
		{"createdBefore is inclusive at the exact second", "s-103", map[string]any{"createdBefore": rfc3339(1757370020)}, []string{"r-c1", "r-c2"}},
		{"createdAfter and createdBefore at the same second keep that second", "s-103", map[string]any{"createdAfter": rfc3339(1757370020), "createdBefore": rfc3339(1757370020)}, []string{"r-c2"}},
		{"topLevel true leaves out the member runs of a team session", "s-200", map[string]any{"topLevel": true}, []string{"r-t1"}},
		{"topLevel false keeps only the member runs of a team session", "s-200", map[string]any{"topLevel": false}, []string{"r-m1"}},
		{"topLevel false on a workflow session keeps nothing, step runs being nested", "s-300", map[string]any{"topLevel": false}, []string{}},
		{"status and topLevel combine with AND", "s-200", map[string]any{"topLevel": true, "status": []string{"COMPLETED"}}, []string{"r-t1"}},
		{"status and createdAfter combine with AND", "s-103", map[string]any{"createdAfter": rfc3339(1757370020), "status": []string{"PAUSED", "COMPLETED"}}, []string{"r-c3"}},
	}
	for _, c := range filters {
		t.Run(c.name, func(t *testing.T) {
			eachBackend(t, bs, func(t *testing.T, b servedBackend) {
				p := readRuns(t, b, map[string]any{"s": c.session, "f": c.filter})
				wantEqual(t, "root runs", p.ids, c.want)
				wantEqual(t, "totalCount", p.totalCount, len(c.want))
				data := mustQuery(t, b.h, `query($s: String!, $f: RunFilter) { session(sessionId: $s) { runs(filter: $f) { totalCount nodes { runId } } } }`,
					map[string]any{"s": c.session, "f": c.filter})
				wantEqual(t, "session runs", stringsAt(t, data, "runId", "session", "runs", "nodes"), c.want)
				wantEqual(t, "session runs totalCount", jsonAt(data, "session", "runs", "totalCount"), len(c.want))
			})
		})
	}
	errs := []struct {
		name string
		vars map[string]any
	}{
		{"runs first 101 is BAD_USER_INPUT", map[string]any{"first": 101}},
		{"runs last -1 is BAD_USER_INPUT", map[string]any{"last": -1}},
		{"runs first and last together are BAD_USER_INPUT", map[string]any{"first": 1, "last": 1}},
		{"a malformed runs cursor is BAD_USER_INPUT", map[string]any{"after": "nope"}},
	}
	t.Run("a runs cursor made for another session's runs is BAD_USER_INPUT", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			other := readRuns(t, b, map[string]any{"s": "s-100"})
			resp := query(t, b.h, runsQuery, map[string]any{"s": "s-103", "after": other.cursors[0]})
			wantCodes(t, resp, "BAD_USER_INPUT")
		})
	})
	for _, c := range errs {
		t.Run(c.name, func(t *testing.T) {
			eachBackend(t, bs, func(t *testing.T, b servedBackend) {
				c.vars["s"] = "s-103"
				wantCodes(t, query(t, b.h, runsQuery, c.vars), "BAD_USER_INPUT")
				resp := query(t, b.h, `query($first: Int, $last: Int, $after: String) { session(sessionId: "s-103") { runs(first: $first, last: $last, after: $after) { totalCount } } }`, c.vars)
				wantCodes(t, resp, "BAD_USER_INPUT")
			})
		})
	}
}

func TestRunFilterKeepsRunsWithoutCreatedAt(t *testing.T) {
	bs := fixtureBackends(t) // this test writes
	eachBackend(t, bs, func(t *testing.T, b servedBackend) {
		insertRows(t, b, models.SessionRow{SessionID: "undated", SessionType: "agent", AgentID: ptrTo("a"), CreatedAt: 1,
			Runs: rawJSON(`[{"run_id": "r-old", "agent_id": "a", "created_at": 100}, {"run_id": "r-undated", "agent_id": "a"}, {"run_id": "r-new", "agent_id": "a", "created_at": 300}]`)})
		data := mustQuery(t, b.h, `query($a: DateTime, $z: DateTime) { runs(sessionId: "undated", filter: {createdAfter: $a, createdBefore: $z}) { nodes { runId createdAt } } }`,
			map[string]any{"a": rfc3339(200), "z": rfc3339(250)})
		wantEqual(t, "runs", jsonAt(data, "runs", "nodes"), []any{map[string]any{"runId": "r-undated", "createdAt": nil}})
	})
}

func TestRunTypes(t *testing.T) {
	bs := fixtureBackends(t)
	const q = `{
		s100: session(sessionId: "s-100") { runs { nodes { __typename runId } } }
		s200: session(sessionId: "s-200") { runs { nodes { __typename runId ... on TeamRun { memberRuns { __typename runId } } } } }
		s300: session(sessionId: "s-300") { runs { nodes { __typename runId ... on WorkflowRun { stepRuns { __typename runId } } } } }
		s302: session(sessionId: "s-302") { runs { nodes { __typename runId ... on WorkflowRun { stepRuns { __typename runId } } } } }
	}`
	cases := []struct {
		name     string
		path     []any
		typename string
		runID    string
	}{
		{"an agent session's run is an AgentRun", []any{"s100", "runs", "nodes", 0}, "AgentRun", "r-a1"},
		{"a member run with agent_id in a team session is an AgentRun", []any{"s200", "runs", "nodes", 0}, "AgentRun", "r-m1"},
		{"a leader run with team_id is a TeamRun", []any{"s200", "runs", "nodes", 1}, "TeamRun", "r-t1"},
		{"a member run found only in member_responses is an AgentRun", []any{"s200", "runs", "nodes", 1, "memberRuns", 1}, "AgentRun", "r-m2"},
		{"a workflow run is a WorkflowRun", []any{"s300", "runs", "nodes", 0}, "WorkflowRun", "r-w1"},
		{"a step run with agent_id and workflow_id is an AgentRun", []any{"s300", "runs", "nodes", 0, "stepRuns", 0}, "AgentRun", "r-s1"},
		{"another step run with agent_id and workflow_id is an AgentRun", []any{"s302", "runs", "nodes", 0, "stepRuns", 0}, "AgentRun", "r-s3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eachBackend(t, bs, func(t *testing.T, b servedBackend) {
				data := mustQuery(t, b.h, q, nil)
				got, _ := jsonAt(data, c.path...).(map[string]any)
				if got == nil {
					t.Fatalf("nothing at %v in %s", c.path, jsonText(data))
				}
				wantEqual(t, "run", map[string]any{"__typename": got["__typename"], "runId": got["runId"]},
					map[string]any{"__typename": c.typename, "runId": c.runID})
			})
		})
	}
}

func TestRunTypesFollowTheRunsOwnKeys(t *testing.T) {
	bs := fixtureBackends(t) // this test writes
	eachBackend(t, bs, func(t *testing.T, b servedBackend) {
		insertRows(t, b,
			models.SessionRow{SessionID: "keys-team", SessionType: "team", TeamID: ptrTo("t"), CreatedAt: 1,
				Runs: rawJSON(`[{"run_id": "bare"}, {"run_id": "wf", "workflow_id": "w"}, {"run_id": "ag", "agent_id": "a", "team_id": "t"}]`)},
			models.SessionRow{SessionID: "keys-workflow", SessionType: "workflow", WorkflowID: ptrTo("w"), CreatedAt: 1,
				Runs: rawJSON(`[{"run_id": "bare-w"}, {"run_id": "tm-w", "team_id": "t", "workflow_id": "w"}]`)},
			models.SessionRow{SessionID: "keys-agent", SessionType: "agent", AgentID: ptrTo("a"), CreatedAt: 1,
				Runs: rawJSON(`[{"run_id": "bare-a"}, {"run_id": "tm-a", "team_id": "t"}]`)},
		)
		data := mustQuery(t, b.h, `{
			a: session(sessionId: "keys-team") { runs { nodes { __typename } } }
			b: session(sessionId: "keys-workflow") { runs { nodes { __typename } } }
			c: session(sessionId: "keys-agent") { runs { nodes { __typename } } }
		}`, nil)
		wantEqual(t, "team session runs", stringsAt(t, data, "__typename", "a", "runs", "nodes"), []string{"TeamRun", "WorkflowRun", "AgentRun"})
		// Agno 3 reads only a workflow session's workflow runs (a step's team
		// run can share its session id); Agno 2 read every run in the column.
		workflowRuns := []string{"WorkflowRun", "TeamRun"}
		if b.store.Describe().RunsTable != nil {
			workflowRuns = []string{"WorkflowRun"}
		}
		wantEqual(t, "workflow session runs", stringsAt(t, data, "__typename", "b", "runs", "nodes"), workflowRuns)
		wantEqual(t, "agent session runs", stringsAt(t, data, "__typename", "c", "runs", "nodes"), []string{"AgentRun", "TeamRun"})
	})
}

func TestTeamRunMemberRuns(t *testing.T) {
	bs := fixtureBackends(t)
	eachBackend(t, bs, func(t *testing.T, b servedBackend) {
		data := mustQuery(t, b.h, `{ run(sessionId: "s-200", runId: "r-t1") { ... on TeamRun { memberRuns {
			__typename runId parentRunId content messages { id } ... on AgentRun { agentId }
		} } } }`, nil)
		t.Run("memberRuns are the top-level member run, then the member_responses not among them, each once", func(t *testing.T) {
			wantEqual(t, "memberRuns", stringsAt(t, data, "runId", "run", "memberRuns"), []string{"r-m1", "r-m2"})
		})
		t.Run("a member run stored at top level is read from its top-level entry", func(t *testing.T) {
			// The member_responses copy of r-m1 has no messages; the top-level entry has m10 and m11.
			wantEqual(t, "r-m1 messages", stringsAt(t, data, "id", "run", "memberRuns", 0, "messages"), []string{"m10", "m11"})
		})
		t.Run("run finds a member run by its top-level entry, not its member_responses copy", func(t *testing.T) {
			data := mustQuery(t, b.h, `{ run(sessionId: "s-200", runId: "r-m1") { messages { id } } }`, nil)
			wantEqual(t, "r-m1 messages", stringsAt(t, data, "id", "run", "messages"), []string{"m10", "m11"})
		})
		t.Run("a member run stored only in member_responses keeps its own fields", func(t *testing.T) {
			wantEqual(t, "r-m2", jsonAt(data, "run", "memberRuns", 1), map[string]any{
				"__typename": "AgentRun", "runId": "r-m2", "parentRunId": "r-t1", "content": "Drafted a note.",
				"messages": []any{map[string]any{"id": "m12"}}, "agentId": "writer"})
		})
	})
}

func TestWorkflowRunStepsAndStepRuns(t *testing.T) {
	bs := fixtureBackends(t)
	const q = `query($s: String!) { session(sessionId: $s) { runs { nodes { ... on WorkflowRun {
		steps { stepName stepId stepType executorType executorName content success error metrics { inputTokens outputTokens totalTokens } }
		stepRuns { __typename runId parentRunId sessionId messages { id content } ... on AgentRun { agentId agentName } }
	} } } } }`
	cases := []struct {
		name, session string
		want          any
	}{
		{"steps are the step_results and stepRuns the step_executor_runs", "s-300", map[string]any{
			"steps": []any{map[string]any{"stepName": "research", "stepId": "st-1", "stepType": "Step", "executorType": "agent",
				"executorName": "Researcher", "content": "Notes on generics...", "success": true, "error": nil,
				"metrics": map[string]any{"inputTokens": 200, "outputTokens": 80, "totalTokens": 280}}},
			"stepRuns": []any{map[string]any{"__typename": "AgentRun", "runId": "r-s1", "parentRunId": "r-w1", "sessionId": "s-300",
				"messages": []any{map[string]any{"id": "m30", "content": "Write about Go generics"}}, "agentId": "researcher", "agentName": "Researcher"}},
		}},
		{"a workflow run without steps has empty lists", "s-301", map[string]any{"steps": []any{}, "stepRuns": []any{}}},
		{"a workflow run with step runs but no step results", "s-302", map[string]any{
			"steps": []any{},
			"stepRuns": []any{map[string]any{"__typename": "AgentRun", "runId": "r-s3", "parentRunId": "r-w3", "sessionId": "s-302",
				"messages": []any{map[string]any{"id": "s3a", "content": "step one input"}, map[string]any{"id": "s3b", "content": "step last input"}},
				"agentId":  "writer", "agentName": nil}},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eachBackend(t, bs, func(t *testing.T, b servedBackend) {
				data := mustQuery(t, b.h, q, map[string]any{"s": c.session})
				wantEqual(t, "workflow run", jsonAt(data, "session", "runs", "nodes", 0), c.want)
			})
		})
	}
}

func TestRunMessages(t *testing.T) {
	bs := fixtureBackends(t)
	const q = `query($r: String!, $roles: [String!], $h: Boolean) {
		run(sessionId: "s-100", runId: $r) { messages(roles: $roles, includeHistory: $h) { id fromHistory } }
	}`
	cases := []struct {
		name  string
		run   string
		roles any
		hist  any
		want  []string
	}{
		{"all messages in stored order by default, history included", "r-a2", nil, nil, []string{"m6", "m2", "m5", "m7", "m8"}},
		{"includeHistory false leaves out replayed messages", "r-a2", nil, false, []string{"m6", "m7", "m8"}},
		{"roles keeps only those roles", "r-a2", []string{"user"}, nil, []string{"m2", "m7"}},
		{"roles with includeHistory false keeps this run's user message", "r-a2", []string{"user"}, false, []string{"m7"}},
		{"several roles keep all of them", "r-a1", []string{"assistant", "tool"}, nil, []string{"m3", "m4", "m5"}},
		{"a role nobody has keeps nothing", "r-a1", []string{"developer"}, nil, []string{}},
		{"an empty roles list keeps nothing", "r-a1", []string{}, nil, []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eachBackend(t, bs, func(t *testing.T, b servedBackend) {
				data := mustQuery(t, b.h, q, map[string]any{"r": c.run, "roles": c.roles, "h": c.hist})
				wantEqual(t, "messages", stringsAt(t, data, "id", "run", "messages"), c.want)
			})
		})
	}
	t.Run("message fields follow the stored message", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			data := mustQuery(t, b.h, `{ run(sessionId: "s-100", runId: "r-a1") { messages {
				id role content name toolCallId toolName toolArgs fromHistory createdAt raw
				toolCalls { id type name arguments }
				metrics { inputTokens outputTokens totalTokens durationSeconds timeToFirstTokenSeconds }
			} } }`, nil)
			msgs := listAt(t, data, "run", "messages")
			stored := listAt(t, fixtureRun(t, "s-100", "r-a1"), "messages")
			if len(msgs) != len(stored) {
				t.Fatalf("%d messages, want %d", len(msgs), len(stored))
			}
			for i := range msgs {
				wantEqual(t, fmt.Sprintf("message %d raw", i), jsonAt(msgs[i], "raw"), stored[i])
			}
			wantEqual(t, "assistant message with a tool call", msgs[2], map[string]any{
				"id": "m3", "role": "assistant", "content": nil, "name": nil, "toolCallId": nil, "toolName": nil, "toolArgs": nil,
				"fromHistory": false, "createdAt": rfc3339(1757346731), "raw": stored[2],
				"toolCalls": []any{map[string]any{"id": "call_1", "type": "function", "name": "order_status", "arguments": `{"order_id": "981"}`}},
				"metrics":   map[string]any{"inputTokens": 150, "outputTokens": 20, "totalTokens": 170, "durationSeconds": nil, "timeToFirstTokenSeconds": nil},
			})
			wantEqual(t, "tool result message", msgs[3], map[string]any{
				"id": "m4", "role": "tool", "content": "shipped", "name": nil, "toolCallId": "call_1", "toolName": "order_status",
				"toolArgs": map[string]any{"order_id": "981"}, "fromHistory": false, "createdAt": rfc3339(1757346732), "raw": stored[3],
				"toolCalls": []any{}, "metrics": nil,
			})
			wantEqual(t, "final assistant message metrics", jsonAt(msgs[4], "metrics"), map[string]any{
				"inputTokens": 160, "outputTokens": 21, "totalTokens": 181, "durationSeconds": 1.25, "timeToFirstTokenSeconds": 0.4})
		})
	})
	t.Run("a run without messages has an empty list", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			data := mustQuery(t, b.h, `{ run(sessionId: "s-103", runId: "r-c1") { messages { id } } }`, nil)
			wantEqual(t, "messages", jsonAt(data, "run", "messages"), []any{})
		})
	})
}

func TestRunToolsAndEvents(t *testing.T) {
	bs := fixtureBackends(t)
	const toolFields = `toolCallId toolName toolArgs result error childRunId durationSeconds createdAt`
	t.Run("a tool execution follows the stored tool", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			data := mustQuery(t, b.h, `{ run(sessionId: "s-100", runId: "r-a1") { tools { `+toolFields+` } } }`, nil)
			wantEqual(t, "tools", jsonAt(data, "run", "tools"), []any{map[string]any{
				"toolCallId": "call_1", "toolName": "order_status", "toolArgs": map[string]any{"order_id": "981"}, "result": "shipped",
				"error": false, "childRunId": nil, "durationSeconds": 0.2, "createdAt": rfc3339(1757346731)}})
		})
	})
	t.Run("a delegation to a team member carries the member run as childRunId", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			data := mustQuery(t, b.h, `{ run(sessionId: "s-200", runId: "r-t1") { tools { `+toolFields+` } } }`, nil)
			wantEqual(t, "tools", jsonAt(data, "run", "tools"), []any{map[string]any{
				"toolCallId": "call_9", "toolName": "delegate_task_to_member",
				"toolArgs": map[string]any{"member_id": "web-researcher", "task": "Find 2025 Go release notes"},
				"result":   "Go 1.25 shipped in August.", "error": false, "childRunId": "r-m1", "durationSeconds": nil,
				"createdAt": rfc3339(1757400001)}})
		})
	})
	t.Run("a run without tools has an empty list", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			data := mustQuery(t, b.h, `{ run(sessionId: "s-100", runId: "r-a2") { tools { toolName } } }`, nil)
			wantEqual(t, "tools", jsonAt(data, "run", "tools"), []any{})
		})
	})
	t.Run("events are passed through as stored", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			data := mustQuery(t, b.h, `{ run(sessionId: "s-100", runId: "r-a2") { events } }`, nil)
			wantEqual(t, "events", jsonAt(data, "run", "events"), fixtureRun(t, "s-100", "r-a2")["events"])
		})
	})
	t.Run("a run without events has an empty list", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			data := mustQuery(t, b.h, `{ run(sessionId: "s-100", runId: "r-a1") { events } }`, nil)
			wantEqual(t, "events", jsonAt(data, "run", "events"), []any{})
		})
	})
}

func TestRunScalarFields(t *testing.T) {
	bs := fixtureBackends(t)
	const q = `query($s: String!, $r: String!) { run(sessionId: $s, runId: $r) {
		runId sessionId parentRunId userId status inputRaw content contentType model modelProvider createdAt raw
		metrics { inputTokens outputTokens totalTokens reasoningTokens cacheReadTokens cacheWriteTokens cost durationSeconds timeToFirstTokenSeconds raw }
	} }`
	cases := []struct {
		name, session, run string
		want               func(stored map[string]any) map[string]any
	}{
		{"an agent run with a string answer and metrics", "s-100", "r-a1", func(stored map[string]any) map[string]any {
			return map[string]any{"runId": "r-a1", "sessionId": "s-100", "parentRunId": nil, "userId": "u-7", "status": "COMPLETED",
				"inputRaw": map[string]any{"input_content": "Where is order 981?"}, "content": "Order 981 shipped yesterday.",
				"contentType": "str", "model": "gpt-4o", "modelProvider": "OpenAI", "createdAt": rfc3339(1757346730), "raw": stored,
				"metrics": map[string]any{"inputTokens": 310, "outputTokens": 41, "totalTokens": 351, "reasoningTokens": nil,
					"cacheReadTokens": nil, "cacheWriteTokens": nil, "cost": nil, "durationSeconds": 2.7, "timeToFirstTokenSeconds": 0.42,
					"raw": stored["metrics"]}}
		}},
		{"an agent run with structured output and no metrics", "s-103", "r-c1", func(stored map[string]any) map[string]any {
			return map[string]any{"runId": "r-c1", "sessionId": "s-103", "parentRunId": nil, "userId": "u-7", "status": "COMPLETED",
				"inputRaw": stored["input"], "content": map[string]any{"title": "Go", "bullets": []any{"fast", "simple"}},
				"contentType": "Report", "model": nil, "modelProvider": nil, "createdAt": rfc3339(1757370010), "raw": stored, "metrics": nil}
		}},
		{"a workflow run with a string input and workflow metrics", "s-300", "r-w1", func(stored map[string]any) map[string]any {
			return map[string]any{"runId": "r-w1", "sessionId": "s-300", "parentRunId": nil, "userId": "u-7", "status": "COMPLETED",
				"inputRaw": "Write about Go generics", "content": "# Go generics\n...", "contentType": "str", "model": nil, "modelProvider": nil,
				"createdAt": rfc3339(1757500000), "raw": stored,
				"metrics": map[string]any{"inputTokens": nil, "outputTokens": nil, "totalTokens": nil, "reasoningTokens": nil,
					"cacheReadTokens": nil, "cacheWriteTokens": nil, "cost": nil, "durationSeconds": 5.2, "timeToFirstTokenSeconds": nil,
					"raw": stored["metrics"]}}
		}},
		{"a nested member run without an input", "s-200", "r-m2", func(stored map[string]any) map[string]any {
			return map[string]any{"runId": "r-m2", "sessionId": "s-200", "parentRunId": "r-t1", "userId": nil, "status": "COMPLETED",
				"inputRaw": nil, "content": "Drafted a note.", "contentType": "str", "model": nil, "modelProvider": nil,
				"createdAt": rfc3339(1757400003), "raw": stored, "metrics": nil}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := c.want(fixtureRun(t, c.session, c.run))
			eachBackend(t, bs, func(t *testing.T, b servedBackend) {
				data := mustQuery(t, b.h, q, map[string]any{"s": c.session, "r": c.run})
				wantEqual(t, "run", data["run"], want)
			})
		})
	}
}

func TestRunStatusOutsideTheEnum(t *testing.T) {
	bs := fixtureBackends(t)
	t.Run("r-c2 THINKING resolves status to null with DATA_CORRUPT on that field only", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			resp := query(t, b.h, `{ run(sessionId: "s-103", runId: "r-c2") { runId status content input createdAt } }`, nil)
			wantCodes(t, resp, "DATA_CORRUPT")
			if len(resp.Errors) == 1 {
				wantEqual(t, "error path", resp.Errors[0].Path, []any{"run", "status"})
			}
			wantEqual(t, "data", decodeAny(t, resp.Data), map[string]any{"run": map[string]any{
				"runId": "r-c2", "status": nil, "content": "Summary.", "input": "Summarise the report", "createdAt": rfc3339(1757370020)}})
		})
	})
	t.Run("in a list of runs only the unknown status is null", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			resp := query(t, b.h, `{ session(sessionId: "s-103") { runs { nodes { runId status } } } }`, nil)
			wantCodes(t, resp, "DATA_CORRUPT")
			if len(resp.Errors) == 1 {
				wantEqual(t, "error path", resp.Errors[0].Path, []any{"session", "runs", "nodes", 1, "status"})
			}
			wantEqual(t, "runs", jsonAt(decodeAny(t, resp.Data), "session", "runs", "nodes"), []any{
				map[string]any{"runId": "r-c1", "status": "COMPLETED"},
				map[string]any{"runId": "r-c2", "status": nil},
				map[string]any{"runId": "r-c3", "status": "PAUSED"},
				map[string]any{"runId": "r-c4", "status": "CANCELLED"},
			})
		})
	})
}
