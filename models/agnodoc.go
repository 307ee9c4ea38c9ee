package models

import (
	"encoding/json"
	"math"
	"time"
)

// Agno's stored documents, for writing them: a run (one element of Agno 2's
// runs column, the run_data of Agno 3's runs table) with its messages, tool
// executions, events and metrics, and the JSON columns of the sessions
// table. Each type mirrors the to_dict() of the Agno 2.9 class it names
// (agno/run/agent.py, run/team.py, run/workflow.py, models/message.py,
// models/response.py, metrics.py, workflow/types.py, session/summary.py):
// AppendJSON writes the keys in that dict's order, leaves out what to_dict
// drops when it is None (here an empty string, a nil pointer, slice or
// value, a zero counter) and writes null where to_dict keeps None. Values
// of the application's making (content, inputs, session state, metadata,
// tool arguments) are given as a string or as encoded JSON
// (json.RawMessage); see docWriter.value for anything else.

// TokenCounts are the token counters of Agno's metrics classes; to_dict
// drops the zero ones (and a None cost).
type TokenCounts struct {
	InputTokens     int
	OutputTokens    int
	TotalTokens     int
	CacheReadTokens int
	Cost            float64 // USD
}

// Add adds o's counters to c; the cost is kept to 8 decimal places, so that
// sums do not print float noise.
func (c *TokenCounts) Add(o TokenCounts) {
	c.InputTokens += o.InputTokens
	c.OutputTokens += o.OutputTokens
	c.TotalTokens += o.TotalTokens
	c.CacheReadTokens += o.CacheReadTokens
	c.Cost = math.Round((c.Cost+o.Cost)*1e8) / 1e8
}

func (c *TokenCounts) write(w *docWriter) {
	for _, k := range [...]struct {
		key string
		n   int
	}{{"input_tokens", c.InputTokens}, {"output_tokens", c.OutputTokens}, {"total_tokens", c.TotalTokens}, {"cache_read_tokens", c.CacheReadTokens}} {
		if k.n != 0 {
			w.kint(k.key, int64(k.n))
		}
	}
	w.kfloatOmit("cost", c.Cost)
}

// ModelMetricsDoc is ModelMetrics.to_dict: one model's share of a run's or
// a session's metrics (counters first, then id and provider).
type ModelMetricsDoc struct {
	TokenCounts
	ID       string
	Provider string
}

// writeDetails writes the details dict, keyed by model role ("model" only).
func writeDetails(w *docWriter, details []ModelMetricsDoc) {
	if len(details) == 0 {
		return
	}
	w.key("details")
	w.obj()
	w.key("model")
	w.arr()
	for i := range details {
		d := &details[i]
		w.obj()
		d.TokenCounts.write(w)
		w.kstr("id", d.ID)
		w.kstr("provider", d.Provider)
		w.endObj()
	}
	w.endArr()
	w.endObj()
}

// MergeModelMetrics adds from's entries to into, per (provider, id), as
// Agno merges metrics details.
func MergeModelMetrics(into, from []ModelMetricsDoc) []ModelMetricsDoc {
	for _, m := range from {
		found := false
		for i := range into {
			if into[i].ID == m.ID && into[i].Provider == m.Provider {
				into[i].Add(m.TokenCounts)
				found = true
				break
			}
		}
		if !found {
			into = append(into, m)
		}
	}
	return into
}

// MessageMetricsDoc is MessageMetrics.to_dict: one model request's metrics.
type MessageMetricsDoc struct {
	TokenCounts
	Duration         float64 // seconds
	TimeToFirstToken float64 // seconds
}

func (m *MessageMetricsDoc) write(w *docWriter) {
	w.obj()
	m.TokenCounts.write(w)
	w.kfloatOmit("duration", m.Duration)
	w.kfloatOmit("time_to_first_token", m.TimeToFirstToken)
	w.endObj()
}

// RunMetricsDoc is RunMetrics.to_dict: a run's metrics, with its models'
// shares in details.
type RunMetricsDoc struct {
	TokenCounts
	TimeToFirstToken float64 // seconds
	Duration         float64 // seconds
	Details          []ModelMetricsDoc
}

