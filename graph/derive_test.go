package graph_test

import (
	"testing"

	"sessiongraph/models"
)

func TestSessionNames(t *testing.T) {
	bs := fixtureBackends(t)
	cases := []struct {
		name, session, want string
		derived             bool
	}{
		{"a stored name wins", "s-100", "Order 981 help", false},
		{"a stored name keeps its Unicode", "s-103", "Café Ünïcode 日本 🎉 review", false},
		{"a stored name keeps its case and punctuation", "s-400", "alpha_100% done", false},
		{"a legacy row's stored name wins", "s-500", "Legacy row", false},
		{"an agent session is named by the first user message, skipping an assistant intro run", "s-101", "I need a refund for order 1001", true},
		{"a session without runs (JSON null) is named \"\"", "s-102", "", true},
		{"an input-only run names the session with Python's indented json.dumps of the whole input, ASCII-escaped", "s-104",
			"{\n  \"input_content\": \"Tell me about caf\\u00e9s\"\n}", true},
		{"a team session is named by its leader's runs only", "s-200", "What's new in Go?", true},
		{"a workflow session is named by the first run's string input", "s-300", "Write about Go generics", true},
		{"a workflow session is named by the first run's dict input as compact Python json.dumps", "s-301", `{"topic": "Go"}`, true},
		{"a workflow session whose first run has no input is named after the workflow", "s-302", "New BlogGenerator Session", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eachBackend(t, bs, func(t *testing.T, b servedBackend) {
				data := mustQuery(t, b.h, `query($s: String!) { session(sessionId: $s) { name nameIsDerived } }`, map[string]any{"s": c.session})
				wantEqual(t, "name", data["session"], map[string]any{"name": c.want, "nameIsDerived": c.derived})
			})
		})
	}
}

func TestDerivedNameEdgeCases(t *testing.T) {
	bs := fixtureBackends(t) // this test writes
	rows := []models.SessionRow{
		{SessionID: "wf-no-runs", SessionType: "workflow", WorkflowID: ptrTo("w"), CreatedAt: 1,
			WorkflowData: rawJSON(`{"name": "Blog"}`), Runs: rawJSON(`[]`)},
		{SessionID: "wf-null-input", SessionType: "workflow", WorkflowID: ptrTo("w"), CreatedAt: 1,
			WorkflowData: rawJSON(`{"name": "Blog"}`), Runs: rawJSON(`[{"run_id": "x1", "workflow_id": "w", "input": null}]`)},
		{SessionID: "wf-list-input", SessionType: "workflow", WorkflowID: ptrTo("w"), CreatedAt: 1,
			WorkflowData: rawJSON(`{"name": "Blog"}`), Runs: rawJSON(`[{"run_id": "x2", "workflow_id": "w", "input": ["a"]}]`)},
		{SessionID: "wf-nested-dict", SessionType: "workflow", WorkflowID: ptrTo("w"), CreatedAt: 1,
			Runs: rawJSON(`[{"run_id": "x3", "workflow_id": "w", "input": {"a": {"x": [1, 2.5, true, null]}, "b": "é"}}]`)},
		{SessionID: "wf-unnamed", SessionType: "workflow", WorkflowID: ptrTo("w"), CreatedAt: 1,
			Runs: rawJSON(`[{"run_id": "x4", "workflow_id": "w"}]`)},
		{SessionID: "ag-empty-user-message", SessionType: "agent", AgentID: ptrTo("a"), CreatedAt: 1,
			Runs: rawJSON(`[{"run_id": "x5", "agent_id": "a", "input": {"input_content": "from input"}, "messages": [{"role": "user", "content": ""}]}]`)},
		{SessionID: "ag-second-run", SessionType: "agent", AgentID: ptrTo("a"), CreatedAt: 1,
			Runs: rawJSON(`[{"run_id": "x6", "agent_id": "a"}, {"run_id": "y", "agent_id": "a", "messages": [{"role": "system", "content": "sys"}, {"role": "user", "content": "second run"}]}]`)},
		{SessionID: "team-members-only", SessionType: "team", TeamID: ptrTo("t"), CreatedAt: 1,
			Runs: rawJSON(`[{"run_id": "m", "agent_id": "a", "parent_run_id": "t", "messages": [{"role": "user", "content": "member"}]}]`)},
		{SessionID: "null-stored-name", SessionType: "agent", AgentID: ptrTo("a"), CreatedAt: 1,
			SessionData: rawJSON(`{"session_name": null}`),
			Runs:        rawJSON(`[{"run_id": "x7", "agent_id": "a", "messages": [{"role": "user", "content": "hello"}]}]`)},
		{SessionID: "empty-stored-name", SessionType: "agent", AgentID: ptrTo("a"), CreatedAt: 1,
			SessionData: rawJSON(`{"session_name": ""}`),
			Runs:        rawJSON(`[{"run_id": "x8", "agent_id": "a", "messages": [{"role": "user", "content": "hello"}]}]`)},
	}
	cases := []struct {
		name, session, want string
		derived             bool
	}{
		{"a workflow session with an empty runs array is named \"\"", "wf-no-runs", "", true},
		{"a workflow run with a null input falls back to the workflow name", "wf-null-input", "New Blog Session", true},
		{"a workflow run with a list input falls back to the workflow name", "wf-list-input", "New Blog Session", true},
		{"a nested dict input is dumped compactly with Python separators and ASCII escapes", "wf-nested-dict",
			`{"a": {"x": [1, 2.5, true, null]}, "b": "\u00e9"}`, true},
		{"a workflow without a name and without input is named \"\"", "wf-unnamed", "", true},
		{"an empty user message is skipped for the run's input object", "ag-empty-user-message", "{\n  \"input_content\": \"from input\"\n}", true},
		{"a run with nothing to name the session by is skipped for the next one", "ag-second-run", "second run", true},
		{"a team session with only member runs is named \"\"", "team-members-only", "", true},
		{"a stored null name is derived", "null-stored-name", "hello", true},
		{"a stored empty name is stored, not derived", "empty-stored-name", "", false},
	}
	eachBackend(t, bs, func(t *testing.T, b servedBackend) {
		insertRows(t, b, rows...)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				data := mustQuery(t, b.h, `query($s: String!) { session(sessionId: $s) { name nameIsDerived } }`, map[string]any{"s": c.session})
				wantEqual(t, "name", data["session"], map[string]any{"name": c.want, "nameIsDerived": c.derived})
			})
		}
	})
}

