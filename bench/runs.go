package bench

import (
	"encoding/json"
	"math"
)

// turn is one run's conversation, planned before it is written.
type turn struct {
	runID       string
	at          int64 // created_at
	model       model
	system      string
	ask, answer string
	withSystem  bool
	rounds      []int // tool calls issued by each assistant message before the answer
	calls       []toolCall
	inputTokens int64
	outTokens   int64
	duration    float64
	status      string
}

// toolCall is one tool call of a run and its result.
type toolCall struct {
	id, name, args, result string
	childRunID             string
	at                     int64
	duration               float64
}

// layout spreads n messages over a run: [system] user (assistant(tool_calls) tool…)* assistant.
// With room for it the run has a system message; an odd slot goes to a
// round of two parallel tool calls.
func layout(n int) (withSystem bool, rounds []int) {
	if n <= 2 {
		return false, nil
	}
	rest := n - 2 // beyond the user message and the answer
	if rest == 2 {
		return false, []int{1}
	}
	rest-- // the system message
	for rest >= 2 {
		if rest == 3 {
			return true, append(rounds, 2)
		}
		rounds = append(rounds, 1)
		rest -= 2
	}
	return true, rounds
}

// plan draws a run's conversation; delegate, when set, is its first tool call.
func (b *builder) plan(m model, system string, d *domain, ask string, delegate *toolCall) *turn {
	t := &turn{runID: b.uuid(), at: b.clock, model: m, system: system, ask: ask, answer: b.answer(d), status: "COMPLETED"}
	t.withSystem, t.rounds = layout(b.spec.Messages)
	clock := float64(t.at) + 0.4
	ncalls := 0
	for _, n := range t.rounds {
		ncalls += n
	}
	inBytes := len(ask)
	if t.withSystem {
		inBytes += len(system)
	}
	for k := range ncalls {
		var c toolCall
		if k == 0 && delegate != nil {
			c = *delegate
		} else {
			tl := pick(b.r, d.tools)
			c = toolCall{name: tl.name, args: b.fill(tl.args), result: b.fill(tl.result)}
		}
		c.id = b.callID()
		c.duration = float64(50+b.r.IntN(1500)) / 1000
		clock += 0.8 + c.duration
		c.at = int64(clock)
		inBytes += len(c.result) + len(c.args)
		t.calls = append(t.calls, c)
	}
	calls := int64(len(t.rounds) + 1)
	t.inputTokens = int64(inBytes/4) + 40*calls
	t.outTokens = int64(len(t.answer)/4) + 25*calls
	t.duration = math.Round((clock-float64(t.at))*1000+float64(t.outTokens)*12)/1000 + 0.5
	if b.r.IntN(100) < 2 {
		t.status = "ERROR"
		t.answer = "Error code: 429 - {'error': {'message': 'Rate limit reached for " + m.id + " on tokens per min (TPM). Please try again in 2.61s.', 'type': 'tokens', 'code': 'rate_limit_exceeded'}}"
	}
	// the next run starts between 20 seconds and half an hour later
	b.clock = t.at + int64(math.Ceil(t.duration)) + 20 + b.r.Int64N(1800)
	b.inputTokens += t.inputTokens
	b.outputTokens += t.outTokens
	mt := b.models[m]
	b.models[m] = [2]int64{mt[0] + t.inputTokens, mt[1] + t.outTokens}
	return t
}

// agentRuns returns the runs array of an agent session.
func (b *builder) agentRuns(a *agent) json.RawMessage {
	w := &b.w
	w.arr()
	for range b.spec.Runs {
		t := b.plan(a.model, a.system, a.domain, b.fill(pick(b.r, a.domain.asks)), nil)
		b.agentRun(a, t, "", "", "")
	}
	w.endArr()
	return w.bytes()
}

// teamRuns returns the runs array of a team session: pairs of a member run
// and the team run that delegated to it (Agno stores the member run first,
// because the team run is saved when it finishes), then a team run that
// answered alone when the count is odd.
func (b *builder) teamRuns(tm *team) json.RawMessage {
	w := &b.w
	w.arr()
	for k := 0; k < b.spec.Runs; {
		ask := b.fill(pick(b.r, tm.domain.asks))
		if k+1 == b.spec.Runs {
			b.teamRun(tm, b.plan(tm.model, tm.system, tm.domain, ask, nil))
			break
		}
		member := tm.members[b.r.IntN(len(tm.members))]
		leaderStart := b.clock
		b.clock++
		mt := b.plan(member.model, member.system, member.domain, ask, nil)
		b.clock = leaderStart
		delegate := &toolCall{name: "delegate_task_to_member", childRunID: mt.runID,
			args: `{"member_id": "` + member.id + `", "task": ` + string(appendJSONString(nil, ask)) + `}`, result: mt.answer}
		tt := b.plan(tm.model, tm.system, tm.domain, ask, delegate)
		b.clock = max(b.clock, mt.at+int64(mt.duration)+1)
		b.agentRun(member, mt, tt.runID, "", "")
		b.teamRun(tm, tt)
		k += 2
	}
	w.endArr()
	return w.bytes()
}

