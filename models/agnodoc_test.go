package models_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"sessiongraph/models"
)

func TestDocumentsAreAgnosShapes(t *testing.T) {
	no, result, child := false, "sunny", "r-member"
	tool := &models.ToolExecutionDoc{ToolCallID: "call_1", ToolName: "get_weather", ToolArgs: json.RawMessage(`{"city":"Perth"}`),
		ToolCallError: &no, Result: &result, Metrics: &models.ToolMetricsDoc{StartTime: 1767596447.25, EndTime: 1767596448, Duration: 0.75},
		ChildRunID: &child, CreatedAt: 1767596447}
	metrics := &models.RunMetricsDoc{TokenCounts: models.TokenCounts{InputTokens: 15, OutputTokens: 13, TotalTokens: 28},
		TimeToFirstToken: 0.5, Duration: 2, Details: []models.ModelMetricsDoc{{TokenCounts: models.TokenCounts{InputTokens: 15, OutputTokens: 13, TotalTokens: 28}, ID: "gpt-4o", Provider: "OpenAI"}}}
	name := "Trip <Perth> & back"
	for _, c := range []struct {
		name string
		doc  interface{ AppendJSON([]byte) []byte }
		want string
	}{
		{"an agent run keeps to_dict's order and drops what is None",
			&models.AgentRunDoc{RunID: "r1", AgentID: "a", AgentName: "A", SessionID: "s", UserID: "u", Content: "It is sunny.",
				ContentType: "str", Model: "gpt-4o", ModelProvider: "OpenAI", CreatedAt: 1767596447, Status: "COMPLETED", Metrics: metrics,
				Messages: []models.MessageDoc{
					{ID: "m1", Role: "user", Content: "Weather?", CreatedAt: 1767596447},
					{ID: "m2", Role: "assistant", ToolCalls: []models.ToolCallDoc{{ID: "call_1", Name: "get_weather", Arguments: `{"city":"Perth"}`}},
						Metrics: &models.MessageMetricsDoc{TokenCounts: models.TokenCounts{InputTokens: 6, OutputTokens: 3, TotalTokens: 9}, Duration: 0.25}, CreatedAt: 1767596447},
					{ID: "m3", Role: "tool", Content: "sunny", ToolCallID: "call_1", ToolName: "get_weather", ToolArgs: json.RawMessage(`{"city":"Perth"}`), ToolCallError: &no, CreatedAt: 1767596448},
				},
				Input: "Weather?"},
			`{"run_id":"r1","agent_id":"a","agent_name":"A","session_id":"s","user_id":"u","content":"It is sunny.","content_type":"str","model":"gpt-4o","model_provider":"OpenAI","created_at":1767596447,"status":"COMPLETED",` +
				`"metrics":{"input_tokens":15,"output_tokens":13,"total_tokens":28,"time_to_first_token":0.5,"duration":2.0,"details":{"model":[{"input_tokens":15,"output_tokens":13,"total_tokens":28,"id":"gpt-4o","provider":"OpenAI"}]}},` +
				`"messages":[{"id":"m1","content":"Weather?","from_history":false,"stop_after_tool_call":false,"role":"user","created_at":1767596447},` +
				`{"id":"m2","from_history":false,"stop_after_tool_call":false,"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Perth\"}"}}],"metrics":{"input_tokens":6,"output_tokens":3,"total_tokens":9,"duration":0.25},"created_at":1767596447},` +
				`{"id":"m3","content":"sunny","from_history":false,"stop_after_tool_call":false,"role":"tool","tool_call_id":"call_1","tool_name":"get_weather","tool_args":{"city":"Perth"},"tool_call_error":false,"created_at":1767596448}],` +
				`"input":{"input_content":"Weather?"}}`},
		{"a team run always has member_responses and keeps every key of its tool executions",
			&models.TeamRunDoc{RunID: "r2", TeamID: "t", TeamName: "T", SessionID: "s", Input: "Go", ContentType: "str", CreatedAt: 5, Status: "ERROR",
				Tools: []models.ToolExecutionDoc{*tool}},
			`{"run_id":"r2","team_id":"t","team_name":"T","session_id":"s","input":{"input_content":"Go"},"content_type":"str","member_responses":[],"created_at":5,"status":"ERROR",` +
				`"tools":[{"tool_call_id":"call_1","tool_name":"get_weather","tool_args":{"city":"Perth"},"tool_call_error":false,"result":"sunny","metrics":{"start_time":1767596447.25,"end_time":1767596448.0,"duration":0.75},` +
				`"child_run_id":"r-member","stop_after_tool_call":false,"created_at":1767596447,"requires_confirmation":null,"confirmed":null,"confirmation_note":null,"requires_user_input":null,` +
				`"user_input_schema":null,"user_feedback_schema":null,"answered":null,"external_execution_required":null,"external_execution_silent":null,"approval_type":null,"approval_id":null}]}`},
		{"a workflow run keeps its step outputs' nulls and keys its step metrics by name",
			&models.WorkflowRunDoc{Input: json.RawMessage(`{"topic":"x"}`), Content: "done", ContentType: "str", WorkflowID: "w", WorkflowName: "W", RunID: "r3", CreatedAt: 7, Status: "COMPLETED",
				StepResults: []models.StepOutputDoc{{Content: "done", StepName: "route", StepID: "st", StepType: "Step", ExecutorType: "function", ExecutorName: "route", Success: true}},
				Metrics:     &models.WorkflowMetricsDoc{Steps: []models.StepMetricsDoc{{StepName: "route", ExecutorType: "function", ExecutorName: "route"}}}},
			`{"input":{"topic":"x"},"content":"done","content_type":"str","workflow_id":"w","workflow_name":"W","run_id":"r3","created_at":7,"status":"COMPLETED",` +
				`"step_results":[{"content":"done","step_name":"route","step_id":"st","step_type":"Step","executor_type":"function","executor_name":"route","step_run_id":null,"images":null,"videos":null,"audio":null,"files":null,"metrics":null,"success":true,"error":null,"stop":false,"is_paused":false}],` +
				`"metrics":{"steps":{"route":{"step_name":"route","executor_type":"function","executor_name":"route","metrics":null}},"duration":null}}`},
		{"session_data has state, metrics and name in Agno's order; text is not HTML-escaped",
			&models.SessionDataDoc{State: json.RawMessage(`{"cart":[]}`), Metrics: &models.SessionMetricsDoc{TokenCounts: models.TokenCounts{TotalTokens: 3, Cost: 0.25}}, Name: &name},
			`{"session_state":{"cart":[]},"session_metrics":{"total_tokens":3,"cost":0.25},"session_name":"Trip <Perth> & back"}`},
		{"agent_data", &models.ComponentDataDoc{Name: "A", AgentID: "a", Model: &models.ModelDoc{ID: "gpt-4o", Name: "OpenAIChat", Provider: "OpenAI"}},
			`{"name":"A","agent_id":"a","model":{"id":"gpt-4o","name":"OpenAIChat","provider":"OpenAI"}}`},
		{"workflow_data", &models.WorkflowDataDoc{WorkflowID: "w", Name: "W", Steps: []models.WorkflowStepDataDoc{{Name: "route", Type: "Step"}}},
			`{"workflow_id":"w","name":"W","steps":[{"name":"route","description":null,"type":"Step"}]}`},
		{"a summary", &models.SessionSummaryDoc{Summary: "Café \"ok\"\n", Topics: []string{"a"}, UpdatedAt: "2025-09-05T16:02:09"},
			`{"summary":"Café \"ok\"\n","topics":["a"],"updated_at":"2025-09-05T16:02:09"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := c.doc.AppendJSON(nil)
			if string(got) != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
			if !json.Valid(got) {
				t.Error("not valid JSON")
			}
		})
	}
}

func TestFloatsPrintAsPython(t *testing.T) {
	for f, want := range map[float64]string{1: "1.0", 0: "0.0", 0.1: "0.1", 2.5e-05: "2.5e-05", 0.0001: "0.0001", 1e16: "1e+16",
		9999999999999998: "9999999999999998.0", 1767596447.0107017: "1767596447.0107017", -3: "-3.0"} {
		m := &models.RunMetricsDoc{Duration: f}
		run := (&models.AgentRunDoc{RunID: "r", Metrics: m}).AppendJSON(nil)
		var got struct {
			Metrics map[string]json.RawMessage `json:"metrics"`
		}
		if err := json.Unmarshal(run, &got); err != nil {
			t.Fatal(err)
		}
		if f == 0 {
			if _, ok := got.Metrics["duration"]; ok {
				t.Errorf("a zero duration is written: %s", run)
			}
			continue
		}
		if s := string(got.Metrics["duration"]); s != want {
			t.Errorf("%v prints as %s, want %s", f, s, want)
		}
	}
}

func TestRunsBuilderGivesBothLayoutsTheSameRuns(t *testing.T) {
	owner := "ana"
	b := models.NewRunsBuilder(&owner)
	member := &models.AgentRunDoc{RunID: "m", AgentID: "a", SessionID: "s", ParentRunID: "t", UserID: "someone else", ContentType: "str", CreatedAt: 10, Status: "COMPLETED"}
	b.AddAgentRun(member, 12)
	b.AddTeamRun(&models.TeamRunDoc{RunID: "t", TeamID: "team", SessionID: "s", ContentType: "str", CreatedAt: 9, Status: "ERROR", MemberResponses: []*models.AgentRunDoc{member}}, 14)
	b.AddWorkflowRun(&models.WorkflowRunDoc{RunID: "w", WorkflowID: "wf", SessionID: "s", ContentType: "str", CreatedAt: 20, Status: "PAUSED"}, 21)
	array, rows := b.Finish()
	if !json.Valid(array) {
		t.Fatalf("runs array %s", array)
	}
	fromArray, err := models.RunRowsOf(models.SessionRow{SessionID: "s", UserID: &owner, Runs: array, CreatedAt: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || len(fromArray) != 3 {
		t.Fatalf("%d rows, %d from the array", len(rows), len(fromArray))
	}
	for i := range rows {
		got, want := rows[i], fromArray[i]
		if *got.UpdatedAt != []int64{12, 14, 21}[i] {
			t.Errorf("run %d updated_at %d", i, *got.UpdatedAt)
		}
		got.UpdatedAt, want.UpdatedAt = nil, nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("run %d:\n got  %+v\n want %+v (as Agno 3's migration splits the array)", i, got, want)
		}
	}
}

func TestPythonNaiveISOFormat(t *testing.T) {
	at := time.Date(2025, 9, 5, 16, 2, 9, 120000000, time.FixedZone("x", 3600))
	if got := models.PythonNaiveISOFormat(at); got != "2025-09-05T16:02:09.120000" {
		t.Errorf("got %s", got)
	}
}
