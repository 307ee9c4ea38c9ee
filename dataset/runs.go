package dataset

import (
	"bytes"
	"encoding/json"
	"math"
	"time"

	"sessiongraph/models"
)

// agentSession generates the runs of an agent session: a first question,
// then new questions or short follow-ups.
func (b *sessionBuilder) agentSession(a *agentSpec) {
	order := b.r.Perm(len(a.exchanges))
	next := 0
	for turn := range b.p.turns {
		b.advance(turn)
		var ex *exchange
		switch {
		case turn == b.p.turns-1 && b.p.pause:
			ex = a.pause
		case turn > 0 && len(a.followups) > 0 && b.r.Float64() < 0.45:
			ex = &a.followups[b.r.IntN(len(a.followups))]
		default:
			ex = &a.exchanges[order[next%len(order)]]
			next++
		}
		b.agentRun(a, ex)
	}
}

// agentRun generates one run of a standalone agent.
func (b *sessionBuilder) agentRun(a *agentSpec, ex *exchange) {
	run := &models.AgentRunDoc{
		RunID: b.uuid(), AgentID: a.id, AgentName: a.name, SessionID: b.id, UserID: b.user,
		ContentType: "str", Model: a.model.id, ModelProvider: a.model.provider,
		SessionState: b.stateJSON, CreatedAt: int64(b.clock),
	}
	ask := b.fill(ex.ask)
	run.Input = ask
	calls := b.toolRuns(ex.calls)
	answer := b.fill(ex.answer)
	var structured json.RawMessage
	if ex.output != nil {
		class, content := ex.output(b.v)
		structured = mustJSON(b.fillValue(content))
		run.ContentType = class
		answer = string(structured)
	}
	plan := conversationPlan{model: a.model, system: a.instructions, user: ask, calls: calls, answer: answer}
	switch {
	case b.exact != nil:
		b.fit(&plan, agentTools[a])
	default:
		if a.history {
			plan.history = b.replay()
		}
		// A run that pauses for a confirmation gets that far; others may fail.
		if ex.calls == nil || !ex.calls[0].confirm {
			plan.outcome, plan.rounds = b.outcome(0.05, 0.03, len(groupCalls(calls)))
		}
	}
	conv := b.converse(plan)
	if b.exact != nil {
		b.exactStatus(&conv)
	}
	run.Status, run.Messages, run.Tools, run.Metrics = conv.status, conv.messages, conv.tools, conv.metrics
	switch conv.status {
	case statusCompleted:
		run.Content = answer
		if structured != nil {
			run.Content = structured
		}
		b.note(ex.title, ex.summary, ex.topics)
		b.remember(conv.messages)
	case statusPaused:
		run.Requirements = []models.RequirementDoc{{ID: b.uuid(), CreatedAt: isoUTC(b.clock), ToolExecution: conv.pending}}
		b.note(ex.title, ex.summary, ex.topics)
	default:
		run.Content = b.failureContent(conv.status, a.model, run.RunID)
		b.note(ex.title, "", nil)
	}
	if a.events {
		run.Events = b.runEvents(run)
	}
	b.metrics.Accumulate(run.Metrics)
	b.runs.AddAgentRun(run, int64(b.clock))
}

// failureContent is what Agno stores as the content of a failed or cancelled run:
// the exception's message.
func (b *sessionBuilder) failureContent(status string, m model, runID string) string {
	if status == statusCancelled {
		return "Run " + runID + " was cancelled"
	}
	return m.failure
}

