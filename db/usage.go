package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"slices"
	"strings"
	"time"

	"modernc.org/sqlite"

	"sessiongraph/models"
)

// Usage returns one page of usage buckets: the runs of runsSource (every
// stored run once, API.md "Which runs count") of the sessions matching
// q.Filter and the caller's scope, matching q.RunFilter, grouped by
// q.GroupBy and summed, in one statement. sessions counts distinct sessions
// only when countSessions is set (it costs a second grouping level, or a
// count(DISTINCT)).
func (s *Store) Usage(ctx context.Context, q models.UsageQuery, countSessions bool) (models.UsagePage, error) {
	release, err := s.enter(ctx)
	if err != nil {
		return models.UsagePage{}, err
	}
	defer release()
	query, args := s.usageSQL(ctx, s.lay(), q, countSessions)
	var page models.UsagePage
	n := len(q.GroupBy)
	err = s.queryRows(ctx, query, args, func(sc scanner) error {
		var (
			row       models.UsageRow
			periods   = make([]sql.NullInt64, n)
			texts     = make([]sql.NullString, n)
			flag      int64
			total     int64
			sums      [6]int64
			cost, dur sql.NullFloat64
		)
		dest := make([]any, 0, n+9)
		for i, d := range q.GroupBy {
			if d.IsPeriod() {
				dest = append(dest, &periods[i])
			} else {
				dest = append(dest, &texts[i])
			}
		}
		dest = append(dest, &flag, &total, &sums[0], &sums[1], &sums[2], &sums[3], &sums[4], &sums[5], &cost, &dur)
		if err := sc.Scan(dest...); err != nil {
			return err
		}
		row.Key = make([]any, n)
		for i, d := range q.GroupBy {
			switch {
			case d.IsPeriod() && periods[i].Valid:
				row.Key[i] = periods[i].Int64
			case !d.IsPeriod() && texts[i].Valid:
				row.Key[i] = texts[i].String
			}
		}
		b := &row.Bucket
		b.Sessions, b.Runs, b.ErrorRuns = int(sums[0]), int(sums[1]), int(sums[2])
		b.InputTokens, b.OutputTokens, b.TotalTokens = int(sums[3]), int(sums[4]), int(sums[5])
		if cost.Valid {
			b.Cost = &cost.Float64
		}
		if dur.Valid {
			b.DurationSeconds = &dur.Float64
		}
		page.Total = int(total)
		if flag == 1 {
			page.Rows = append(page.Rows, row)
		}
		return nil
	})
	if err != nil {
		if pgCode(err) == "22023" { // a time zone PostgreSQL's zone rules do not know
			return models.UsagePage{}, &models.Error{Code: models.BadUserInput, Message: fmt.Sprintf("timeZone %q is not known to the database", q.TimeZone), Err: err}
		}
		return models.UsagePage{}, internal("computing usage", err)
	}
	if len(page.Rows) > q.Limit {
		page.Rows, page.HasNextPage = page.Rows[:q.Limit], true
	}
	return page, nil
}

// usageCounters are the run metrics a bucket sums, as (column, metrics key).
var usageCounters = []struct{ col, key string }{
	{"it", "input_tokens"}, {"ot", "output_tokens"}, {"tt", "total_tokens"},
}