func TestRunInput(t *testing.T) {
	bs := fixtureBackends(t)
	cases := []struct {
		name, session, run, want string
	}{
		{"a string input_content is the input", "s-100", "r-a1", "Where is order 981?"},
		{"a string input_content with non-ASCII text is returned as is", "s-104", "r-d1", "Tell me about cafés"},
		{"an object input_content is Python's json.dumps with indent 2", "s-103", "r-c1", "{\n  \"depth\": 2,\n  \"topic\": \"Go\"\n}"},
		{"a list of messages as input_content gives the first user message", "s-103", "r-c2", "Summarise the report"},
		{"another list as input_content is Python's str()", "s-103", "r-c3", "['a', 1, True, None, 2.5]"},
		{"without input the last user message is the input", "s-103", "r-c4", "last question"},
		{"without input or user messages the input is \"\"", "s-101", "r-b1", ""},
		{"a nested member run without input uses its last user message", "s-200", "r-m2", "Write a note"},
		{"a step run without input uses its last user message", "s-300", "r-s1", "Write about Go generics"},
		{"a workflow run's string input is the input", "s-300", "r-w1", "Write about Go generics"},
		{"a workflow run's dict input is indented JSON", "s-301", "r-w2", "{\n  \"topic\": \"Go\"\n}"},
		{"a workflow run without input uses the first step run's last user message", "s-302", "r-w3", "step last input"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eachBackend(t, bs, func(t *testing.T, b servedBackend) {
				data := mustQuery(t, b.h, `query($s: String!, $r: String!) { run(sessionId: $s, runId: $r) { input } }`, map[string]any{"s": c.session, "r": c.run})
				wantEqual(t, "input", jsonAt(data, "run", "input"), c.want)
			})
		})
	}
}

