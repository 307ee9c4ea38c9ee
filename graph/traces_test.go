package graph_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"sessiongraph/auth"
	"sessiongraph/dataset"
	"sessiongraph/db"
	"sessiongraph/internal/agnotest"
)

// traceBackends are the fixture sessions on every backend with Agno's
// traces, spans and metrics tables of testdata/agno-traces.json, the
// metrics table in layout.
func traceBackends(t *testing.T, layout db.MetricsLayout) []servedBackend {
	t.Helper()
	bs := legacyBackends(t)
	for _, b := range bs {
		agnotest.AddTraces(t, b.store)
		agnotest.AddMetrics(t, b.store, layout)
	}
	return bs
}

const sessionTracesQuery = `query($id: String!) { session(sessionId: $id) { traces {
	traceId name status startTime endTime durationMs runId sessionId
	spans { spanId parentSpanId name kind statusCode statusMessage startTime durationMs attributes
		children { spanId name attributes children { spanId } } } } } }`

func TestTracesAreAgnosSpansAsATree(t *testing.T) {
	eachBackend(t, traceBackends(t, db.MetricsPerUser), func(t *testing.T, b servedBackend) {
		resp := query(t, b.h, sessionTracesQuery, map[string]any{"id": "s-100"})
		data := decodeAny(t, resp.Data)
		t.Run("a session's traces are oldest first", func(t *testing.T) {
			wantEqual(t, "trace ids", stringsAt(t, data, "traceId", "session", "traces"),
				[]string{"tr-a1-retry", "tr-a1", "tr-a1-foreign", "tr-a2"})
		})
		traces := listAt(t, data, "session", "traces")
		t.Run("a trace's columns are read as Agno stores them", func(t *testing.T) {
			wantEqual(t, "tr-a1", withoutKey(traces[1], "spans"), map[string]any{
				"traceId": "tr-a1", "name": "Agent.run", "status": "OK", "startTime": "2025-09-08T15:51:41Z",
				"endTime": "2025-09-08T15:51:44Z", "durationMs": 3650.0, "runId": "r-a1", "sessionId": "s-100"})
		})
		t.Run("spans form a tree whose children are oldest first", func(t *testing.T) {
			roots := listAt(t, traces[1], "spans")
			wantEqual(t, "roots", stringsAt(t, traces[1], "spanId", "spans"), []string{"sp-a1-root"})
			wantEqual(t, "children", stringsAt(t, roots[0], "spanId", "children"), []string{"sp-a1-llm1", "sp-a1-tool", "sp-a1-llm2"})
			wantEqual(t, "a tool span", listAt(t, roots[0], "children")[1], map[string]any{
				"spanId": "sp-a1-tool", "name": "get_order_status", "children": []any{},
				"attributes": map[string]any{"openinference.span.kind": "TOOL", "tool.name": "get_order_status", "input.value": `{"order_id": "981"}`}})
			wantEqual(t, "the root", withoutKey(roots[0], "children"), map[string]any{
				"spanId": "sp-a1-root", "parentSpanId": nil, "name": "Agent.run", "kind": "INTERNAL", "statusCode": "OK",
				"statusMessage": nil, "startTime": "2025-09-08T15:51:41Z", "durationMs": 3650.0,
				"attributes": map[string]any{"openinference.span.kind": "AGENT", "agno.run.id": "r-a1", "agno.session.id": "s-100",
					"agno.user.id": "u-7", "input.value": "Where is my order 981?"}})
			wantEqual(t, "a failed span's message", listAt(t, traces[0], "spans")[0].(map[string]any)["statusMessage"], "RateLimitError: 429")
		})
		t.Run("a span whose parent is not in the trace is a root; cycles are left out with DATA_CORRUPT", func(t *testing.T) {
			wantEqual(t, "roots", stringsAt(t, traces[3], "spanId", "spans"), []string{"sp-a2-orphan", "sp-a2-root"})
			wantEqual(t, "a span without attributes", listAt(t, traces[3], "spans")[1].(map[string]any)["attributes"], nil)
			wantCodes(t, resp, "DATA_CORRUPT")
			if got := pathText(resp.Errors[0].Path); got != "session.traces.3.spans" {
				t.Errorf("error path %s", got)
			}
			for _, id := range []string{"sp-a2-self", "sp-a2-cycle-a", "sp-a2-cycle-b"} {
				if !strings.Contains(resp.Errors[0].Message, id) {
					t.Errorf("the error does not name %s: %s", id, resp.Errors[0].Message)
				}
			}
		})
		t.Run("a run's trace is its newest", func(t *testing.T) {
			var got struct {
				Run struct{ Trace struct{ TraceID string } }
			}
			query(t, b.h, `{ run(sessionId: "s-100", runId: "r-a1") { trace { traceId } } }`, nil).decode(t, &got)
			wantEqual(t, "trace", got.Run.Trace.TraceID, "tr-a1-foreign")
		})
		t.Run("a run without a trace has none", func(t *testing.T) {
			resp := query(t, b.h, `{ run(sessionId: "s-103", runId: "r-c1") { trace { traceId } } }`, nil)
			wantEqual(t, "run", decodeAny(t, resp.Data), map[string]any{"run": map[string]any{"trace": nil}})
			wantCodes(t, resp)
		})
	})
}