// usageSQL is Usage's statement. Innermost, one row per counted run of a
// matching session: its key values k0..kn, its session (sid), whether it
// failed and its counters, read once from the run's JSON (see usageRuns).
// Then sums per key (and per session first, when sessions are counted),
// the number of buckets in all (a window over the groups), the cursor's
// keyset condition, the order and the page.
func (s *Store) usageSQL(ctx context.Context, l *layout, q models.UsageQuery, countSessions bool) (string, []any) {
	keys := make([]string, len(q.GroupBy))
	for i := range q.GroupBy {
		keys[i] = fmt.Sprintf("k%d", i)
	}
	keyList := strings.Join(append(slices.Clone(keys), ""), ", ")
	sessions := s.filterWhere(q.Filter)
	scope(ctx, sessions)
	if rs := s.runSessionWhere(context.Background(), q.RunFilter); len(rs.conds) > 0 {
		sessions.conds, sessions.args = append(sessions.conds, rs.conds...), append(sessions.args, rs.args...)
	}
	runs := &where{}
	s.addRunFilters(runs, q.RunFilter)
	group := func(cols ...string) string {
		if len(cols) == 0 {
			return ""
		}
		return " GROUP BY " + strings.Join(cols, ", ")
	}
	sums := "sum(err) AS err, sum(it) AS it, sum(ot) AS ot, sum(tt) AS tt, sum(cost) AS cost, sum(dur) AS dur"
	// Buckets after the cursor come first (a = 1), in order; the others
	// only fill the page, so that a page past the last bucket still
	// reads the total, and are dropped by Usage.
	after, afterArgs := "1 = 1", []any(nil)
	if q.After != nil {
		after, afterArgs = usageAfter(keys, q.After)
	}
	order := []string{"a DESC"}
	for _, k := range keys {
		order = append(order, k+" ASC NULLS FIRST")
	}

	st := &statement{}
	facts := s.usesUsageTable(l)
	runsFrom := s.usageRuns(st, l, runs, runsSince(q.RunFilter), facts)
	st.add("SELECT "+keyList+"a, total, "+s.usageInt("sessions")+", "+s.usageInt("runs")+", "+s.usageInt("err")+", "+
		s.usageInt("it")+", "+s.usageInt("ot")+", "+s.usageInt("tt")+", cost, dur FROM (SELECT g.*, CASE WHEN "+after+" THEN 1 ELSE 0 END AS a FROM (", afterArgs...)
	// Distinct sessions: from the usage table's narrow rows, one grouping
	// with count(DISTINCT) (sorting each bucket's few sessions) costs less
	// than a second level grouping every run by its session; over the
	// runs' JSON, the second level lets the parallel workers aggregate.
	twoLevels := countSessions && !facts
	switch {
	case twoLevels:
		st.add("SELECT " + keyList + "count(*) OVER () AS total, count(*) AS sessions, sum(runs) AS runs, " + sums + " FROM (")
		st.add("SELECT " + keyList + "sid, count(*) AS runs, " + sums + " FROM (")
	case countSessions:
		st.add("SELECT " + keyList + "count(*) OVER () AS total, count(DISTINCT sid) AS sessions, count(*) AS runs, " + sums + " FROM (")
	default:
		st.add("SELECT " + keyList + "count(*) OVER () AS total, 0 AS sessions, count(*) AS runs, " + sums + " FROM (")
	}
	st.add("SELECT ")
	for i, d := range q.GroupBy {
		expr, args := s.usageKey(d, q.TimeZone, facts)
		st.add(expr+" AS "+keys[i]+", ", args...)
	}
	st.add("r.session_id AS sid, CASE WHEN r.status = 'ERROR' THEN 1 ELSE 0 END AS err, " + s.usageMetrics(facts) + " FROM ")
	runsFrom()
	if sj := s.usageSessions(q, sessions); sj != "" {
		st.add(sj, sessions.args...)
	}
	if s.dialect == Postgres {
		if !facts {
			doc, docArgs := s.usageDoc(q)
			st.add(doc, docArgs...)
		}
		st.add(runs.sql(), runs.args...)
	}
	st.add(") x")
	if twoLevels {
		st.add(group(append(slices.Clone(keys), "sid")...) + ") y")
	}
	st.add(group(keys...) + ") g) g ORDER BY " + strings.Join(order, ", ") + fmt.Sprintf(" LIMIT %d", q.Limit+1))
	return st.String(), st.args
}

// statement is SQL under construction with its parameters in text order.
type statement struct {
	b    strings.Builder
	args []any
}

func (st *statement) add(sql string, args ...any) {
	st.b.WriteString(sql)
	st.args = append(st.args, args...)
}

func (st *statement) String() string { return st.b.String() }