func TestChatHistory(t *testing.T) {
	bs := fixtureBackends(t)
	cases := []struct {
		name, session string
		want          []string
	}{
		{"keeps user and assistant messages of every run, all statuses, without system, tool or history messages", "s-100", []string{"m2", "m3", "m5", "m7", "m8"}},
		{"keeps an assistant intro run", "s-101", []string{"b1", "b2", "b3", "b4"}},
		{"is empty without runs", "s-102", []string{}},
		{"keeps the messages of a cancelled run", "s-103", []string{"c1", "c2"}},
		{"leaves out system messages", "s-104", []string{"d2"}},
		{"of a team session keeps only the leader's runs", "s-200", []string{"m20", "m21"}},
		{"of a workflow session leaves out the step runs' messages", "s-300", []string{}},
		{"of a workflow session with nested step runs is empty", "s-302", []string{}},
		{"of a session without a runs column is empty", "s-400", []string{}},
	}
	for _, c := range cases {
		t.Run("chatHistory "+c.name, func(t *testing.T) {
			eachBackend(t, bs, func(t *testing.T, b servedBackend) {
				data := mustQuery(t, b.h, `query($s: String!) { session(sessionId: $s) { chatHistory { id role fromHistory } } }`, map[string]any{"s": c.session})
				wantEqual(t, "chatHistory", stringsAt(t, data, "id", "session", "chatHistory"), c.want)
				for _, m := range listAt(t, data, "session", "chatHistory") {
					if r := jsonAt(m, "role"); r == "system" || r == "tool" || jsonAt(m, "fromHistory") == true {
						t.Errorf("chatHistory holds %s", jsonText(m))
					}
				}
			})
		})
	}
	t.Run("chatHistory messages carry their content", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			data := mustQuery(t, b.h, `{ session(sessionId: "s-200") { chatHistory { role content } } }`, nil)
			wantEqual(t, "chatHistory", jsonAt(data, "session", "chatHistory"), []any{
				map[string]any{"role": "user", "content": "What's new in Go?"},
				map[string]any{"role": "assistant", "content": "Go 1.25 shipped in August."},
			})
		})
	})
}

func TestChatHistoryEdgeCases(t *testing.T) {
	bs := fixtureBackends(t) // this test writes
	eachBackend(t, bs, func(t *testing.T, b servedBackend) {
		insertRows(t, b,
			models.SessionRow{SessionID: "wf-own-messages", SessionType: "workflow", WorkflowID: ptrTo("w"), CreatedAt: 1,
				Runs: rawJSON(`[{"run_id": "w", "workflow_id": "w", "messages": [{"id": "w1", "role": "user", "content": "q"}, {"id": "w2", "role": "system", "content": "s"}]}]`)},
			models.SessionRow{SessionID: "ag-other-roles", SessionType: "agent", AgentID: ptrTo("a"), CreatedAt: 1,
				Runs: rawJSON(`[{"run_id": "a", "agent_id": "a", "status": "ERROR", "messages": [{"id": "o1", "role": "developer", "content": "d"}, {"id": "o2", "role": "tool", "content": "t"}, {"id": "o3", "role": "assistant", "content": "x", "from_history": false}]},
					{"run_id": "c", "agent_id": "b", "parent_run_id": "a", "messages": [{"id": "o4", "role": "user", "content": "child"}]}]`)},
		)
		data := mustQuery(t, b.h, `{
			w: session(sessionId: "wf-own-messages") { chatHistory { id } }
			a: session(sessionId: "ag-other-roles") { chatHistory { id } }
		}`, nil)
		t.Run("applies Agno's rule to a workflow run's own messages", func(t *testing.T) {
			wantEqual(t, "chatHistory", stringsAt(t, data, "id", "w", "chatHistory"), []string{"w1"})
		})
		t.Run("keeps other roles and leaves out runs with a parent in an agent session", func(t *testing.T) {
			wantEqual(t, "chatHistory", stringsAt(t, data, "id", "a", "chatHistory"), []string{"o1", "o3"})
		})
	})
}

// sessionDetail selects every session field except runs and chatHistory.
const sessionDetail = `
	__typename sessionId type userId componentId createdAt updatedAt state data metadata totalTokens
	metrics { inputTokens outputTokens totalTokens cacheReadTokens cacheWriteTokens reasoningTokens cost raw }
	... on AgentSession { agentId agent { name id model { id name provider } raw } summary { summary topics updatedAt } }
	... on TeamSession { teamId team { name id model { id name provider } raw } summary { summary topics updatedAt } }
	... on WorkflowSession { workflowId workflow { name id steps { name description type } raw } }`