// workflowRuns returns the runs array of a workflow session.
func (b *builder) workflowRuns(wf *workflow) json.RawMessage {
	w := &b.w
	w.arr()
	for range b.spec.Runs {
		b.workflowRun(wf)
	}
	w.endArr()
	return w.bytes()
}

// agentRun writes RunOutput.to_dict of an agent run; parentRunID is set for
// team member runs and workflow step runs, workflowID and stepID for the latter.
func (b *builder) agentRun(a *agent, t *turn, parentRunID, workflowID, stepID string) {
	w := &b.w
	w.obj()
	w.kstr("run_id", t.runID)
	w.kstr("agent_id", a.id)
	w.kstr("agent_name", a.name)
	w.kstr("session_id", b.sessionID)
	if parentRunID != "" {
		w.kstr("parent_run_id", parentRunID)
	}
	if workflowID != "" {
		w.kstr("workflow_id", workflowID)
		w.kstr("workflow_step_id", stepID)
	}
	b.runBody(t)
	w.endObj()
}

// teamRun writes TeamRunOutput.to_dict; member_responses is always present.
func (b *builder) teamRun(tm *team, t *turn) {
	w := &b.w
	w.obj()
	w.kstr("run_id", t.runID)
	w.kstr("team_id", tm.id)
	w.kstr("team_name", tm.name)
	w.kstr("session_id", b.sessionID)
	b.runBody(t)
	w.key("member_responses")
	w.arr()
	w.endArr()
	w.endObj()
}

// runBody writes the keys agent and team runs share.
func (b *builder) runBody(t *turn) {
	w := &b.w
	if b.userID != "" {
		w.kstr("user_id", b.userID)
	}
	w.key("input")
	w.obj()
	w.kstr("input_content", t.ask)
	w.endObj()
	w.kstr("content", t.answer)
	w.kstr("content_type", "str")
	w.kstr("model", t.model.id)
	w.kstr("model_provider", t.model.provider)
	b.messages(t)
	w.key("metrics")
	b.runMetrics(t)
	if len(t.calls) > 0 {
		w.key("tools")
		w.arr()
		for _, c := range t.calls {
			b.toolExecution(c)
		}
		w.endArr()
	}
	w.kint("created_at", t.at)
	w.kstr("status", t.status)
}

func (b *builder) runMetrics(t *turn) {
	w := &b.w
	w.obj()
	b.tokenCounters(t.inputTokens, t.outTokens)
	w.kfloat("time_to_first_token", float64(200+b.r.IntN(900))/1000)
	w.kfloat("duration", t.duration)
	w.key("details")
	w.obj()
	w.key("model")
	w.arr()
	w.obj()
	w.kstr("id", t.model.id)
	w.kstr("provider", t.model.provider)
	b.tokenCounters(t.inputTokens, t.outTokens)
	w.endObj()
	w.endArr()
	w.endObj()
	w.endObj()
}

// messages writes the run's messages; there are exactly spec.Messages.
func (b *builder) messages(t *turn) {
	n := b.spec.Messages
	if n <= 0 {
		return
	}
	w := &b.w
	w.key("messages")
	w.arr()
	if t.withSystem {
		b.message("system", t.system, t.at, nil)
	}
	b.message("user", t.ask, t.at, nil)
	if n >= 2 {
		next := 0
		perCall := t.inputTokens / int64(len(t.rounds)+1)
		for _, k := range t.rounds {
			calls := t.calls[next : next+k]
			next += k
			b.message("assistant", "", calls[0].at, func() {
				w.key("tool_calls")
				w.arr()
				for _, c := range calls {
					w.obj()
					w.kstr("id", c.id)
					w.kstr("type", "function")
					w.key("function")
					w.obj()
					w.kstr("name", c.name)
					w.kstr("arguments", c.args)
					w.endObj()
					w.endObj()
				}
				w.endArr()
				b.messageMetrics(perCall, 25)
			})
			for _, c := range calls {
				b.message("tool", c.result, c.at, func() {
					w.kstr("tool_call_id", c.id)
					w.kstr("tool_name", c.name)
					w.key("tool_args")
					w.raw([]byte(c.args))
					w.kbool("tool_call_error", false)
					w.key("metrics")
					w.obj()
					w.kfloat("duration", c.duration)
					w.endObj()
				})
			}
		}
		b.message("assistant", t.answer, t.at+int64(t.duration), func() {
			b.messageMetrics(perCall, t.outTokens-25*int64(len(t.rounds)))
		})
	}
	w.endArr()
}

// message writes Message.to_dict; extra writes the role's own keys.
func (b *builder) message(role, content string, at int64, extra func()) {
	w := &b.w
	w.obj()
	w.kstr("id", b.uuid())
	w.kstr("role", role)
	if content != "" {
		w.kstr("content", content)
	}
	w.kbool("from_history", false)
	w.kbool("stop_after_tool_call", false)
	if extra != nil {
		extra()
	}
	w.kint("created_at", at)
	w.endObj()
}