func TestWithoutAgnosTablesThereAreNoTracesNorMetrics(t *testing.T) {
	eachBackend(t, legacyBackends(t), func(t *testing.T, b servedBackend) {
		resp := query(t, b.h, `{ session(sessionId: "s-100") { traces { traceId } runs { nodes { trace { traceId } } } }
			agnoMetrics { date } }`, nil)
		wantCodes(t, resp)
		wantEqual(t, "data", decodeAny(t, resp.Data), map[string]any{
			"session":     map[string]any{"traces": []any{}, "runs": map[string]any{"nodes": []any{map[string]any{"trace": nil}, map[string]any{"trace": nil}}}},
			"agnoMetrics": []any{}})
	})
}

// TestTracesAndMetricsAreIsolated: a user restricted to their own sessions
// sees only the traces of their sessions recorded for them, and their own
// metrics, through every path.
func TestTracesAndMetricsAreIsolated(t *testing.T) {
	eachBackend(t, traceBackends(t, db.MetricsPerUser), func(t *testing.T, b servedBackend) {
		h := withAuth(t, b.h)
		u7, u8 := token(t, "u-7", nil), token(t, "u-8", nil)
		traceIDs := func(t *testing.T, bearer, q string) []string {
			t.Helper()
			var ids []string
			var walk func(v any)
			walk = func(v any) {
				switch v := v.(type) {
				case map[string]any:
					if id, ok := v["traceId"].(string); ok {
						ids = append(ids, id)
					}
					for _, x := range v {
						walk(x)
					}
				case []any:
					for _, x := range v {
						walk(x)
					}
				}
			}
			resp := queryAs(t, h, bearer, q, nil)
			wantCodes(t, resp)
			walk(decodeAny(t, resp.Data))
			slices.Sort(ids)
			return ids
		}
		everyPath := `{
			s100: session(sessionId: "s-100") { traces { traceId } runs { nodes { trace { traceId } } } }
			s101: session(sessionId: "s-101") { traces { traceId } runs { nodes { trace { traceId } } } }
			sessions(first: 50) { nodes { traces { traceId } runs { nodes { trace { traceId } } } } }
			allRuns(first: 100) { nodes { trace { traceId } } }
			a1: run(sessionId: "s-100", runId: "r-a1") { trace { traceId } }
			b1: run(sessionId: "s-101", runId: "r-b1") { trace { traceId } }
			b2: run(sessionId: "s-101", runId: "r-b2") { trace { traceId } }
		}`
		t.Run("a user sees the traces of their sessions recorded for them", func(t *testing.T) {
			got := slices.Compact(traceIDs(t, u7, everyPath))
			wantEqual(t, "u-7's traces", got, []string{"tr-a1", "tr-a1-retry", "tr-a2"})
		})
		t.Run("nor a trace recorded for them in another user's session", func(t *testing.T) {
			got := slices.Compact(traceIDs(t, u8, everyPath))
			wantEqual(t, "u-8's traces", got, []string{"tr-b1"})
		})
		t.Run("a run's trace is the newest of those", func(t *testing.T) {
			wantEqual(t, "r-a1", traceIDs(t, u7, `{ run(sessionId: "s-100", runId: "r-a1") { trace { traceId } } }`), []string{"tr-a1"})
		})
		metricIDs := func(t *testing.T, bearer, args string) []string {
			t.Helper()
			resp := queryAs(t, h, bearer, `{ agnoMetrics`+args+` { raw } }`, nil)
			wantCodes(t, resp)
			var ids []string
			for _, m := range listAt(t, decodeAny(t, resp.Data), "agnoMetrics") {
				ids = append(ids, m.(map[string]any)["raw"].(map[string]any)["id"].(string))
			}
			return ids
		}
		t.Run("a user's metrics are their own rows", func(t *testing.T) {
			wantEqual(t, "u-7", metricIDs(t, u7, ""), []string{"2025-09-08_u-7_daily", "2025-09-10_u-7_daily"})
			wantEqual(t, "u-8", metricIDs(t, u8, ""), []string{"2025-09-08_u-8_daily"})
		})
		t.Run("userId narrows a user's metrics, never widens them", func(t *testing.T) {
			wantEqual(t, "u-7 asking for u-8", metricIDs(t, u7, `(userId: "u-8")`), []string(nil))
			wantEqual(t, "u-7 asking for the unowned rows", metricIDs(t, u7, `(userId: "")`), []string(nil))
			wantEqual(t, "u-7 asking for u-7", metricIDs(t, u7, `(userId: "u-7")`), []string{"2025-09-08_u-7_daily", "2025-09-10_u-7_daily"})
		})
	})
	eachBackend(t, traceBackends(t, db.MetricsPerDay), func(t *testing.T, b servedBackend) {
		t.Run("on Agno 2.9's metrics table, whose rows hold every user's day, a user has none", func(t *testing.T) {
			resp := queryAs(t, withAuth(t, b.h), token(t, "u-7", nil), `{ agnoMetrics { date } }`, nil)
			wantCodes(t, resp)
			wantEqual(t, "metrics", decodeAny(t, resp.Data), map[string]any{"agnoMetrics": []any{}})
		})
	})
}