func (m *RunMetricsDoc) write(w *docWriter) {
	if m == nil {
		w.null()
		return
	}
	w.obj()
	m.TokenCounts.write(w)
	w.kfloatOmit("time_to_first_token", m.TimeToFirstToken)
	w.kfloatOmit("duration", m.Duration)
	writeDetails(w, m.Details)
	w.endObj()
}

// SessionMetricsDoc is SessionMetrics.to_dict: counters and details, no timings.
type SessionMetricsDoc struct {
	TokenCounts
	Details []ModelMetricsDoc
}

// Accumulate adds a run's metrics as SessionMetrics.accumulate_from_run
// does: counters summed, details merged per (provider, id).
func (s *SessionMetricsDoc) Accumulate(m *RunMetricsDoc) {
	if m == nil {
		return
	}
	s.Add(m.TokenCounts)
	s.Details = MergeModelMetrics(s.Details, m.Details)
}

// DelegationTool is the tool a team leader calls to hand a task to a
// member (Agno's delegate_task_to_member); its run is the member's.
const DelegationTool = "delegate_task_to_member"

// DelegationArgs are the arguments of a DelegationTool call.
func DelegationArgs(memberID, task string) json.RawMessage {
	w := docWriter{}
	w.obj()
	w.kstr("member_id", memberID)
	w.kstr("task", task)
	w.endObj()
	return w.b
}

// ToolCallDoc is one entry of an assistant message's tool_calls, in the
// provider's (OpenAI) form: {"id", "type": "function", "function": {...}}.
type ToolCallDoc struct {
	ID        string
	Name      string
	Arguments string // JSON object text
}

// MessageDoc is Message.to_dict: id, role, from_history,
// stop_after_tool_call and created_at always, the rest when set.
type MessageDoc struct {
	ID                string
	Role              string
	Content           any
	FromHistory       bool
	StopAfterToolCall bool
	// ToolCallID, ToolName, ToolArgs and ToolCallError: a tool message's call.
	ToolCallID    string
	ToolName      string
	ToolArgs      json.RawMessage
	ToolCallError *bool
	ToolCalls     []ToolCallDoc
	Metrics       *MessageMetricsDoc
	CreatedAt     int64 // epoch seconds
}

func (m *MessageDoc) write(w *docWriter) {
	w.obj()
	w.kstr("id", m.ID)
	if m.Content != nil {
		w.key("content")
		w.value(m.Content)
	}
	w.kbool("from_history", m.FromHistory)
	w.kbool("stop_after_tool_call", m.StopAfterToolCall)
	w.kstr("role", m.Role)
	w.kstrOmit("tool_call_id", m.ToolCallID)
	w.kstrOmit("tool_name", m.ToolName)
	if m.ToolArgs != nil {
		w.key("tool_args")
		w.raw(m.ToolArgs)
	}
	if m.ToolCallError != nil {
		w.kbool("tool_call_error", *m.ToolCallError)
	}
	if len(m.ToolCalls) > 0 {
		w.key("tool_calls")
		w.arr()
		for _, c := range m.ToolCalls {
			w.obj()
			w.kstr("id", c.ID)
			w.kstr("type", "function")
			w.key("function")
			w.obj()
			w.kstr("name", c.Name)
			w.kstr("arguments", c.Arguments)
			w.endObj()
			w.endObj()
		}
		w.endArr()
	}
	if m.Metrics != nil {
		w.key("metrics")
		m.Metrics.write(w)
	}
	w.kint("created_at", m.CreatedAt)
	w.endObj()
}

// ToolMetricsDoc is ToolCallMetrics.to_dict: float epoch seconds.
type ToolMetricsDoc struct {
	StartTime float64
	EndTime   float64
	Duration  float64
}

// ToolExecutionDoc is ToolExecution.to_dict, which keeps every key, nulls
// included (user_input_schema and user_feedback_schema are always null here).
type ToolExecutionDoc struct {
	ToolCallID                string
	ToolName                  string
	ToolArgs                  json.RawMessage
	ToolCallError             *bool
	Result                    *string
	Metrics                   *ToolMetricsDoc
	ChildRunID                *string // the member run a team's delegation started
	StopAfterToolCall         bool
	CreatedAt                 int64
	RequiresConfirmation      *bool
	Confirmed                 *bool
	ConfirmationNote          *string
	RequiresUserInput         *bool
	Answered                  *bool
	ExternalExecutionRequired *bool
	ExternalExecutionSilent   *bool
	ApprovalType              *string
	ApprovalID                *string
}

