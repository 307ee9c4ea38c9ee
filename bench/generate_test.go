package bench_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"sessiongraph/bench"
	"sessiongraph/db"
	"sessiongraph/graph"
	"sessiongraph/httpserver"
	"sessiongraph/internal/agnotest"
	"sessiongraph/models"
)

func TestGenerate(t *testing.T) {
	for _, spec := range []bench.Spec{
		{Sessions: 300, Runs: 5, Messages: 6, Seed: 1},
		{Sessions: 50, Runs: 1, Messages: 4, Seed: 2},
		{Sessions: 50, Runs: 4, Messages: 8, Seed: 3},
		{Sessions: 50, Runs: 3, Messages: 3, Seed: 4},
		{Sessions: 50, Runs: 2, Messages: 1, Seed: 5},
		{Sessions: 50, Runs: 2, Messages: 0, Seed: 6},
	} {
		t.Run(fmt.Sprintf("%d sessions × %d runs × %d messages have exactly those counts in Agno's shapes", spec.Sessions, spec.Runs, spec.Messages), func(t *testing.T) {
			rows := bench.Generate(spec)
			if len(rows) != spec.Sessions {
				t.Fatalf("got %d rows, want %d", len(rows), spec.Sessions)
			}
			kinds, named, ties := map[string]int{}, 0, 0
			ids := map[string]bool{}
			for i, row := range rows {
				if ids[row.SessionID] {
					t.Fatalf("row %d: duplicate session_id %s", i, row.SessionID)
				}
				ids[row.SessionID] = true
				kinds[row.SessionType]++
				if i > 0 {
					if row.CreatedAt < rows[i-1].CreatedAt {
						t.Fatalf("row %d is older than the row before it", i)
					}
					if row.CreatedAt == rows[i-1].CreatedAt {
						ties++
					}
				}
				checkColumns(t, row)
				var data struct {
					SessionName *string `json:"session_name"`
				}
				_ = json.Unmarshal(row.SessionData, &data)
				if data.SessionName != nil {
					named++
				}
				checkRuns(t, spec, row)
			}
			if spec.Sessions >= 300 {
				if kinds["agent"] == 0 || kinds["team"] == 0 || kinds["workflow"] == 0 {
					t.Errorf("session kinds %v: want agent, team and workflow sessions", kinds)
				}
				if named < spec.Sessions/4 || named > spec.Sessions*3/5 {
					t.Errorf("%d of %d sessions have a stored name, want about 40%%", named, spec.Sessions)
				}
				if ties == 0 {
					t.Errorf("no created_at ties among %d sessions", spec.Sessions)
				}
			}
		})
	}
	t.Run("the server reads generated sessions without errors", func(t *testing.T) {
		spec := bench.Spec{Sessions: 30, Runs: 4, Messages: 6, Seed: 8}
		store, err := db.Open(t.Context(), db.Options{URL: filepath.Join(t.TempDir(), "agno.db")})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = store.Close() })
		rows := bench.Generate(spec)
		if err := store.InsertRows(t.Context(), rows, db.DoubleEncoded); err != nil {
			t.Fatal(err)
		}
		handler := agnotest.Serve(graph.Options{}, httpserver.Options{}, store)
		bodies := [][]byte{requestBody(t, bench.QueryNewest, nil), requestBody(t, bench.QueryNested, nil),
			requestBody(t, bench.QueryPage, map[string]any{"after": nil})}
		for _, row := range rows {
			bodies = append(bodies, requestBody(t, bench.QueryTree, map[string]any{"id": row.SessionID}))
		}
		for _, body := range bodies {
			if resp := serve(t, handler, body); bytes.Contains(resp.Bytes(), []byte(`"session":null`)) {
				t.Fatalf("%s: the session is missing: %.300s", body, resp.Bytes())
			}
		}
	})
	t.Run("the same spec gives the same rows", func(t *testing.T) {
		spec := bench.Spec{Sessions: 20, Runs: 3, Messages: 5, Seed: 9}
		if !reflect.DeepEqual(bench.Generate(spec), bench.Generate(spec)) {
			t.Error("two calls differ")
		}
		other := spec
		other.Seed++
		if reflect.DeepEqual(bench.Generate(spec), bench.Generate(other)) {
			t.Error("another seed gives the same rows")
		}
	})
}