// runEvents are the events an agent with store_events keeps (RunContent deltas
// are skipped by default).
func (b *sessionBuilder) runEvents(run *models.AgentRunDoc) []models.RunEventDoc {
	base := models.RunEventDoc{AgentID: run.AgentID, AgentName: run.AgentName, RunID: run.RunID, SessionID: run.SessionID}
	started := base
	started.CreatedAt, started.Event = run.CreatedAt, "RunStarted"
	started.Model, started.ModelProvider = run.Model, run.ModelProvider
	events := []models.RunEventDoc{started}
	for i := range run.Tools {
		tool := &run.Tools[i]
		e := base
		e.CreatedAt, e.Event, e.Tool = tool.CreatedAt, "ToolCallStarted", tool
		events = append(events, e)
		if tool.Result == nil {
			continue
		}
		e.CreatedAt, e.Event, e.Content = int64(tool.Metrics.EndTime), "ToolCallCompleted", *tool.Result
		events = append(events, e)
	}
	end := base
	end.CreatedAt = int64(b.clock)
	switch run.Status {
	case statusCompleted:
		end.Event, end.Content, end.ContentType, end.Metrics = "RunCompleted", run.Content, run.ContentType, run.Metrics
	case statusPaused:
		end.Event = "RunPaused"
	case statusCancelled:
		end.Event, end.Content = "RunCancelled", run.Content
	default:
		end.Event, end.Content = "RunError", run.Content
	}
	return append(events, end)
}

// teamSession generates the runs of a team session: for each turn, the member
// runs the leader delegated to, then the leader's team run (Agno saves the
// team run when it finishes, after its members). In an Exact session each
// turn but a lone last one delegates to one member, so that the session has
// exactly its number of runs.
func (b *sessionBuilder) teamSession(t *teamSpec) {
	order := b.r.Perm(len(t.exchanges))
	if b.exact == nil {
		for turn := range b.p.turns {
			b.advance(turn)
			ex := &t.exchanges[order[turn%len(order)]]
			b.teamTurn(t, ex, ex.delegations)
		}
		return
	}
	for runs, turn := 0, 0; runs < b.p.turns; turn++ {
		b.advance(turn)
		ex := &t.exchanges[order[turn%len(order)]]
		var delegations []delegation
		if runs+1 < b.p.turns {
			delegations = []delegation{pick(b.r, ex.delegations)}
		}
		b.teamTurn(t, ex, delegations)
		runs += 1 + len(delegations)
	}
}

// teamTurn generates one team run and the member runs it delegates to.
func (b *sessionBuilder) teamTurn(t *teamSpec, ex *teamExchange, delegations []delegation) {
	run := &models.TeamRunDoc{
		RunID: b.uuid(), TeamID: t.id, TeamName: t.name, SessionID: b.id, UserID: b.user,
		ContentType: "str", Model: t.model.id, ModelProvider: t.model.provider,
		MemberResponses: []*models.AgentRunDoc{}, SessionState: b.stateJSON, CreatedAt: int64(b.clock),
	}
	ask := b.fill(ex.ask)
	run.Input = ask
	var members []*models.AgentRunDoc
	var calls []toolRun
	for _, d := range delegations {
		member := t.members[d.member]
		task := b.fill(d.task)
		calls = append(calls, toolRun{
			name: models.DelegationTool,
			args: models.DelegationArgs(member.id, task),
			execute: func() (string, string) {
				m := b.memberRun(member, &d, task, run.RunID)
				members = append(members, m)
				return m.Content.(string), m.RunID
			},
		})
	}
	answer := b.fill(ex.answer)
	plan := conversationPlan{model: t.model, system: t.instructions, user: ask, calls: calls, answer: answer}
	if b.exact != nil {
		b.fit(&plan, teamTools[t])
		// A delegation the layout has no tool call for still runs: its
		// member run counts among the session's runs.
		for _, c := range calls[min(len(calls), len(plan.calls)):] {
			c.execute()
		}
	} else {
		if t.history {
			plan.history = b.replay()
		}
		plan.outcome, plan.rounds = b.outcome(0.04, 0.02, len(calls))
	}
	conv := b.converse(plan)
	if b.exact != nil {
		b.exactStatus(&conv)
	}
	run.Status, run.Messages, run.Tools, run.Metrics = conv.status, conv.messages, conv.tools, conv.metrics
	if conv.status == statusCompleted {
		run.Content = answer
		b.note(ex.title, ex.summary, ex.topics)
		b.remember(conv.messages)
	} else {
		run.Content = b.failureContent(conv.status, t.model, run.RunID)
		b.note(ex.title, "", nil)
	}
	if t.storeMemberResponses {
		run.MemberResponses = members
	}
	b.metrics.Accumulate(run.Metrics)
	b.runs.AddTeamRun(run, int64(b.clock))
}

