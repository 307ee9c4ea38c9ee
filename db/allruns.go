package db

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"sessiongraph/models"
)

// runsSource returns a subquery (aliased r) of every run of the database
// with the columns allRuns filters and orders on: run_id, session_id, idx
// (run_index, or the position in the legacy column), created_at, status,
// parent_run_id, agent_id, team_id, workflow_id, run_data. With a runs
// table it is the table, plus, while Agno's migration has not copied the
// legacy column into it, the runs only in the legacy column (which expands
// every session's column: see docs/performance.md); without one, the
// legacy column expanded.
func (s *Store) runsSource(l *layout) string {
	src, _ := s.runsSourceSince(l, nil)
	return src
}

// runsSourceSince is runsSource for runs created at or after since (epoch
// seconds; nil: any): the legacy columns expanded are only those of
// sessions written since then, as a run is stored by writing its session
// (Agno sets updated_at on every save; a session without updated_at is
// expanded whatever its age). The condition on the runs themselves is the
// caller's; this one only spares reading columns that cannot hold them.
func (s *Store) runsSourceSince(l *layout, since *int64) (string, []any) {
	table := "SELECT run_id, session_id, run_index AS idx, created_at, status, parent_run_id, agent_id, team_id, workflow_id, run_data FROM " + s.runsFrom
	if !l.legacyRuns {
		return "(" + table + ") r", nil
	}
	legacy := s.legacyRunsSQL()
	var args []any
	if since != nil {
		legacy += " AND (s.updated_at IS NULL OR s.updated_at >= ?)"
		args = append(args, *since)
	}
	if !l.runsTable {
		return "(" + legacy + ") r", args
	}
	if l.migrated {
		return "(" + table + ") r", nil
	}
	return "(" + table + " UNION ALL " + legacy + " AND NOT EXISTS (SELECT 1 FROM " + s.runsFrom + " t WHERE t.run_id = " +
		map[Dialect]string{Postgres: "e ->> 'run_id'", SQLite: "json_extract(e.value, '$.run_id')"}[s.dialect] + ")) r", args
}

// legacyRunsSQL expands the runs column of every session into one row per
// run object with a string run_id, in runsSource's columns; created_at is
// the run's, else the session's.
func (s *Store) legacyRunsSQL() string {
	if s.dialect == Postgres {
		return `SELECT e ->> 'run_id' AS run_id, s.session_id, i - 1 AS idx,
	CASE WHEN jsonb_typeof(e -> 'created_at') = 'number' THEN CAST(trunc(CAST(e ->> 'created_at' AS numeric)) AS bigint) ELSE s.created_at END AS created_at,
	CASE WHEN jsonb_typeof(e -> 'status') = 'string' THEN e ->> 'status' END AS status,
	CASE WHEN jsonb_typeof(e -> 'parent_run_id') = 'string' THEN e ->> 'parent_run_id' END AS parent_run_id,
	CASE WHEN jsonb_typeof(e -> 'agent_id') = 'string' THEN e ->> 'agent_id' END AS agent_id,
	CASE WHEN jsonb_typeof(e -> 'team_id') = 'string' THEN e ->> 'team_id' END AS team_id,
	CASE WHEN jsonb_typeof(e -> 'workflow_id') = 'string' THEN e ->> 'workflow_id' END AS workflow_id,
	e AS run_data
FROM ` + s.from + ` s CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(s.runs) = 'array' THEN s.runs ELSE '[]'::jsonb END) WITH ORDINALITY x(e, i)
WHERE jsonb_typeof(e) = 'object' AND jsonb_typeof(e -> 'run_id') = 'string'`
	}
	doc := sqliteJSONDoc("s.runs")
	str := func(key string) string {
		return `(CASE WHEN json_type(e.value, '$.` + key + `') = 'text' THEN json_extract(e.value, '$.` + key + `') END)`
	}
	return `SELECT json_extract(e.value, '$.run_id') AS run_id, s.session_id, e.key AS idx,
	CASE WHEN json_type(e.value, '$.created_at') IN ('integer', 'real') THEN CAST(json_extract(e.value, '$.created_at') AS INTEGER) ELSE s.created_at END AS created_at,
	` + str("status") + ` AS status, ` + str("parent_run_id") + ` AS parent_run_id, ` + str("agent_id") + ` AS agent_id,
	` + str("team_id") + ` AS team_id, ` + str("workflow_id") + ` AS workflow_id, e.value AS run_data
FROM ` + s.from + ` s, json_each(CASE WHEN json_type(` + doc + `) = 'array' THEN ` + doc + ` END) e
WHERE e.type = 'object' AND json_type(e.value, '$.run_id') = 'text'`
}

