package db

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/tidwall/gjson"

	"sessiongraph/models"
)

// What a branch of the runs statement reads for one session (see attachRuns).
const (
	branchAll    = iota // every run, to merge with the legacy column or to read whole
	branchWindow        // the runs of one runs(first|last: n) connection, with their count
	branchName          // the runs deriving a name reads: up to the first that decides it
	branchLast          // when the session's runs were last created or updated
)

// runBranch is one session's part of the runs statement.
type runBranch struct {
	kind int
	row  int // index of the session in the rows
	// typeFrom, when set, is a query of one row whose sg_type is the
	// session's type as the statement has it (sessionWithRuns): a name
	// branch then derives the name as that type of session does, rather
	// than as the row's.
	typeFrom string
}

// attachRuns reads, in one statement, the runs of the sessions in rows that
// cols asks for from the runs table, and sets them on the rows as the rows
// of Agno 2 carried them (see models.SessionRow): Runs, the whole list,
// merged with the legacy runs column as Agno 3 merges them; RunsWindow, the
// runs of one connection, first or last n in SQL through the (session_id,
// run_index) index; NameRuns, the runs a derived name reads. A session with
// runs left in the legacy column reads all its runs, to merge them. Without
// a runs table it does nothing: the sessions statement read the column.
func (s *Store) attachRuns(ctx context.Context, l *layout, rows []models.SessionRow, cols models.SessionColumns) error {
	if !l.runsTable || len(rows) == 0 || !readsRuns(cols) {
		return nil
	}
	branches := s.runBranches(l, rows, cols)
	read := newRunsRead(branches)
	if len(branches) > 0 {
		query, args := s.runsQuery(rows, branches, cols.RunsWindow, nil)
		err := s.queryRows(ctx, query, args, func(sc scanner) error {
			var (
				b     int
				rr    runRead
				total sql.NullInt64
			)
			var id, typ, ver sql.NullString
			var decides sql.NullBool
			if err := sc.Scan(&b, &id, &typ, &rr.data, &rr.pos, &total, &ver, &decides); err != nil {
				return err
			}
			rr.id, rr.typ, rr.ver, rr.decides = id.String, typ.String, ver.String, decides.Bool
			return read.add(s, b, rr, total)
		})
		if err != nil {
			return internal("reading runs", err)
		}
	}
	s.setRuns(rows, cols, branches, read)
	return nil
}

// readsRuns reports whether cols reads anything of a session's runs.
func readsRuns(cols models.SessionColumns) bool {
	return cols.Runs || cols.RunsWindow != nil || cols.NameRuns || cols.LastActivity
}

// runBranches are the branches of the runs statement that read, for the
// sessions in rows, what cols asks for of their runs. A name the names
// cache holds needs none: it is set on its row.
func (s *Store) runBranches(l *layout, rows []models.SessionRow, cols models.SessionColumns) []runBranch {
	var branches []runBranch
	for i := range rows {
		r := &rows[i]
		if cols.LastActivity {
			branches = append(branches, runBranch{kind: branchLast, row: i})
		}
		if !(cols.Runs || cols.RunsWindow != nil || cols.NameRuns) {
			continue
		}
		legacy := l.legacyRuns && models.HasLegacyRuns(r.Runs)
		switch {
		case cols.Runs || legacy:
			branches = append(branches, runBranch{kind: branchAll, row: i})
		default:
			if cols.RunsWindow != nil {
				branches = append(branches, runBranch{kind: branchWindow, row: i})
			}
			if cols.NameRuns && r.NeedsDerivedName() {
				runs, memo, ok := s.cachedNameRuns(r)
				r.NameVersions = nil
				if ok {
					r.NameRuns, r.NameMemo = runs, memo
				} else {
					branches = append(branches, runBranch{kind: branchName, row: i})
				}
			}
		}
	}
	return branches
}

// runsRead is what the runs statement returned, by branch.
type runsRead struct {
	branches []runBranch
	runs     [][]runRead
	totals   []int
	lastAt   []*int64 // of last branches: when the runs were last written, if any run is
}

