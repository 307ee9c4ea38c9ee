package demo

import (
	"bytes"
	"encoding/json"
)

// The structs below mirror the to_dict() methods of Agno 2.9 (agno/run/agent.py,
// run/team.py, run/workflow.py, models/message.py, models/response.py, metrics.py,
// workflow/types.py): field order follows the Python dict order, and omitempty
// stands for "dropped when None" (or zero, for metric counters). ToolExecution and
// StepOutput keep their nulls, so their fields carry no omitempty.

// agentRun is RunOutput.to_dict: an agent run, a team member run or a workflow step run.
type agentRun struct {
	RunID          string          `json:"run_id"`
	AgentID        string          `json:"agent_id,omitempty"`
	AgentName      string          `json:"agent_name,omitempty"`
	SessionID      string          `json:"session_id,omitempty"`
	ParentRunID    string          `json:"parent_run_id,omitempty"`
	WorkflowID     string          `json:"workflow_id,omitempty"`
	UserID         string          `json:"user_id,omitempty"`
	Content        any             `json:"content,omitempty"`
	ContentType    string          `json:"content_type"`
	Model          string          `json:"model,omitempty"`
	ModelProvider  string          `json:"model_provider,omitempty"`
	SessionState   object          `json:"session_state,omitempty"`
	CreatedAt      int64           `json:"created_at"`
	Status         string          `json:"status"`
	WorkflowStepID string          `json:"workflow_step_id,omitempty"`
	Metrics        *runMetrics     `json:"metrics,omitempty"`
	Events         []runEvent      `json:"events,omitempty"`
	Messages       []message       `json:"messages,omitempty"`
	Tools          []toolExecution `json:"tools,omitempty"`
	Requirements   []requirement   `json:"requirements,omitempty"`
	Input          *runInput       `json:"input,omitempty"`
}

// teamRun is TeamRunOutput.to_dict; member_responses is always present.
type teamRun struct {
	RunID           string          `json:"run_id"`
	TeamID          string          `json:"team_id,omitempty"`
	TeamName        string          `json:"team_name,omitempty"`
	SessionID       string          `json:"session_id,omitempty"`
	UserID          string          `json:"user_id,omitempty"`
	Input           *runInput       `json:"input,omitempty"`
	Content         any             `json:"content,omitempty"`
	ContentType     string          `json:"content_type"`
	Model           string          `json:"model,omitempty"`
	ModelProvider   string          `json:"model_provider,omitempty"`
	MemberResponses []*agentRun     `json:"member_responses"`
	SessionState    object          `json:"session_state,omitempty"`
	CreatedAt       int64           `json:"created_at"`
	Metrics         *runMetrics     `json:"metrics,omitempty"`
	Status          string          `json:"status"`
	Messages        []message       `json:"messages,omitempty"`
	Tools           []toolExecution `json:"tools,omitempty"`
}

// workflowRun is WorkflowRunOutput.to_dict; input is the raw workflow input.
type workflowRun struct {
	Input            any              `json:"input,omitempty"`
	Content          any              `json:"content,omitempty"`
	ContentType      string           `json:"content_type"`
	WorkflowID       string           `json:"workflow_id,omitempty"`
	WorkflowName     string           `json:"workflow_name,omitempty"`
	RunID            string           `json:"run_id"`
	SessionID        string           `json:"session_id,omitempty"`
	UserID           string           `json:"user_id,omitempty"`
	CreatedAt        int64            `json:"created_at"`
	Status           string           `json:"status"`
	StepResults      []stepOutput     `json:"step_results,omitempty"`
	StepExecutorRuns []*agentRun      `json:"step_executor_runs,omitempty"`
	Metrics          *workflowMetrics `json:"metrics,omitempty"`
}

// runInput is RunInput.to_dict.
type runInput struct {
	InputContent any `json:"input_content"`
}

// message is Message.to_dict: None and empty collections dropped, id, role,
// from_history, stop_after_tool_call and created_at always present.
type message struct {
	ID                string          `json:"id"`
	Content           any             `json:"content,omitempty"`
	FromHistory       bool            `json:"from_history"`
	StopAfterToolCall bool            `json:"stop_after_tool_call"`
	Role              string          `json:"role"`
	ToolCallID        string          `json:"tool_call_id,omitempty"`
	ToolName          string          `json:"tool_name,omitempty"`
	ToolArgs          json.RawMessage `json:"tool_args,omitempty"`
	ToolCallError     *bool           `json:"tool_call_error,omitempty"`
	ToolCalls         []toolCall      `json:"tool_calls,omitempty"`
	Metrics           *messageMetrics `json:"metrics,omitempty"`
	CreatedAt         int64           `json:"created_at"`
}