// runsWhere translates a RunsFilter and the caller's scope on runsSource.
// The user is the session's owner (which Agno copies into the runs table's
// user_id, here checked on the session row itself so that no other
// session's run can pass); the session type is the session's.
func (s *Store) runsWhere(ctx context.Context, f *models.RunsFilter) *where {
	w := &where{}
	if session := s.runSessionWhere(ctx, f); len(session.conds) > 0 {
		w.add("EXISTS (SELECT 1 FROM "+s.from+" WHERE session_id = r.session_id AND "+strings.Join(session.conds, " AND ")+")", session.args...)
	}
	s.addRunFilters(w, f)
	return w
}

// runSessionWhere is what a RunsFilter and the caller's scope ask of a
// run's session, on the sessions table's columns.
func (s *Store) runSessionWhere(ctx context.Context, f *models.RunsFilter) *where {
	w := scope(ctx, &where{})
	if f != nil && f.UserID != nil {
		w.add("user_id = ?", *f.UserID)
	}
	if f != nil && f.SessionType != nil {
		w.add(effectiveType+" = ?", f.SessionType.Stored())
	}
	return w
}

// addRunFilters adds what a RunsFilter asks of the run itself, on
// runsSource's columns (r).
func (s *Store) addRunFilters(w *where, f *models.RunsFilter) {
	if f == nil {
		return
	}
	if f.ComponentID != nil {
		switch {
		case f.SessionType == nil:
			w.add("(r.agent_id = ? OR r.team_id = ? OR r.workflow_id = ?)", *f.ComponentID, *f.ComponentID, *f.ComponentID)
		case *f.SessionType == models.SessionTypeTeam:
			w.add("r.team_id = ?", *f.ComponentID)
		case *f.SessionType == models.SessionTypeWorkflow:
			w.add("r.workflow_id = ?", *f.ComponentID)
		default:
			w.add("r.agent_id = ?", *f.ComponentID)
		}
	}
	var after, before *int64
	if f.CreatedAfter != nil {
		a := models.EpochSecondsAtOrAfter(*f.CreatedAfter)
		after = &a
	}
	if f.CreatedBefore != nil {
		b := models.EpochSecondsAtOrBefore(*f.CreatedBefore)
		before = &b
	}
	addRunConds(w, "r.", f.Status, f.TopLevel, after, before)
}

// runsSince is the lower bound of a RunsFilter's creation times, nil when none.
func runsSince(f *models.RunsFilter) *int64 {
	if f == nil || f.CreatedAfter == nil {
		return nil
	}
	since := models.EpochSecondsAtOrAfter(*f.CreatedAfter)
	return &since
}

// runTie is run_id compared byte-wise on both backends.
func (s *Store) runTie() string {
	if s.dialect == Postgres {
		return `r.run_id COLLATE "C"`
	}
	return "r.run_id"
}

// ListRuns returns one page of runs across sessions matching filter, in
// order, with keyset cursors, and the rows of their sessions read with the
// columns cols asks for (runs attached as for any session read): at most
// three statements, the page, its sessions and their runs. dataKeys, when
// not nil, are the only keys of run_data the caller reads
// (models.RunDataKeys).
func (s *Store) ListRuns(ctx context.Context, filter *models.RunsFilter, order models.RunOrder, page models.PageArgs, cols models.SessionColumns, dataKeys []string) (models.RunPage, error) {
	release, err := s.enter(ctx)
	if err != nil {
		return models.RunPage{}, err
	}
	defer release()
	limit, fromEnd, err := page.Window()
	if err != nil {
		return models.RunPage{}, err
	}
	l := s.lay()
	w := s.runsWhere(ctx, filter)
	asc := order.Direction == models.OrderDirectionAsc
	for _, bound := range []struct {
		cursor *string
		after  bool
	}{{page.After, true}, {page.Before, false}} {
		if bound.cursor == nil {
			continue
		}
		k, err := models.DecodeRunKey(*bound.cursor, order)
		if err != nil {
			return models.RunPage{}, err
		}
		op := "<"
		if asc == bound.after {
			op = ">"
		}
		w.add(fmt.Sprintf("r.created_at %s= ? AND (r.created_at, %s) %s (?, ?)", op, s.runTie(), op), k.CreatedAt, k.CreatedAt, k.RunID)
	}
	dir := "DESC"
	if asc != fromEnd {
		dir = "ASC"
	}
	src, srcArgs := s.runsSourceSince(l, runsSince(filter))
	query := fmt.Sprintf("SELECT r.session_id, r.idx, r.created_at, r.run_id, %s FROM %s%s ORDER BY r.created_at %s, %s %s LIMIT %d",
		s.runDataKeysSQL("r.run_data", dataKeys), src, w.sql(), dir, s.runTie(), dir, limit+1)
	var out models.RunPage
	err = s.queryRows(ctx, query, append(srcArgs, w.args...), func(sc scanner) error {
		var r models.StoredRun
		var idx *int64
		var data []byte
		if err := sc.Scan(&r.SessionID, &idx, &r.Key.CreatedAt, &r.Key.RunID, &data); err != nil {
			return err
		}
		if idx != nil {
			r.Index = int(*idx)
		}
		r.Data = s.decodeColumn(data)
		out.Runs = append(out.Runs, r)
		return nil
	})
	if err != nil {
		return models.RunPage{}, internal("listing runs", err)
	}
	more := len(out.Runs) > limit
	if more {
		out.Runs = out.Runs[:limit]
	}
	if fromEnd {
		slices.Reverse(out.Runs)
		out.HasPreviousPage, out.HasNextPage = more, page.Before != nil
	} else {
		out.HasNextPage, out.HasPreviousPage = more, page.After != nil
	}
	out.Sessions, err = s.sessionsOf(ctx, l, out.Runs, cols)
	return out, err
}