// checkColumns checks that every JSON column is SQL NULL or valid JSON and
// that the component id column matches the session type.
func checkColumns(t *testing.T, row models.SessionRow) {
	t.Helper()
	for name, doc := range map[string]json.RawMessage{"session_data": row.SessionData, "agent_data": row.AgentData,
		"team_data": row.TeamData, "workflow_data": row.WorkflowData, "metadata": row.Metadata, "runs": row.Runs, "summary": row.Summary} {
		if doc != nil && !json.Valid(doc) {
			t.Fatalf("session %s: %s is not valid JSON: %.200s", row.SessionID, name, doc)
		}
	}
	ids := map[string]*string{"agent": row.AgentID, "team": row.TeamID, "workflow": row.WorkflowID}
	if ids[row.SessionType] == nil {
		t.Fatalf("session %s of type %q has no component id", row.SessionID, row.SessionType)
	}
}

type storedRun struct {
	RunID            string            `json:"run_id"`
	AgentID          string            `json:"agent_id"`
	TeamID           string            `json:"team_id"`
	WorkflowID       string            `json:"workflow_id"`
	ParentRunID      string            `json:"parent_run_id"`
	Status           string            `json:"status"`
	CreatedAt        *int64            `json:"created_at"`
	Messages         []json.RawMessage `json:"messages"`
	Tools            []map[string]any  `json:"tools"`
	MemberResponses  []json.RawMessage `json:"member_responses"`
	StepResults      []map[string]any  `json:"step_results"`
	StepExecutorRuns []storedRun       `json:"step_executor_runs"`
}

// checkRuns checks the runs array: the exact run and message counts, member
// runs stored before their team run, tool executions with all their keys.
func checkRuns(t *testing.T, spec bench.Spec, row models.SessionRow) {
	t.Helper()
	var runs []storedRun
	if err := json.Unmarshal(row.Runs, &runs); err != nil {
		t.Fatalf("session %s: runs: %v", row.SessionID, err)
	}
	if len(runs) != spec.Runs {
		t.Fatalf("session %s has %d runs, want %d", row.SessionID, len(runs), spec.Runs)
	}
	seen := map[string]bool{}
	for _, r := range runs {
		if r.RunID == "" || r.CreatedAt == nil || r.Status == "" {
			t.Fatalf("session %s: a run lacks run_id, created_at or status", row.SessionID)
		}
		messages := len(r.Messages)
		switch row.SessionType {
		case "agent":
			if r.AgentID == "" || r.ParentRunID != "" {
				t.Fatalf("session %s: agent session run %s is not a top-level agent run", row.SessionID, r.RunID)
			}
		case "team":
			if r.AgentID != "" {
				if r.ParentRunID == "" || seen[r.ParentRunID] {
					t.Fatalf("session %s: member run %s is not stored before its team run %q", row.SessionID, r.RunID, r.ParentRunID)
				}
			} else if r.TeamID == "" || r.MemberResponses == nil {
				t.Fatalf("session %s: team run %s lacks team_id or member_responses", row.SessionID, r.RunID)
			}
		case "workflow":
			if r.WorkflowID == "" || messages != 0 || len(r.StepExecutorRuns) != 1 || len(r.StepResults) == 0 {
				t.Fatalf("session %s: workflow run %s lacks its step results and step run", row.SessionID, r.RunID)
			}
			step := r.StepExecutorRuns[0]
			if step.ParentRunID != r.RunID || step.AgentID == "" {
				t.Fatalf("session %s: step run of %s does not point at it", row.SessionID, r.RunID)
			}
			messages = len(step.Messages)
			checkTools(t, row.SessionID, step.Tools)
		}
		if messages != spec.Messages {
			t.Fatalf("session %s: run %s has %d messages, want %d", row.SessionID, r.RunID, messages, spec.Messages)
		}
		checkTools(t, row.SessionID, r.Tools)
		seen[r.RunID] = true
	}
	for _, r := range runs {
		if r.ParentRunID != "" && !seen[r.ParentRunID] {
			t.Fatalf("session %s: member run %s points at a missing team run", row.SessionID, r.RunID)
		}
	}
}

// toolKeys are the keys ToolExecution.to_dict always writes.
var toolKeys = []string{"tool_call_id", "tool_name", "tool_args", "tool_call_error", "result", "metrics",
	"child_run_id", "stop_after_tool_call", "created_at", "requires_confirmation", "confirmed",
	"confirmation_note", "requires_user_input", "user_input_schema", "user_feedback_schema", "answered",
	"external_execution_required", "external_execution_silent", "approval_type", "approval_id"}

func checkTools(t *testing.T, sessionID string, tools []map[string]any) {
	t.Helper()
	for _, tool := range tools {
		for _, k := range toolKeys {
			if _, ok := tool[k]; !ok {
				t.Fatalf("session %s: tool %v lacks %q", sessionID, tool["tool_name"], k)
			}
		}
	}
}
