package db

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgtype"
	"gorm.io/gorm"

	"sessiongraph/models"
)

// raw is s.db.WithContext(ctx).Raw(query, vars...) for the reads every
// request makes, without gorm's clause.Expr.Build, which copies the query
// into the statement one WriteByte at a time (3% of the CPU of reading one
// session's run tree, whose query is 4 kB): the text between placeholders
// is written whole, and each variable bound by the same Statement.AddVar.
// What Build treats otherwise (named @variables, a []any list, more or fewer
// variables than placeholders) goes through Raw itself.
func (s *Store) raw(ctx context.Context, query string, vars ...any) *gorm.DB {
	if strings.Count(query, "?") != len(vars) || strings.IndexByte(query, '@') >= 0 ||
		slices.ContainsFunc(vars, func(v any) bool { _, list := v.([]any); return list }) {
		return s.db.WithContext(ctx).Raw(query, vars...)
	}
	tx := s.db.WithContext(ctx).Raw("")
	st := tx.Statement
	st.SQL.Grow(len(query) + 3*len(vars))
	for _, v := range vars {
		i := strings.IndexByte(query, '?')
		st.SQL.WriteString(query[:i])
		st.AddVar(st, v)
		query = query[i+1:]
	}
	st.SQL.WriteString(query)
	return tx
}

// selectList returns the select list of a session row and its parameters:
// every scalar column, the JSON columns cols asks for (NULL in place of the
// others), name_runs and runs_window. A runs window reads the runs column
// through runsCopy, which the statement must join.
func (s *Store) selectList(l *layout, cols models.SessionColumns) (string, []any) {
	columns := s.selectColumns(l, cols)
	if cols.NameVersions { // a runs table: no runs column is sliced
		return columns + ", " + s.nameVersionsOf + ", NULL", nil
	}
	nameRuns := cols.NameRuns && !cols.Runs && l.legacyRuns
	if cols.RunsWindow == nil || cols.Runs {
		if nameRuns {
			return columns + ", " + l.sql.nameRuns + ", NULL", nil
		}
		return columns + ", NULL, NULL", nil
	}
	// Runs come whole (an array, where a window is an object) when they are
	// small or the window holds every run anyway: connections read whole
	// runs and windows alike, and slicing rebuilds the array in SQL. A name
	// is then derived from them, not computed in SQL.
	doc := runsCopyValue
	whole := "runs IS NULL"
	if s.smallRunsBytes >= 0 {
		n, _ := cols.RunsWindow.Limit()
		whole = fmt.Sprintf("(runs IS NULL OR (jsonb_typeof(%s) = 'array' AND (%s OR jsonb_array_length(%s) <= %d)))",
			doc, strings.ReplaceAll(pgSmallRuns, smallRunsParam, strconv.Itoa(s.smallRunsBytes)), doc, n+1)
	}
	name := "NULL"
	if nameRuns {
		name = "CASE WHEN " + whole + " THEN NULL ELSE " + pgNameRunsOf(doc) + " END"
	}
	window, args := runsWindowSQL(cols.RunsWindow, doc)
	return columns + ", " + name + ", CASE WHEN " + whole + " THEN " + doc + " ELSE " + window + " END", args
}

// runsCopy joins, to a statement whose select list reads a runs window
// (see selectList), the runs column's value detoasted once: every
// reference to a TOASTed value detoasts and decompresses it again (three
// to five times for a window), while a row value (ROW(runs), which OFFSET 0
// keeps from being folded away) holds its fields detoasted. "" when cols
// reads no window.
func (s *Store) runsCopy(cols models.SessionColumns) string {
	if s.dialect != Postgres || cols.RunsWindow == nil || cols.Runs {
		return ""
	}
	return " CROSS JOIN LATERAL (SELECT ROW(runs) AS runs_row OFFSET 0) runs_copy"
}

// runsCopyValue is the runs column's value in runsCopy.
const runsCopyValue = "(runs_copy.runs_row).f1"

// pgSessionNameOnly is what the sessions statement reads of session_data for
// SessionColumns.SessionName alone. A session_data that is NULL, null or
// not an object reads as {"session_name": null}: a stored name is a string
// in an object, so its name is derived either way.
const pgSessionNameOnly = `jsonb_build_object('session_name', session_data -> 'session_name')`

