package dataset

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"sessiongraph/models"
)

func TestExact(t *testing.T) {
	for _, p := range []Exact{
		{Sessions: 300, Runs: 5, Messages: 6, Seed: 1},
		{Sessions: 300, Runs: 1, Messages: 4, Seed: 2},
		{Sessions: 50, Runs: 4, Messages: 8, Seed: 3},
		{Sessions: 50, Runs: 3, Messages: 3, Seed: 4},
		{Sessions: 50, Runs: 2, Messages: 1, Seed: 5},
		{Sessions: 50, Runs: 2, Messages: 0, Seed: 6},
		{Sessions: 50, Runs: 6, Messages: 5, Seed: 7},
		{Sessions: 40, Runs: 2, Messages: 4, Seed: 8, LongSession: 300},
	} {
		t.Run(fmt.Sprintf("%d sessions × %d runs × %d messages have exactly those counts in Agno's shapes", p.Sessions, p.Runs, p.Messages), func(t *testing.T) {
			sessions := Generate(p)
			if len(sessions) != p.Sessions {
				t.Fatalf("got %d sessions, want %d", len(sessions), p.Sessions)
			}
			kinds, named, ties := map[string]int{}, 0, 0
			ids := map[string]bool{}
			for i, s := range sessions {
				row := s.Row
				if ids[row.SessionID] {
					t.Fatalf("session %d: duplicate session_id %s", i, row.SessionID)
				}
				ids[row.SessionID] = true
				kinds[row.SessionType]++
				if row.CreatedAt != p.CreatedAt(i) {
					t.Fatalf("session %d: created_at %d, CreatedAt says %d", i, row.CreatedAt, p.CreatedAt(i))
				}
				if i > 0 {
					if row.CreatedAt < sessions[i-1].Row.CreatedAt {
						t.Fatalf("session %d is older than the session before it", i)
					}
					if row.CreatedAt == sessions[i-1].Row.CreatedAt {
						ties++
					}
				}
				checkColumns(t, row)
				var data struct {
					SessionName *string `json:"session_name"`
				}
				if err := json.Unmarshal(row.SessionData, &data); err != nil {
					t.Fatal(err)
				}
				if data.SessionName != nil {
					named++
				}
				runs := p.Runs
				if i == p.LongSessionIndex() {
					runs = p.LongSession
					if row.SessionType != "agent" {
						t.Fatalf("the long session %d is a %s session, want an agent session", i, row.SessionType)
					}
				}
				checkExactRuns(t, p, runs, row)
				checkRunRows(t, s)
			}
			if p.Sessions >= 300 {
				if kinds["agent"] == 0 || kinds["team"] == 0 || kinds["workflow"] == 0 {
					t.Errorf("session kinds %v: want agent, team and workflow sessions", kinds)
				}
				if named < p.Sessions/4 || named > p.Sessions*3/5 {
					t.Errorf("%d of %d sessions have a stored name, want about 40%%", named, p.Sessions)
				}
				if ties == 0 {
					t.Errorf("no created_at ties among %d sessions", p.Sessions)
				}
			}
		})
	}
	t.Run("a long session changes only itself, and some runs end in ERROR", func(t *testing.T) {
		p := Exact{Sessions: 30, Runs: 3, Messages: 4, Seed: 10}
		long := p
		long.LongSession = 500
		if got := long.LongSessionIndex(); got != 15 {
			t.Fatalf("LongSessionIndex = %d, want 15", got)
		}
		if got := p.LongSessionIndex(); got != -1 {
			t.Fatalf("LongSessionIndex without a long session = %d, want -1", got)
		}
		plain, withLong := Generate(p), Generate(long)
		for i := range plain {
			if i != 15 && !reflect.DeepEqual(plain[i], withLong[i]) {
				t.Fatalf("session %d differs when session 15 is long", i)
			}
		}
		errors := 0
		for _, r := range withLong[15].Runs {
			if r.Status != nil && *r.Status == "ERROR" {
				errors++
			}
		}
		if len(withLong[15].Runs) != 500 || errors == 0 || errors > 50 {
			t.Errorf("the long session has %d runs, %d of them ERROR; want 500, about 2%% ERROR", len(withLong[15].Runs), errors)
		}
	})
	t.Run("the same Exact gives the same sessions, another seed others", func(t *testing.T) {
		p := Exact{Sessions: 20, Runs: 3, Messages: 5, Seed: 9}
		if !reflect.DeepEqual(Generate(p), Generate(p)) {
			t.Error("two calls differ")
		}
		if !reflect.DeepEqual(p.Session(7), Generate(p)[7]) {
			t.Error("Session(7) differs from the seventh session of Generate")
		}
		other := p
		other.Seed++
		if reflect.DeepEqual(Generate(p), Generate(other)) {
			t.Error("another seed gives the same sessions")
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

// checkExactRuns checks the runs array: the exact run and message counts,
// member runs stored before their team run, tool executions with all their keys.
func checkExactRuns(t *testing.T, p Exact, want int, row models.SessionRow) {
	t.Helper()
	var runs []storedRun
	if err := json.Unmarshal(row.Runs, &runs); err != nil {
		t.Fatalf("session %s: runs: %v", row.SessionID, err)
	}
	if len(runs) != want {
		t.Fatalf("session %s has %d runs, want %d", row.SessionID, len(runs), want)
	}
	seen := map[string]bool{}
	for i, r := range runs {
		if r.RunID == "" || r.CreatedAt == nil || r.Status == "" {
			t.Fatalf("session %s: a run lacks run_id, created_at or status", row.SessionID)
		}
		counted := []storedRun{r}
		switch row.SessionType {
		case "agent":
			if r.AgentID == "" || r.ParentRunID != "" {
				t.Fatalf("session %s: agent session run %s is not a top-level agent run", row.SessionID, r.RunID)
			}
		case "team":
			if r.AgentID != "" {
				if r.ParentRunID == "" || i+1 == len(runs) || runs[i+1].RunID != r.ParentRunID {
					t.Fatalf("session %s: member run %s is not stored just before its team run %q", row.SessionID, r.RunID, r.ParentRunID)
				}
			} else if r.TeamID == "" || r.MemberResponses == nil {
				t.Fatalf("session %s: team run %s lacks team_id or member_responses", row.SessionID, r.RunID)
			}
		case "workflow":
			if r.WorkflowID == "" || len(r.Messages) != 0 || len(r.StepExecutorRuns) == 0 || len(r.StepResults) == 0 {
				t.Fatalf("session %s: workflow run %s lacks its step results and step runs", row.SessionID, r.RunID)
			}
			counted = r.StepExecutorRuns
			for _, step := range r.StepExecutorRuns {
				if step.ParentRunID != r.RunID || step.AgentID == "" {
					t.Fatalf("session %s: step run of %s does not point at it", row.SessionID, r.RunID)
				}
			}
		}
		for _, c := range counted {
			if len(c.Messages) != p.Messages {
				t.Fatalf("session %s: run %s has %d messages, want %d", row.SessionID, c.RunID, len(c.Messages), p.Messages)
			}
			checkTools(t, row.SessionID, c.Tools)
		}
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

func BenchmarkExact(b *testing.B) {
	p := Exact{Sessions: 1000, Runs: 5, Messages: 6, Seed: 1}
	var bytes int
	for b.Loop() {
		for i := range p.Sessions {
			s := p.Session(i)
			bytes += len(s.Row.Runs) + len(s.Row.SessionData)
		}
	}
	b.ReportMetric(float64(bytes)/b.Elapsed().Seconds()/1e6, "MB/s")
}