// TestTraceAndMetricsScopes: as AgentOS guards GET /traces* with traces:read
// and GET /metrics with metrics:read, so do trace, traces and agnoMetrics.
func TestTraceAndMetricsScopes(t *testing.T) {
	b := traceBackends(t, db.MetricsPerUser)[0]
	h := withAuth(t, b.h)
	for _, tc := range []struct {
		name   string
		scopes []string
		query  string
		code   string
	}{
		{"a run's trace needs traces:read", []string{auth.ScopeSessionsRead}, `{ run(sessionId: "s-100", runId: "r-a1") { trace { traceId } } }`, "FORBIDDEN"},
		{"a session's traces, in a fragment, too", []string{auth.ScopeSessionsRead}, `{ sessions { nodes { ...T } } } fragment T on AgentSession { traces { traceId } }`, "FORBIDDEN"},
		{"with traces:read they are read", []string{auth.ScopeSessionsRead, auth.ScopeTracesRead}, `{ run(sessionId: "s-100", runId: "r-a1") { trace { traceId } } }`, ""},
		{"sessions without traces need no traces:read", []string{auth.ScopeSessionsRead}, `{ run(sessionId: "s-100", runId: "r-a1") { runId } }`, ""},
		{"agnoMetrics needs metrics:read", []string{auth.ScopeSessionsRead}, `{ agnoMetrics { date } }`, "FORBIDDEN"},
		{"and metrics:read alone is enough", []string{auth.ScopeMetricsRead}, `{ agnoMetrics { date } }`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := queryAs(t, h, token(t, "u-7", tc.scopes), tc.query, nil)
			if tc.code == "" {
				wantCodes(t, resp)
				return
			}
			wantCodes(t, resp, tc.code)
			if string(resp.Data) != "" && string(resp.Data) != "null" {
				t.Errorf("a refused operation answered data %s", resp.Data)
			}
		})
	}
}