func newRunsRead(branches []runBranch) *runsRead {
	return &runsRead{branches: branches, runs: make([][]runRead, len(branches)), totals: make([]int, len(branches)), lastAt: make([]*int64, len(branches))}
}

// add adds a row of branch b: a run and the branch's total, the total
// alone (position 0) for a window of no runs, or for a last branch its time.
func (rd *runsRead) add(s *Store, b int, rr runRead, total sql.NullInt64) error {
	if b < 0 || b >= len(rd.branches) {
		return fmt.Errorf("runs statement: branch %d out of range", b)
	}
	rd.totals[b] = int(total.Int64)
	if rd.branches[b].kind == branchLast {
		if total.Valid {
			at := total.Int64
			rd.lastAt[b] = &at
		}
		return nil
	}
	if rr.pos == 0 { // a window of no runs: its count alone
		return nil
	}
	rr.data = s.decodeColumn(rr.data)
	rd.runs[b] = append(rd.runs[b], rr)
	return nil
}

// setRuns sets on rows the runs read for branches, as attachRuns says.
func (s *Store) setRuns(rows []models.SessionRow, cols models.SessionColumns, branches []runBranch, read *runsRead) {
	loaded := func(r *models.SessionRow) *models.SessionColumns {
		c := cols
		if r.Loaded != nil {
			c = *r.Loaded
		}
		c.Runs, c.RunsWindow, c.NameRuns, c.LastActivity = false, nil, cols.NameRuns, cols.LastActivity
		r.Loaded = &c
		return r.Loaded
	}
	for bi, b := range branches {
		if b.kind == branchLast && read.lastAt[bi] != nil {
			rows[b.row].LastRunAt = read.lastAt[bi]
		}
	}
	for i := range rows {
		loaded(&rows[i])
	}
	for bi, b := range branches {
		r := &rows[b.row]
		runs := read.runs[bi]
		slices.SortFunc(runs, func(x, y runRead) int { return x.pos - y.pos })
		switch b.kind {
		case branchAll:
			table := make([]models.TableRun, 0, len(runs))
			var problem error
			for _, rr := range runs {
				if s.dialect == SQLite && !gjson.ValidBytes(rr.data) {
					problem = models.Errorf(models.DataCorrupt, "run %q of session %q cannot be read", rr.id, r.SessionID)
					continue
				}
				table = append(table, models.TableRun{RunID: rr.id, RunType: rr.typ, Data: rr.data})
			}
			var err error
			r.Runs, err = models.MergeRuns(r.SessionID, r.Runs, r.ValidJSON, table, r.EffectiveType() == models.SessionTypeWorkflow)
			r.RunsProblem = cmp.Or(err, problem)
			r.Loaded.Runs = true
		case branchWindow:
			r.RunsWindow = s.windowOf(runs, read.totals[bi], cols.RunsWindow)
		case branchName:
			docs := make([]json.RawMessage, len(runs))
			for i, rr := range runs {
				docs[i] = rr.data
			}
			r.NameRuns = models.JSONArray(docs)
			r.NameMemo = s.rememberName(r.SessionID, r.EffectiveType(), runs, len(runs) > 0 && runs[len(runs)-1].decides, r.NameRuns)
		}
	}
}

// readsRunsWithSession reports whether GetSession reads a session's runs in
// the statement that reads the session (sessionWithRuns) rather than in a
// second one (attachRuns): on PostgreSQL, from a runs table, when there is no
// legacy runs column for them to be merged with.
func (s *Store) readsRunsWithSession(l *layout, cols models.SessionColumns) bool {
	return s.dialect == Postgres && l.runsTable && !l.legacyRuns && readsRuns(cols)
}