// memberRun is the run of a team member doing a delegated task; it is stored
// as a run of the team session of its own, with parent_run_id the team run.
func (b *sessionBuilder) memberRun(a *agentSpec, d *delegation, task, parentRunID string) *models.AgentRunDoc {
	run := &models.AgentRunDoc{
		RunID: b.uuid(), AgentID: a.id, AgentName: a.name, SessionID: b.id, ParentRunID: parentRunID,
		UserID: b.user, ContentType: "str", Model: a.model.id, ModelProvider: a.model.provider,
		CreatedAt: int64(b.clock), Input: task,
	}
	result := b.fill(d.result)
	plan := conversationPlan{model: a.model, system: a.instructions, user: task, calls: b.toolRuns(d.calls), answer: result}
	if b.exact != nil {
		b.fit(&plan, agentTools[a])
	}
	conv := b.converse(plan)
	if b.exact != nil {
		b.exactStatus(&conv)
	}
	run.Content, run.Status, run.Messages, run.Tools, run.Metrics = result, conv.status, conv.messages, conv.tools, conv.metrics
	b.metrics.Accumulate(run.Metrics)
	b.runs.AddAgentRun(run, int64(b.clock))
	return run
}

// workflowSession generates the workflow runs of a workflow session.
func (b *sessionBuilder) workflowSession(w *workflowSpec) {
	order := b.r.Perm(len(w.topics))
	for turn := range b.p.turns {
		b.advance(turn)
		b.workflowRun(w, &w.topics[order[turn%len(order)]], turn == 0 && b.p.noInput)
	}
}

// workflowRun generates one workflow run with its step results and step runs.
func (b *sessionBuilder) workflowRun(w *workflowSpec, topic *workflowTopic, noInput bool) {
	start := b.clock
	run := &models.WorkflowRunDoc{
		ContentType: "str", WorkflowID: w.id, WorkflowName: w.name, RunID: b.uuid(),
		SessionID: b.id, UserID: b.user, CreatedAt: int64(start),
	}
	// What the first step receives: the workflow input, or, for a run started
	// without input, the topic the app put in additional_data.
	var previous any = b.fill(topic.input)
	if !noInput {
		if topic.inputObject != nil && b.r.Float64() < 0.4 {
			previous = b.fillValue(topic.inputObject)
		}
		run.Input = jsonValue(previous)
	}
	failAt := -1
	if b.exact == nil && b.r.Float64() < 0.06 {
		failAt = b.r.IntN(len(w.steps))
	}
	run.Status = statusCompleted
	var steps []models.StepMetricsDoc
	var total models.RunMetricsDoc
	for i, s := range w.steps {
		output := b.fillValue(topic.outputs[i])
		step := models.StepOutputDoc{
			Content: jsonValue(output), StepName: s.name, StepID: stepID(w, i), StepType: "Step",
			Success: true,
		}
		if s.agent == nil {
			step.ExecutorType, step.ExecutorName = "function", s.function
			b.clock += 0.005 + b.r.Float64()*0.2
			run.StepResults = append(run.StepResults, step)
			previous = output
			continue
		}
		stepRun := b.stepRun(w, &s, step.StepID, run.RunID, previous, output, i == failAt)
		step.ExecutorType, step.ExecutorName, step.StepRunID = "agent", s.agent.name, &stepRun.RunID
		run.StepExecutorRuns = append(run.StepExecutorRuns, stepRun)
		if stepRun.Status != statusCompleted {
			failure := stepRun.Content.(string)
			step.Content, step.Success, step.Error = nil, false, &failure
			run.StepResults = append(run.StepResults, step)
			run.Status, run.Content = statusError, failure
			break
		}
		step.Metrics = stepRun.Metrics
		run.StepResults = append(run.StepResults, step)
		steps = append(steps, models.StepMetricsDoc{StepName: s.name, ExecutorType: "agent", ExecutorName: s.agent.name, Metrics: stepRun.Metrics})
		total.Add(stepRun.Metrics.TokenCounts)
		total.Details = models.MergeModelMetrics(total.Details, stepRun.Metrics.Details)
		previous = output
	}
	if run.Status == statusCompleted {
		run.Content = jsonValue(previous)
		if _, ok := previous.(object); ok {
			run.ContentType = w.steps[len(w.steps)-1].outputSchema
		}
		b.note(topic.title, "", nil)
	}
	duration := roundTo(b.clock-start, 4)
	run.Metrics = &models.WorkflowMetricsDoc{Steps: steps, Duration: &duration}
	// Workflow session metrics are the sum of each run's step metrics.
	b.metrics.Accumulate(&total)
	b.runs.AddWorkflowRun(run, int64(b.clock))
}