// TestAgnoMetricsAnswerAsAgentOS compares agnoMetrics with what AgentOS's
// GET /metrics answers for the same rows, worked out by hand from Agno's
// get_metrics, aggregate_metrics_by_date, identify_metrics_by_owner and
// DayAggregatedMetrics (libs/agno/agno/os/routers/metrics/).
func TestAgnoMetricsAnswerAsAgentOS(t *testing.T) {
	tokens := func(in, out int) map[string]any {
		return map[string]any{"input_tokens": float64(in), "output_tokens": float64(out), "total_tokens": float64(in + out),
			"audio_total_tokens": 0.0, "audio_input_tokens": 0.0, "audio_output_tokens": 0.0, "cache_read_tokens": 0.0,
			"cache_write_tokens": 0.0, "reasoning_tokens": 0.0}
	}
	model := func(id, provider string, n int) map[string]any {
		return map[string]any{"model_id": id, "model_provider": provider, "count": float64(n)}
	}
	row := func(id string, agentRuns, agentSessions, teamRuns, teamSessions, workflowRuns, workflowSessions, users int,
		tok map[string]any, models []any, date, created, updated string) map[string]any {
		return map[string]any{"id": id, "agent_runs_count": float64(agentRuns), "agent_sessions_count": float64(agentSessions),
			"team_runs_count": float64(teamRuns), "team_sessions_count": float64(teamSessions), "workflow_runs_count": float64(workflowRuns),
			"workflow_sessions_count": float64(workflowSessions), "users_count": float64(users), "token_metrics": tok,
			"model_metrics": models, "date": date + "T00:00:00Z", "created_at": created, "updated_at": updated}
	}
	// Agno 3's table. 2025-09-08: u-7's and u-8's rows add up, and the
	// migrated 2.9 row of that day ("" with users) is dropped, since per-user
	// rows replace it; 2025-09-09 has only such a row: it stays; 2025-09-10
	// adds u-7's row and the unowned bucket.
	u7day1 := row("2025-09-08_u-7_daily", 6, 2, 2, 1, 0, 0, 1, tokens(1200, 300),
		[]any{model("gpt-4o", "OpenAI", 6), model("claude-sonnet-4", "Anthropic", 2)}, "2025-09-08", "2025-09-09T00:00:00Z", "2025-09-09T01:00:00Z")
	u7day3 := row("2025-09-10_u-7_daily", 1, 1, 0, 0, 0, 0, 1, tokens(100, 50), []any{}, "2025-09-10", "2025-09-10T10:26:40Z", "2025-09-10T10:28:20Z")
	legacyDay2 := row("2025-09-09_daily", 5, 3, 0, 0, 0, 0, 3, tokens(900, 100), []any{model("gpt-4o", "OpenAI", 5)},
		"2025-09-09", "2025-09-09T06:40:00Z", "2025-09-09T09:26:40Z")
	perUser := map[string][]any{
		"": {
			row("2025-09-08_daily", 8, 3, 2, 1, 1, 1, 2, tokens(1700, 400),
				[]any{model("gpt-4o", "OpenAI", 9), model("claude-sonnet-4", "Anthropic", 2)},
				"2025-09-08", "2025-09-09T00:00:00Z", "2025-09-09T01:00:00Z"),
			legacyDay2,
			row("2025-09-10_daily", 2, 2, 0, 0, 0, 0, 1, tokens(180, 70), []any{model("gpt-4o-mini", "OpenAI", 1)},
				"2025-09-10", "2025-09-10T10:26:30Z", "2025-09-10T10:28:20Z"),
		},
		`(userId: "u-7")`: {u7day1, u7day3},
		`(userId: "")`: {row("2025-09-10__daily", 1, 1, 0, 0, 0, 0, 0, tokens(80, 20), []any{model("gpt-4o-mini", "OpenAI", 1)},
			"2025-09-10", "2025-09-10T10:26:30Z", "2025-09-10T10:26:30Z")},
		`(startDate: "2025-09-09T10:00:00Z", endDate: "2025-09-10T00:00:00+02:00")`: {legacyDay2},
	}
	perDay := map[string][]any{
		"": {
			row("2025-09-08_daily", 9, 4, 2, 1, 1, 1, 2, tokens(1780, 420), []any{model("gpt-4o", "OpenAI", 9)},
				"2025-09-08", "2025-09-08T02:53:20Z", "2025-09-08T02:54:10Z"),
			row("2025-09-09_daily", 5, 3, 0, 0, 0, 0, 3, tokens(900, 100), []any{model("gpt-4o", "OpenAI", 5)},
				"2025-09-09", "2025-09-09T06:40:00Z", "2025-09-09T06:40:00Z"),
		},
		`(userId: "u-7")`: nil,
	}
	for _, layout := range []struct {
		name   string
		layout db.MetricsLayout
		want   map[string][]any
	}{{"agno 3", db.MetricsPerUser, perUser}, {"agno 2.9", db.MetricsPerDay, perDay}} {
		t.Run(layout.name, func(t *testing.T) {
			eachBackend(t, traceBackends(t, layout.layout), func(t *testing.T, b servedBackend) {
				for args, want := range layout.want {
					t.Run("agnoMetrics"+args, func(t *testing.T) {
						resp := query(t, b.h, `{ agnoMetrics`+args+` { raw } }`, nil)
						wantCodes(t, resp)
						var got []any
						for _, m := range listAt(t, decodeAny(t, resp.Data), "agnoMetrics") {
							got = append(got, m.(map[string]any)["raw"])
						}
						wantEqual(t, "rows", got, want)
					})
				}
			})
		})
	}
	t.Run("the typed fields are the answer's", func(t *testing.T) {
		b := traceBackends(t, db.MetricsPerUser)[2]
		resp := query(t, b.h, `{ agnoMetrics(userId: "u-7") { date userId aggregationPeriod agentRunsCount teamRunsCount
			workflowRunsCount agentSessionsCount teamSessionsCount workflowSessionsCount usersCount tokenMetrics modelMetrics completed } }`, nil)
		wantCodes(t, resp)
		wantEqual(t, "first row", listAt(t, decodeAny(t, resp.Data), "agnoMetrics")[0], map[string]any{
			"date": "2025-09-08T00:00:00Z", "userId": "u-7", "aggregationPeriod": "daily", "agentRunsCount": 6.0, "teamRunsCount": 2.0,
			"workflowRunsCount": 0.0, "agentSessionsCount": 2.0, "teamSessionsCount": 1.0, "workflowSessionsCount": 0.0, "usersCount": 1.0,
			"tokenMetrics": tokens(1200, 300), "modelMetrics": u7day1["model_metrics"], "completed": true})
	})
}