// runDataKeysSQL is a run_data column (col) read whole, or, on PostgreSQL
// when keys is not nil, as an object of those of its keys that it has, as
// stored (absent stays absent, JSON null stays null), with the keys that
// models.RunInputFallback stands for in the runs that fall back on them. A run_data that is
// not an object is read whole, for its run to fail as it would. It is read
// from one detoasted copy (a row value, as nameRuns does): each reference
// to a TOASTed run_data would detoast and decompress it again. SQLite reads
// it whole: its encodings are undone in Go.
func (s *Store) runDataKeysSQL(col string, keys []string) string {
	if keys == nil || s.dialect != Postgres {
		return col
	}
	var in, fallback []string
	for _, k := range keys {
		if k == models.RunInputFallback {
			fallback = models.RunInputFallbackKeys
			continue
		}
		in = append(in, k)
	}
	cond := `x.k IN (` + quoteLiterals(in) + `)`
	if fallback != nil {
		// As models' deriveRunInput (Agno's get_run_input): a run falls
		// back on them unless its input holds an input_content (not absent
		// nor JSON null; -> is NULL on scalars and arrays) or it is a
		// workflow run, by its own ids, with an input. A run typed by its
		// session alone reads them: more than it needs, never less.
		nonEmpty := func(k string) string {
			return `COALESCE(jsonb_typeof((c.d).f1 -> '` + k + `') = 'string' AND (c.d).f1 ->> '` + k + `' <> '', false)`
		}
		cond += ` OR (x.k IN (` + quoteLiterals(fallback) + `) AND COALESCE(jsonb_typeof((c.d).f1 -> 'input' -> 'input_content'), 'null') = 'null'` +
			` AND NOT (COALESCE(jsonb_typeof((c.d).f1 -> 'input'), 'null') <> 'null' AND NOT ` + nonEmpty("agent_id") +
			` AND NOT ` + nonEmpty("team_id") + ` AND ` + nonEmpty("workflow_id") + `))`
	}
	return `(SELECT CASE WHEN jsonb_typeof((c.d).f1) = 'object' THEN (SELECT COALESCE(jsonb_object_agg(x.k, x.v), '{}') FROM jsonb_each((c.d).f1) x(k, v) WHERE ` +
		cond + `) ELSE (c.d).f1 END FROM (SELECT ROW(` + col + `) AS d OFFSET 0) c)`
}

// quoteLiterals is keys as SQL string literals, separated by commas.
func quoteLiterals(keys []string) string {
	quoted := make([]string, len(keys))
	for i, k := range keys {
		quoted[i] = "'" + strings.ReplaceAll(k, "'", "''") + "'"
	}
	return strings.Join(quoted, ", ")
}

// sessionsOf reads the sessions of runs (one statement, and one more for
// their runs when cols asks for them), scoped as every read is.
func (s *Store) sessionsOf(ctx context.Context, l *layout, runs []models.StoredRun, cols models.SessionColumns) (map[string]models.SessionRow, error) {
	out := map[string]models.SessionRow{}
	var ids []any
	seen := map[string]bool{}
	for _, r := range runs {
		if !seen[r.SessionID] {
			seen[r.SessionID] = true
			ids = append(ids, r.SessionID)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	w := &where{}
	w.add("session_id IN ("+placeholders(len(ids), "?")+")", ids...)
	rows, err := s.sessionRows(ctx, l, w, cols, "reading the sessions of runs")
	if err != nil {
		return nil, err
	}
	if err := s.attachRuns(ctx, l, rows, cols); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.SessionID] = r
	}
	return out, nil
}

// CountRuns counts the runs matching filter (reusing a recent answer, see countCache).
func (s *Store) CountRuns(ctx context.Context, filter *models.RunsFilter) (int, error) {
	if err := s.available(ctx); err != nil {
		return 0, err
	}
	w := s.runsWhere(ctx, filter)
	src, srcArgs := s.runsSourceSince(s.lay(), runsSince(filter))
	query, args := "SELECT count(*) FROM "+src+w.sql(), append(srcArgs, w.args...)
	return s.counts.count(ctx, query+fmt.Sprint(args), func(ctx context.Context) (int, error) {
		release, err := s.acquire(ctx)
		if err != nil {
			return 0, err
		}
		defer release()
		var n int64
		if err := s.raw(ctx, query, args...).Scan(&n).Error; err != nil {
			return 0, internal("counting runs", err)
		}
		return int(n), nil
	})
}