// sessionWithRuns reads the session w selects (by its id, sessionID) as
// sessionRows does and, in the same statement, the runs attachRuns would
// read for it: each branch attachRuns may choose for the session, for each
// group of session types it differs for, gated on what the statement found
// of the session (its effective type and, for a name's runs, whether it has
// no stored name), so that only the branches attachRuns would choose read
// runs. A name the names cache holds for the session is not read: the
// sessions statement reads its versions, for attach to check. The session
// row comes with its branch -1; a run row holds NULL (and placeholders where
// the session's columns are never NULL) in the session's columns.
func (s *Store) sessionWithRuns(ctx context.Context, l *layout, w *where, sessionID string, cols models.SessionColumns) ([]models.SessionRow, *guessedRuns, error) {
	read := s.columnsFor(l, cols)
	list, args := s.selectList(l, read)
	scope(ctx, w)
	g := guessRuns(cols, s.names != nil && s.names.Contains(sessionID))
	query, runsArgs := s.withSessionQuery(l, list, w, sessionID, cols, g)
	args = append(append(args, w.args...), runsArgs...)
	g.read = newRunsRead(g.branches)
	var ( // pgx's own types where this PostgreSQL-only statement has its own columns
		rows             []models.SessionRow
		d                = &sessionScan{}
		sgType, id, typ  pgtype.Text
		sgDerived, decid pgtype.Bool
		b                int
		rr               runRead
		total            pgtype.Int8
		ver              pgtype.Text
	)
	scanTo := func() []any {
		return d.dest(&sgType, &sgDerived, &b, &id, &typ, &rr.data, &rr.pos, &total, &ver, &decid)
	}
	dest := scanTo()
	err := s.queryRows(ctx, query, args, func(sc scanner) error {
		if err := sc.Scan(dest...); err != nil {
			return err
		}
		if b < 0 {
			row, err := s.sessionRow(d, read)
			// The row points into d: the rows after it are scanned into another.
			d = &sessionScan{}
			dest = scanTo()
			rows = append(rows, row)
			g.sqlType, g.derived = sgType.String, sgDerived.Bool
			return err
		}
		rr.id, rr.typ, rr.ver, rr.decides = id.String, typ.String, ver.String, decid.Bool
		return g.read.add(s, b, rr, sql.NullInt64{Int64: total.Int64, Valid: total.Valid})
	})
	if err != nil {
		return nil, nil, internal("reading a session", err)
	}
	return rows, g, nil
}

// guessRuns returns the branches sessionWithRuns reads for cols, before the
// session's row is known: each kind attachRuns may choose, once for each
// group of session types whose branch of that kind differs (a window of a
// workflow holds its workflow runs only), and one name branch of the type
// the statement finds; none for a name the names cache holds (cached).
func guessRuns(cols models.SessionColumns, cached bool) *guessedRuns {
	g := &guessedRuns{}
	guess := func(b runBranch, types ...models.SessionType) {
		b.row = slices.Index(models.AllSessionType, types[0])
		g.branches = append(g.branches, b)
		g.types = append(g.types, types)
	}
	if cols.LastActivity {
		guess(runBranch{kind: branchLast}, models.AllSessionType...)
	}
	switch {
	case cols.Runs:
		guess(runBranch{kind: branchAll}, models.AllSessionType...)
	case cols.RunsWindow != nil || cols.NameRuns:
		if cols.RunsWindow != nil {
			guess(runBranch{kind: branchWindow}, models.SessionTypeAgent, models.SessionTypeTeam)
			guess(runBranch{kind: branchWindow}, models.SessionTypeWorkflow)
		}
		if cols.NameRuns && !cached {
			guess(runBranch{kind: branchName, typeFrom: "SELECT sg_type FROM sg_session"}, models.AllSessionType...)
		}
	}
	return g
}

// withSessionKey is what sessionWithRuns' statement depends on, but for a
// run filter: a statement whose window has none is built once for each key
// (see layout.withSession).
type withSessionKey struct {
	list, where            string
	last, all, name        bool
	window, fromEnd, count bool
	n                      int
	keys                   string // the window's run_data keys, "*" when whole
}

