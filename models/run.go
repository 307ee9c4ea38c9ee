package models

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Run is an agent, team or workflow run.
type Run interface {
	Node
	IsRun()
	// Core returns what all run types share.
	Core() *RunCore
}

// RunCore is one stored run object: an element of a session's runs array
// (index >= 0) or a run nested in one (index -1).
type RunCore struct {
	session *SessionCore
	doc     object
	raw     json.RawMessage
	index   int

	// messages are read by several fields (name, input, chat history); decode them once.
	msgsOnce sync.Once
	msgs     []*Message
	msgsErr  error
}

type runCore = RunCore

// AgentRun is a run with agent_id.
type AgentRun struct{ *RunCore }

// TeamRun is a run with team_id and no agent_id.
type TeamRun struct{ *RunCore }

// WorkflowRun is a run with workflow_id and neither agent_id nor team_id.
type WorkflowRun struct{ *RunCore }

// IsNode marks a Node.
func (AgentRun) IsNode() {}

// IsRun marks a Run.
func (AgentRun) IsRun() {}

// IsNode marks a Node.
func (TeamRun) IsNode() {}

// IsRun marks a Run.
func (TeamRun) IsRun() {}

// IsNode marks a Node.
func (WorkflowRun) IsNode() {}

// IsRun marks a Run.
func (WorkflowRun) IsRun() {}

// Session returns the session the run is stored in.
func (r *RunCore) Session() Session { return r.session.typed() }

func newRunCore(s *SessionCore, raw json.RawMessage, index int) (*RunCore, error) {
	doc, err := nestedObject(raw)
	if err != nil {
		return nil, err
	}
	if doc.absent() {
		return nil, errNotObject
	}
	return &RunCore{session: s, doc: indexed(doc), raw: raw, index: index}, nil
}

// Core returns the shared run state.
func (r *RunCore) Core() *RunCore { return r }

// Index is the run's position in the session's runs array, -1 for a nested run.
func (r *RunCore) Index() int { return r.index }

// TypeName is the GraphQL type of the run, following its own keys, executor
// first: agent_id, else team_id, else workflow_id, else the session's type.
func (r *RunCore) TypeName() string {
	switch {
	case r.doc.text("agent_id") != "":
		return "AgentRun"
	case r.doc.text("team_id") != "":
		return "TeamRun"
	case r.doc.text("workflow_id") != "":
		return "WorkflowRun"
	}
	switch r.session.typ {
	case SessionTypeTeam:
		return "TeamRun"
	case SessionTypeWorkflow:
		return "WorkflowRun"
	}
	return "AgentRun"
}

func (r *RunCore) typed() Run {
	switch r.TypeName() {
	case "TeamRun":
		return &TeamRun{r}
	case "WorkflowRun":
		return &WorkflowRun{r}
	}
	return &AgentRun{r}
}

func (r *RunCore) runID() string { return r.doc.text("run_id") }

// GetID returns the global id.
func (r *RunCore) GetID() string { return r.ID() }

// ID returns the global id.
func (r *RunCore) ID() string {
	return GlobalID{TypeName: r.TypeName(), DBID: r.session.dbID, SessionID: r.session.row.SessionID, RunID: r.runID()}.String()
}

// RunID returns run_id ("" when missing).
func (r *RunCore) RunID() string { return r.runID() }

// SessionID returns the id of the session the run is stored in.
func (r *RunCore) SessionID() string { return r.session.row.SessionID }

// ParentRunID returns parent_run_id.
func (r *RunCore) ParentRunID() *string { return r.doc.str("parent_run_id") }

// UserID returns the run's user_id.
func (r *RunCore) UserID() *string { return r.doc.str("user_id") }

// Status returns status; a value outside the enum is an error on this field only.
func (r *RunCore) Status() (*RunStatus, error) {
	if !r.doc.has("status") {
		return nil, nil
	}
	s := r.doc.str("status")
	if s == nil || !RunStatus(*s).IsValid() {
		return nil, Errorf(DataCorrupt, "run %q has an unknown status %s", r.runID(), string(r.doc.value("status")))
	}
	st := RunStatus(*s)
	return &st, nil
}