// stepRun is the agent run of one workflow step, stored in step_executor_runs.
func (b *sessionBuilder) stepRun(w *workflowSpec, s *workflowStep, stepID, parentRunID string, input, output any, fail bool) *models.AgentRunDoc {
	a := s.agent
	run := &models.AgentRunDoc{
		RunID: b.uuid(), AgentID: a.id, AgentName: a.name, SessionID: b.id, ParentRunID: parentRunID,
		WorkflowID: w.id, UserID: b.user, ContentType: "str", Model: a.model.id, ModelProvider: a.model.provider,
		CreatedAt: int64(b.clock), WorkflowStepID: stepID, Input: jsonValue(input),
	}
	answer, textOutput := output.(string)
	if !textOutput {
		answer = string(mustJSON(output))
	}
	user, textInput := input.(string)
	if !textInput {
		user = string(mustJSON(input))
	}
	plan := conversationPlan{model: a.model, system: a.instructions, user: user, answer: answer}
	if fail {
		plan.outcome = statusError
	}
	if b.exact != nil {
		b.fit(&plan, agentTools[a])
	}
	conv := b.converse(plan)
	if b.exact != nil {
		b.exactStatus(&conv)
	}
	run.Status, run.Messages, run.Tools, run.Metrics = conv.status, conv.messages, conv.tools, conv.metrics
	switch {
	case conv.status != statusCompleted:
		run.Content = a.model.failure
	case !textOutput && s.outputSchema != "":
		run.Content, run.ContentType = jsonValue(output), s.outputSchema
	default:
		run.Content = answer
	}
	return run
}

// stepID is the id of a workflow's step. Agno gives each Step a uuid when the
// workflow is defined, so it is the same in every run of the workflow.
func stepID(w *workflowSpec, i int) string {
	h := uint64(14695981039346656037)
	for _, c := range []byte(w.id) {
		h = (h ^ uint64(c)) * 1099511628211
	}
	hi, lo := splitmix(h+uint64(i)), splitmix(h^uint64(i+1)<<32)
	return formatUUID(hi, lo)
}

// toolRun is one tool call a conversation makes.
type toolRun struct {
	name     string
	args     json.RawMessage
	result   string
	failed   bool
	parallel bool
	confirm  bool
	// execute, when set, performs the call (a delegation to a team member) on the
	// session clock and returns its result and the child run's id.
	execute func() (result, childRunID string)
}

// toolRuns fills the canned tool steps of an exchange.
func (b *sessionBuilder) toolRuns(steps []toolStep) []toolRun {
	calls := make([]toolRun, len(steps))
	for i, s := range steps {
		var args bytes.Buffer
		if err := json.Compact(&args, []byte(b.fill(s.args))); err != nil {
			panic("dataset: canned tool arguments of " + s.name + " are not JSON: " + err.Error())
		}
		calls[i] = toolRun{
			name: s.name, args: args.Bytes(), result: b.fill(s.result),
			failed: s.failed, parallel: s.parallel, confirm: s.confirm,
		}
	}
	return calls
}

// groupCalls splits tool calls into model rounds: a parallel call joins the
// assistant message of the call before it.
func groupCalls(calls []toolRun) [][]toolRun {
	var groups [][]toolRun
	for _, c := range calls {
		if c.parallel && len(groups) > 0 {
			groups[len(groups)-1] = append(groups[len(groups)-1], c)
			continue
		}
		groups = append(groups, []toolRun{c})
	}
	return groups
}

