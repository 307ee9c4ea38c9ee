package db

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"sessiongraph/models"
)

// agnoTables names the tables Agno's tracing (agno_traces, agno_spans) and
// metrics (agno_metrics) write in the sessions table's schema. Agno creates
// each on first use, so any may be missing.
type agnoTables struct{ traces, spans, metrics string }

func newAgnoTables(traces, spans, metrics string) (agnoTables, error) {
	t := agnoTables{cmp.Or(traces, "agno_traces"), cmp.Or(spans, "agno_spans"), cmp.Or(metrics, "agno_metrics")}
	for _, name := range []string{t.traces, t.spans, t.metrics} {
		if !identPattern.MatchString(name) {
			return t, fmt.Errorf("table %q must be a plain SQL identifier", name)
		}
	}
	return t, nil
}

// MetricsLayout is the shape of Agno's metrics table.
type MetricsLayout int

const (
	// MetricsPerUser is Agno 3's table: one row per user and day, unique
	// on (user_id, date, aggregation_period).
	MetricsPerUser MetricsLayout = iota
	// MetricsPerDay is Agno 2.9's table: one row per day, no user_id.
	MetricsPerDay
)

// CreateTraceTables creates Agno's traces and spans tables with Agno's DDL,
// as Agno's tracing does on its first export, and records them in
// agno_schema_versions as Agno 3 does. For the demo dataset and tests; the
// server only reads them.
func (s *Store) CreateTraceTables(ctx context.Context) error {
	jsonType, text := "JSONB", "TEXT"
	if s.dialect == SQLite {
		jsonType, text = "JSON", "VARCHAR" // Agno's SQLite schema says String where PostgreSQL's says Text
	}
	traces, spans := s.agnoTables.traces, s.agnoTables.spans
	stmts := []string{fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	trace_id VARCHAR NOT NULL,
	name VARCHAR NOT NULL,
	status VARCHAR NOT NULL,
	start_time VARCHAR NOT NULL,
	end_time VARCHAR NOT NULL,
	duration_ms BIGINT NOT NULL,
	run_id VARCHAR,
	session_id VARCHAR,
	user_id VARCHAR,
	agent_id VARCHAR,
	team_id VARCHAR,
	workflow_id VARCHAR,
	created_at VARCHAR NOT NULL,
	PRIMARY KEY (trace_id)
)`, s.qualify(traces))}
	for _, col := range []string{"status", "start_time", "run_id", "session_id", "user_id", "agent_id", "team_id", "workflow_id", "created_at"} {
		stmts = append(stmts, s.indexDDL(traces, col))
	}
	stmts = append(stmts, fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	span_id VARCHAR NOT NULL,
	trace_id VARCHAR NOT NULL,
	parent_span_id VARCHAR,
	name VARCHAR NOT NULL,
	span_kind VARCHAR NOT NULL,
	status_code VARCHAR NOT NULL,
	status_message %s,
	start_time VARCHAR NOT NULL,
	end_time VARCHAR NOT NULL,
	duration_ms BIGINT NOT NULL,
	attributes %s,
	created_at VARCHAR NOT NULL,
	PRIMARY KEY (span_id),
	FOREIGN KEY(trace_id) REFERENCES %s (trace_id)
)`, s.qualify(spans), text, jsonType, s.qualify(traces)))
	for _, col := range []string{"trace_id", "parent_span_id", "start_time", "created_at"} {
		stmts = append(stmts, s.indexDDL(spans, col))
	}
	return s.createAgnoTables(ctx, stmts, traces, spans)
}