// Input returns the run's input as Agno renders it (get_run_input).
func (r *RunCore) Input() *string {
	s := deriveRunInput(r)
	return &s
}

// InputRaw returns the stored input.
func (r *RunCore) InputRaw() JSON { return r.doc.raw("input") }

// Content returns content.
func (r *RunCore) Content() JSON { return r.doc.raw("content") }

// ContentType returns content_type.
func (r *RunCore) ContentType() *string { return r.doc.str("content_type") }

// Model returns model.
func (r *RunCore) Model() *string { return r.doc.str("model") }

// ModelProvider returns model_provider.
func (r *RunCore) ModelProvider() *string { return r.doc.str("model_provider") }

// Metrics returns metrics, typed.
func (r *RunCore) Metrics() *RunMetrics { return newRunMetrics(r.doc.value("metrics")) }

// CreatedAt returns created_at.
func (r *RunCore) CreatedAt() *time.Time { return r.doc.epoch("created_at") }

// Raw returns the whole stored run object.
func (r *RunCore) Raw() JSON { return JSON(r.raw) }

// AgentID returns agent_id.
func (r *RunCore) AgentID() *string { return r.doc.str("agent_id") }

// AgentName returns agent_name.
func (r *RunCore) AgentName() *string { return r.doc.str("agent_name") }

// TeamID returns team_id.
func (r *RunCore) TeamID() *string { return r.doc.str("team_id") }

// TeamName returns team_name.
func (r *RunCore) TeamName() *string { return r.doc.str("team_name") }

// WorkflowID returns workflow_id.
func (r *RunCore) WorkflowID() *string { return r.doc.str("workflow_id") }

// WorkflowName returns workflow_name.
func (r *RunCore) WorkflowName() *string { return r.doc.str("workflow_name") }

// corruptKey reports a run key that is present but of the wrong shape.
func (r *RunCore) corruptKey(key string, err error) error {
	return corrupt(err, "%s of run %q in session %q cannot be read", key, r.runID(), r.session.row.SessionID)
}

// objects decodes the array of objects at key, skipping elements that are
// not objects (reported in the error).
func (r *RunCore) objects(key string) ([]object, []json.RawMessage, error) {
	elems, raws, err := r.doc.objects(key)
	if err != nil {
		return nil, nil, r.corruptKey(key, err)
	}
	objs := make([]object, 0, len(elems))
	kept := raws[:0:0]
	for i, o := range elems {
		if o.absent() {
			if err == nil {
				err = r.corruptKey("an element of "+key, errNotObject)
			}
			continue
		}
		objs, kept = append(objs, o), append(kept, raws[i])
	}
	return objs, kept, err
}

func (r *RunCore) messages() ([]*Message, error) {
	r.msgsOnce.Do(func() {
		var objs []object
		var raws []json.RawMessage
		objs, raws, r.msgsErr = r.objects("messages")
		r.msgs = make([]*Message, len(objs))
		all := make([]Message, len(objs))
		for i, o := range objs {
			all[i] = Message{doc: o, raw: raws[i], role: o.text("role"), run: r}
			r.msgs[i] = &all[i]
		}
	})
	return r.msgs, r.msgsErr
}

// Messages returns the run's messages in stored order, only those with one of
// roles when roles is given, without replayed history when includeHistory is false.
func (r *RunCore) Messages(roles []string, includeHistory *bool) ([]*Message, error) {
	msgs, err := r.messages()
	keepHistory := includeHistory == nil || *includeHistory
	out := msgs[:0:0]
	for _, m := range msgs {
		if (!keepHistory && m.FromHistory()) || (roles != nil && !slices.Contains(roles, m.Role())) {
			continue
		}
		out = append(out, m)
	}
	return out, err
}