func (b *builder) messageMetrics(in, out int64) {
	w := &b.w
	w.key("metrics")
	w.obj()
	b.tokenCounters(in, out)
	w.kfloat("time_to_first_token", float64(150+b.r.IntN(600))/1000)
	w.kfloat("duration", float64(400+b.r.IntN(4000))/1000)
	w.endObj()
}

// toolExecution writes ToolExecution.to_dict, which keeps its null keys.
func (b *builder) toolExecution(c toolCall) {
	w := &b.w
	w.obj()
	w.kstr("tool_call_id", c.id)
	w.kstr("tool_name", c.name)
	w.key("tool_args")
	w.raw([]byte(c.args))
	w.kbool("tool_call_error", false)
	w.kstr("result", c.result)
	w.key("metrics")
	w.obj()
	start := float64(c.at) - c.duration
	w.kfloat("start_time", math.Round(start*1000)/1000)
	w.kfloat("end_time", float64(c.at))
	w.kfloat("duration", c.duration)
	w.endObj()
	w.kstrOrNull("child_run_id", c.childRunID)
	w.kbool("stop_after_tool_call", false)
	w.kint("created_at", int64(start))
	for _, k := range []string{"requires_confirmation", "confirmed", "confirmation_note", "requires_user_input",
		"user_input_schema", "user_feedback_schema", "answered", "external_execution_required",
		"external_execution_silent", "approval_type", "approval_id"} {
		w.knull(k)
	}
	w.endObj()
}

// workflowRun writes WorkflowRunOutput.to_dict: an agent step whose run
// (in step_executor_runs) holds the messages, then a function step.
func (b *builder) workflowRun(wf *workflow) {
	w := &b.w
	runID, stepIDs := b.uuid(), [2]string{b.uuid(), b.uuid()}
	start := b.clock
	input := b.fill(pick(b.r, wf.inputs))
	step := b.plan(wf.research.model, wf.research.system, wf.research.domain, input, nil)
	formatDuration := float64(5+b.r.IntN(80)) / 1000
	content := b.fill(pick(b.r, wf.summaries)) + step.answer
	status := "COMPLETED"
	if step.status != "COMPLETED" {
		status, content = step.status, step.answer
	}
	w.obj()
	w.kstr("run_id", runID)
	w.kstr("workflow_id", wf.id)
	w.kstr("workflow_name", wf.name)
	w.kstr("session_id", b.sessionID)
	if b.userID != "" {
		w.kstr("user_id", b.userID)
	}
	w.kstr("input", input)
	w.kstr("content", content)
	w.kstr("content_type", "str")
	w.kint("created_at", start)
	w.kstr("status", status)
	w.key("step_results")
	w.arr()
	b.stepOutput(wf.stepNames[0], stepIDs[0], "agent", wf.research.name, step.runID, step.answer, step, status == "COMPLETED")
	if status == "COMPLETED" {
		b.stepOutput(wf.stepNames[1], stepIDs[1], "function", wf.functionName, "", content, nil, true)
	}
	w.endArr()
	w.key("step_executor_runs")
	w.arr()
	b.agentRun(wf.research, step, runID, wf.id, stepIDs[0])
	w.endArr()
	w.key("metrics")
	w.obj()
	w.key("steps")
	w.obj()
	w.key(wf.stepNames[0])
	w.obj()
	w.kstr("step_name", wf.stepNames[0])
	w.kstr("executor_type", "agent")
	w.kstr("executor_name", wf.research.name)
	w.key("metrics")
	b.runMetrics(step)
	w.endObj()
	w.key(wf.stepNames[1])
	w.obj()
	w.kstr("step_name", wf.stepNames[1])
	w.kstr("executor_type", "function")
	w.kstr("executor_name", wf.functionName)
	w.knull("metrics")
	w.endObj()
	w.endObj()
	w.kfloat("duration", math.Round((step.duration+formatDuration)*1000)/1000)
	w.endObj()
	w.endObj()
}

// stepOutput writes StepOutput.to_dict, which keeps its null keys.
func (b *builder) stepOutput(name, stepID, executorType, executorName, stepRunID, content string, metrics *turn, success bool) {
	w := &b.w
	w.obj()
	w.kstr("content", content)
	w.kstr("step_name", name)
	w.kstr("step_id", stepID)
	w.kstr("step_type", "Step")
	w.kstr("executor_type", executorType)
	w.kstr("executor_name", executorName)
	w.kstrOrNull("step_run_id", stepRunID)
	for _, k := range []string{"images", "videos", "audio", "files"} {
		w.knull(k)
	}
	w.key("metrics")
	if metrics != nil {
		b.runMetrics(metrics)
	} else {
		w.null()
	}
	w.kbool("success", success)
	if success {
		w.knull("error")
	} else {
		w.kstr("error", content)
	}
	w.kbool("stop", false)
	w.kbool("is_paused", false)
	w.endObj()
}
