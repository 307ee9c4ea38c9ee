package dataset

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"time"

	oteltrace "go.opentelemetry.io/otel/trace"

	"sessiongraph/db"
	"sessiongraph/models"
)

// Observability is what Agno's tracing and metrics would have written for
// a set of sessions: a trace per top-level run with its spans (the run,
// its model calls and tool calls, its team members' and workflow steps'
// runs), and the daily metrics rows Agno 3's calculate_metrics computes
// from the sessions, one per user and day.
type Observability struct {
	Traces  []models.TraceRow
	Spans   []models.SpanRow
	Metrics []models.MetricsRow
}

// InsertObservability creates Agno's traces, spans and metrics tables (Agno
// 3's DDL) in store's database and writes what Agno would have written for
// sessions, metrics computed at now.
func InsertObservability(ctx context.Context, store *db.Store, sessions []Session, now time.Time) error {
	o := AgnoObservability(sessions, now)
	if err := store.CreateTraceTables(ctx); err != nil {
		return err
	}
	if err := store.CreateMetricsTable(ctx, db.MetricsPerUser); err != nil {
		return err
	}
	if err := store.InsertTraces(ctx, o.Traces, o.Spans); err != nil {
		return err
	}
	return store.InsertMetrics(ctx, o.Metrics)
}

// AgnoObservability returns the traces, spans and metrics of sessions.
func AgnoObservability(sessions []Session, now time.Time) Observability {
	var o Observability
	for _, s := range sessions {
		members := map[string][]storedTraceRun{}
		var top []storedTraceRun
		for _, r := range s.Runs {
			var run storedTraceRun
			if json.Unmarshal(r.RunData, &run) != nil {
				continue
			}
			if r.ParentRunID != nil {
				members[*r.ParentRunID] = append(members[*r.ParentRunID], run)
			} else {
				top = append(top, run)
			}
		}
		for _, run := range top {
			o.addTrace(s.Row, run, members[run.RunID])
		}
	}
	o.Metrics = agnoDailyMetrics(sessions, now)
	return o
}

// storedTraceRun is what a trace is drawn from in a stored run.
type storedTraceRun struct {
	RunID         string  `json:"run_id"`
	AgentID       *string `json:"agent_id"`
	TeamID        *string `json:"team_id"`
	WorkflowID    *string `json:"workflow_id"`
	AgentName     string  `json:"agent_name"`
	TeamName      string  `json:"team_name"`
	WorkflowName  string  `json:"workflow_name"`
	Model         string  `json:"model"`
	ModelProvider string  `json:"model_provider"`
	Status        string  `json:"status"`
	Content       any     `json:"content"`
	CreatedAt     float64 `json:"created_at"`
	Metrics       struct {
		Duration     float64 `json:"duration"`
		InputTokens  int64   `json:"input_tokens"`
		OutputTokens int64   `json:"output_tokens"`
	} `json:"metrics"`
	Tools            []storedTool     `json:"tools"`
	StepExecutorRuns []storedTraceRun `json:"step_executor_runs"`
}

// storedTool is a tool call of a stored run.
type storedTool struct {
	ToolName string         `json:"tool_name"`
	ToolArgs map[string]any `json:"tool_args"`
	Error    *bool          `json:"tool_call_error"`
	Metrics  struct {
		StartTime float64 `json:"start_time"`
		EndTime   float64 `json:"end_time"`
	} `json:"metrics"`
}

// Span kinds as Agno's exporter stores them: OpenTelemetry's, upper-cased.
var (
	spanKindInternal = strings.ToUpper(oteltrace.SpanKindInternal.String())
	spanKindClient   = strings.ToUpper(oteltrace.SpanKindClient.String())
)

// traceBuilder collects the spans of one trace.
type traceBuilder struct {
	traceID string
	spans   []models.SpanRow
	errors  int
}

// addTrace adds the trace of a top-level run, its members' runs under it.
func (o *Observability) addTrace(session models.SessionRow, run storedTraceRun, members []storedTraceRun) {
	b := &traceBuilder{traceID: hexID(run.RunID, 32)}
	root := b.runSpan(run, nil, session)
	for _, m := range members {
		b.runSpan(m, &root.SpanID, session)
	}
	t0, t1 := parseISO(root.StartTime), parseISO(root.EndTime)
	for _, sp := range b.spans {
		t0, t1 = minTime(t0, parseISO(sp.StartTime)), maxTime(t1, parseISO(sp.EndTime))
	}
	start, end := isoTime(t0), isoTime(t1)
	status := "OK"
	if b.errors > 0 {
		status = "ERROR"
	}
	o.Traces = append(o.Traces, models.TraceRow{TraceID: b.traceID, Name: root.Name, Status: status, StartTime: start, EndTime: end,
		DurationMs: t1.Sub(t0).Milliseconds(), RunID: &run.RunID, SessionID: &session.SessionID, UserID: session.UserID,
		AgentID: run.AgentID, TeamID: run.TeamID, WorkflowID: run.WorkflowID, CreatedAt: end})
	o.Spans = append(o.Spans, b.spans...)
}