// outcome decides whether a run fails or is cancelled, and after how many of
// its tool rounds.
func (b *sessionBuilder) outcome(errorRate, cancelRate float64, rounds int) (string, int) {
	x := b.r.Float64()
	switch {
	case x < errorRate:
		return statusError, b.r.IntN(rounds + 1)
	case x < errorRate+cancelRate:
		return statusCancelled, b.r.IntN(rounds + 1)
	}
	return statusCompleted, 0
}

// conversationPlan is what a run says to its model.
type conversationPlan struct {
	model   model
	system  string
	history []models.MessageDoc
	user    string
	calls   []toolRun
	answer  string
	// outcome is COMPLETED (the zero value means the same), ERROR or CANCELLED;
	// a failing run stops after rounds tool rounds.
	outcome string
	rounds  int
	// noSystem, noUser and noAnswer leave those messages out (Exact's
	// layouts of few messages); the model is still asked for the answer.
	noSystem, noUser, noAnswer bool
}

func (c *conversationPlan) fails() bool {
	return c.outcome == statusError || c.outcome == statusCancelled
}

// conversation is what a run stored: its messages, tool executions and metrics.
type conversation struct {
	messages []models.MessageDoc
	tools    []models.ToolExecutionDoc
	metrics  *models.RunMetricsDoc
	status   string
	pending  *models.ToolExecutionDoc // the tool a paused run waits on
}

// converse plays a run's exchange with its model on the session clock: the
// system and user messages, one assistant message per model round with its tool
// calls and their tool messages, and the final answer.
func (b *sessionBuilder) converse(c conversationPlan) conversation {
	start := b.clock
	at := int64(start)
	conv := conversation{status: statusCompleted}
	if !c.noSystem {
		conv.messages = append(conv.messages, b.message("system", c.system, at))
	}
	conv.messages = append(conv.messages, c.history...)
	if !c.noUser {
		conv.messages = append(conv.messages, b.message("user", c.user, at))
	}

	context := estimateTokens(c.system) + estimateTokens(c.user) + 40
	for _, m := range c.history {
		if s, ok := m.Content.(string); ok {
			context += estimateTokens(s)
		}
	}
	names := map[string]bool{}
	for _, call := range c.calls {
		names[call.name] = true
	}
	context += 110 * len(names) // tool schemas
	var usage []models.MessageMetricsDoc

	groups := groupCalls(c.calls)
	for round, group := range groups {
		if c.fails() && round == c.rounds {
			return b.stop(conv, c, start, usage)
		}
		out := 12
		var toolCalls []models.ToolCallDoc
		for _, call := range group {
			out += 18 + len(call.args)/4
			toolCalls = append(toolCalls, models.ToolCallDoc{ID: b.toolCallID(c.model), Name: call.name, Arguments: string(call.args)})
		}
		mm := b.modelCall(c.model, context, out, round > 0)
		usage = append(usage, mm)
		assistant := b.message("assistant", nil, int64(b.clock))
		assistant.ToolCalls, assistant.Metrics = toolCalls, &mm
		conv.messages = append(conv.messages, assistant)
		context += out

		for i, call := range group {
			te := b.runTool(call, toolCalls[i].ID)
			if call.confirm {
				conv.tools = append(conv.tools, te)
				conv.status, conv.pending = statusPaused, &conv.tools[len(conv.tools)-1]
				conv.metrics = runMetricsFrom(c.model, usage, b.clock-start)
				return conv
			}
			conv.tools = append(conv.tools, te)
			tm := b.message("tool", *te.Result, int64(te.Metrics.EndTime))
			tm.ToolCallID, tm.ToolName, tm.ToolArgs, tm.ToolCallError = te.ToolCallID, te.ToolName, te.ToolArgs, te.ToolCallError
			conv.messages = append(conv.messages, tm)
			context += estimateTokens(*te.Result)
		}
	}
	if c.fails() {
		return b.stop(conv, c, start, usage)
	}
	mm := b.modelCall(c.model, context, estimateTokens(c.answer), len(groups) > 0)
	usage = append(usage, mm)
	if !c.noAnswer {
		final := b.message("assistant", c.answer, int64(b.clock))
		final.Metrics = &mm
		conv.messages = append(conv.messages, final)
	}
	conv.metrics = runMetricsFrom(c.model, usage, b.clock-start)
	return conv
}