// toolCall is one provider-native (OpenAI style) entry of an assistant message's tool_calls.
type toolCall struct {
	ID       string       `json:"id"`
	Type     string       `json:"type"`
	Function toolFunction `json:"function"`
}

type toolFunction struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

// toolExecution is ToolExecution.to_dict, which keeps every key, nulls included.
type toolExecution struct {
	ToolCallID                string          `json:"tool_call_id"`
	ToolName                  string          `json:"tool_name"`
	ToolArgs                  json.RawMessage `json:"tool_args"`
	ToolCallError             *bool           `json:"tool_call_error"`
	Result                    *string         `json:"result"`
	Metrics                   *toolMetrics    `json:"metrics"`
	ChildRunID                *string         `json:"child_run_id"`
	StopAfterToolCall         bool            `json:"stop_after_tool_call"`
	CreatedAt                 int64           `json:"created_at"`
	RequiresConfirmation      *bool           `json:"requires_confirmation"`
	Confirmed                 *bool           `json:"confirmed"`
	ConfirmationNote          *string         `json:"confirmation_note"`
	RequiresUserInput         *bool           `json:"requires_user_input"`
	UserInputSchema           []any           `json:"user_input_schema"`
	UserFeedbackSchema        []any           `json:"user_feedback_schema"`
	Answered                  *bool           `json:"answered"`
	ExternalExecutionRequired *bool           `json:"external_execution_required"`
	ExternalExecutionSilent   *bool           `json:"external_execution_silent"`
	ApprovalType              *string         `json:"approval_type"`
	ApprovalID                *string         `json:"approval_id"`
}

// toolMetrics is ToolCallMetrics.to_dict: float epoch seconds.
type toolMetrics struct {
	StartTime float64 `json:"start_time"`
	EndTime   float64 `json:"end_time"`
	Duration  float64 `json:"duration"`
}

// requirement is RunRequirement.to_dict (nulls dropped); created_at is an ISO string.
type requirement struct {
	ID            string         `json:"id"`
	CreatedAt     string         `json:"created_at"`
	ToolExecution *toolExecution `json:"tool_execution,omitempty"`
}

// runEvent is BaseAgentRunEvent.to_dict for the few event kinds the demo stores.
type runEvent struct {
	CreatedAt     int64          `json:"created_at"`
	Event         string         `json:"event"`
	AgentID       string         `json:"agent_id"`
	AgentName     string         `json:"agent_name"`
	RunID         string         `json:"run_id,omitempty"`
	SessionID     string         `json:"session_id,omitempty"`
	NestedDepth   int            `json:"nested_depth"`
	Content       any            `json:"content,omitempty"`
	ContentType   string         `json:"content_type,omitempty"`
	Model         string         `json:"model,omitempty"`
	ModelProvider string         `json:"model_provider,omitempty"`
	Tool          *toolExecution `json:"tool,omitempty"`
	Metrics       *runMetrics    `json:"metrics,omitempty"`
}

// counters are the BaseMetrics token counters; Agno drops zero counters and a None cost.
type counters struct {
	InputTokens     int     `json:"input_tokens,omitempty"`
	OutputTokens    int     `json:"output_tokens,omitempty"`
	TotalTokens     int     `json:"total_tokens,omitempty"`
	CacheReadTokens int     `json:"cache_read_tokens,omitempty"`
	Cost            float64 `json:"cost,omitempty"`
}

func (c *counters) add(o counters) {
	c.InputTokens += o.InputTokens
	c.OutputTokens += o.OutputTokens
	c.TotalTokens += o.TotalTokens
	c.CacheReadTokens += o.CacheReadTokens
	c.Cost = roundTo(c.Cost+o.Cost, 8)
}

// messageMetrics is MessageMetrics.to_dict.
type messageMetrics struct {
	counters
	Duration         float64 `json:"duration,omitempty"`
	TimeToFirstToken float64 `json:"time_to_first_token,omitempty"`
}

// runMetrics is RunMetrics.to_dict.
type runMetrics struct {
	counters
	TimeToFirstToken float64         `json:"time_to_first_token,omitempty"`
	Duration         float64         `json:"duration,omitempty"`
	Details          *metricsDetails `json:"details,omitempty"`
}