// withSessionText is a statement of sessionWithRuns whose parameters after
// the session's are its id, ids times.
type withSessionText struct {
	text string
	ids  int
}

// maxWithSessionTexts bounds the statements a layout keeps.
const maxWithSessionTexts = 256

// withSessionQuery returns sessionWithRuns' statement for the guessed
// branches of g, and its parameters after those of the session's row.
func (s *Store) withSessionQuery(l *layout, list string, w *where, sessionID string, cols models.SessionColumns, g *guessedRuns) (string, []any) {
	key := withSessionKey{list: list, where: w.sql(), last: cols.LastActivity, all: cols.Runs}
	key.name = slices.ContainsFunc(g.branches, func(b runBranch) bool { return b.kind == branchName })
	cacheable := true
	if q := cols.RunsWindow; q != nil {
		key.window, key.count = true, q.Count
		key.n, key.fromEnd = q.Limit()
		key.keys = "*"
		if q.Keys != nil {
			key.keys = strings.Join(q.Keys, ",")
		}
		cacheable = q.Filter == nil
	}
	ids := func(n int) []any {
		args := make([]any, n)
		for i := range args {
			args[i] = sessionID
		}
		return args
	}
	if cacheable {
		if t, ok := l.withSession.Load(key); ok {
			return t.(withSessionText).text, ids(t.(withSessionText).ids)
		}
	}
	guesses := make([]models.SessionRow, len(models.AllSessionType))
	for i, t := range models.AllSessionType {
		guesses[i] = models.SessionRow{SessionID: sessionID, SessionType: t.Stored()}
	}
	gates := make([]string, len(g.branches))
	for bi, b := range g.branches {
		stored := make([]string, len(g.types[bi]))
		for i, t := range g.types[bi] {
			stored[i] = "'" + t.Stored() + "'"
		}
		gates[bi] = "(SELECT sg_type FROM sg_session) IN (" + strings.Join(stored, ", ") + ")"
		if b.kind == branchName {
			gates[bi] += " AND (SELECT sg_derived FROM sg_session)"
		}
	}
	query := "WITH sg_session AS MATERIALIZED (SELECT " + list + ", " + effectiveType + " AS sg_type, " + pgStoredName + " IS NULL AS sg_derived FROM " + s.from + key.where + ")" +
		" SELECT *, -1, NULL, NULL, NULL, 0, NULL, NULL, NULL FROM sg_session"
	var args []any
	if len(g.branches) > 0 { // none when all it would read is a name the names cache holds
		var runs string
		runs, args = s.runsQuery(guesses, g.branches, cols.RunsWindow, gates)
		query += " UNION ALL SELECT '', '', " + strings.Repeat("NULL, ", 11) + "0, NULL, NULL, NULL, NULL, NULL, r.* FROM (" + runs + ") r"
	}
	if cacheable && !slices.ContainsFunc(args, func(a any) bool { return a != sessionID }) && l.withSessionTexts.Add(1) <= maxWithSessionTexts {
		l.withSession.Store(key, withSessionText{text: query, ids: len(args)})
	}
	return query, args
}

// guessedRuns are the runs sessionWithRuns read for a session, by the
// branch it guessed for each group of session types.
type guessedRuns struct {
	branches []runBranch            // row: the first of its types, in models.AllSessionType
	types    [][]models.SessionType // the types of session each branch is for
	read     *runsRead
	// sqlType and derived are the session's effective type and whether it
	// has no stored name, as the statement found them.
	sqlType string
	derived bool
}