// selectColumns is selectList up to updated_at, which depends only on
// which columns cols reads: built once for each combination.
func (s *Store) selectColumns(l *layout, cols models.SessionColumns) string {
	json := []struct {
		name string // the column, or what is read of it
		read bool
	}{{"session_data", cols.SessionData}, {"agent_data", cols.AgentData}, {"team_data", cols.TeamData},
		{"workflow_data", cols.WorkflowData}, {"metadata", cols.Metadata}, {"runs", cols.Runs && l.legacyRuns}, {"summary", cols.Summary}}
	mask := 0
	// A name alone reads, on PostgreSQL, an object of session_data's
	// session_name (see SessionColumns.SessionName); SQLite reads the text
	// whole, to undo its encodings.
	if !cols.SessionData && cols.SessionName {
		json[0].read = true
		if s.dialect == Postgres {
			json[0].name = pgSessionNameOnly
			mask |= 1 << len(json)
		}
	}
	for i, c := range json {
		if c.read {
			mask |= 1 << i
		}
	}
	if cached := l.selectLists[mask].Load(); cached != nil {
		return *cached
	}
	var b strings.Builder
	b.WriteString("session_id, session_type, agent_id, team_id, workflow_id, user_id")
	for _, c := range json {
		if c.read {
			b.WriteString(", " + c.name)
		} else {
			b.WriteString(", NULL")
		}
	}
	b.WriteString(", created_at, updated_at")
	list := b.String()
	l.selectLists[mask].Store(&list)
	return list
}

// columnsFor returns what the sessions statement reads of cols in layout l.
// With a runs table, runs come from it (see attachRuns) and the statement
// reads the legacy runs column whole, when there is one, for them to be
// merged with. Without one, SQLite reads the JSON text whole to look into
// it anyway, so a runs window becomes the runs column.
func (s *Store) columnsFor(l *layout, cols models.SessionColumns) models.SessionColumns {
	if l.runsTable {
		cols.NameVersions = cols.NameRuns && !cols.Runs && s.names != nil
		cols.Runs = l.legacyRuns && (cols.Runs || cols.RunsWindow != nil || cols.NameRuns)
		cols.RunsWindow, cols.NameRuns = nil, false
		return cols
	}
	if cols.RunsWindow != nil && s.dialect == SQLite {
		cols.Runs, cols.RunsWindow = true, nil
	}
	return cols
}

// runsWindowSQL slices the runs one connection asks for inside PostgreSQL,
// so that runs(first: 5) of a session with 10,000 runs ships 5 of them. It
// applies the run filter exactly as models.RunFilter does, and returns the
// matching count, up to n+1 runs with their indexes, the number of elements
// that are not objects and the column's JSON type (see models.runsWindow).
// doc is the runs column's value.
func runsWindowSQL(q *models.RunsRequest, doc string) (string, []any) {
	conds := []string{"jsonb_typeof(e) = 'object'"}
	var args []any
	if f := q.Filter; f != nil {
		if f.Status != nil {
			statuses := make([]string, len(f.Status))
			for i, st := range f.Status {
				statuses[i] = string(st)
			}
			conds = append(conds, "jsonb_typeof(e -> 'status') = 'string' AND e ->> 'status' IN ?") // GORM expands the list
			args = append(args, statuses)
		}
		// Runs without a numeric created_at pass the time bounds, as in Agno.
		created := "(COALESCE(jsonb_typeof(e -> 'created_at'), 'none') <> 'number' OR trunc(CAST(e ->> 'created_at' AS numeric)) %s ?)"
		if after := f.CreatedAfterEpoch(); after != nil {
			conds = append(conds, fmt.Sprintf(created, ">="))
			args = append(args, *after)
		}
		if before := f.CreatedBeforeEpoch(); before != nil {
			conds = append(conds, fmt.Sprintf(created, "<="))
			args = append(args, *before)
		}
		if f.TopLevel != nil {
			hasParent := "COALESCE(jsonb_typeof(e -> 'parent_run_id') = 'string' AND e ->> 'parent_run_id' <> '', false)"
			if *f.TopLevel {
				hasParent = "NOT " + hasParent
			}
			conds = append(conds, hasParent)
		}
	}
	n, fromEnd := q.Limit()
	dir := "ASC"
	if fromEnd {
		dir = "DESC"
	}
	return fmt.Sprintf(`(WITH f AS (
		SELECT i - 1 AS i, e, (%[1]s) AS ok
		FROM jsonb_array_elements(CASE WHEN jsonb_typeof(%[4]s) = 'array' THEN %[4]s ELSE '[]'::jsonb END) WITH ORDINALITY t(e, i))
	SELECT jsonb_build_object('type', jsonb_typeof(%[4]s),
		'total', (SELECT count(*) FROM f WHERE ok),
		'bad', (SELECT count(*) FROM f WHERE jsonb_typeof(e) <> 'object'),
		'items', COALESCE((SELECT jsonb_agg(jsonb_build_array(w.i, w.e) ORDER BY w.i)
			FROM (SELECT i, e FROM f WHERE ok ORDER BY i %[2]s LIMIT %[3]d) w), '[]'::jsonb)))`,
		strings.Join(conds, " AND "), dir, n+1, doc), args
}