// TestTraceReadsAreBounded: every run of a page may ask for its trace, each
// read once however often it is selected, and past the budget the field is
// null with COMPLEXITY_LIMIT_EXCEEDED.
func TestTraceReadsAreBounded(t *testing.T) {
	s := openSQLiteStore(t, "default")
	if err := dataset.Insert(t.Context(), s, dataset.Generate(dataset.Realistic(3, 120, time.Unix(1760000000, 0))), db.PlainJSON); err != nil {
		t.Fatal(err)
	}
	agnotest.AddTraces(t, s)
	h := newHandler(s)
	var count struct{ AllRuns struct{ TotalCount int } }
	query(t, h, `{ allRuns { totalCount } }`, nil).decode(t, &count)
	if count.AllRuns.TotalCount < 200 {
		t.Fatalf("the dataset has %d runs; the test needs 200", count.AllRuns.TotalCount)
	}
	t.Run("a page of 100 runs may each read its trace, twice", func(t *testing.T) {
		resp := query(t, h, `{ allRuns(first: 100) { nodes { trace { traceId } again: trace { traceId } } } }`, nil)
		wantCodes(t, resp)
	})
	t.Run("a 101st read is refused", func(t *testing.T) {
		resp := query(t, h, `{ a: allRuns(first: 100) { nodes { trace { traceId } } }
			b: allRuns(first: 1, orderBy: {field: CREATED_AT, direction: ASC}) { nodes { trace { traceId } } } }`, nil)
		wantCodes(t, resp, "COMPLEXITY_LIMIT_EXCEEDED")
	})
}

func withoutKey(v any, key string) map[string]any {
	out := map[string]any{}
	for k, x := range v.(map[string]any) {
		if k != key {
			out[k] = x
		}
	}
	return out
}