// attach sets on rows (the one session read) the runs of the branches
// attachRuns chooses for it, as attachRuns does, and reports whether it
// could: false when the statement's view of the session is not its row's,
// so that it gated out a branch the row needs (never, unless the row's SQL
// and Go readings disagree), or when a name the names cache held turned
// out stale; attachRuns must then read them.
func (g *guessedRuns) attach(s *Store, l *layout, rows []models.SessionRow, cols models.SessionColumns) bool {
	typ := rows[0].EffectiveType()
	if g.sqlType != typ.Stored() {
		return false
	}
	branches := s.runBranches(l, rows, cols)
	read := newRunsRead(branches)
	for bi, b := range branches {
		gi := g.branch(b.kind, typ)
		if gi < 0 || (b.kind == branchName && !g.derived) {
			return false
		}
		read.runs[bi], read.totals[bi], read.lastAt[bi] = g.read.runs[gi], g.read.totals[gi], g.read.lastAt[gi]
	}
	s.setRuns(rows, cols, branches, read)
	return true
}

// branch returns the guessed branch of kind for a session of type typ, -1 if none.
func (g *guessedRuns) branch(kind int, typ models.SessionType) int {
	for gi, gb := range g.branches {
		if gb.kind == kind && slices.Contains(g.types[gi], typ) {
			return gi
		}
	}
	return -1
}

// runRead is one run row as the runs statement returns it.
type runRead struct {
	id, typ string
	data    []byte
	pos     int    // the run's position in its branch, from 1
	ver     string // a name branch's run version (see nameVersion); "" on SQLite
	decides bool   // a name branch's run decides the name
}

// windowOf is the window of a window branch's runs: their indexes are
// their positions among the matching runs. A run that is not an object
// (or, on SQLite, not valid JSON) is left out and counted as bad.
func (s *Store) windowOf(runs []runRead, total int, q *models.RunsRequest) *models.RunsWindow {
	_, fromEnd := q.Limit()
	w := &models.RunsWindow{For: q, Total: total, Runs: make([]models.WindowRun, 0, len(runs))}
	for _, rr := range runs {
		if t := bytes.TrimSpace(rr.data); len(t) == 0 || t[0] != '{' || (s.dialect == SQLite && !gjson.ValidBytes(t)) {
			w.Bad++
			continue
		}
		index := rr.pos - 1
		if fromEnd {
			index = total - rr.pos
		}
		w.Runs = append(w.Runs, models.WindowRun{Index: index, Data: rr.data})
	}
	if fromEnd { // read newest first: stored order is the reverse
		slices.Reverse(w.Runs)
	}
	return w
}

// runOrder is the order Agno 3 reads a session's runs in (and the
// (session_id, run_index) index serves); each backend sorts NULL run_index
// where Agno's query on it does.
const runOrder = "run_index, created_at, run_id"

// runOrderDesc is runOrder reversed.
const runOrderDesc = "run_index DESC, created_at DESC, run_id DESC"

