package models

import (
	"encoding/json"
	"time"
)

// ComponentInfo is an agent or team as recorded in agent_data / team_data.
type ComponentInfo struct {
	Name  *string    `json:"name"`
	ID    *string    `json:"id"`
	Model *ModelInfo `json:"model"`
	Raw   JSON       `json:"raw"`
}

// ModelInfo is a model as Agno records it.
type ModelInfo struct {
	ID       *string `json:"id"`
	Name     *string `json:"name"`
	Provider *string `json:"provider"`
}

// WorkflowInfo is a workflow as recorded in workflow_data.
type WorkflowInfo struct {
	Name  *string             `json:"name"`
	ID    *string             `json:"id"`
	Steps []*WorkflowStepInfo `json:"steps"`
	Raw   JSON                `json:"raw"`
}

// WorkflowStepInfo is one declared step of a workflow.
type WorkflowStepInfo struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
	Type        *string `json:"type"`
}

// SessionSummary is Agno's session summary (the summary column).
type SessionSummary struct {
	Summary   string     `json:"summary"`
	Topics    []string   `json:"topics"`
	UpdatedAt *time.Time `json:"updatedAt"`
}

// SessionMetrics are the counters of session_data.session_metrics.
type SessionMetrics struct {
	InputTokens      *int     `json:"inputTokens"`
	OutputTokens     *int     `json:"outputTokens"`
	TotalTokens      *int     `json:"totalTokens"`
	CacheReadTokens  *int     `json:"cacheReadTokens"`
	CacheWriteTokens *int     `json:"cacheWriteTokens"`
	ReasoningTokens  *int     `json:"reasoningTokens"`
	Cost             *float64 `json:"cost"`
	Raw              JSON     `json:"raw"`
}

// RunMetrics are the counters of a run's metrics.
type RunMetrics struct {
	InputTokens             *int     `json:"inputTokens"`
	OutputTokens            *int     `json:"outputTokens"`
	TotalTokens             *int     `json:"totalTokens"`
	ReasoningTokens         *int     `json:"reasoningTokens"`
	CacheReadTokens         *int     `json:"cacheReadTokens"`
	CacheWriteTokens        *int     `json:"cacheWriteTokens"`
	Cost                    *float64 `json:"cost"`
	DurationSeconds         *float64 `json:"durationSeconds"`
	TimeToFirstTokenSeconds *float64 `json:"timeToFirstTokenSeconds"`
	Raw                     JSON     `json:"raw"`
}

// MessageMetrics are the counters of a message's metrics.
type MessageMetrics struct {
	InputTokens             *int     `json:"inputTokens"`
	OutputTokens            *int     `json:"outputTokens"`
	TotalTokens             *int     `json:"totalTokens"`
	DurationSeconds         *float64 `json:"durationSeconds"`
	TimeToFirstTokenSeconds *float64 `json:"timeToFirstTokenSeconds"`
	Raw                     JSON     `json:"raw"`
}

// ToolCall is one OpenAI-style entry of an assistant message's tool_calls.
type ToolCall struct {
	ID        *string `json:"id"`
	Type      *string `json:"type"`
	Name      *string `json:"name"`
	Arguments *string `json:"arguments"`
}

// ToolExecution is one entry of a run's tools, its fields read from the
// stored object when asked for: Agno writes about twenty keys per tool,
// most of them null, and a dashboard reads two or three.
type ToolExecution struct {
	doc object
	run *RunCore
}

// ToolCallID returns tool_call_id.
func (t *ToolExecution) ToolCallID() *string { return t.doc.str("tool_call_id") }

// ToolName returns tool_name.
func (t *ToolExecution) ToolName() *string { return t.doc.str("tool_name") }

// ToolArgs returns tool_args.
func (t *ToolExecution) ToolArgs() JSON { return t.doc.raw("tool_args") }

// Result returns result as text (a non-string result as compact JSON).
func (t *ToolExecution) Result() *string { return textOrJSON(t.doc.value("result")) }

// Error returns tool_call_error.
func (t *ToolExecution) Error() *bool { return t.doc.bool("tool_call_error") }

// ChildRunID returns child_run_id.
func (t *ToolExecution) ChildRunID() *string { return t.doc.str("child_run_id") }

// DurationSeconds returns metrics.duration.
func (t *ToolExecution) DurationSeconds() *float64 { return t.doc.object("metrics").float("duration") }

// CreatedAt returns created_at.
func (t *ToolExecution) CreatedAt() *time.Time { return t.doc.epoch("created_at") }

// OffloadedResult returns the envelope Agno v3 stored in place of the result
// (offload_tool_results); nil when the result is not one.
func (t *ToolExecution) OffloadedResult() *OffloadedResult {
	return parseOffloadedResult(t.doc.value("result"), t.run)
}