// CreateMetricsTable creates Agno's metrics table in layout with the DDL of
// the Agno version that has it (3.x for MetricsPerUser, recorded in
// agno_schema_versions; 2.9 for MetricsPerDay). For the demo dataset and
// tests; the server only reads it.
func (s *Store) CreateMetricsTable(ctx context.Context, layout MetricsLayout) error {
	jsonType := "JSONB"
	if s.dialect == SQLite {
		jsonType = "JSON"
	}
	table := s.agnoTables.metrics
	userColumn, unique, uniqueColumns := "", "uq_metrics_date_period", "date, aggregation_period"
	if layout == MetricsPerUser {
		userColumn, unique, uniqueColumns = "\n\tuser_id VARCHAR NOT NULL,", "uq_metrics_user_date_period", "user_id, date, aggregation_period"
	}
	stmts := []string{fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	id VARCHAR NOT NULL,
	agent_runs_count BIGINT NOT NULL,
	team_runs_count BIGINT NOT NULL,
	workflow_runs_count BIGINT NOT NULL,
	agent_sessions_count BIGINT NOT NULL,
	team_sessions_count BIGINT NOT NULL,
	workflow_sessions_count BIGINT NOT NULL,
	users_count BIGINT NOT NULL,
	token_metrics %[2]s NOT NULL,
	model_metrics %[2]s NOT NULL,
	date DATE NOT NULL,
	aggregation_period VARCHAR NOT NULL,%[3]s
	created_at BIGINT NOT NULL,
	updated_at BIGINT,
	completed BOOLEAN NOT NULL,
	PRIMARY KEY (id),
	CONSTRAINT %[4]s UNIQUE (%[5]s)
)`, s.qualify(table), jsonType, userColumn, quoteIdent(table+"_"+unique), uniqueColumns),
		s.indexDDL(table, "date")}
	if s.dialect == SQLite { // Agno's SQLite schema indexes the period too, its PostgreSQL schema does not
		stmts = append(stmts, s.indexDDL(table, "aggregation_period"))
	}
	if layout == MetricsPerUser {
		stmts = append(stmts, s.indexDDL(table, "user_id"))
		return s.createAgnoTables(ctx, stmts, table)
	}
	return s.createAgnoTables(ctx, stmts)
}

func (s *Store) indexDDL(table, col string) string {
	return fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (%s)", quoteIdent("idx_"+table+"_"+col), s.qualify(table), col)
}

// createAgnoTables runs stmts in one transaction and records versioned as
// Agno 3 records the tables it creates.
func (s *Store) createAgnoTables(ctx context.Context, stmts []string, versioned ...string) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, stmt := range stmts {
			if err := tx.Exec(stmt).Error; err != nil {
				return err
			}
		}
		now := time.Now().UTC().Format("2006-01-02T15:04:05.000000+00:00")
		for _, t := range versioned {
			if err := tx.Exec("INSERT INTO "+s.qualify("agno_schema_versions")+" (table_name, version, created_at) VALUES (?, ?, ?) ON CONFLICT (table_name) DO NOTHING",
				t, agnoV3SchemaVersion, now).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// InsertTraces writes traces and their spans as Agno's tracing exporter
// stores them, in one transaction. The tables must exist (CreateTraceTables).
func (s *Store) InsertTraces(ctx context.Context, traces []models.TraceRow, spans []models.SpanRow) error {
	jsonParam := "?"
	if s.dialect == Postgres {
		jsonParam = "CAST(? AS jsonb)"
	}
	traceInsert := "INSERT INTO " + s.qualify(s.agnoTables.traces) + ` (trace_id, name, status, start_time, end_time, duration_ms,
	run_id, session_id, user_id, agent_id, team_id, workflow_id, created_at) VALUES (` + placeholders(13, "?") + ")"
	spanInsert := "INSERT INTO " + s.qualify(s.agnoTables.spans) + ` (span_id, trace_id, parent_span_id, name, span_kind, status_code,
	status_message, start_time, end_time, duration_ms, attributes, created_at) VALUES (` + placeholders(10, "?") + ", " + jsonParam + ", ?)"
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, t := range traces {
			if err := tx.Exec(traceInsert, t.TraceID, t.Name, t.Status, t.StartTime, t.EndTime, t.DurationMs,
				t.RunID, t.SessionID, t.UserID, t.AgentID, t.TeamID, t.WorkflowID, t.CreatedAt).Error; err != nil {
				return fmt.Errorf("inserting trace %q: %w", t.TraceID, err)
			}
		}
		for _, sp := range spans {
			var attrs any
			if sp.Attributes != nil {
				attrs = string(sp.Attributes)
			}
			if err := tx.Exec(spanInsert, sp.SpanID, sp.TraceID, sp.ParentSpanID, sp.Name, sp.SpanKind, sp.StatusCode,
				sp.StatusMessage, sp.StartTime, sp.EndTime, sp.DurationMs, attrs, sp.CreatedAt).Error; err != nil {
				return fmt.Errorf("inserting span %q: %w", sp.SpanID, err)
			}
		}
		return nil
	})
}

// InsertMetrics writes rows of Agno's metrics table as Agno's
// calculate_metrics stores them, in one transaction; rows without a
// UserID go to a 2.9 table (CreateMetricsTable with MetricsPerDay).
func (s *Store) InsertMetrics(ctx context.Context, rows []models.MetricsRow) error {
	jsonParam := "?"
	if s.dialect == Postgres {
		jsonParam = "CAST(? AS jsonb)"
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, r := range rows {
			cols, args := "", []any{}
			if r.UserID != nil {
				cols, args = ", user_id", []any{*r.UserID}
			}
			query := "INSERT INTO " + s.qualify(s.agnoTables.metrics) + ` (id, agent_runs_count, team_runs_count, workflow_runs_count,
	agent_sessions_count, team_sessions_count, workflow_sessions_count, users_count, token_metrics, model_metrics, date,
	aggregation_period, created_at, updated_at, completed` + cols + ") VALUES (" + placeholders(8, "?") + ", " + jsonParam + ", " + jsonParam +
				", " + placeholders(5+len(args), "?") + ")"
			vals := append([]any{r.ID, r.AgentRunsCount, r.TeamRunsCount, r.WorkflowRunsCount, r.AgentSessionsCount, r.TeamSessionsCount,
				r.WorkflowSessionsCount, r.UsersCount, string(r.TokenMetrics), string(r.ModelMetrics), s.dateParam(r.Date),
				r.AggregationPeriod, r.CreatedAt, r.UpdatedAt, r.Completed}, args...)
			if err := tx.Exec(query, vals...).Error; err != nil {
				return fmt.Errorf("inserting metrics row %q: %w", r.ID, err)
			}
		}
		return nil
	})
}

// dateParam is a DATE value as a parameter: PostgreSQL takes a time, SQLite
// stores the ISO text SQLAlchemy writes for a Date.
func (s *Store) dateParam(day string) any {
	if s.dialect == Postgres {
		t, err := time.Parse(time.DateOnly, day)
		if err == nil {
			return t
		}
	}
	return day
}