// stop ends a run that failed (the model request raised) or was cancelled.
func (b *sessionBuilder) stop(conv conversation, c conversationPlan, start float64, usage []models.MessageMetricsDoc) conversation {
	conv.status = c.outcome
	b.clock += 0.5 + b.r.Float64()*4
	conv.metrics = runMetricsFrom(c.model, usage, b.clock-start)
	return conv
}

// runTool executes one tool call on the session clock.
func (b *sessionBuilder) runTool(call toolRun, id string) models.ToolExecutionDoc {
	te := models.ToolExecutionDoc{ToolCallID: id, ToolName: call.name, ToolArgs: call.args, CreatedAt: int64(b.clock)}
	if call.confirm {
		te.RequiresConfirmation = ptr(true)
		return te
	}
	started := b.clock
	result := call.result
	if call.execute != nil {
		var child string
		result, child = call.execute()
		te.ChildRunID = &child
	} else {
		b.clock += 0.04 + b.r.Float64()*1.5
	}
	te.ToolCallError, te.Result = ptr(call.failed), &result
	te.Metrics = &models.ToolMetricsDoc{StartTime: roundTo(started, 4), EndTime: roundTo(b.clock, 4), Duration: roundTo(b.clock-started, 4)}
	return te
}

// modelCall spends the time of one model request and returns its usage.
func (b *sessionBuilder) modelCall(m model, input, output int, cached bool) models.MessageMetricsDoc {
	input += b.r.IntN(25)
	ttft := 0.25 + b.r.Float64()*1.1
	duration := ttft + float64(output)/m.tokensPerSecond*(0.8+0.4*b.r.Float64())
	b.clock += duration
	mm := models.MessageMetricsDoc{
		TokenCounts:      models.TokenCounts{InputTokens: input, OutputTokens: output, TotalTokens: input + output},
		Duration:         roundTo(duration, 4),
		TimeToFirstToken: roundTo(ttft, 4),
	}
	if cached && m.provider == "Anthropic" {
		mm.CacheReadTokens = input / 2
	}
	if m.inputPerM > 0 {
		mm.Cost = roundTo((float64(input)*m.inputPerM+float64(output)*m.outputPerM)/1e6, 8)
	}
	return mm
}

// runMetricsFrom sums a run's model requests into RunMetrics.
func runMetricsFrom(m model, usage []models.MessageMetricsDoc, duration float64) *models.RunMetricsDoc {
	rm := &models.RunMetricsDoc{Duration: roundTo(duration, 4)}
	if len(usage) == 0 {
		return rm
	}
	rm.TimeToFirstToken = usage[0].TimeToFirstToken
	for _, u := range usage {
		rm.Add(u.TokenCounts)
	}
	rm.Details = []models.ModelMetricsDoc{{TokenCounts: rm.TokenCounts, ID: m.id, Provider: m.provider}}
	return rm
}

// message returns a new message; a nil content is left out, as Agno drops None.
func (b *sessionBuilder) message(role string, content any, at int64) models.MessageDoc {
	return models.MessageDoc{ID: b.uuid(), Role: role, Content: content, CreatedAt: at}
}

// estimateTokens approximates a tokenizer: about four bytes per token.
func estimateTokens(s string) int {
	return len(s)/4 + 1
}

func roundTo(x float64, digits int) float64 {
	p := math.Pow10(digits)
	return math.Round(x*p) / p
}

// isoUTC formats seconds like Python's datetime.now(timezone.utc).isoformat().
func isoUTC(seconds float64) string {
	sec, frac := math.Modf(seconds)
	return models.PythonISOFormat(time.Unix(int64(sec), int64(frac*1e6)*1000).UTC())
}