// runSpan adds the span of a run under parent with its model and tool calls
// (a model call before each tool call and one after the last) and its
// workflow steps' runs, and returns it.
func (b *traceBuilder) runSpan(run storedTraceRun, parent *string, session models.SessionRow) models.SpanRow {
	start := epochTime(run.CreatedAt)
	end := start.Add(seconds(max(run.Metrics.Duration, 0.2)))
	name, kind := run.AgentName, "AGENT"
	switch {
	case run.TeamID != nil && run.AgentID == nil:
		name = run.TeamName
	case run.WorkflowID != nil && run.AgentID == nil && run.TeamID == nil:
		name, kind = run.WorkflowName, "CHAIN"
	}
	attrs := map[string]any{"openinference.span.kind": kind, "agno.run.id": run.RunID, "agno.session.id": session.SessionID}
	if session.UserID != nil {
		attrs["agno.user.id"] = *session.UserID
	}
	if c, ok := run.Content.(string); ok {
		attrs["output.value"] = c
	}
	span := b.span(parent, cmp.Or(name, "Agent")+".run", spanKindInternal, start, end, attrs)
	if run.Status == "ERROR" {
		span.StatusCode, span.StatusMessage = "ERROR", ptr("the run failed")
		b.spans[len(b.spans)-1] = span
		b.errors++
	}
	if kind == "CHAIN" {
		for _, step := range run.StepExecutorRuns {
			b.runSpan(step, &span.SpanID, session)
		}
		return span
	}
	tools := slices.Clone(run.Tools)
	slices.SortStableFunc(tools, func(a, c storedTool) int { return cmp.Compare(a.Metrics.StartTime, c.Metrics.StartTime) })
	calls := len(tools) + 1
	llm := func(from, to time.Time) {
		if !to.After(from) {
			to = from.Add(100 * time.Millisecond)
		}
		b.span(&span.SpanID, modelClass(run.ModelProvider)+".response", spanKindClient, from, to, map[string]any{
			"openinference.span.kind": "LLM", "llm.model_name": run.Model, "llm.provider": run.ModelProvider,
			"llm.token_count.prompt": run.Metrics.InputTokens / int64(calls), "llm.token_count.completion": run.Metrics.OutputTokens / int64(calls)})
	}
	cursor := start
	for _, t := range tools {
		t0, t1 := epochTime(t.Metrics.StartTime), epochTime(t.Metrics.EndTime)
		if t.Metrics.StartTime == 0 || t0.Before(cursor) || t0.After(end) {
			t0 = cursor.Add(end.Sub(cursor) / time.Duration(2*calls))
		}
		if t1.Before(t0) || t1.After(end) {
			t1 = t0.Add(end.Sub(t0) / 4)
		}
		llm(cursor, t0)
		args, _ := json.Marshal(t.ToolArgs)
		tool := b.span(&span.SpanID, t.ToolName, spanKindInternal, t0, t1, map[string]any{
			"openinference.span.kind": "TOOL", "tool.name": t.ToolName, "input.value": string(args)})
		if t.Error != nil && *t.Error {
			tool.StatusCode, tool.StatusMessage = "ERROR", ptr("the tool call failed")
			b.spans[len(b.spans)-1] = tool
			b.errors++
		}
		cursor = t1
	}
	llm(cursor, end)
	return span
}

// span adds a span and returns it.
func (b *traceBuilder) span(parent *string, name, kind string, start, end time.Time, attrs map[string]any) models.SpanRow {
	doc, _ := json.Marshal(attrs)
	sp := models.SpanRow{SpanID: hexID(fmt.Sprintf("%s/%d", b.traceID, len(b.spans)), 16), TraceID: b.traceID, ParentSpanID: parent,
		Name: name, SpanKind: kind, StatusCode: "OK", StartTime: isoTime(start), EndTime: isoTime(end),
		DurationMs: end.Sub(start).Milliseconds(), Attributes: doc, CreatedAt: isoTime(end)}
	b.spans = append(b.spans, sp)
	return sp
}

// modelClass is the Agno model class whose calls a provider's spans are named after.
func modelClass(provider string) string {
	switch provider {
	case "OpenAI":
		return "OpenAIChat"
	case "Anthropic":
		return "Claude"
	case "Google":
		return "Gemini"
	}
	return cmp.Or(provider, "Model")
}

