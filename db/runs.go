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
	if !l.runsTable || len(rows) == 0 || !(cols.Runs || cols.RunsWindow != nil || cols.NameRuns || cols.LastActivity) {
		return nil
	}
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
				runs, ok := s.cachedNameRuns(r)
				r.NameVersions = nil
				if ok {
					r.NameRuns = runs
				} else {
					branches = append(branches, runBranch{kind: branchName, row: i})
				}
			}
		}
	}
	read := make([][]runRead, len(branches))
	totals := make([]int, len(branches))
	if len(branches) > 0 {
		query, args := s.runsQuery(rows, branches, cols.RunsWindow)
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
			if b < 0 || b >= len(branches) {
				return fmt.Errorf("runs statement: branch %d out of range", b)
			}
			rr.id, rr.typ = id.String, typ.String
			totals[b] = int(total.Int64)
			if branches[b].kind == branchLast {
				if total.Valid {
					rows[branches[b].row].LastRunAt = &total.Int64
				}
				return nil
			}
			rr.ver, rr.decides = ver.String, decides.Bool
			rr.data = s.decodeColumn(rr.data)
			read[b] = append(read[b], rr)
			return nil
		})
		if err != nil {
			return internal("reading runs", err)
		}
	}
	loaded := func(r *models.SessionRow) *models.SessionColumns {
		c := cols
		if r.Loaded != nil {
			c = *r.Loaded
		}
		c.Runs, c.RunsWindow, c.NameRuns, c.LastActivity = false, nil, cols.NameRuns, cols.LastActivity
		r.Loaded = &c
		return r.Loaded
	}
	for i := range rows {
		loaded(&rows[i])
	}
	for bi, b := range branches {
		r := &rows[b.row]
		runs := read[bi]
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
			r.RunsWindow = s.windowOf(runs, totals[bi], cols.RunsWindow)
		case branchName:
			docs := make([]json.RawMessage, len(runs))
			for i, rr := range runs {
				docs[i] = rr.data
			}
			r.NameRuns = models.JSONArray(docs)
			s.rememberName(r.SessionID, r.EffectiveType(), runs, len(runs) > 0 && runs[len(runs)-1].decides, r.NameRuns)
		}
	}
	return nil
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
func (s *Store) runsQuery(rows []models.SessionRow, branches []runBranch, window *models.RunsRequest) (string, []any) {
	var q strings.Builder
	var args []any
	for bi, b := range branches {
		r := &rows[b.row]
		if bi > 0 {
			q.WriteString(" UNION ALL ")
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
			fmt.Fprintf(&q, "SELECT * FROM (SELECT %d AS b, run_id, run_type, run_data, row_number() OVER (ORDER BY %s) AS pos, "+
				"(%s) AS total, %s FROM %s ORDER BY %s LIMIT %d) w%d",
				bi, order, count, noNameColumns, from, order, n, bi)
			args = append(args, r.SessionID)
			args = append(args, condArgs...)
			args = append(args, fromArgs...)
		case branchLast:
			fmt.Fprintf(&q, "SELECT %d AS b, NULL AS run_id, NULL AS run_type, NULL AS run_data, 0 AS pos, "+
				"(SELECT max(COALESCE(updated_at, created_at)) FROM %s WHERE session_id = ?) AS total, %s", bi, s.runsFrom, noNameColumns)
			args = append(args, r.SessionID)
		case branchName:
			only := ""
			if workflow {
				only = " AND run_type = 'workflow'"
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
				bi, runOrder, s.decidesName(r.EffectiveType(), "run_data"), runOrder, s.runVersion(), s.runsFrom, only)
			fmt.Fprintf(&q, s.nameRuns(r.EffectiveType()), runs, bi)
			args = append(args, r.SessionID)
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
// (decides, computed on the copy), for the names cache; both NULL on SQLite.
func (s *Store) nameRuns(typ models.SessionType) string {
	if s.dialect == SQLite {
		return "SELECT b, run_id, run_type, run_data, pos, total, ver, NULL AS decides FROM (%[1]s) n%[2]d WHERE decided = 0"
	}
	return `SELECT b, run_id, run_type, jsonb_build_object('agent_id', (d).f1 -> 'agent_id', 'input', (d).f1 -> 'input',
		'messages', (SELECT COALESCE(jsonb_agg(jsonb_build_object('role', m -> 'role', 'content', m -> 'content') ORDER BY j), '[]'::jsonb)
			FROM jsonb_path_query((d).f1, 'strict $.messages[*]', '{}', true) WITH ORDINALITY mm(m, j)
			WHERE m ->> 'role' = 'user')) AS run_data, pos, total, ver, ` + strings.ReplaceAll(s.decidesName(typ, "(d).f1"), "%", "%%") + ` AS decides
	FROM (SELECT b, run_id, run_type, ROW(run_data) AS d, pos, total, ver FROM (%[1]s) n%[2]d WHERE decided = 0 OFFSET 0) d%[2]d`
}

// noNameColumns are the name branch's ver and decides in the other branches.
const noNameColumns = "CAST(NULL AS TEXT) AS ver, CAST(NULL AS BOOLEAN) AS decides"

// runVersion is a run's version for the names cache: nameVersion on
// PostgreSQL, NULL on SQLite, which has no row versions.
func (s *Store) runVersion() string {
	if s.dialect == SQLite {
		return "NULL"
	}
	return nameVersion
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