// StepResult is one entry of a workflow run's step_results.
type StepResult struct {
	StepName     *string     `json:"stepName"`
	StepID       *string     `json:"stepId"`
	StepType     *string     `json:"stepType"`
	ExecutorType *string     `json:"executorType"`
	ExecutorName *string     `json:"executorName"`
	Content      JSON        `json:"content"`
	Success      *bool       `json:"success"`
	Error        *string     `json:"error"`
	Metrics      *RunMetrics `json:"metrics"`
}

func newComponentInfo(raw json.RawMessage, idKey string) (*ComponentInfo, error) {
	o, err := decodeObject(raw)
	if o.absent() {
		return nil, err
	}
	info := &ComponentInfo{Name: o.str("name"), ID: o.str(idKey), Raw: JSON(raw)}
	if m := o.object("model"); !m.absent() {
		info.Model = &ModelInfo{ID: m.str("id"), Name: m.str("name"), Provider: m.str("provider")}
	}
	return info, nil
}

func newWorkflowInfo(raw json.RawMessage) (*WorkflowInfo, error) {
	o, err := decodeObject(raw)
	if o.absent() {
		return nil, err
	}
	info := &WorkflowInfo{Name: o.str("name"), ID: o.str("workflow_id"), Raw: JSON(raw), Steps: []*WorkflowStepInfo{}}
	steps, _ := o.array("steps")
	for _, raw := range steps {
		if s, err := nestedObject(raw); err == nil && !s.absent() {
			info.Steps = append(info.Steps, &WorkflowStepInfo{Name: s.str("name"), Description: s.str("description"), Type: s.str("type")})
		}
	}
	return info, nil
}

func newSessionSummary(raw json.RawMessage) (*SessionSummary, error) {
	o, err := decodeObject(raw)
	if o.absent() {
		return nil, err
	}
	s := o.str("summary")
	if s == nil {
		return nil, errNotObject
	}
	sum := &SessionSummary{Summary: *s, Topics: []string{}}
	topics, _ := o.array("topics")
	for _, raw := range topics {
		var t string
		if json.Unmarshal(raw, &t) == nil {
			sum.Topics = append(sum.Topics, t)
		}
	}
	if u := o.str("updated_at"); u != nil {
		sum.UpdatedAt = parseISOTime(*u)
	}
	return sum, nil
}

// parseISOTime parses Python's datetime.isoformat() output, with or without an offset (naive = UTC).
func parseISOTime(s string) *time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return &t
		}
	}
	return nil
}

// newSessionMetrics types a metrics object; nil when absent or not an object.
func newSessionMetrics(raw json.RawMessage) *SessionMetrics {
	o, _ := nestedObject(raw)
	if o = scanned(o); o.absent() {
		return nil
	}
	return &SessionMetrics{
		InputTokens: o.int("input_tokens"), OutputTokens: o.int("output_tokens"), TotalTokens: o.int("total_tokens"),
		CacheReadTokens: o.int("cache_read_tokens"), CacheWriteTokens: o.int("cache_write_tokens"),
		ReasoningTokens: o.int("reasoning_tokens"), Cost: o.float("cost"), Raw: JSON(raw),
	}
}

// newRunMetrics types a metrics object; nil when absent or not an object.
func newRunMetrics(raw json.RawMessage) *RunMetrics {
	o, _ := nestedObject(raw)
	if o = scanned(o); o.absent() {
		return nil
	}
	return &RunMetrics{
		InputTokens: o.int("input_tokens"), OutputTokens: o.int("output_tokens"), TotalTokens: o.int("total_tokens"),
		ReasoningTokens: o.int("reasoning_tokens"), CacheReadTokens: o.int("cache_read_tokens"),
		CacheWriteTokens: o.int("cache_write_tokens"), Cost: o.float("cost"),
		DurationSeconds: o.float("duration"), TimeToFirstTokenSeconds: o.float("time_to_first_token"),
		Raw: JSON(raw),
	}
}

// newMessageMetrics types a metrics object; nil when absent or not an object.
func newMessageMetrics(raw json.RawMessage) *MessageMetrics {
	o, _ := nestedObject(raw)
	if o = scanned(o); o.absent() {
		return nil
	}
	return &MessageMetrics{
		InputTokens: o.int("input_tokens"), OutputTokens: o.int("output_tokens"), TotalTokens: o.int("total_tokens"),
		DurationSeconds: o.float("duration"), TimeToFirstTokenSeconds: o.float("time_to_first_token"),
		Raw: JSON(raw),
	}
}