func (t *ToolExecutionDoc) write(w *docWriter) {
	w.obj()
	w.kstr("tool_call_id", t.ToolCallID)
	w.kstr("tool_name", t.ToolName)
	w.key("tool_args")
	w.raw(t.ToolArgs)
	w.kboolPtr("tool_call_error", t.ToolCallError)
	w.kstrPtr("result", t.Result)
	w.key("metrics")
	if m := t.Metrics; m != nil {
		w.obj()
		w.kfloat("start_time", m.StartTime)
		w.kfloat("end_time", m.EndTime)
		w.kfloat("duration", m.Duration)
		w.endObj()
	} else {
		w.null()
	}
	w.kstrPtr("child_run_id", t.ChildRunID)
	w.kbool("stop_after_tool_call", t.StopAfterToolCall)
	w.kint("created_at", t.CreatedAt)
	w.kboolPtr("requires_confirmation", t.RequiresConfirmation)
	w.kboolPtr("confirmed", t.Confirmed)
	w.kstrPtr("confirmation_note", t.ConfirmationNote)
	w.kboolPtr("requires_user_input", t.RequiresUserInput)
	w.knull("user_input_schema")
	w.knull("user_feedback_schema")
	w.kboolPtr("answered", t.Answered)
	w.kboolPtr("external_execution_required", t.ExternalExecutionRequired)
	w.kboolPtr("external_execution_silent", t.ExternalExecutionSilent)
	w.kstrPtr("approval_type", t.ApprovalType)
	w.kstrPtr("approval_id", t.ApprovalID)
	w.endObj()
}

func writeTools(w *docWriter, tools []ToolExecutionDoc) {
	if len(tools) == 0 {
		return
	}
	w.key("tools")
	w.arr()
	for i := range tools {
		tools[i].write(w)
	}
	w.endArr()
}

func writeMessages(w *docWriter, messages []MessageDoc) {
	if len(messages) == 0 {
		return
	}
	w.key("messages")
	w.arr()
	for i := range messages {
		messages[i].write(w)
	}
	w.endArr()
}

// RequirementDoc is RunRequirement.to_dict (nulls dropped): what a paused
// run waits for.
type RequirementDoc struct {
	ID            string
	CreatedAt     string // Python isoformat, see PythonISOFormat
	ToolExecution *ToolExecutionDoc
}

// RunEventDoc is BaseAgentRunEvent.to_dict for the events an agent with
// store_events keeps (RunStarted, ToolCallStarted, ToolCallCompleted,
// RunCompleted, RunPaused, RunCancelled, RunError).
type RunEventDoc struct {
	CreatedAt     int64
	Event         string
	AgentID       string
	AgentName     string
	RunID         string
	SessionID     string
	NestedDepth   int
	Content       any
	ContentType   string
	Model         string
	ModelProvider string
	Tool          *ToolExecutionDoc
	Metrics       *RunMetricsDoc
}

func (e *RunEventDoc) write(w *docWriter) {
	w.obj()
	w.kint("created_at", e.CreatedAt)
	w.kstr("event", e.Event)
	w.kstr("agent_id", e.AgentID)
	w.kstr("agent_name", e.AgentName)
	w.kstrOmit("run_id", e.RunID)
	w.kstrOmit("session_id", e.SessionID)
	w.kint("nested_depth", int64(e.NestedDepth))
	if e.Content != nil {
		w.key("content")
		w.value(e.Content)
	}
	w.kstrOmit("content_type", e.ContentType)
	w.kstrOmit("model", e.Model)
	w.kstrOmit("model_provider", e.ModelProvider)
	if e.Tool != nil {
		w.key("tool")
		e.Tool.write(w)
	}
	if e.Metrics != nil {
		w.key("metrics")
		e.Metrics.write(w)
	}
	w.endObj()
}

// writeInput writes RunInput.to_dict: {"input_content": ...}, left out when nil.
func writeInput(w *docWriter, input any) {
	if input == nil {
		return
	}
	w.key("input")
	w.obj()
	w.key("input_content")
	w.value(input)
	w.endObj()
}