// runsQuery returns the statement of attachRuns: one branch per session and
// kind, each served by the (session_id, run_index) index, joined with
// UNION ALL. Each row carries its branch, the run's id, type and run_data,
// its position in the branch and, for windows, the count of matching runs.
// With gates, each branch returns rows only when its gate (a condition
// without columns, which PostgreSQL tests once, before it runs the branch)
// is true: in a WHERE around the branch, or, for a last branch, in its own.
func (s *Store) runsQuery(rows []models.SessionRow, branches []runBranch, window *models.RunsRequest, gates []string) (string, []any) {
	var q strings.Builder
	var args []any
	for bi, b := range branches {
		r := &rows[b.row]
		if bi > 0 {
			q.WriteString(" UNION ALL ")
		}
		wrap := gates != nil && b.kind != branchLast
		if wrap {
			q.WriteString("SELECT * FROM (")
		}
		workflow := r.EffectiveType() == models.SessionTypeWorkflow
		switch b.kind {
		case branchAll:
			fmt.Fprintf(&q, "SELECT %d AS b, run_id, run_type, run_data, row_number() OVER (ORDER BY %s) AS pos, CAST(NULL AS BIGINT) AS total, %s FROM %s WHERE session_id = ?",
				bi, runOrder, noNameColumns, s.runsFrom)
			args = append(args, r.SessionID)
		case branchWindow: // n runs, not n+1: the count says whether there are more
			conds, condArgs := s.runFilterSQL(window.Filter, workflow)
			n, fromEnd := window.Limit()
			order, bound := runOrder, "<="
			if fromEnd {
				order, bound = runOrderDesc, ">="
			}
			from, fromArgs := s.runsFrom+" WHERE session_id = ?"+conds, append([]any{r.SessionID}, condArgs...)
			if conds == "" && n > 0 {
				// Only the rows at or beyond the n-th run_index, which the
				// (session_id, run_index) index finds alone, are read (and
				// rows without a run_index, which each backend sorts to one
				// end), so that the last 5 of 10,000 runs read 5 rows.
				limit, dir := "-9223372036854775808", "DESC"
				if !fromEnd {
					limit, dir = "9223372036854775807", "ASC"
				}
				cols := "run_id, run_type, run_data, run_index, created_at"
				from = fmt.Sprintf("(SELECT %s FROM %s WHERE session_id = ? AND run_index %s COALESCE((SELECT run_index FROM %s WHERE session_id = ? "+
					"AND run_index IS NOT NULL ORDER BY run_index %s LIMIT 1 OFFSET %d), %s) UNION ALL SELECT %s FROM %s WHERE session_id = ? AND run_index IS NULL) c",
					cols, s.runsFrom, bound, s.runsFrom, dir, n-1, limit, cols, s.runsFrom)
				fromArgs = []any{r.SessionID, r.SessionID, r.SessionID}
			}
			// Without totalCount, counting stops past the window: enough to
			// know whether more runs match, from the index alone. The order
			// keeps the planner on the (session_id, run_index) index: for a
			// session holding a large share of the runs it would otherwise
			// expect a sequential scan to meet n+1 of them at once, and read
			// every run stored before them.
			count := fmt.Sprintf("SELECT count(*) FROM %s WHERE session_id = ?%s", s.runsFrom, conds)
			if !window.Count {
				count = fmt.Sprintf("SELECT count(*) FROM (SELECT 1 FROM %s WHERE session_id = ?%s ORDER BY run_index LIMIT %d) x", s.runsFrom, conds, n+1)
			}
			if n == 0 {
				// No runs, so no row to carry the count: a row of its own.
				fmt.Fprintf(&q, "SELECT %d AS b, CAST(NULL AS TEXT) AS run_id, CAST(NULL AS TEXT) AS run_type, %s AS run_data, 0 AS pos, (%s) AS total, %s",
					bi, s.nullJSON(), count, noNameColumns)
				args = append(args, r.SessionID)
				args = append(args, condArgs...)
				break
			}
			// The window's run_data (only the keys its fields read, when
			// that is all they read) is read past its LIMIT, of its n rows.
			fmt.Fprintf(&q, "SELECT b, run_id, run_type, %s AS run_data, pos, total, ver, decides FROM (SELECT %d AS b, run_id, run_type, run_data, row_number() OVER (ORDER BY %s) AS pos, "+
				"(%s) AS total, %s FROM %s ORDER BY %s LIMIT %d) w%d",
				s.runDataKeysSQL("run_data", window.Keys), bi, order, count, noNameColumns, from, order, n, bi)
			args = append(args, r.SessionID)
			args = append(args, condArgs...)
			args = append(args, fromArgs...)
		case branchLast:
			// Typed: UNION ALL types its branches pairwise, and two untyped
			// NULLs in a row would make text, which run_data is not.
			fmt.Fprintf(&q, "SELECT %d AS b, CAST(NULL AS TEXT) AS run_id, CAST(NULL AS TEXT) AS run_type, %s AS run_data, 0 AS pos, "+
				"(SELECT max(COALESCE(updated_at, created_at)) FROM %s WHERE session_id = ?) AS total, %s", bi, s.nullJSON(), s.runsFrom, noNameColumns)
			args = append(args, r.SessionID)
			if gates != nil {
				q.WriteString(" WHERE " + gates[bi])
			}
		case branchName:
			typ := r.EffectiveType()
			from, ver, decides, decidesCopy, only := s.runsFrom, s.runVersion(), s.decidesName(typ, "run_data"), s.decidesName(typ, "(d).f1"), ""
			if workflow {
				only = " AND run_type = 'workflow'"
			}
			if b.typeFrom != "" {
				// The type is joined as a column: a subquery in the window's
				// FILTER would cost it its run condition. In a join, the
				// runs' system columns need their table's name.
				from, ver = s.runsFrom+" sg_r CROSS JOIN ("+b.typeFrom+") sg_t", nameVersion("sg_r")
				decides = s.decidesNameOf("sg_t.sg_type", "run_data")
				decidesCopy = s.decidesNameOf("("+b.typeFrom+")", "(d).f1")
				only = " AND (sg_t.sg_type <> 'workflow' OR run_type = 'workflow')"
			}
			// The runs up to the first that decides: decided counts the
			// deciding runs before each run, and a count only grows, so
			// PostgreSQL (15+) stops reading runs at the first run past it
			// (the window's run condition) instead of looking into each.
			// It knows count(*) grows, not count(expression): the
			// condition is a FILTER. What is read of the runs left is
			// computed after that filter.
			runs := fmt.Sprintf("SELECT %d AS b, run_id, run_type, run_data, row_number() OVER (ORDER BY %s) AS pos, "+
				"count(*) FILTER (WHERE %s) OVER (ORDER BY %s ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS decided, "+
				"CAST(NULL AS BIGINT) AS total, %s AS ver FROM %s WHERE session_id = ?%s",
				bi, runOrder, decides, runOrder, ver, from, only)
			fmt.Fprintf(&q, s.nameRuns(decidesCopy), runs, bi)
			args = append(args, r.SessionID)
		}
		if wrap {
			fmt.Fprintf(&q, ") g%d WHERE %s", bi, gates[bi])
		}
	}
	return q.String(), args
}