// scanner is one row of a read: *sql.Rows, *sql.Row or pgx.Rows.
type scanner interface{ Scan(dest ...any) error }

// sessionScan holds what a selectList's columns are scanned into, in one
// allocation: each target would escape on its own (the scanner is an
// interface), a dozen allocations a row.
type sessionScan struct {
	r                                              models.SessionRow
	loaded                                         models.SessionColumns
	agentID, teamID, workflowID, userID            pgtype.Text // scanned by pgx without boxing, by database/sql as a Scanner
	sessionData, agentData, teamData, workflowData []byte
	metadata, runs, summary, nameRuns, window      []byte
	updatedAt                                      pgtype.Int8
	updated                                        int64 // the row's updated_at, which a later scan leaves alone
	targets                                        [27]any
}

// dest returns the destinations of a selectList's columns, then extra (at
// most 10).
func (d *sessionScan) dest(extra ...any) []any {
	r := &d.r
	return append(append(d.targets[:0], &r.SessionID, &r.SessionType, &d.agentID, &d.teamID, &d.workflowID, &d.userID,
		&d.sessionData, &d.agentData, &d.teamData, &d.workflowData, &d.metadata, &d.runs, &d.summary, &r.CreatedAt, &d.updatedAt,
		&d.nameRuns, &d.window), extra...)
}

// scanRow reads a selectList(cols), then any extra columns.
func (s *Store) scanRow(sc scanner, cols models.SessionColumns, extra ...any) (models.SessionRow, error) {
	d := &sessionScan{}
	if err := sc.Scan(d.dest(extra...)...); err != nil {
		return d.r, err
	}
	return s.sessionRow(d, cols)
}

// sessionRow is the session row d holds, read as selectList(cols). The row
// points into d (its loaded columns, ids and updated_at): one d serves one
// row, and is not scanned into again.
func (s *Store) sessionRow(d *sessionScan, cols models.SessionColumns) (models.SessionRow, error) {
	r := d.r
	if cols != models.AllColumns {
		d.loaded = cols
		r.Loaded = &d.loaded
	}
	if cols.NameVersions {
		r.NameVersions = d.nameRuns
	} else {
		r.NameRuns = s.decodeColumn(d.nameRuns)
	}
	r.ValidJSON = s.dialect == Postgres // jsonb cannot hold invalid JSON
	r.AgentID, r.TeamID, r.WorkflowID, r.UserID = textIn(&d.agentID), textIn(&d.teamID), textIn(&d.workflowID), textIn(&d.userID)
	r.SessionData, r.AgentData, r.TeamData = s.decodeColumn(d.sessionData), s.decodeColumn(d.agentData), s.decodeColumn(d.teamData)
	r.WorkflowData, r.Metadata = s.decodeColumn(d.workflowData), s.decodeColumn(d.metadata)
	r.Runs, r.Summary = s.decodeColumn(d.runs), s.decodeColumn(d.summary)
	if d.updatedAt.Valid {
		d.updated = d.updatedAt.Int64
		r.UpdatedAt = &d.updated
	}
	window := d.window
	switch {
	case cols.RunsWindow == nil || cols.Runs:
	case len(bytes.TrimSpace(window)) > 0 && bytes.TrimSpace(window)[0] == '{':
		w, err := models.DecodeRunsWindow(window, cols.RunsWindow)
		if err != nil {
			return r, fmt.Errorf("runs window of %q: %w", r.SessionID, err)
		}
		r.RunsWindow = w
	default: // small runs, sent whole
		r.Runs = window
		loaded := *r.Loaded
		loaded.Runs, loaded.RunsWindow = true, nil
		r.Loaded = &loaded
	}
	return r, nil
}