// AgentRunDoc is RunOutput.to_dict: the run of an agent, of a team member
// (ParentRunID the team run) or of a workflow step (ParentRunID the
// workflow run, with WorkflowID and WorkflowStepID).
type AgentRunDoc struct {
	RunID          string
	AgentID        string
	AgentName      string
	SessionID      string
	ParentRunID    string
	WorkflowID     string
	UserID         string
	Content        any
	ContentType    string // "str", or the output schema's class name
	Model          string
	ModelProvider  string
	SessionState   json.RawMessage
	CreatedAt      int64
	Status         string // RunStatus: COMPLETED, ERROR, CANCELLED, PAUSED, …
	WorkflowStepID string
	Metrics        *RunMetricsDoc
	Events         []RunEventDoc
	Messages       []MessageDoc
	Tools          []ToolExecutionDoc
	Requirements   []RequirementDoc
	Input          any // RunInput.input_content; nil leaves input out
}

// AppendJSON appends the run's JSON to dst.
func (r *AgentRunDoc) AppendJSON(dst []byte) []byte {
	w := docWriter{b: dst}
	r.write(&w)
	return w.b
}

func (r *AgentRunDoc) write(w *docWriter) {
	w.obj()
	w.kstr("run_id", r.RunID)
	w.kstrOmit("agent_id", r.AgentID)
	w.kstrOmit("agent_name", r.AgentName)
	w.kstrOmit("session_id", r.SessionID)
	w.kstrOmit("parent_run_id", r.ParentRunID)
	w.kstrOmit("workflow_id", r.WorkflowID)
	w.kstrOmit("user_id", r.UserID)
	if r.Content != nil {
		w.key("content")
		w.value(r.Content)
	}
	w.kstr("content_type", r.ContentType)
	w.kstrOmit("model", r.Model)
	w.kstrOmit("model_provider", r.ModelProvider)
	if r.SessionState != nil {
		w.key("session_state")
		w.raw(r.SessionState)
	}
	w.kint("created_at", r.CreatedAt)
	w.kstr("status", r.Status)
	w.kstrOmit("workflow_step_id", r.WorkflowStepID)
	if r.Metrics != nil {
		w.key("metrics")
		r.Metrics.write(w)
	}
	if len(r.Events) > 0 {
		w.key("events")
		w.arr()
		for i := range r.Events {
			r.Events[i].write(w)
		}
		w.endArr()
	}
	writeMessages(w, r.Messages)
	writeTools(w, r.Tools)
	if len(r.Requirements) > 0 {
		w.key("requirements")
		w.arr()
		for _, q := range r.Requirements {
			w.obj()
			w.kstr("id", q.ID)
			w.kstr("created_at", q.CreatedAt)
			if q.ToolExecution != nil {
				w.key("tool_execution")
				q.ToolExecution.write(w)
			}
			w.endObj()
		}
		w.endArr()
	}
	writeInput(w, r.Input)
	w.endObj()
}

// TeamRunDoc is TeamRunOutput.to_dict; member_responses is always present
// (the member runs repeated inside the team run when the team stores member
// responses, else empty).
type TeamRunDoc struct {
	RunID           string
	TeamID          string
	TeamName        string
	SessionID       string
	UserID          string
	Input           any
	Content         any
	ContentType     string
	Model           string
	ModelProvider   string
	MemberResponses []*AgentRunDoc
	SessionState    json.RawMessage
	CreatedAt       int64
	Metrics         *RunMetricsDoc
	Status          string
	Messages        []MessageDoc
	Tools           []ToolExecutionDoc
}

// AppendJSON appends the run's JSON to dst.
func (r *TeamRunDoc) AppendJSON(dst []byte) []byte {
	w := docWriter{b: dst}
	r.write(&w)
	return w.b
}

func (r *TeamRunDoc) write(w *docWriter) {
	w.obj()
	w.kstr("run_id", r.RunID)
	w.kstrOmit("team_id", r.TeamID)
	w.kstrOmit("team_name", r.TeamName)
	w.kstrOmit("session_id", r.SessionID)
	w.kstrOmit("user_id", r.UserID)
	writeInput(w, r.Input)
	if r.Content != nil {
		w.key("content")
		w.value(r.Content)
	}
	w.kstr("content_type", r.ContentType)
	w.kstrOmit("model", r.Model)
	w.kstrOmit("model_provider", r.ModelProvider)
	w.key("member_responses")
	w.arr()
	for _, m := range r.MemberResponses {
		m.write(w)
	}
	w.endArr()
	if r.SessionState != nil {
		w.key("session_state")
		w.raw(r.SessionState)
	}
	w.kint("created_at", r.CreatedAt)
	if r.Metrics != nil {
		w.key("metrics")
		r.Metrics.write(w)
	}
	w.kstr("status", r.Status)
	writeMessages(w, r.Messages)
	writeTools(w, r.Tools)
	w.endObj()
}