// Tools returns the tool executions.
func (r *RunCore) Tools() ([]*ToolExecution, error) {
	objs, _, err := r.objects("tools")
	out := make([]*ToolExecution, 0, len(objs))
	for _, o := range objs {
		out = append(out, &ToolExecution{doc: o, run: r})
	}
	return out, err
}

// Events returns the stored events.
func (r *RunCore) Events() ([]JSON, error) {
	elems, err := r.doc.array("events")
	if err != nil {
		return []JSON{}, r.corruptKey("events", err)
	}
	out := make([]JSON, len(elems))
	for i, raw := range elems {
		out[i] = JSON(raw)
	}
	return out, nil
}

// Media returns the media attached to the run's output: images, videos,
// audio and files, in that order.
func (r *RunCore) Media() ([]*Media, error) {
	return mediaLists(r.doc, outputMediaKeys, "", r.corruptKey)
}

// InputMedia returns the media given to an agent or team run (Agno's
// RunInput: input.images, input.videos, input.audios, input.files); none for
// a workflow run, whose input is the workflow's own value.
func (r *RunCore) InputMedia() ([]*Media, error) {
	if r.TypeName() == "WorkflowRun" {
		return []*Media{}, nil
	}
	input, err := nestedObject(r.doc.value("input"))
	if err != nil {
		return []*Media{}, r.corruptKey("input", err)
	}
	return mediaLists(input, inputMediaKeys, "input.", r.corruptKey)
}

// ResponseAudio returns response_audio, the model's audio response.
func (r *RunCore) ResponseAudio() (*Media, error) {
	return singleMedia(r.doc, "response_audio", MediaKindAudio, r.corruptKey)
}

// Steps returns step_results.
func (r *RunCore) Steps() ([]*StepResult, error) {
	objs, _, err := r.objects("step_results")
	out := make([]*StepResult, 0, len(objs))
	for _, o := range objs {
		out = append(out, &StepResult{
			StepName: o.str("step_name"), StepID: o.str("step_id"), StepType: o.str("step_type"),
			ExecutorType: o.str("executor_type"), ExecutorName: o.str("executor_name"),
			Content: o.raw("content"), Success: o.bool("success"), Error: o.str("error"),
			Metrics: newRunMetrics(o.value("metrics")),
		})
	}
	return out, err
}

// nested decodes the runs stored under key (member_responses, step_executor_runs).
func (r *RunCore) nested(key string) ([]*RunCore, error) {
	elems, err := r.doc.array(key)
	if err != nil {
		return nil, r.corruptKey(key, err)
	}
	out := make([]*RunCore, 0, len(elems))
	for _, raw := range elems {
		n, err := newRunCore(r.session, raw, -1)
		if err != nil {
			return out, r.corruptKey("a run in "+key, err)
		}
		out = append(out, n)
	}
	return out, nil
}

// StepRuns returns step_executor_runs.
func (r *RunCore) StepRuns() ([]Run, error) {
	runs, err := r.nested("step_executor_runs")
	return typedRuns(runs), err
}

// MemberRuns returns the session's runs whose parent_run_id is this run, then
// the stored member_responses not already among them; each run once, in stored order.
func (r *RunCore) MemberRuns() ([]Run, error) {
	id := r.runID()
	seen := map[string]bool{}
	var out []*RunCore
	top, err := r.session.topLevelRuns()
	if id != "" {
		for _, t := range top {
			if t.doc.text("parent_run_id") == id && !seen[t.runID()] {
				seen[t.runID()] = true
				out = append(out, t)
			}
		}
	}
	members, nerr := r.nested("member_responses")
	for _, m := range members {
		if mid := m.runID(); mid == "" || !seen[mid] {
			seen[mid] = true
			out = append(out, m)
		}
	}
	if nerr != nil {
		err = nerr
	}
	return typedRuns(out), err
}