// usageRuns writes what the runs are read from (r) and returns the writer
// of their reference in the innermost FROM. With the usage table (facts,
// see usesUsageTable) that is its rows, numbers and names read as columns.
// Otherwise PostgreSQL reads runsSource
// where it stands, and each run's JSON through usageDoc. On SQLite, where
// each reference to a JSON text parses it again and a flattened subquery
// repeats its expressions, a materialized CTE reads each run's JSON once,
// keeping its metrics, model and model_provider (the array d), with the
// run filter applied.
func (s *Store) usageRuns(st *statement, l *layout, runs *where, since *int64, facts bool) (from func()) {
	if facts {
		return func() { st.add(s.usageTableSource()) }
	}
	src, srcArgs := s.runsSourceSince(l, since)
	if s.dialect == Postgres {
		return func() { st.add(src, srcArgs...) }
	}
	st.add("WITH r AS MATERIALIZED (SELECT r.session_id, r.created_at, r.status, r.agent_id, r.team_id, r.workflow_id, json_extract("+
		sqliteJSONDoc("r.run_data")+", '$.metrics', '$.model', '$.model_provider') AS d FROM "+src+runs.sql()+") ", append(srcArgs, runs.args...)...)
	return func() { st.add("r") }
}

// usageSessions joins the runs' sessions (s: sid, suser, stype), those
// matching the filter and the caller's scope, when anything asks for them:
// a condition, or the USER or SESSION_TYPE dimension. Without, the join is
// left out: it would cost an index lookup per run for nothing, Agno's runs
// table deleting a session's runs with it (ON DELETE CASCADE, and this
// server's deletes remove them in the same transaction).
func (s *Store) usageSessions(q models.UsageQuery, sessions *where) string {
	if len(sessions.conds) == 0 && !slices.Contains(q.GroupBy, models.UsageDimensionUser) && !slices.Contains(q.GroupBy, models.UsageDimensionSessionType) {
		return ""
	}
	return " JOIN (SELECT session_id AS sid, user_id AS suser, " + effectiveType + " AS stype FROM " + s.from + sessions.sql() + ") s ON s.sid = r.session_id"
}

// usageInt is a summed column as a whole number, 0 when nothing was summed.
func (s *Store) usageInt(col string) string {
	if s.dialect == Postgres {
		return "CAST(trunc(COALESCE(" + col + ", 0)) AS bigint)"
	}
	return "CAST(COALESCE(" + col + ", 0) AS INTEGER)"
}

// usageAfter is the keyset condition of the buckets after key, in the
// order k0 ASC NULLS FIRST, k1 ...: for some i, the keys before i equal
// and k_i greater.
func usageAfter(keys []string, key []any) (string, []any) {
	if len(keys) == 0 {
		return "1 = 0", nil // the one bucket of totals has nothing after it
	}
	var alts []string
	var args []any
	for i := range keys {
		var conj []string
		for j := 0; j < i; j++ {
			if key[j] == nil {
				conj = append(conj, keys[j]+" IS NULL")
			} else {
				conj = append(conj, keys[j]+" = ?")
				args = append(args, key[j])
			}
		}
		if key[i] == nil {
			conj = append(conj, keys[i]+" IS NOT NULL")
		} else {
			conj = append(conj, keys[i]+" > ?")
			args = append(args, key[i])
		}
		alts = append(alts, "("+strings.Join(conj, " AND ")+")")
	}
	return "(" + strings.Join(alts, " OR ") + ")", args
}

// usageDoc joins what usageMetrics and usageKey read of a run's JSON on
// PostgreSQL, from one detoasted copy of it (every reference to a TOASTed
// run_data would decompress it again): the counters of its metrics object
// (m), its model and model_provider (d) when a dimension asks for them, and
// the sums over its metrics' steps (st), which count for a workflow run
// without counters of its own. They are joins, not subqueries in the
// select list, so that parallel workers compute them: PostgreSQL runs a
// correlated subquery in the leader only. SQLite reads the JSON in
// usageRuns.
func (s *Store) usageDoc(q models.UsageQuery) (string, []any) {
	var args []any
	// jsonpath parameters, because raw takes every "?" of a statement for one.
	doc := pgUsageDoc(slices.Contains(q.GroupBy, models.UsageDimensionModel) || slices.Contains(q.GroupBy, models.UsageDimensionModelProvider),
		func(path string) string {
			args = append(args, path)
			return "CAST(? AS jsonpath)"
		})
	return doc, args
}