// StepOutputDoc is StepOutput.to_dict, which keeps every key, nulls included
// (images, videos, audio and files are always null here).
type StepOutputDoc struct {
	Content      any // null when nil
	StepName     string
	StepID       string
	StepType     string // "Step"
	ExecutorType string // "agent", "team" or "function"
	ExecutorName string
	StepRunID    *string // the executor's run, in step_executor_runs
	Metrics      *RunMetricsDoc
	Success      bool
	Error        *string
	Stop         bool
	IsPaused     bool
}

func (s *StepOutputDoc) write(w *docWriter) {
	w.obj()
	w.key("content")
	w.value(s.Content)
	w.kstr("step_name", s.StepName)
	w.kstr("step_id", s.StepID)
	w.kstr("step_type", s.StepType)
	w.kstr("executor_type", s.ExecutorType)
	w.kstr("executor_name", s.ExecutorName)
	w.kstrPtr("step_run_id", s.StepRunID)
	for _, k := range [...]string{"images", "videos", "audio", "files"} {
		w.knull(k)
	}
	w.key("metrics")
	s.Metrics.write(w)
	w.kbool("success", s.Success)
	w.kstrPtr("error", s.Error)
	w.kbool("stop", s.Stop)
	w.kbool("is_paused", s.IsPaused)
	w.endObj()
}

// StepMetricsDoc is StepMetrics.to_dict: one step's entry of a workflow run's metrics.
type StepMetricsDoc struct {
	StepName     string
	ExecutorType string
	ExecutorName string
	Metrics      *RunMetricsDoc // null when nil
}

// WorkflowMetricsDoc is WorkflowMetrics.to_dict: the steps keyed by step
// name in run order, and the run's duration (null when nil).
type WorkflowMetricsDoc struct {
	Steps    []StepMetricsDoc
	Duration *float64
}

// WorkflowRunDoc is WorkflowRunOutput.to_dict; Input is the workflow's raw input.
type WorkflowRunDoc struct {
	Input            any
	Content          any
	ContentType      string
	WorkflowID       string
	WorkflowName     string
	RunID            string
	SessionID        string
	UserID           string
	CreatedAt        int64
	Status           string
	StepResults      []StepOutputDoc
	StepExecutorRuns []*AgentRunDoc
	Metrics          *WorkflowMetricsDoc
}

// AppendJSON appends the run's JSON to dst.
func (r *WorkflowRunDoc) AppendJSON(dst []byte) []byte {
	w := docWriter{b: dst}
	r.write(&w)
	return w.b
}

func (r *WorkflowRunDoc) write(w *docWriter) {
	w.obj()
	if r.Input != nil {
		w.key("input")
		w.value(r.Input)
	}
	if r.Content != nil {
		w.key("content")
		w.value(r.Content)
	}
	w.kstr("content_type", r.ContentType)
	w.kstrOmit("workflow_id", r.WorkflowID)
	w.kstrOmit("workflow_name", r.WorkflowName)
	w.kstr("run_id", r.RunID)
	w.kstrOmit("session_id", r.SessionID)
	w.kstrOmit("user_id", r.UserID)
	w.kint("created_at", r.CreatedAt)
	w.kstr("status", r.Status)
	if len(r.StepResults) > 0 {
		w.key("step_results")
		w.arr()
		for i := range r.StepResults {
			r.StepResults[i].write(w)
		}
		w.endArr()
	}
	if len(r.StepExecutorRuns) > 0 {
		w.key("step_executor_runs")
		w.arr()
		for _, s := range r.StepExecutorRuns {
			s.write(w)
		}
		w.endArr()
	}
	if m := r.Metrics; m != nil {
		w.key("metrics")
		w.obj()
		w.key("steps")
		w.obj()
		for i := range m.Steps {
			s := &m.Steps[i]
			w.key(s.StepName)
			w.obj()
			w.kstr("step_name", s.StepName)
			w.kstr("executor_type", s.ExecutorType)
			w.kstr("executor_name", s.ExecutorName)
			w.key("metrics")
			s.Metrics.write(w)
			w.endObj()
		}
		w.endObj()
		w.key("duration")
		if m.Duration != nil {
			w.float(*m.Duration)
		} else {
			w.null()
		}
		w.endObj()
	}
	w.endObj()
}

