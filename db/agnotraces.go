package db

import (
	"context"
	"database/sql"
	"time"

	"sessiongraph/models"
)

// TraceRead is what one read of Agno's traces found, and how many rows of
// the traces and spans tables it read.
type TraceRead struct {
	Traces []*models.Trace
	Rows   int
}

// RunTrace returns Agno's trace of run runID of session sessionID: the
// newest by start_time, as AgentOS's get_trace(run_id) picks it, with its
// spans. No trace when the tables do not exist or hold none. Reading more
// than maxRows rows of traces and spans is COMPLEXITY_LIMIT_EXCEEDED.
// A restricted caller (WithOwner, WithUser) reads only traces of its own
// sessions that Agno recorded with its user id.
func (s *Store) RunTrace(ctx context.Context, sessionID, runID string, maxRows int) (TraceRead, error) {
	w := &where{}
	w.add("t.session_id = ?", sessionID)
	w.add("t.run_id = ?", runID)
	return s.readTraces(ctx, w, " ORDER BY t.start_time DESC, t.trace_id DESC", 1, maxRows)
}

// SessionTraces returns Agno's traces of session sessionID, oldest first,
// with their spans; as RunTrace otherwise.
func (s *Store) SessionTraces(ctx context.Context, sessionID string, maxRows int) (TraceRead, error) {
	w := &where{}
	w.add("t.session_id = ?", sessionID)
	return s.readTraces(ctx, w, " ORDER BY t.start_time, t.trace_id", maxRows+1, maxRows)
}