// agnoDailyMetrics computes Agno 3's daily metrics rows of sessions
// (calculate_date_metrics): sessions bucketed by the UTC day of their
// created_at and their user ("" without one), each bucket counting its
// sessions and their runs by session type (a session's runs-table rows,
// team members' included), runs per model and provider, and the sum of the
// sessions' session_metrics token counters; complete when the day is over.
func agnoDailyMetrics(sessions []Session, now time.Time) []models.MetricsRow {
	type bucket struct {
		row    models.MetricsRow
		tokens map[string]int64
		models []string
		counts map[string]int64
	}
	tokenKeys := []string{"input_tokens", "output_tokens", "total_tokens", "audio_total_tokens", "audio_input_tokens",
		"audio_output_tokens", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens"}
	var order []string
	buckets := map[string]*bucket{}
	for _, kind := range []string{"agent", "team", "workflow"} {
		for _, s := range sessions {
			if s.Row.SessionType != kind {
				continue
			}
			day := time.Unix(s.Row.CreatedAt, 0).UTC().Format(time.DateOnly)
			user := ""
			if s.Row.UserID != nil {
				user = *s.Row.UserID
			}
			key := day + "\x00" + user
			b, ok := buckets[key]
			if !ok {
				b = &bucket{row: models.MetricsRow{ID: formatUUID(splitmix(hash(key)), splitmix(hash(key)^1)), Date: day, AggregationPeriod: "daily",
					UserID: &user, CreatedAt: now.Unix(), UpdatedAt: ptr(now.Unix()), Completed: day < now.UTC().Format(time.DateOnly)},
					tokens: map[string]int64{}, counts: map[string]int64{}}
				if user != "" {
					b.row.UsersCount = 1
				}
				buckets[key] = b
				order = append(order, key)
			}
			runs := int64(len(s.Runs))
			switch kind {
			case "agent":
				b.row.AgentSessionsCount++
				b.row.AgentRunsCount += runs
			case "team":
				b.row.TeamSessionsCount++
				b.row.TeamRunsCount += runs
			default:
				b.row.WorkflowSessionsCount++
				b.row.WorkflowRunsCount += runs
			}
			for _, r := range s.Runs {
				var run storedTraceRun
				if json.Unmarshal(r.RunData, &run) != nil || run.Model == "" {
					continue
				}
				m := run.Model + ":" + run.ModelProvider
				if b.counts[m] == 0 {
					b.models = append(b.models, m)
				}
				b.counts[m]++
			}
			var data struct {
				SessionMetrics map[string]float64 `json:"session_metrics"`
			}
			_ = json.Unmarshal(s.Row.SessionData, &data)
			for _, k := range tokenKeys {
				b.tokens[k] += int64(data.SessionMetrics[k])
			}
		}
	}
	slices.Sort(order)
	rows := make([]models.MetricsRow, len(order))
	for i, key := range order {
		b := buckets[key]
		tokens := "{"
		for j, k := range tokenKeys {
			if j > 0 {
				tokens += ","
			}
			tokens += fmt.Sprintf("%q:%d", k, b.tokens[k])
		}
		b.row.TokenMetrics = json.RawMessage(tokens + "}")
		modelMetrics := []map[string]any{}
		for _, m := range b.models {
			i := len(m) - 1
			for m[i] != ':' {
				i--
			}
			modelMetrics = append(modelMetrics, map[string]any{"model_id": m[:i], "model_provider": m[i+1:], "count": b.counts[m]})
		}
		b.row.ModelMetrics, _ = json.Marshal(modelMetrics)
		rows[i] = b.row
	}
	return rows
}

// hexID derives a lowercase hex id of n digits from key, as OpenTelemetry's
// trace (32) and span (16) ids look.
func hexID(key string, n int) string {
	h := hash(key)
	out := ""
	for len(out) < n {
		h = splitmix(h)
		out += fmt.Sprintf("%016x", h)
	}
	return out[:n]
}

func hash(s string) uint64 {
	f := fnv.New64a()
	_, _ = f.Write([]byte(s))
	return f.Sum64()
}

func epochTime(s float64) time.Time {
	sec, frac := math.Modf(s)
	return time.Unix(int64(sec), int64(frac*1e6)*1e3).UTC()
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// isoTime is Python's isoformat of a UTC datetime: microseconds unless zero, +00:00.
func isoTime(t time.Time) string {
	t = t.UTC().Truncate(time.Microsecond)
	if t.Nanosecond() == 0 {
		return t.Format("2006-01-02T15:04:05+00:00")
	}
	return t.Format("2006-01-02T15:04:05.000000+00:00")
}

func parseISO(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