// SessionDataDoc is the session_data column as Agno's sessions write it:
// session_state, session_metrics, then session_name (set last, by a
// rename), each only when set.
type SessionDataDoc struct {
	State   json.RawMessage
	Metrics *SessionMetricsDoc
	Name    *string
}

// AppendJSON appends the document's JSON to dst.
func (d *SessionDataDoc) AppendJSON(dst []byte) []byte {
	w := docWriter{b: dst}
	w.obj()
	if d.State != nil {
		w.key("session_state")
		w.raw(d.State)
	}
	if m := d.Metrics; m != nil {
		w.key("session_metrics")
		w.obj()
		m.TokenCounts.write(&w)
		writeDetails(&w, m.Details)
		w.endObj()
	}
	if d.Name != nil {
		w.kstr("session_name", *d.Name)
	}
	w.endObj()
	return w.b
}

// ModelDoc is Model.to_dict as agent_data and team_data keep it.
type ModelDoc struct {
	ID       string
	Name     string // the model class: OpenAIChat, Claude, …
	Provider string
}

// ComponentDataDoc is the agent_data or team_data column: the component's
// name, its id (AgentID for agent_data, TeamID for team_data) and model.
type ComponentDataDoc struct {
	Name    string
	AgentID string
	TeamID  string
	Model   *ModelDoc
}

// AppendJSON appends the document's JSON to dst.
func (d *ComponentDataDoc) AppendJSON(dst []byte) []byte {
	w := docWriter{b: dst}
	w.obj()
	w.kstr("name", d.Name)
	w.kstrOmit("agent_id", d.AgentID)
	w.kstrOmit("team_id", d.TeamID)
	if m := d.Model; m != nil {
		w.key("model")
		w.obj()
		w.kstr("id", m.ID)
		w.kstr("name", m.Name)
		w.kstr("provider", m.Provider)
		w.endObj()
	}
	w.endObj()
	return w.b
}

// WorkflowStepDataDoc is one step of workflow_data.
type WorkflowStepDataDoc struct {
	Name        string
	Description *string
	Type        string // "Step"
}

// WorkflowDataDoc is the workflow_data column (Workflow._get_workflow_data).
type WorkflowDataDoc struct {
	WorkflowID string
	Name       string
	Steps      []WorkflowStepDataDoc
}

// AppendJSON appends the document's JSON to dst.
func (d *WorkflowDataDoc) AppendJSON(dst []byte) []byte {
	w := docWriter{b: dst}
	w.obj()
	w.kstr("workflow_id", d.WorkflowID)
	w.kstr("name", d.Name)
	w.key("steps")
	w.arr()
	for _, s := range d.Steps {
		w.obj()
		w.kstr("name", s.Name)
		w.kstrPtr("description", s.Description)
		w.kstr("type", s.Type)
		w.endObj()
	}
	w.endArr()
	w.endObj()
	return w.b
}

// SessionSummaryDoc is the summary column (SessionSummary.to_dict):
// summary, then topics and updated_at when set.
type SessionSummaryDoc struct {
	Summary   string
	Topics    []string // nil leaves topics out
	UpdatedAt string   // Python isoformat; "" leaves it out
}

// AppendJSON appends the document's JSON to dst.
func (d *SessionSummaryDoc) AppendJSON(dst []byte) []byte {
	w := docWriter{b: dst}
	w.obj()
	w.kstr("summary", d.Summary)
	if d.Topics != nil {
		w.key("topics")
		w.arr()
		for _, t := range d.Topics {
			w.str(t)
		}
		w.endArr()
	}
	w.kstrOmit("updated_at", d.UpdatedAt)
	w.endObj()
	return w.b
}

// PythonNaiveISOFormat prints t's wall clock as Python's isoformat() prints
// a naive datetime (datetime.now(), as Agno's summaries keep it):
// microseconds only when not zero, no offset.
func PythonNaiveISOFormat(t time.Time) string {
	s := PythonISOFormat(time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC))
	return s[:len(s)-len("+00:00")]
}
