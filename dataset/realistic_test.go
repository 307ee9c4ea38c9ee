package dataset

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"sessiongraph/models"
)

var testNow = time.Date(2025, 11, 20, 12, 0, 0, 0, time.UTC)

func TestGenerateIsDeterministic(t *testing.T) {
	tests := []struct {
		name         string
		seedA, seedB int64
		same         bool
	}{
		{"the same seed gives identical rows", 1, 1, true},
		{"a different seed gives different rows", 1, 2, false},
		{"a negative seed works like any other", -7, -7, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := Generate(Realistic(tt.seedA, 120, testNow)), Generate(Realistic(tt.seedB, 120, testNow))
			if got := reflect.DeepEqual(a, b); got != tt.same {
				t.Fatalf("rows equal = %v, want %v", got, tt.same)
			}
		})
	}
}

func TestGenerateReturnsNRows(t *testing.T) {
	for _, n := range []int{0, 1, 7, 200} {
		if got := len(Generate(Realistic(3, n, testNow))); got != n {
			t.Errorf("Realistic(3, %d) has %d sessions", n, got)
		}
	}
}

// decoded is a generated row with its runs parsed.
type decoded struct {
	row     models.SessionRow
	runs    []map[string]any
	runRows []models.RunRow
}

func generateDecoded(t *testing.T, seed int64, n int) []decoded {
	t.Helper()
	var out []decoded
	for _, s := range Generate(Realistic(seed, n, testNow)) {
		d := decoded{row: s.Row, runRows: s.Runs}
		if s.Row.Runs != nil {
			if err := json.Unmarshal(s.Row.Runs, &d.runs); err != nil {
				t.Fatalf("session %s: runs: %v", s.Row.SessionID, err)
			}
		}
		out = append(out, d)
	}
	return out
}

// everyRun calls f for each run of a session: top-level runs and the runs
// nested in member_responses and step_executor_runs.
func everyRun(runs []map[string]any, f func(run map[string]any)) {
	for _, run := range runs {
		f(run)
		everyRun(objects(run["member_responses"]), f)
		everyRun(objects(run["step_executor_runs"]), f)
	}
}