// findNested searches the runs nested in r, depth first in stored order.
func (r *RunCore) findNested(runID string) *RunCore {
	for _, key := range []string{"member_responses", "step_executor_runs"} {
		runs, _ := r.nested(key)
		for _, n := range runs {
			if n.runID() == runID {
				return n
			}
			if found := n.findNested(runID); found != nil {
				return found
			}
		}
	}
	return nil
}

func typedRuns(runs []*RunCore) []Run {
	out := make([]Run, len(runs))
	for i, r := range runs {
		out[i] = r.typed()
	}
	return out
}

// Message is one stored chat message.
type Message struct {
	doc  object
	raw  json.RawMessage
	role string // read once: filters, derivations and the field all need it, and Agno stores it after the content
	run  *RunCore
}

// ID returns id.
func (m *Message) ID() *string { return m.doc.str("id") }

// Role returns role ("" when missing).
func (m *Message) Role() string { return m.role }

// Content returns content.
func (m *Message) Content() JSON { return m.doc.raw("content") }

// Name returns name.
func (m *Message) Name() *string { return m.doc.str("name") }

// ToolCallID returns tool_call_id.
func (m *Message) ToolCallID() *string { return m.doc.str("tool_call_id") }

// ToolName returns tool_name.
func (m *Message) ToolName() *string { return m.doc.str("tool_name") }

// ToolArgs returns tool_args.
func (m *Message) ToolArgs() JSON { return m.doc.raw("tool_args") }

// FromHistory returns from_history (false when missing).
func (m *Message) FromHistory() bool {
	b := m.doc.bool("from_history")
	return b != nil && *b
}

// Metrics returns metrics, typed.
func (m *Message) Metrics() *MessageMetrics { return newMessageMetrics(m.doc.value("metrics")) }

// CreatedAt returns created_at.
func (m *Message) CreatedAt() *time.Time { return m.doc.epoch("created_at") }

// Raw returns the whole stored message.
func (m *Message) Raw() JSON { return JSON(m.raw) }

// Media returns the media attached to the message: images, videos, audio
// and files, in that order.
func (m *Message) Media() ([]*Media, error) {
	return mediaLists(m.doc, outputMediaKeys, "", m.corruptKey)
}

// AudioOutput returns audio_output, the model's audio output.
func (m *Message) AudioOutput() (*Media, error) {
	return singleMedia(m.doc, "audio_output", MediaKindAudio, m.corruptKey)
}

// OffloadedResult returns the envelope Agno v3 stored in place of the
// content (offload_tool_results); nil when the content is not one.
func (m *Message) OffloadedResult() *OffloadedResult {
	return parseOffloadedResult(m.doc.value("content"), m.run)
}

// corruptKey reports a message key that is present but of the wrong shape.
func (m *Message) corruptKey(key string, err error) error {
	id := "without id"
	if s := m.ID(); s != nil {
		id = fmt.Sprintf("%q", *s)
	}
	return corrupt(err, "%s of message %s of run %q in session %q cannot be read", key, id, m.run.runID(), m.run.session.row.SessionID)
}

// ToolCalls returns the OpenAI-style tool_calls; entries of another shape are skipped.
func (m *Message) ToolCalls() []*ToolCall {
	objs, _, _ := m.doc.objects("tool_calls")
	out := make([]*ToolCall, 0, len(objs))
	for _, o := range objs {
		if o.absent() {
			continue
		}
		call := &ToolCall{ID: o.str("id"), Type: o.str("type")}
		if fn := o.object("function"); !fn.absent() {
			call.Name = fn.str("name")
			call.Arguments = textOrJSON(fn.value("arguments"))
		}
		out = append(out, call)
	}
	return out
}

// textOrJSON returns a string value as is and any other non-null value as compact JSON text.
func textOrJSON(raw json.RawMessage) *string {
	if isAbsent(raw) {
		return nil
	}
	if s, ok := decodeString(raw); ok {
		return &s
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) != nil {
		return nil
	}
	c := buf.String()
	return &c
}