// pgUsageDoc is usageDoc's joins, with (model) or without d, each jsonpath
// written by path (a parameter, or a literal in the usage table's trigger).
func pgUsageDoc(model bool, path func(string) string) string {
	var b strings.Builder
	if model {
		b.WriteString(` CROSS JOIN LATERAL jsonb_to_record(COALESCE(jsonb_path_query_first(r.run_data, ` + path(`$ ? (@.type() == "object")`) + `), '{}'::jsonb)) AS d(metrics jsonb, model jsonb, model_provider jsonb)` +
			` CROSS JOIN LATERAL jsonb_to_record(CASE WHEN jsonb_typeof(d.metrics) = 'object' THEN d.metrics ELSE '{}'::jsonb END)`)
	} else {
		// Only the metrics object, copied out alone; NULL (no error) whatever else run_data holds.
		// (One function scan: a second one over its result would run in the
		// leader rather than in the parallel workers.)
		b.WriteString(` CROSS JOIN LATERAL jsonb_to_record(COALESCE(jsonb_path_query_first(r.run_data, ` + path(`strict $.metrics ? (@.type() == "object")`) + `, '{}', true), '{}'::jsonb))`)
	}
	b.WriteString(` AS m(input_tokens jsonb, output_tokens jsonb, total_tokens jsonb, cost jsonb, duration jsonb, steps jsonb)`)
	num := func(key string) string {
		v := "v -> 'metrics' -> '" + key + "'"
		return "sum(CASE WHEN jsonb_typeof(" + v + ") = 'number' THEN CAST(" + v + " AS numeric) END)"
	}
	var steps []string
	for _, c := range usageCounters {
		steps = append(steps, num(c.key)+" AS "+c.col)
	}
	steps = append(steps, num("cost")+" AS cost")
	b.WriteString(` CROSS JOIN LATERAL (SELECT ` + strings.Join(steps, ", ") +
		` FROM jsonb_each(CASE WHEN jsonb_typeof(m.steps) = 'object' THEN m.steps ELSE '{}'::jsonb END) x(k, v)) st`)
	return b.String()
}

// usageMetrics is the select list of a run's counters (it, ot, tt), cost
// and duration (dur): its metrics' own numbers, else, for a workflow run
// whose metrics hold none, the sum over its steps' metrics, as Agno derives
// a workflow session's session_metrics. Anything not a number counts as
// nothing. With facts, the usage table's columns, which hold the same.
func (s *Store) usageMetrics(facts bool) string {
	var cols []string
	if s.dialect == Postgres {
		if facts {
			return "r.it, r.ot, r.tt, CAST(r.cost AS double precision) AS cost, CAST(r.dur AS double precision) AS dur"
		}
		return pgUsageNumbers("double precision")
	}
	num := func(doc, path string) string {
		return "CASE WHEN json_type(" + doc + ", '" + path + "') IN ('integer', 'real') THEN json_extract(" + doc + ", '" + path + "') END"
	}
	steps := func(key string) string {
		return "(SELECT sum(" + num("st.value", "$.metrics."+key) + ") FROM json_each(r.d, '$[0].steps') st WHERE st.type = 'object' AND json_type(r.d, '$[0].steps') = 'object')"
	}
	for _, c := range usageCounters {
		cols = append(cols, "COALESCE("+num("r.d", "$[0]."+c.key)+", "+steps(c.key)+") AS "+c.col)
	}
	cols = append(cols, "CAST(COALESCE("+num("r.d", "$[0].cost")+", "+steps("cost")+") AS REAL) AS cost",
		"CAST("+num("r.d", "$[0].duration")+" AS REAL) AS dur")
	return strings.Join(cols, ", ")
}

// pgUsageNumbers is usageMetrics on PostgreSQL from usageDoc's joins: the
// counters as numeric, cost and duration as real (numeric in the usage
// table, whose trigger must not fail a write on a number out of a double's
// range).
func pgUsageNumbers(real string) string {
	num := func(v string) string {
		return "CASE WHEN jsonb_typeof(" + v + ") = 'number' THEN CAST(" + v + " AS numeric) END"
	}
	var cols []string
	for _, c := range usageCounters {
		cols = append(cols, "COALESCE("+num("m."+c.key)+", st."+c.col+") AS "+c.col)
	}
	return strings.Join(append(cols, "CAST(COALESCE("+num("m.cost")+", st.cost) AS "+real+") AS cost",
		"CAST("+num("m.duration")+" AS "+real+") AS dur"), ", ")
}

// usagePeriodUnits are the units periods are truncated to.
var usagePeriodUnits = map[models.UsageDimension]string{
	models.UsageDimensionHour: "hour", models.UsageDimensionDay: "day",
	models.UsageDimensionWeek: "week", models.UsageDimensionMonth: "month",
}