func objects(v any) []map[string]any {
	list, _ := v.([]any)
	out := make([]map[string]any, 0, len(list))
	for _, item := range list {
		if m, ok := item.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

func TestGeneratedRows(t *testing.T) {
	rows := generateDecoded(t, 1, 200)
	componentID := map[string]func(models.SessionRow) *string{
		kindAgent:    func(r models.SessionRow) *string { return r.AgentID },
		kindTeam:     func(r models.SessionRow) *string { return r.TeamID },
		kindWorkflow: func(r models.SessionRow) *string { return r.WorkflowID },
	}

	tests := []struct {
		name  string
		check func(t *testing.T, d decoded)
	}{
		{"every row has a valid session type and only the matching component id", func(t *testing.T, d decoded) {
			get, ok := componentID[d.row.SessionType]
			if !ok {
				t.Fatalf("session_type %q", d.row.SessionType)
			}
			for kind, other := range componentID {
				id := other(d.row)
				if want := kind == d.row.SessionType; (id != nil && *id != "") != want {
					t.Errorf("%s session: %s id = %v", d.row.SessionType, kind, id)
				}
			}
			if get(d.row) == nil {
				t.Errorf("no component id")
			}
		}},
		{"every JSON column is SQL NULL, JSON null or a valid document", func(t *testing.T, d decoded) {
			columns := map[string]json.RawMessage{
				"session_data": d.row.SessionData, "agent_data": d.row.AgentData, "team_data": d.row.TeamData,
				"workflow_data": d.row.WorkflowData, "metadata": d.row.Metadata, "runs": d.row.Runs, "summary": d.row.Summary,
			}
			for name, v := range columns {
				if v != nil && !json.Valid(v) {
					t.Errorf("%s is not valid JSON: %.80s", name, v)
				}
			}
		}},
		{"created_at is not after updated_at and both lie in the 90 days before now", func(t *testing.T, d decoded) {
			oldest := testNow.Add(-90 * 24 * time.Hour).Unix()
			if d.row.CreatedAt < oldest || d.row.CreatedAt > testNow.Unix() {
				t.Errorf("created_at %d outside [%d, %d]", d.row.CreatedAt, oldest, testNow.Unix())
			}
			if u := d.row.UpdatedAt; u != nil && (*u < d.row.CreatedAt || *u > testNow.Unix()) {
				t.Errorf("updated_at %d, created_at %d", *u, d.row.CreatedAt)
			}
		}},
		{"every run has a run_id, status, created_at and content_type", func(t *testing.T, d decoded) {
			everyRun(d.runs, func(run map[string]any) {
				for _, key := range []string{"run_id", "status", "created_at", "content_type"} {
					if _, ok := run[key]; !ok {
						t.Errorf("run %v has no %s", run["run_id"], key)
					}
				}
				if at, _ := run["created_at"].(float64); int64(at) < d.row.CreatedAt || int64(at) > testNow.Unix() {
					t.Errorf("run %v created_at %v outside the session", run["run_id"], run["created_at"])
				}
			})
		}},
		{"the runs-table rows are the runs array's elements, as Agno 3's migration splits it", func(t *testing.T, d decoded) {
			checkRunRows(t, Session{Row: d.row, Runs: d.runRows})
		}},
		{"every run belongs to the session", func(t *testing.T, d decoded) {
			everyRun(d.runs, func(run map[string]any) {
				if str(run, "session_id") != d.row.SessionID {
					t.Errorf("run %v has session_id %v", run["run_id"], run["session_id"])
				}
				if user := str(run, "user_id"); d.row.UserID == nil && user != "" || d.row.UserID != nil && user != *d.row.UserID {
					t.Errorf("run %v has user_id %q", run["run_id"], user)
				}
			})
		}},
		{"team member runs point at a team run of the session that comes later", func(t *testing.T, d decoded) {
			if d.row.SessionType != kindTeam {
				return
			}
			for i, run := range d.runs {
				parent := str(run, "parent_run_id")
				if parent == "" {
					if str(run, "team_id") == "" {
						t.Errorf("top-level run %v is not a team run", run["run_id"])
					}
					continue
				}
				found := false
				for _, later := range d.runs[i+1:] {
					found = found || str(later, "run_id") == parent && str(later, "team_id") != ""
				}
				if !found || str(run, "agent_id") == "" {
					t.Errorf("member run %v: parent %s is not a later team run", run["run_id"], parent)
				}
			}
		}},
		{"every delegated child_run_id is a member run of the session", func(t *testing.T, d decoded) {
			ids := map[string]bool{}
			for _, run := range d.runs {
				ids[str(run, "run_id")] = true
			}
			for _, run := range d.runs {
				for _, tool := range objects(run["tools"]) {
					if str(tool, "tool_name") != "delegate_task_to_member" {
						continue
					}
					if child := str(tool, "child_run_id"); !ids[child] {
						t.Errorf("team run %v delegates to missing run %q", run["run_id"], child)
					}
				}
			}
		}},
		{"workflow step executor runs belong to their workflow run", func(t *testing.T, d decoded) {
			if d.row.SessionType != kindWorkflow {
				return
			}
			for _, run := range d.runs {
				if str(run, "workflow_id") == "" {
					t.Errorf("run %v in a workflow session has no workflow_id", run["run_id"])
				}
				if _, ok := run["messages"]; ok {
					t.Errorf("workflow run %v has messages", run["run_id"])
				}
				for _, step := range objects(run["step_executor_runs"]) {
					if str(step, "parent_run_id") != str(run, "run_id") || str(step, "workflow_step_id") == "" ||
						str(step, "agent_id") == "" || str(step, "workflow_id") != str(run, "workflow_id") {
						t.Errorf("step run %v: parent %v, step %v, agent %v, workflow %v", step["run_id"],
							step["parent_run_id"], step["workflow_step_id"], step["agent_id"], step["workflow_id"])
					}
				}
			}
		}},
		{"tool executions and step outputs keep their null keys", func(t *testing.T, d decoded) {
			everyRun(d.runs, func(run map[string]any) {
				for _, tool := range objects(run["tools"]) {
					if len(tool) != 20 {
						t.Errorf("tool execution has %d keys, want 20", len(tool))
					}
				}
				for _, step := range objects(run["step_results"]) {
					if len(step) != 16 {
						t.Errorf("step output has %d keys, want 16", len(step))
					}
				}
			})
		}},
		{"session metrics add up the tokens of the runs", func(t *testing.T, d decoded) {
			if d.row.SessionType == kindWorkflow || len(d.runs) == 0 {
				return
			}
			var data struct {
				SessionMetrics struct {
					TotalTokens int `json:"total_tokens"`
				} `json:"session_metrics"`
			}
			if err := json.Unmarshal(d.row.SessionData, &data); err != nil {
				t.Fatal(err)
			}
			sum := 0
			for _, run := range d.runs {
				metrics, _ := run["metrics"].(map[string]any)
				total, _ := metrics["total_tokens"].(float64)
				sum += int(total)
			}
			if sum != data.SessionMetrics.TotalTokens {
				t.Errorf("session total_tokens %d, runs sum to %d", data.SessionMetrics.TotalTokens, sum)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, d := range rows {
				tt.check(t, d)
				if t.Failed() {
					t.Fatalf("in session %s (%s)", d.row.SessionID, d.row.SessionType)
				}
			}
		})
	}
}

func TestGeneratedRowsAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range generateDecoded(t, 1, 200) {
		ids := []string{d.row.SessionID}
		for _, run := range d.runs {
			ids = append(ids, str(run, "run_id"))
		}
		for _, id := range ids {
			if seen[id] {
				t.Fatalf("id %s used twice", id)
			}
			seen[id] = true
		}
	}
}

func TestGeneratedRowsCoverTheRareShapes(t *testing.T) {
	rows := generateDecoded(t, 1, 200)
	anyRun := func(pred func(map[string]any) bool) func(decoded) bool {
		return func(d decoded) bool {
			found := false
			everyRun(d.runs, func(run map[string]any) { found = found || pred(run) })
			return found
		}
	}
	status := func(s string) func(decoded) bool {
		return anyRun(func(run map[string]any) bool { return run["status"] == s })
	}
	tests := []struct {
		name string
		has  func(decoded) bool
	}{
		{"an agent session", func(d decoded) bool { return d.row.SessionType == kindAgent }},
		{"a team session", func(d decoded) bool { return d.row.SessionType == kindTeam }},
		{"a workflow session", func(d decoded) bool { return d.row.SessionType == kindWorkflow }},
		{"a session without a user", func(d decoded) bool { return d.row.UserID == nil }},
		{"runs that are SQL NULL", func(d decoded) bool { return d.row.Runs == nil }},
		{"runs that are JSON null", func(d decoded) bool { return string(d.row.Runs) == "null" }},
		{"a legacy row without updated_at", func(d decoded) bool { return d.row.UpdatedAt == nil }},
		{"metadata that is SQL NULL", func(d decoded) bool { return d.row.Metadata == nil }},
		{"metadata that is JSON null", func(d decoded) bool { return string(d.row.Metadata) == "null" }},
		{"a session summary", func(d decoded) bool { return strings.HasPrefix(string(d.row.Summary), `{"summary"`) }},
		{"a summary that is JSON null", func(d decoded) bool { return string(d.row.Summary) == "null" }},
		{"a stored session name", func(d decoded) bool { return strings.Contains(string(d.row.SessionData), `"session_name"`) }},
		{"a session state", func(d decoded) bool { return strings.Contains(string(d.row.SessionData), `"session_state"`) }},
		{"replayed history messages", anyRun(func(run map[string]any) bool {
			for _, m := range objects(run["messages"]) {
				if m["from_history"] == true {
					return true
				}
			}
			return false
		})},
		{"a failed run", status(statusError)},
		{"a cancelled run", status(statusCancelled)},
		{"a paused run", status(statusPaused)},
		{"a structured output", anyRun(func(run map[string]any) bool { return run["content_type"] != "str" })},
		{"stored events", anyRun(func(run map[string]any) bool { return run["events"] != nil })},
		{"a failed tool call", anyRun(func(run map[string]any) bool {
			for _, tool := range objects(run["tools"]) {
				if tool["tool_call_error"] == true {
					return true
				}
			}
			return false
		})},
		{"member responses stored on the team run", anyRun(func(run map[string]any) bool { return len(objects(run["member_responses"])) > 0 })},
		{"a workflow run without input", func(d decoded) bool {
			for _, run := range d.runs {
				if _, ok := run["input"]; !ok && d.row.SessionType == kindWorkflow {
					return true
				}
			}
			return false
		}},
		{"a workflow run with an object input", anyRun(func(run map[string]any) bool {
			_, ok := run["input"].(map[string]any)
			return ok && run["workflow_id"] != nil && run["parent_run_id"] == nil
		})},
		{"non-ASCII text", func(d decoded) bool {
			for _, r := range string(d.row.Runs) {
				if r > 0x3000 {
					return true
				}
			}
			return false
		}},
	}
	for _, tt := range tests {
		t.Run("Realistic(1, 200) has "+tt.name, func(t *testing.T) {
			for _, d := range rows {
				if tt.has(d) {
					return
				}
			}
			t.Error("none found")
		})
	}
}

func TestSessionKindsFollowTheIntendedMix(t *testing.T) {
	counts := map[string]int{}
	rows := Rows(Realistic(1, 1000, testNow))
	for _, row := range rows {
		counts[row.SessionType]++
	}
	want := map[string]float64{kindAgent: 0.55, kindTeam: 0.25, kindWorkflow: 0.20}
	for kind, share := range want {
		if got := float64(counts[kind]) / float64(len(rows)); got < share-0.06 || got > share+0.06 {
			t.Errorf("%s sessions are %.0f%% of the rows, want about %.0f%%", kind, 100*got, 100*share)
		}
	}
}

func BenchmarkRealistic1000(b *testing.B) {
	for b.Loop() {
		Generate(Realistic(1, 1000, testNow))
	}
}