// sessionMetrics is SessionMetrics.to_dict: counters and per-model details, no timings.
type sessionMetrics struct {
	counters
	Details *metricsDetails `json:"details,omitempty"`
}

// metricsDetails is the details dict keyed by model role; the demo only uses "model".
type metricsDetails struct {
	Model []modelMetrics `json:"model"`
}

// modelMetrics is ModelMetrics.to_dict: counters first, then id and provider.
type modelMetrics struct {
	counters
	ID       string `json:"id"`
	Provider string `json:"provider"`
}

// accumulate adds a run's metrics the way SessionMetrics.accumulate_from_run does:
// counters summed, details merged per (provider, id).
func (s *sessionMetrics) accumulate(m *runMetrics) {
	if m == nil {
		return
	}
	s.add(m.counters)
	if m.Details == nil {
		return
	}
	if s.Details == nil {
		s.Details = &metricsDetails{}
	}
	s.Details.Model = mergeModelMetrics(s.Details.Model, m.Details.Model)
}

// stepOutput is StepOutput.to_dict, which keeps every key, nulls included.
type stepOutput struct {
	Content      any         `json:"content"`
	StepName     string      `json:"step_name"`
	StepID       string      `json:"step_id"`
	StepType     string      `json:"step_type"`
	ExecutorType string      `json:"executor_type"`
	ExecutorName string      `json:"executor_name"`
	StepRunID    *string     `json:"step_run_id"`
	Images       []any       `json:"images"`
	Videos       []any       `json:"videos"`
	Audio        []any       `json:"audio"`
	Files        []any       `json:"files"`
	Metrics      *runMetrics `json:"metrics"`
	Success      bool        `json:"success"`
	Error        *string     `json:"error"`
	Stop         bool        `json:"stop"`
	IsPaused     bool        `json:"is_paused"`
}

// workflowMetrics is WorkflowMetrics.to_dict: steps keyed by step name in run order.
type workflowMetrics struct {
	Steps    object   `json:"steps"`
	Duration *float64 `json:"duration"`
}

// stepMetrics is StepMetrics.to_dict.
type stepMetrics struct {
	StepName     string      `json:"step_name"`
	ExecutorType string      `json:"executor_type"`
	ExecutorName string      `json:"executor_name"`
	Metrics      *runMetrics `json:"metrics"`
}

// componentData is agent_data / team_data: name, id and model dict.
type componentData struct {
	Name    string     `json:"name"`
	AgentID string     `json:"agent_id,omitempty"`
	TeamID  string     `json:"team_id,omitempty"`
	Model   *modelData `json:"model,omitempty"`
}

type modelData struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Provider string `json:"provider"`
}

// workflowData is Workflow._get_workflow_data.
type workflowData struct {
	WorkflowID string     `json:"workflow_id"`
	Name       string     `json:"name"`
	Steps      []stepData `json:"steps"`
}

type stepData struct {
	Name        string  `json:"name"`
	Description *string `json:"description"`
	Type        string  `json:"type"`
}

// sessionSummary is SessionSummary.to_dict; updated_at is a naive ISO timestamp.
type sessionSummary struct {
	Summary   string   `json:"summary"`
	Topics    []string `json:"topics,omitempty"`
	UpdatedAt string   `json:"updated_at,omitempty"`
}

// field is one key of an object.
type field struct {
	key   string
	value any
}

// object is a JSON object that keeps its keys in insertion order, like a Python dict.
type object []field

// MarshalJSON writes the keys in order.
func (o object) MarshalJSON() ([]byte, error) {
	if o == nil {
		return []byte("null"), nil
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := encodeTo(&buf, f.key); err != nil {
			return nil, err
		}
		buf.WriteByte(':')
		if err := encodeTo(&buf, f.value); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// encodeTo appends the JSON of v without HTML escaping (Python's json.dumps
// does not turn < > & into \u003c escapes either) and without the trailing newline.
func encodeTo(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1)
	return nil
}

// mustJSON encodes a value built by this package. The types are fixed and hold
// no floats that could be NaN, so an error is a bug in the generator itself.
func mustJSON(v any) json.RawMessage {
	var buf bytes.Buffer
	if err := encodeTo(&buf, v); err != nil {
		panic("demo: encoding generated value: " + err.Error())
	}
	return buf.Bytes()
}