// utcPeriods are the units of a fixed length in UTC: their length and the
// start of one of their periods, in epoch seconds.
var utcPeriods = map[string]struct{ length, origin int64 }{
	"hour": {3600, 0}, "day": {86400, 0}, "week": {7 * 86400, -3 * 86400},
}

// usageKey is the SQL expression of a dimension's key value and its
// parameters (model and provider from the usage table's columns with
// facts). Text keys compare byte-wise on both backends.
func (s *Store) usageKey(d models.UsageDimension, timeZone string, facts bool) (string, []any) {
	pg := s.dialect == Postgres
	text := func(expr string) string { return s.byteWise("(" + expr + ")") }
	str := func(field string) string {
		if facts {
			return text("r." + field)
		}
		if pg {
			return text(pgDocString(field))
		}
		i := map[string]string{"model": "1", "model_provider": "2"}[field]
		return "(CASE WHEN json_type(r.d, '$[" + i + "]') = 'text' THEN json_extract(r.d, '$[" + i + "]') END)"
	}
	if unit, ok := usagePeriodUnits[d]; ok {
		if p, ok := utcPeriods[unit]; ok && pg && timeZone == "UTC" {
			// In UTC an hour, a day and a week (from Monday; 1 January 1970
			// was a Thursday, so Mondays fall on multiples of a week less
			// three days) are whole seconds: arithmetic, rounding down
			// before 1970 as well, at a tenth of date_trunc's cost.
			return fmt.Sprintf("(r.created_at - ((r.created_at - %[2]d) %% %[1]d + %[1]d) %% %[1]d)", p.length, p.origin), nil
		}
		if pg {
			return "CAST(extract(epoch FROM date_trunc('" + unit + "', to_timestamp(r.created_at), ?)) AS bigint)", []any{timeZone}
		}
		return "sg_usage_period(r.created_at, '" + unit + "', ?)", []any{timeZone}
	}
	switch d {
	case models.UsageDimensionUser:
		return text("s.suser"), nil
	case models.UsageDimensionSessionType:
		return text("s.stype"), nil
	case models.UsageDimensionComponent:
		return text("COALESCE(NULLIF(r.agent_id, ''), NULLIF(r.team_id, ''), NULLIF(r.workflow_id, ''))"), nil
	case models.UsageDimensionModel:
		return str("model"), nil
	case models.UsageDimensionModelProvider:
		return str("model_provider"), nil
	}
	return text("r.status"), nil // STATUS
}

// pgDocString is usageDoc's d.<field> when it is a string.
func pgDocString(field string) string {
	return "CASE WHEN jsonb_typeof(d." + field + ") = 'string' THEN d." + field + " #>> '{}' END"
}

// sqliteUsagePeriod is sg_usage_period(created_at, unit, zone): the start,
// in epoch seconds, of the hour, day, ISO week (from Monday) or month that
// created_at falls in, in the IANA zone; SQLite has no zone rules of its own.
func sqliteUsagePeriod(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	if args[0] == nil {
		return nil, nil
	}
	var sec int64
	switch v := args[0].(type) {
	case int64:
		sec = v
	case float64:
		sec = int64(v)
	default:
		return nil, nil
	}
	unit, _ := args[1].(string)
	name, _ := args[2].(string)
	loc, err := models.TimeZone(name)
	if err != nil {
		return nil, err
	}
	t := time.Unix(sec, 0).In(loc)
	y, mo, d := t.Date()
	switch unit {
	case "hour":
		t = time.Date(y, mo, d, t.Hour(), 0, 0, 0, loc)
	case "day":
		t = time.Date(y, mo, d, 0, 0, 0, 0, loc)
	case "week":
		t = time.Date(y, mo, d-(int(t.Weekday())+6)%7, 0, 0, 0, 0, loc)
	case "month":
		t = time.Date(y, mo, 1, 0, 0, 0, 0, loc)
	default:
		return nil, fmt.Errorf("sg_usage_period: unknown unit %q", unit)
	}
	return t.Unix(), nil
}

func init() {
	sqlite.MustRegisterDeterministicScalarFunction("sg_usage_period", 3, sqliteUsagePeriod)
}