// runFilterSQL is a RunFilter on the runs table's columns (which Agno copies
// from run_data), and for workflow sessions only workflow runs, as Agno 3
// reads them.
func (s *Store) runFilterSQL(f *models.RunFilter, workflow bool) (string, []any) {
	w := &where{}
	if workflow {
		w.add("run_type = 'workflow'")
	}
	if f != nil {
		addRunConds(w, "", f.Status, f.TopLevel, f.CreatedAfterEpoch(), f.CreatedBeforeEpoch())
	}
	if len(w.conds) == 0 {
		return "", nil
	}
	return " AND " + strings.Join(w.conds, " AND "), w.args
}

// addRunConds adds the run filters both runs(filter:) and allRuns offer on
// the runs table's columns (qualified with prefix): statuses, parent, and
// inclusive created_at bounds in epoch seconds.
func addRunConds(w *where, prefix string, status []models.RunStatus, topLevel *bool, after, before *int64) {
	if status != nil {
		if len(status) == 0 {
			w.add("1 = 0")
		} else {
			args := make([]any, len(status))
			for i, st := range status {
				args[i] = string(st)
			}
			w.add(prefix+"status IN ("+placeholders(len(args), "?")+")", args...)
		}
	}
	if topLevel != nil {
		if *topLevel {
			w.add("COALESCE(" + prefix + "parent_run_id, '') = ''")
		} else {
			w.add("COALESCE(" + prefix + "parent_run_id, '') <> ''")
		}
	}
	if after != nil {
		w.add(prefix+"created_at >= ?", *after)
	}
	if before != nil {
		w.add(prefix+"created_at <= ?", *before)
	}
}

