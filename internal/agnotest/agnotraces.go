package agnotest

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"sessiongraph/db"
	"sessiongraph/models"
)

// agnoObservability is the fixture testdata/agno-traces.json: rows of
// Agno's agno_traces and agno_spans, and of agno_metrics in Agno 3's shape
// (per user) and Agno 2.9's (per day, no user_id), each as Agno stores them.
type agnoObservability struct {
	Traces    []traceRow   `json:"traces"`
	Spans     []spanRow    `json:"spans"`
	MetricsV3 []metricsRow `json:"metrics_v3"`
	MetricsV2 []metricsRow `json:"metrics_v2"`
}

type traceRow struct {
	TraceID    string  `json:"trace_id"`
	Name       string  `json:"name"`
	Status     string  `json:"status"`
	StartTime  string  `json:"start_time"`
	EndTime    string  `json:"end_time"`
	DurationMs int64   `json:"duration_ms"`
	RunID      *string `json:"run_id"`
	SessionID  *string `json:"session_id"`
	UserID     *string `json:"user_id"`
	AgentID    *string `json:"agent_id"`
	TeamID     *string `json:"team_id"`
	WorkflowID *string `json:"workflow_id"`
	CreatedAt  string  `json:"created_at"`
}

type spanRow struct {
	SpanID        string          `json:"span_id"`
	TraceID       string          `json:"trace_id"`
	ParentSpanID  *string         `json:"parent_span_id"`
	Name          string          `json:"name"`
	SpanKind      string          `json:"span_kind"`
	StatusCode    string          `json:"status_code"`
	StatusMessage *string         `json:"status_message"`
	StartTime     string          `json:"start_time"`
	EndTime       string          `json:"end_time"`
	DurationMs    int64           `json:"duration_ms"`
	Attributes    json.RawMessage `json:"attributes"`
	CreatedAt     string          `json:"created_at"`
}

type metricsRow struct {
	ID                    string          `json:"id"`
	AgentRunsCount        int64           `json:"agent_runs_count"`
	TeamRunsCount         int64           `json:"team_runs_count"`
	WorkflowRunsCount     int64           `json:"workflow_runs_count"`
	AgentSessionsCount    int64           `json:"agent_sessions_count"`
	TeamSessionsCount     int64           `json:"team_sessions_count"`
	WorkflowSessionsCount int64           `json:"workflow_sessions_count"`
	UsersCount            int64           `json:"users_count"`
	TokenMetrics          json.RawMessage `json:"token_metrics"`
	ModelMetrics          json.RawMessage `json:"model_metrics"`
	Date                  string          `json:"date"`
	AggregationPeriod     string          `json:"aggregation_period"`
	UserID                *string         `json:"user_id"`
	CreatedAt             int64           `json:"created_at"`
	UpdatedAt             *int64          `json:"updated_at"`
	Completed             bool            `json:"completed"`
}

func loadObservability(tb testing.TB) agnoObservability {
	tb.Helper()
	data, err := os.ReadFile(FixturePath("agno-traces.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var f agnoObservability
	if err := json.Unmarshal(data, &f); err != nil {
		tb.Fatalf("agno-traces.json: %v", err)
	}
	return f
}

// AddTraces creates Agno's traces and spans tables with Agno's DDL and
// stores the fixture's traces and spans in them.
func AddTraces(tb testing.TB, s *db.Store) {
	tb.Helper()
	f := loadObservability(tb)
	ctx := context.Background()
	if err := s.CreateTraceTables(ctx); err != nil {
		tb.Fatal(err)
	}
	traces := make([]models.TraceRow, len(f.Traces))
	for i, t := range f.Traces {
		traces[i] = models.TraceRow(t)
	}
	spans := make([]models.SpanRow, len(f.Spans))
	for i, sp := range f.Spans {
		spans[i] = models.SpanRow(sp)
		if string(sp.Attributes) == "null" {
			spans[i].Attributes = nil // SQL NULL, as Agno stores a span without attributes
		}
	}
	if err := s.InsertTraces(ctx, traces, spans); err != nil {
		tb.Fatal(err)
	}
}

// AddMetrics creates Agno's metrics table in layout with that Agno
// version's DDL and stores the fixture's rows of that shape in it.
func AddMetrics(tb testing.TB, s *db.Store, layout db.MetricsLayout) {
	tb.Helper()
	f := loadObservability(tb)
	fixture := f.MetricsV3
	if layout == db.MetricsPerDay {
		fixture = f.MetricsV2
	}
	ctx := context.Background()
	if err := s.CreateMetricsTable(ctx, layout); err != nil {
		tb.Fatal(err)
	}
	rows := make([]models.MetricsRow, len(fixture))
	for i, r := range fixture {
		rows[i] = models.MetricsRow(r)
	}
	if err := s.InsertMetrics(ctx, rows); err != nil {
		tb.Fatal(err)
	}
}