// textIn points at t's string, nil when t is NULL: no copy when t lives as
// long as what points at it (a sessionScan and its row).
func textIn(t *pgtype.Text) *string {
	if !t.Valid {
		return nil
	}
	return &t.String
}

func nullString(n sql.NullString) *string {
	if !n.Valid {
		return nil
	}
	return &n.String
}

// GetSession returns the session with sessionID, reading the JSON columns
// cols asks for, or nil when there is none. With typ, a session of another
// type counts as absent. It runs one statement; on SQLite in Agno 3's
// layout, and where a legacy runs column is left, a second one reads the
// runs (attachRuns), as it does when the names cache turns out stale.
func (s *Store) GetSession(ctx context.Context, sessionID string, typ *models.SessionType, cols models.SessionColumns) (*models.SessionRow, error) {
	release, err := s.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	l := s.lay()
	w := &where{}
	w.add("session_id = ?", sessionID)
	var (
		rows    []models.SessionRow
		guessed *guessedRuns
	)
	if s.readsRunsWithSession(l, cols) {
		rows, guessed, err = s.sessionWithRuns(ctx, l, w, sessionID, cols)
	} else {
		rows, err = s.sessionRows(ctx, l, w, cols, "reading a session")
	}
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 || (typ != nil && rows[0].EffectiveType() != *typ) {
		return nil, nil
	}
	rows = rows[:1] // session_id is the key
	if guessed == nil || !guessed.attach(s, l, rows, cols) {
		if err := s.attachRuns(ctx, l, rows, cols); err != nil {
			return nil, err
		}
	}
	return &rows[0], nil
}

// SessionsByID returns the sessions among ids (at most MaxExistingIDs)
// that filter (nil for none) selects, in no particular order, reading the
// JSON columns cols asks for: one statement, plus one for their runs on
// Agno 3's layout. The live watcher checks and loads the sessions a batch of
// changes touched with it.
func (s *Store) SessionsByID(ctx context.Context, ids []string, filter *models.SessionFilter, cols models.SessionColumns) ([]models.SessionRow, error) {
	if len(ids) > MaxExistingIDs {
		return nil, models.Errorf(models.BadUserInput, "at most %d session ids at a time, not %d", MaxExistingIDs, len(ids))
	}
	if len(ids) == 0 {
		return nil, nil
	}
	release, err := s.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	l := s.lay()
	w := s.filterWhere(filter)
	idArgs := make([]any, len(ids))
	for i, id := range ids {
		idArgs[i] = id
	}
	w.add("session_id IN ("+placeholders(len(ids), "?")+")", idArgs...)
	rows, err := s.sessionRows(ctx, l, w, cols, "reading sessions by id")
	if err != nil {
		return nil, err
	}
	if err := s.attachRuns(ctx, l, rows, cols); err != nil {
		return nil, err
	}
	return rows, nil
}

// sessionRows reads the session rows w selects, restricted as ctx is (see
// scope), with the JSON columns of cols the sessions statement reads; the
// caller attaches their runs (attachRuns). op names the read in errors.
func (s *Store) sessionRows(ctx context.Context, l *layout, w *where, cols models.SessionColumns, op string) ([]models.SessionRow, error) {
	read := s.columnsFor(l, cols)
	list, args := s.selectList(l, read)
	scope(ctx, w)
	var rows []models.SessionRow
	err := s.queryRows(ctx, "SELECT "+list+" FROM "+s.from+s.runsCopy(read)+w.sql(), append(args, w.args...), func(sc scanner) error {
		r, err := s.scanRow(sc, read)
		rows = append(rows, r)
		return err
	})
	if err != nil {
		return nil, internal(op, err)
	}
	return rows, nil
}

func wrapRowsErr(op string, err error) error {
	if err != nil {
		return internal(op, err)
	}
	return nil
}

// where is a WHERE clause under construction.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// filterWhere translates a SessionFilter. The type filter matches the stored
// session_type (indexed, as Agno's list query does) and legacy rows whose
// type is derived from their component ids.
func (s *Store) filterWhere(f *models.SessionFilter) *where {
	w := &where{}
	if f == nil {
		return w
	}
	if f.Type != nil {
		w.add("(session_type = ? OR ("+legacyType+" AND "+effectiveType+" = ?))", f.Type.Stored(), f.Type.Stored())
	}
	s.addFilters(w, f)
	return w
}