func TestSessionDetailFields(t *testing.T) {
	bs := fixtureBackends(t)
	col := func(t *testing.T, id, column string) any {
		r := fixtureRow(t, id)
		raw := map[string][]byte{"session_data": r.SessionData, "metadata": r.Metadata, "agent_data": r.AgentData, "team_data": r.TeamData, "workflow_data": r.WorkflowData}[column]
		return fixtureJSON(t, raw)
	}
	cases := []struct {
		name, session string
		want          func(t *testing.T) map[string]any
	}{
		{"an agent session with state, metrics, metadata, agent data and a summary", "s-100", func(t *testing.T) map[string]any {
			data := col(t, "s-100", "session_data")
			return map[string]any{"__typename": "AgentSession", "sessionId": "s-100", "type": "AGENT", "userId": "u-7", "componentId": "support",
				"createdAt": rfc3339(1757346700), "updatedAt": rfc3339(1757346800),
				"state": map[string]any{"cart": []any{"981"}, "vip": true}, "data": data,
				"metadata": map[string]any{"channel": "web", "tags": []any{"orders"}}, "totalTokens": 810,
				"metrics": map[string]any{"inputTokens": 720, "outputTokens": 90, "totalTokens": 810, "cacheReadTokens": nil,
					"cacheWriteTokens": nil, "reasoningTokens": nil, "cost": 0.0123, "raw": jsonAt(data, "session_metrics")},
				"agentId": "support",
				"agent": map[string]any{"name": "Support Agent", "id": "support",
					"model": map[string]any{"id": "gpt-4o", "name": "OpenAIChat", "provider": "OpenAI"}, "raw": col(t, "s-100", "agent_data")},
				"summary": map[string]any{"summary": "The user asked where order 981 is.", "topics": []any{"orders", "shipping"},
					"updatedAt": "2025-09-08T16:02:09Z"}}
		}},
		{"an agent session with SQL NULL updated_at, JSON null metadata and summary", "s-101", func(t *testing.T) map[string]any {
			return map[string]any{"__typename": "AgentSession", "sessionId": "s-101", "type": "AGENT", "userId": "u-8", "componentId": "support",
				"createdAt": rfc3339(1757350000), "updatedAt": rfc3339(1757350000),
				"state": map[string]any{}, "data": map[string]any{"session_state": map[string]any{}}, "metadata": nil,
				"totalTokens": nil, "metrics": nil, "agentId": "support",
				"agent":   map[string]any{"name": "Support Agent", "id": "support", "model": nil, "raw": col(t, "s-101", "agent_data")},
				"summary": nil}
		}},
		{"an agent session whose JSON columns are all JSON null", "s-102", func(t *testing.T) map[string]any {
			return map[string]any{"__typename": "AgentSession", "sessionId": "s-102", "type": "AGENT", "userId": nil, "componentId": "research",
				"createdAt": rfc3339(1757360000), "updatedAt": rfc3339(1757360000),
				"state": nil, "data": nil, "metadata": nil, "totalTokens": nil, "metrics": nil,
				"agentId": "research", "agent": nil, "summary": nil}
		}},
		{"an agent session with Unicode metadata", "s-103", func(t *testing.T) map[string]any {
			return map[string]any{"__typename": "AgentSession", "sessionId": "s-103", "type": "AGENT", "userId": "u-7", "componentId": "research",
				"createdAt": rfc3339(1757370000), "updatedAt": rfc3339(1757370050),
				"state": nil, "data": map[string]any{"session_name": "Café Ünïcode 日本 🎉 review"}, "metadata": map[string]any{"note": "naïve façade"},
				"totalTokens": nil, "metrics": nil, "agentId": "research",
				"agent":   map[string]any{"name": "Research Agent", "id": "research", "model": nil, "raw": col(t, "s-103", "agent_data")},
				"summary": nil}
		}},
		{"an agent session whose JSON columns are SQL NULL", "s-400", func(t *testing.T) map[string]any {
			return map[string]any{"__typename": "AgentSession", "sessionId": "s-400", "type": "AGENT", "userId": "u-9", "componentId": "notes",
				"createdAt": rfc3339(1757600000), "updatedAt": rfc3339(1757600000),
				"state": nil, "data": map[string]any{"session_name": "alpha_100% done"}, "metadata": nil,
				"totalTokens": nil, "metrics": nil, "agentId": "notes", "agent": nil, "summary": nil}
		}},
		{"a team session with team data and a summary without topics or time", "s-200", func(t *testing.T) map[string]any {
			data := col(t, "s-200", "session_data")
			return map[string]any{"__typename": "TeamSession", "sessionId": "s-200", "type": "TEAM", "userId": "u-7", "componentId": "research-team",
				"createdAt": rfc3339(1757400000), "updatedAt": rfc3339(1757400010),
				"state": map[string]any{"round": 1}, "data": data, "metadata": map[string]any{}, "totalTokens": 562,
				"metrics": map[string]any{"inputTokens": 490, "outputTokens": 72, "totalTokens": 562, "cacheReadTokens": nil,
					"cacheWriteTokens": nil, "reasoningTokens": nil, "cost": nil, "raw": jsonAt(data, "session_metrics")},
				"teamId": "research-team",
				"team": map[string]any{"name": "Research Team", "id": "research-team",
					"model": map[string]any{"id": "gpt-4o", "name": nil, "provider": "OpenAI"}, "raw": col(t, "s-200", "team_data")},
				"summary": map[string]any{"summary": "Go release notes.", "topics": []any{}, "updatedAt": nil}}
		}},
		{"a team session with SQL NULL updated_at", "s-403", func(t *testing.T) map[string]any {
			return map[string]any{"__typename": "TeamSession", "sessionId": "s-403", "type": "TEAM", "userId": "u-9", "componentId": "notes",
				"createdAt": rfc3339(1757600200), "updatedAt": rfc3339(1757600200),
				"state": nil, "data": map[string]any{"session_name": "Banana split"}, "metadata": nil, "totalTokens": nil, "metrics": nil,
				"teamId": "notes", "team": nil, "summary": nil}
		}},
		{"a workflow session with declared steps", "s-300", func(t *testing.T) map[string]any {
			return map[string]any{"__typename": "WorkflowSession", "sessionId": "s-300", "type": "WORKFLOW", "userId": "u-7", "componentId": "blog",
				"createdAt": rfc3339(1757500000), "updatedAt": rfc3339(1757500010),
				"state": nil, "data": map[string]any{}, "metadata": map[string]any{}, "totalTokens": nil, "metrics": nil,
				"workflowId": "blog",
				"workflow": map[string]any{"name": "Blog Writer", "id": "blog", "raw": col(t, "s-300", "workflow_data"), "steps": []any{
					map[string]any{"name": "research", "description": "Find sources", "type": "Step"},
					map[string]any{"name": "write", "description": "Draft the post", "type": "Step"}}}}
		}},
		{"a workflow session without declared steps", "s-301", func(t *testing.T) map[string]any {
			return map[string]any{"__typename": "WorkflowSession", "sessionId": "s-301", "type": "WORKFLOW", "userId": "u-8", "componentId": "blog",
				"createdAt": rfc3339(1757510000), "updatedAt": rfc3339(1757510000),
				"state": nil, "data": map[string]any{}, "metadata": map[string]any{}, "totalTokens": nil, "metrics": nil,
				"workflowId": "blog",
				"workflow":   map[string]any{"name": "Blog Writer", "id": "blog", "raw": col(t, "s-301", "workflow_data"), "steps": []any{}}}
		}},
		{"a legacy session with an empty session_type and updated_at 0 falls back to created_at like Agno", "s-500", func(t *testing.T) map[string]any {
			return map[string]any{"__typename": "AgentSession", "sessionId": "s-500", "type": "AGENT", "userId": "u-10", "componentId": "legacy-agent",
				"createdAt": rfc3339(1757000000), "updatedAt": rfc3339(1757000000),
				"state": nil, "data": map[string]any{"session_name": "Legacy row"}, "metadata": nil, "totalTokens": nil, "metrics": nil,
				"agentId": "legacy-agent", "agent": nil, "summary": nil}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := c.want(t)
			eachBackend(t, bs, func(t *testing.T, b servedBackend) {
				data := mustQuery(t, b.h, `query($s: String!) { session(sessionId: $s) { `+sessionDetail+` } }`, map[string]any{"s": c.session})
				wantEqual(t, "session", data["session"], want)
			})
		})
	}
	t.Run("data, state and metadata of every session pass the stored JSON through", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			data := mustQuery(t, b.h, `{ sessions(first: 100) { nodes { sessionId data state metadata } } }`, nil)
			for _, s := range listAt(t, data, "sessions", "nodes") {
				id := jsonAt(s, "sessionId").(string)
				stored := col(t, id, "session_data")
				wantEqual(t, id+" data", jsonAt(s, "data"), stored)
				wantEqual(t, id+" state", jsonAt(s, "state"), jsonAt(stored, "session_state"))
				wantEqual(t, id+" metadata", jsonAt(s, "metadata"), col(t, id, "metadata"))
			}
		})
	})
}