// readTraces reads the first limit traces w selects in order in one
// statement, and their spans in a second (none when there is no trace).
func (s *Store) readTraces(ctx context.Context, w *where, order string, limit, maxRows int) (TraceRead, error) {
	var read TraceRead
	release, err := s.enter(ctx)
	if err != nil {
		return read, err
	}
	defer release()
	if ok, err := s.hasTable(ctx, s.schema, s.agnoTables.traces); !ok || err != nil {
		return read, err
	}
	// A trace is its session's, and AgentOS shows a scoped caller only the
	// traces recorded with its user id: both must hold, so neither a trace
	// naming another user's session nor one recorded for another user shows.
	if owner := scope(ctx, &where{}); len(owner.conds) > 0 {
		w.add("EXISTS (SELECT 1 FROM "+s.from+owner.sql()+" AND session_id = t.session_id)", owner.args...)
		for _, u := range owner.args {
			w.add("t.user_id = ?", u)
		}
	}
	query := "SELECT t.trace_id, t.name, t.status, t.start_time, t.end_time, t.duration_ms, t.run_id, t.session_id, t.user_id, " +
		"t.agent_id, t.team_id, t.workflow_id, t.created_at FROM " + s.qualify(s.agnoTables.traces) + " t" + w.sql() + order + " LIMIT ?"
	var rows []models.TraceRow
	err = s.queryRows(ctx, query, append(w.args, limit), func(sc scanner) error {
		var (
			r                                                 models.TraceRow
			runID, sessionID, userID, agentID, teamID, workID sql.NullString
		)
		if err := sc.Scan(&r.TraceID, &r.Name, &r.Status, &r.StartTime, &r.EndTime, &r.DurationMs, &runID, &sessionID, &userID,
			&agentID, &teamID, &workID, &r.CreatedAt); err != nil {
			return err
		}
		r.RunID, r.SessionID, r.UserID = nullString(runID), nullString(sessionID), nullString(userID)
		r.AgentID, r.TeamID, r.WorkflowID = nullString(agentID), nullString(teamID), nullString(workID)
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		return read, internal("reading Agno's traces", err)
	}
	if read.Rows = len(rows); read.Rows > maxRows {
		return read, tooManyTraceRows(maxRows)
	}
	if len(rows) == 0 {
		return read, nil
	}
	spans, err := s.readSpans(ctx, rows, maxRows-read.Rows)
	read.Rows += len(spans)
	if err != nil {
		return read, err
	}
	byTrace := map[string][]models.SpanRow{}
	for _, sp := range spans {
		byTrace[sp.TraceID] = append(byTrace[sp.TraceID], sp)
	}
	for _, r := range rows {
		read.Traces = append(read.Traces, models.NewTrace(r, byTrace[r.TraceID]))
	}
	return read, nil
}

// readSpans reads the spans of traces, at most maxRows of them.
func (s *Store) readSpans(ctx context.Context, traces []models.TraceRow, maxRows int) ([]models.SpanRow, error) {
	if ok, err := s.hasTable(ctx, s.schema, s.agnoTables.spans); !ok || err != nil {
		return nil, err
	}
	args := make([]any, 0, len(traces)+1)
	for _, t := range traces {
		args = append(args, t.TraceID)
	}
	args = append(args, maxRows+1)
	query := "SELECT span_id, trace_id, parent_span_id, name, span_kind, status_code, status_message, start_time, end_time, " +
		"duration_ms, attributes, created_at FROM " + s.qualify(s.agnoTables.spans) +
		" WHERE trace_id IN (" + placeholders(len(traces), "?") + ") ORDER BY trace_id, start_time, span_id LIMIT ?"
	var spans []models.SpanRow
	err := s.queryRows(ctx, query, args, func(sc scanner) error {
		var (
			r              models.SpanRow
			parent, status sql.NullString
			attrs          []byte
		)
		if err := sc.Scan(&r.SpanID, &r.TraceID, &parent, &r.Name, &r.SpanKind, &r.StatusCode, &status, &r.StartTime, &r.EndTime,
			&r.DurationMs, &attrs, &r.CreatedAt); err != nil {
			return err
		}
		r.ParentSpanID, r.StatusMessage = nullString(parent), nullString(status)
		r.Attributes = s.decodeColumn(attrs)
		spans = append(spans, r)
		return nil
	})
	if err != nil {
		return nil, internal("reading Agno's spans", err)
	}
	if len(spans) > maxRows {
		return spans, tooManyTraceRows(maxRows)
	}
	return spans, nil
}

func tooManyTraceRows(maxRows int) error {
	return models.Errorf(models.ComplexityLimitExceeded, "this read of traces would take more than the %d rows of traces and spans left to the operation; select trace or traces of fewer runs and sessions", maxRows)
}

// AgnoMetrics returns Agno's daily metrics for the days from startDate to
// endDate (their UTC dates, inclusive; nil leaves the range open) as
// AgentOS's GET /metrics answers them (models.AgentOSMetrics): every day
// collapsed into one row unless the read is of one user — userID, or the
// user a restricted caller is (WithOwner, WithUser), which userID only
// narrows. A read of one user on Agno 2.9's table (no user_id; each row holds
// every user's day) finds nothing. None when the table does not exist.
func (s *Store) AgnoMetrics(ctx context.Context, startDate, endDate *time.Time, userID *string) ([]*models.AgnoDailyMetrics, error) {
	release, err := s.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	cols, err := s.tableColumns(ctx, s.agnoTables.metrics)
	if err != nil {
		return nil, internal("looking for Agno's metrics table", err)
	}
	if len(cols) == 0 {
		return []*models.AgnoDailyMetrics{}, nil
	}
	w := scope(ctx, &where{})
	if userID != nil {
		w.add("user_id = ?", *userID)
	}
	var owner *string
	if len(w.args) > 0 {
		if !cols["user_id"] {
			return []*models.AgnoDailyMetrics{}, nil
		}
		u := w.args[0].(string) // the caller's own user when restricted, else the one asked for
		owner = &u
	}
	day := func(t time.Time) any { return s.dateParam(t.UTC().Format(time.DateOnly)) }
	if startDate != nil {
		w.add("date >= ?", day(*startDate))
	}
	if endDate != nil {
		w.add("date <= ?", day(*endDate))
	}
	// modernc's driver turns a DATE column's text into a time; the text is what Agno stored.
	dateText, userColumn := "CAST(date AS TEXT)", "NULL"
	if s.dialect == Postgres {
		dateText = "to_char(date, 'YYYY-MM-DD')"
	}
	order := " ORDER BY date, aggregation_period, id"
	if cols["user_id"] {
		userColumn, order = "user_id", " ORDER BY date, aggregation_period, user_id, id"
	}
	query := "SELECT id, agent_runs_count, team_runs_count, workflow_runs_count, agent_sessions_count, team_sessions_count, " +
		"workflow_sessions_count, users_count, token_metrics, model_metrics, " + dateText + ", aggregation_period, " + userColumn +
		", created_at, updated_at, completed FROM " + s.qualify(s.agnoTables.metrics) + w.sql() + order
	var rows []models.MetricsRow
	err = s.queryRows(ctx, query, w.args, func(sc scanner) error {
		var (
			r              models.MetricsRow
			tokens, counts []byte
			user           sql.NullString
			updated        sql.NullInt64
		)
		if err := sc.Scan(&r.ID, &r.AgentRunsCount, &r.TeamRunsCount, &r.WorkflowRunsCount, &r.AgentSessionsCount, &r.TeamSessionsCount,
			&r.WorkflowSessionsCount, &r.UsersCount, &tokens, &counts, &r.Date, &r.AggregationPeriod, &user, &r.CreatedAt, &updated,
			&r.Completed); err != nil {
			return err
		}
		r.TokenMetrics, r.ModelMetrics = s.decodeColumn(tokens), s.decodeColumn(counts)
		if cols["user_id"] {
			r.UserID = &user.String
		}
		if updated.Valid {
			r.UpdatedAt = &updated.Int64
		}
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		return nil, internal("reading Agno's metrics", err)
	}
	return models.AgentOSMetrics(rows, owner), nil
}