// listBranches returns the WHERE clauses whose union is the filter. A type
// filter makes two branches, rows of that session_type and legacy rows of
// that derived type, each served in order by an index on session_type,
// where one clause with OR would need a sort of every matching row.
func (s *Store) listBranches(f *models.SessionFilter) []*where {
	if f == nil || f.Type == nil {
		return []*where{s.filterWhere(f)}
	}
	stored, legacy := &where{}, &where{}
	stored.add("session_type = ?", f.Type.Stored())
	legacy.add(legacyType+" AND "+effectiveType+" = ?", f.Type.Stored())
	s.addFilters(stored, f)
	s.addFilters(legacy, f)
	return []*where{stored, legacy}
}

// addFilters adds every filter but the type.
func (s *Store) addFilters(w *where, f *models.SessionFilter) {
	if f.ComponentID != nil {
		switch {
		case f.Type == nil:
			w.add("(agent_id = ? OR team_id = ? OR workflow_id = ?)", *f.ComponentID, *f.ComponentID, *f.ComponentID)
		case *f.Type == models.SessionTypeTeam:
			w.add("team_id = ?", *f.ComponentID)
		case *f.Type == models.SessionTypeWorkflow:
			w.add("workflow_id = ?", *f.ComponentID)
		default:
			w.add("agent_id = ?", *f.ComponentID)
		}
	}
	if f.UserID != nil {
		w.add("user_id = ?", *f.UserID)
	}
	if f.NameContains != nil && *f.NameContains != "" {
		w.add(s.sql().nameContains, asciiLower(*f.NameContains))
	}
	if f.TextContains != nil && *f.TextContains != "" {
		s.addTextContains(w, *f.TextContains)
	}
	if f.CreatedAfter != nil {
		w.add("created_at >= ?", models.EpochSecondsAtOrAfter(*f.CreatedAfter))
	}
	if f.CreatedBefore != nil {
		w.add("created_at <= ?", models.EpochSecondsAtOrBefore(*f.CreatedBefore))
	}
	if f.UpdatedAfter != nil {
		w.add("COALESCE(updated_at, created_at) >= ?", models.EpochSecondsAtOrAfter(*f.UpdatedAfter))
	}
	if f.UpdatedBefore != nil {
		w.add("COALESCE(updated_at, created_at) <= ?", models.EpochSecondsAtOrBefore(*f.UpdatedBefore))
	}
}

// asciiLower lower-cases A-Z only, as SQLite's lower() and PostgreSQL's lower() under COLLATE "C" do.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, s)
}

// orderKey returns the SQL expression of an order's key.
func (s *Store) orderKey(field models.SessionOrderField) string {
	switch field {
	case models.SessionOrderFieldUpdatedAt:
		return "COALESCE(updated_at, created_at)"
	case models.SessionOrderFieldName:
		return s.sql().nameKey
	case models.SessionOrderFieldSessionID:
		return s.sql().tieKey
	case models.SessionOrderFieldUserID:
		return s.sql().userKey
	}
	return "created_at"
}