// nameRuns is a name branch's statement around runs (%[1]s, the runs with
// their decided counts; %[2]d the branch): the runs no deciding run
// precedes, with what deriving a name reads of them. On PostgreSQL that is
// only what Agno's name derivation looks at (agent_id, input, user
// messages), so that a list of names ships no whole runs, read from one
// detoasted copy of run_data: every reference to a TOASTed value detoasts
// and decompresses it again, and a row value (ROW(run_data), kept by
// OFFSET 0 from being folded away) holds its fields detoasted. SQLite reads
// the JSON text whole anyway.
//
// Each run comes with its version (ver) and whether it decides the name
// (decides, the SQL of decidesName on the copy, (d).f1), for the names
// cache; both NULL on SQLite.
func (s *Store) nameRuns(decides string) string {
	if s.dialect == SQLite {
		return "SELECT b, run_id, run_type, run_data, pos, total, ver, NULL AS decides FROM (%[1]s) n%[2]d WHERE decided = 0"
	}
	return `SELECT b, run_id, run_type, jsonb_build_object('agent_id', (d).f1 -> 'agent_id', 'input', (d).f1 -> 'input',
		'messages', (SELECT COALESCE(jsonb_agg(jsonb_build_object('role', m -> 'role', 'content', m -> 'content') ORDER BY j), '[]'::jsonb)
			FROM jsonb_path_query((d).f1, 'strict $.messages[*]', '{}', true) WITH ORDINALITY mm(m, j)
			WHERE m ->> 'role' = 'user')) AS run_data, pos, total, ver, ` + strings.ReplaceAll(decides, "%", "%%") + ` AS decides
	FROM (SELECT b, run_id, run_type, ROW(run_data) AS d, pos, total, ver FROM (%[1]s) n%[2]d WHERE decided = 0 OFFSET 0) d%[2]d`
}

// nullJSON is a NULL of the runs table's run_data type: JSONB on
// PostgreSQL, untyped on SQLite, whose columns have no types to match.
func (s *Store) nullJSON() string {
	if s.dialect == SQLite {
		return "NULL"
	}
	return "CAST(NULL AS JSONB)"
}

// noNameColumns are the name branch's ver and decides in the other branches.
const noNameColumns = "CAST(NULL AS TEXT) AS ver, CAST(NULL AS BOOLEAN) AS decides"

// runVersion is a run's version for the names cache: nameVersion on
// PostgreSQL, NULL on SQLite, which has no row versions.
func (s *Store) runVersion() string {
	if s.dialect == SQLite {
		return "NULL"
	}
	return nameVersion("")
}

// decidesName is true for a run that certainly decides a derived name (see
// models.deriveSessionName): one with an input (for a team, a leader's run:
// no agent_id). Runs that decide it otherwise (a user message without an
// input) are read too; the derivation then stops where Agno stops. doc is
// the run's run_data in SQL.
func (s *Store) decidesName(typ models.SessionType, doc string) string {
	if s.dialect == SQLite {
		cond := `json_valid(run_data) AND COALESCE(json_type(run_data, '$.input'), 'null') <> 'null'`
		if typ == models.SessionTypeTeam {
			cond += ` AND NOT COALESCE(json_type(run_data, '$.agent_id') = 'text' AND run_data ->> '$.agent_id' <> '', 0)`
		}
		if typ == models.SessionTypeWorkflow {
			cond = "1" // the first run decides
		}
		return strings.ReplaceAll(cond, "run_data", doc)
	}
	cond := `COALESCE(jsonb_typeof(run_data -> 'input'), 'null') <> 'null'`
	if typ == models.SessionTypeTeam {
		cond += ` AND NOT COALESCE(jsonb_typeof(run_data -> 'agent_id') = 'string' AND run_data ->> 'agent_id' <> '', false)`
	}
	if typ == models.SessionTypeWorkflow {
		cond = "true"
	}
	return strings.ReplaceAll(cond, "run_data", doc)
}

// decidesNameOf is decidesName on PostgreSQL for a session whose type is
// the SQL typ.
func (s *Store) decidesNameOf(typ, doc string) string {
	return fmt.Sprintf("(CASE %s WHEN 'workflow' THEN %s WHEN 'team' THEN %s ELSE %s END)", typ,
		s.decidesName(models.SessionTypeWorkflow, doc), s.decidesName(models.SessionTypeTeam, doc), s.decidesName(models.SessionTypeAgent, doc))
}