// ListSessions returns one page of sessions matching filter in the given
// order, paginated with keyset cursors (never offsets), reading the JSON
// columns cols asks for.
func (s *Store) ListSessions(ctx context.Context, filter *models.SessionFilter, order models.SessionOrder, page models.PageArgs, cols models.SessionColumns) (models.SessionPage, error) {
	release, err := s.enter(ctx)
	if err != nil {
		return models.SessionPage{}, err
	}
	defer release()
	limit, fromEnd, err := page.Window()
	if err != nil {
		return models.SessionPage{}, err
	}
	l := s.lay()
	read := s.columnsFor(l, cols)
	list, listArgs := s.selectList(l, read)
	branches := s.listBranches(filter)
	for _, w := range branches {
		scope(ctx, w)
	}
	key := s.orderKey(order.Field)
	asc := order.Direction == models.OrderDirectionAsc
	for _, bound := range []struct {
		cursor *string
		after  bool
	}{{page.After, true}, {page.Before, false}} {
		if bound.cursor == nil {
			continue
		}
		c, err := models.DecodeSessionCursor(*bound.cursor, order)
		if err != nil {
			return models.SessionPage{}, err
		}
		op := "<"
		if asc == bound.after {
			op = ">"
		}
		var k any = c.Int
		if order.Field.IsText() {
			k = c.Str
		}
		// The redundant bound on the key alone lets an index on the key (such
		// as Agno's created_at index) seek to the cursor; the row comparison
		// is exact.
		for _, w := range branches {
			w.add(fmt.Sprintf("%s %s= ? AND (%s, %s) %s (?, ?)", key, op, key, s.sql().tieKey, op), k, k, c.SessionID)
		}
	}
	dir := "DESC"
	if asc != fromEnd {
		dir = "ASC"
	}
	// The page is chosen in an inner query whose LIMIT keeps the planner from
	// merging it into the outer one; the select list, whose name and runs
	// expressions cost, is computed by the outer query for the page's rows
	// only, never for every row a sort looks at.
	var inner string
	args := append([]any(nil), listArgs...)
	for i, w := range branches {
		branch := fmt.Sprintf("SELECT t.*, %s AS order_key, %s AS tie_key FROM %s t%s ORDER BY %s %s, %s %s LIMIT %d",
			key, s.sql().tieKey, s.from, w.sql(), key, dir, s.sql().tieKey, dir, limit+1)
		if len(branches) > 1 {
			if i > 0 {
				inner += " UNION ALL "
			}
			branch = fmt.Sprintf("SELECT * FROM (%s) b%d", branch, i)
		}
		inner += branch
		args = append(args, w.args...)
	}
	// tie_key orders the page without being read: it is the session's id.
	query := fmt.Sprintf("SELECT %s, order_key FROM (%s) p%s ORDER BY order_key %s, tie_key %s LIMIT %d",
		list, inner, s.runsCopy(read), dir, dir, limit+1)
	out := models.SessionPage{Rows: make([]models.SessionRow, 0, min(limit+1, 101)), Keys: make([]models.SessionCursor, 0, min(limit+1, 101))}
	err = s.queryRows(ctx, query, args, func(rows scanner) error {
		var k any
		row, err := s.scanRow(rows, read, &k)
		if err != nil {
			return err
		}
		cursor := models.SessionCursor{Order: order, SessionID: row.SessionID}
		if order.Field.IsText() {
			cursor.Str = asString(k)
		} else {
			cursor.Int = asInt64(k)
		}
		out.Rows = append(out.Rows, row)
		out.Keys = append(out.Keys, cursor)
		return nil
	})
	if err != nil {
		return models.SessionPage{}, internal("listing sessions", err)
	}
	more := len(out.Rows) > limit
	if more {
		out.Rows, out.Keys = out.Rows[:limit], out.Keys[:limit]
	}
	if err := s.attachRuns(ctx, l, out.Rows, cols); err != nil {
		return models.SessionPage{}, err
	}
	if fromEnd {
		slices.Reverse(out.Rows)
		slices.Reverse(out.Keys)
		out.HasPreviousPage, out.HasNextPage = more, page.Before != nil
	} else {
		out.HasNextPage, out.HasPreviousPage = more, page.After != nil
	}
	return out, nil
}

func asString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return fmt.Sprint(v)
}

func asInt64(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case float64:
		return int64(x)
	case []byte:
		n, _ := strconv.ParseInt(string(x), 10, 64)
		return n
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	return 0
}

// CountSessions counts the sessions matching filter (reusing a recent
// answer, see countCache).
func (s *Store) CountSessions(ctx context.Context, filter *models.SessionFilter) (int, error) {
	if err := s.available(ctx); err != nil {
		return 0, err
	}
	w := scope(ctx, s.filterWhere(filter))
	query := "SELECT count(*) FROM " + s.from + w.sql()
	return s.counts.count(ctx, query+fmt.Sprint(w.args), func(ctx context.Context) (int, error) {
		// A connection only for the statement: a cached answer needs none,
		// and a background refresh queues like any other call.
		release, err := s.acquire(ctx)
		if err != nil {
			return 0, err
		}
		defer release()
		var n int64
		if err := s.raw(ctx, query, w.args...).Scan(&n).Error; err != nil {
			return 0, internal("counting sessions", err)
		}
		return int(n), nil
	})
}
