package db

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"sessiongraph/models"
)

// The analytics tables are an opt-in addition to a PostgreSQL database
// (`sessiongraph install-analytics-tables`), each kept by triggers in the
// writer's own transaction, so that what they hold is always what the
// tables they summarise hold, in every snapshot:
//
//   - the usage table, sg_<runs table>_usage (with Agno 3's runs table):
//     one narrow row per run, the runs table's columns usage and facets
//     read and what they read of run_data (the run's counters, cost,
//     duration, model and provider, as usageDoc computes them). usage then
//     reads a few dozen bytes per run instead of decompressing each run's
//     JSON, and facets { models } counts an index;
//   - the facet counts, sg_<sessions table>_facets: the number of sessions
//     of each user and of each component, as facets { users components }
//     count them, changed by each statement that inserts, deletes or moves
//     sessions (an upsert that changes neither changes no count).
//
// The server never installs them; it reads each only while its triggers
// are installed, enabled and current (see analyticsTable.current and
// detectLayout), the usage table only for runs all in the runs table
// (Agno 2's column unmigrated beside it, usage reads the JSON as without
// the table), the counts only for facets of every session (a filter or a
// restricted caller counts the sessions). Agno's tables are not altered.

// pg_trigger.tgtype of the AFTER triggers here: FOR EACH ROW 1, INSERT 4,
// DELETE 8, UPDATE 16, TRUNCATE 32 (FOR EACH STATEMENT without ROW).
const (
	tgRow      = 1
	tgInsert   = 4
	tgDelete   = 8
	tgUpdate   = 16
	tgTruncate = 32
)

// usageTableColumns are the usage table's columns and types: the runs
// table's (Agno's types) and the run's numbers (numeric: the trigger must
// not fail a write on a number out of a double's range) and names.
var usageTableColumns = []struct{ name, typ string }{
	{"run_id", "varchar PRIMARY KEY"}, {"session_id", "varchar"}, {"run_index", "bigint"}, {"created_at", "bigint"},
	{"status", "varchar"}, {"parent_run_id", "varchar"}, {"agent_id", "varchar"}, {"team_id", "varchar"}, {"workflow_id", "varchar"},
	{"it", "numeric"}, {"ot", "numeric"}, {"tt", "numeric"}, {"cost", "numeric"}, {"dur", "numeric"},
	{"model", "text"}, {"model_provider", "text"},
}

// usageTableCopied are the runs table's columns the usage table copies.
var usageTableCopied = []string{"run_id", "session_id", "run_index", "created_at", "status", "parent_run_id", "agent_id", "team_id", "workflow_id"}

// errAnalyticsTablesNeedPostgres refuses the analytics tables on SQLite.
var errAnalyticsTablesNeedPostgres = models.Errorf(models.BadUserInput,
	"the analytics tables exist on PostgreSQL only: on SQLite, usage reads each run's JSON and facets count the sessions")

func (s *Store) usageTableName() string  { return "sg_" + s.runsTable + "_usage" }
func (s *Store) facetsTableName() string { return "sg_" + s.table + "_facets" }

// usesUsageTable reports whether usage and facets read the usage table:
// installed and current, and every run in the runs table.
func (s *Store) usesUsageTable(l *layout) bool {
	return s.dialect == Postgres && l.usageTable && (!l.legacyRuns || l.migrated)
}

// usageTableSource is the usage table as runsSource's rows (r), with the
// run's numbers and names in place of run_data.
func (s *Store) usageTableSource() string {
	return "(SELECT run_id, session_id, run_index AS idx, created_at, status, parent_run_id, agent_id, team_id, workflow_id, " +
		"it, ot, tt, cost, dur, model, model_provider FROM " + s.qualify(s.usageTableName()) + ") r"
}

// usageRowsOf is the usage table's rows of the runs src (a relation r with
// the runs table's columns): exactly what usage computes from run_data
// without the table (usageDoc, pgUsageNumbers, usageKey's model and
// model_provider), jsonpaths written as literals.
func usageRowsOf(src string) string {
	cols := make([]string, len(usageTableCopied))
	for i, c := range usageTableCopied {
		cols[i] = "r." + c
	}
	literal := func(path string) string { return "CAST('" + strings.ReplaceAll(path, "'", "''") + "' AS jsonpath)" }
	return "SELECT " + strings.Join(cols, ", ") + ", " + pgUsageNumbers("numeric") + ", " + pgDocString("model") + " AS model, " +
		pgDocString("model_provider") + " AS model_provider FROM " + src + " r" + pgUsageDoc(true, literal)
}

// usageFunctionBody is the trigger function: a run's row written with it,
// moved with its run_id, deleted with it, all emptied with the runs table.
func (s *Store) usageFunctionBody() string {
	table := s.qualify(s.usageTableName())
	names := make([]string, len(usageTableColumns))
	set := make([]string, 0, len(usageTableColumns)-1)
	for i, c := range usageTableColumns {
		names[i] = c.name
		if i > 0 {
			set = append(set, c.name+" = EXCLUDED."+c.name)
		}
	}
	news := make([]string, len(usageTableCopied))
	for i, c := range usageTableCopied {
		news[i] = "NEW." + c + " AS " + c
	}
	row := "(SELECT " + strings.Join(news, ", ") + ", NEW.run_data AS run_data)"
	return `
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		TRUNCATE TABLE ` + table + `;
		RETURN NULL;
	END IF;
	IF TG_OP = 'DELETE' THEN
		DELETE FROM ` + table + ` WHERE run_id = OLD.run_id;
		RETURN NULL;
	END IF;
	IF TG_OP = 'UPDATE' THEN
		IF OLD.run_id <> NEW.run_id THEN
			DELETE FROM ` + table + ` WHERE run_id = OLD.run_id;
		END IF;
	END IF;
	INSERT INTO ` + table + ` (` + strings.Join(names, ", ") + `) ` + usageRowsOf(row) + `
		ON CONFLICT (run_id) DO UPDATE SET ` + strings.Join(set, ", ") + `;
	RETURN NULL;
END
`
}

// usesFacetCounts reports whether facets of every session read the facet counts.
func (s *Store) usesFacetCounts(l *layout) bool { return s.dialect == Postgres && l.facetCounts }

// facetCountsTableColumns: a facet ('user' or 'component'), a value, the
// component's session type (empty for users) and the sessions counted.
const facetCountsTableColumns = "facet text, value text, session_type text, n bigint NOT NULL, PRIMARY KEY (facet, value, session_type)"

// facetKeysOf is the facet keys (facet, value, session_type) of the
// sessions rel: a user's, and a component's by the session's type, as
// FacetValues counts them (sessions without one have none).
func facetKeysOf(rel string) string {
	return "SELECT '" + facetKeyUser + "' AS facet, CAST(user_id AS text) AS value, '' AS session_type FROM " + rel + " WHERE user_id IS NOT NULL" +
		" UNION ALL SELECT '" + facetKeyComponent + "', CAST(v AS text), t FROM (SELECT " + effectiveType + " AS t, " + componentOf + " AS v FROM " + rel + ") c WHERE v IS NOT NULL"
}

// facetKeyUser and facetKeyComponent are the facet counts' facet column.
const (
	facetKeyUser      = "user"
	facetKeyComponent = "component"
)

// facetColumns are the sessions table's columns facet keys read.
var facetColumns = []string{"user_id", "session_type", "agent_id", "team_id", "workflow_id"}

// facetCountsFunctionBody is the facet counts' trigger function: an
// inserted row counted up; each statement's deleted rows counted down, in
// key order so that concurrent statements lock the counts in one order; an
// updated row whose facet columns changed counted down as it was and up as
// it is; TRUNCATE empties them. Inserts and updates are row triggers, so
// that Agno's upserts (INSERT … ON CONFLICT DO UPDATE, changing no facet
// column: the update trigger's WHEN) never call the function, as a
// statement trigger would for every statement.
func (s *Store) facetCountsFunctionBody() string {
	table := s.qualify(s.facetsTableName())
	upsert := func(keys string) string {
		return "INSERT INTO " + table + " AS c (facet, value, session_type, n) SELECT facet, value, session_type, sum(d) FROM (" + keys +
			") k GROUP BY facet, value, session_type HAVING sum(d) <> 0 ORDER BY facet, value, session_type" +
			" ON CONFLICT (facet, value, session_type) DO UPDATE SET n = c.n + EXCLUDED.n"
	}
	keys := func(sign, rel string) string { return "SELECT *, " + sign + " AS d FROM (" + facetKeysOf(rel) + ") k" }
	row := func(rec string) string {
		cols := make([]string, len(facetColumns))
		for i, c := range facetColumns {
			cols[i] = rec + "." + c + " AS " + c
		}
		return "(SELECT " + strings.Join(cols, ", ") + ") " + strings.ToLower(rec)
	}
	return `
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		TRUNCATE TABLE ` + table + `;
	ELSIF TG_OP = 'INSERT' THEN
		` + upsert(keys("1", row("NEW"))) + `;
	ELSIF TG_OP = 'DELETE' THEN
		` + upsert(keys("-1", "old_rows")) + `;
	ELSE
		` + upsert(keys("1", row("NEW"))+" UNION ALL "+keys("-1", row("OLD"))) + `;
	END IF;
	RETURN NULL;
END
`
}

// analyticsTable is one analytics table with what keeps it: its trigger
// function and triggers on the table it summarises (on, qualified; onName
// for people).
type analyticsTable struct {
	table, function string // unqualified, in the sessions table's schema
	on, onName      string
	columns         string
	fill            string // the INSERT that fills it from the table it summarises
	indexes         []string
	body            string
	triggers        []analyticsTrigger
}

// analyticsTrigger is a trigger of an analytics table: its name, its
// pg_trigger.tgtype, and what CREATE TRIGGER says between its name and
// EXECUTE FUNCTION.
type analyticsTrigger struct {
	name   string
	tgtype int
	when   string
}

// usageTable is the usage table's definition.
func (s *Store) usageTable() analyticsTable {
	ddl := make([]string, len(usageTableColumns))
	for i, c := range usageTableColumns {
		ddl[i] = c.name + " " + c.typ
	}
	t := s.qualify(s.usageTableName())
	return analyticsTable{
		table: s.usageTableName(), function: s.usageTableName(), on: s.runsFrom, onName: s.schema + "." + s.runsTable,
		columns: strings.Join(ddl, ", "),
		// In created_at order, the order Agno appends runs in, so that a
		// range of days is read from consecutive pages.
		fill: "INSERT INTO " + t + " " + usageRowsOf(s.runsFrom) + " ORDER BY r.created_at",
		indexes: []string{
			"CREATE INDEX " + quoteIdent(s.usageTableName()+"_created") + " ON " + t + " (created_at)",
			"CREATE INDEX " + quoteIdent(s.usageTableName()+"_model") + " ON " + t + " (model)",
		},
		body: s.usageFunctionBody(),
		triggers: []analyticsTrigger{
			{"sg_usage", tgRow | tgInsert | tgDelete | tgUpdate, "AFTER INSERT OR UPDATE OR DELETE ON " + s.runsFrom + " FOR EACH ROW"},
			{"sg_usage_truncate", tgTruncate, "AFTER TRUNCATE ON " + s.runsFrom + " FOR EACH STATEMENT"},
		},
	}
}

// facetCountsTable is the facet counts' definition.
func (s *Store) facetCountsTable() analyticsTable {
	t := s.qualify(s.facetsTableName())
	diff := make([]string, len(facetColumns))
	for i, c := range facetColumns {
		diff[i] = "OLD." + c + " IS DISTINCT FROM NEW." + c
	}
	changed := strings.Join(diff, " OR ")
	return analyticsTable{
		table: s.facetsTableName(), function: s.facetsTableName(), on: s.from, onName: s.schema + "." + s.table,
		columns: facetCountsTableColumns,
		fill:    "INSERT INTO " + t + " SELECT facet, value, session_type, count(*) FROM (" + facetKeysOf(s.from) + ") k GROUP BY facet, value, session_type",
		body:    s.facetCountsFunctionBody(),
		triggers: []analyticsTrigger{
			{"sg_facets_insert", tgRow | tgInsert, "AFTER INSERT ON " + s.from + " FOR EACH ROW"},
			{"sg_facets_update", tgRow | tgUpdate, "AFTER UPDATE ON " + s.from + " FOR EACH ROW WHEN (" + changed + ")"},
			{"sg_facets_delete", tgDelete, "AFTER DELETE ON " + s.from + " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT"},
			{"sg_facets_truncate", tgTruncate, "AFTER TRUNCATE ON " + s.from + " FOR EACH STATEMENT"},
		},
	}
}

func (a analyticsTable) signature(s *Store) string { return s.qualify(a.function) + "()" }

// current reads whether a is installed as this version installs it: the
// table, the function with this version's body, and every trigger on its
// table, enabled and calling it.
func (a analyticsTable) current(ctx context.Context, s *Store, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}) (table, current bool, err error) {
	names, types := make([]string, len(a.triggers)), make([]int32, len(a.triggers))
	for i, t := range a.triggers {
		names[i], types[i] = t.name, int32(t.tgtype)
	}
	err = q.QueryRowContext(ctx, `SELECT to_regclass($1) IS NOT NULL,
		to_regclass($1) IS NOT NULL AND COALESCE((SELECT prosrc = $3 FROM pg_proc WHERE oid = to_regprocedure($2)), false)
		AND (SELECT count(*) FROM pg_trigger t JOIN unnest(CAST($5 AS text[]), CAST($6 AS int[])) w(name, tgtype) ON t.tgname = w.name AND t.tgtype = w.tgtype
			WHERE t.tgrelid = to_regclass($4) AND t.tgfoid = to_regprocedure($2) AND t.tgenabled IN ('O', 'A')) = cardinality(CAST($5 AS text[]))`,
		s.qualify(a.table), a.signature(s), a.body, a.on, names, types).Scan(&table, &current)
	if err != nil {
		return false, false, fmt.Errorf("reading the state of %s: %w", a.table, err)
	}
	return table, current, nil
}

// objects names a's objects for people, with action.
func (a analyticsTable) objects(s *Store, table, function, triggers string) []TriggerObject {
	out := []TriggerObject{{Name: "table " + s.schema + "." + a.table, Action: table}, {Name: "function " + s.schema + "." + a.function + "()", Action: function}}
	for _, t := range a.triggers {
		out = append(out, TriggerObject{Name: "trigger " + t.name + " on " + a.onName, Action: triggers})
	}
	return out
}

// install creates a, or leaves it when current: the table dropped and
// filled again from the table it summarises, which is locked against
// writes meanwhile (reads go on), then the function and triggers.
func (a analyticsTable) install(ctx context.Context, s *Store, tx *sql.Tx) (objs []TriggerObject, filled bool, err error) {
	exists, current, err := a.current(ctx, s, tx)
	if err != nil {
		return nil, false, err
	}
	if current {
		return a.objects(s, "exists", "exists", "exists"), false, nil
	}
	var functionExists bool
	if err := tx.QueryRowContext(ctx, "SELECT to_regprocedure($1) IS NOT NULL", a.signature(s)).Scan(&functionExists); err != nil {
		return nil, false, err
	}
	start := time.Now()
	stmts := []string{"LOCK TABLE " + a.on + " IN SHARE ROW EXCLUSIVE MODE"}
	for _, t := range a.triggers {
		stmts = append(stmts, "DROP TRIGGER IF EXISTS "+quoteIdent(t.name)+" ON "+a.on)
	}
	stmts = append(stmts, "DROP TABLE IF EXISTS "+s.qualify(a.table), "CREATE TABLE "+s.qualify(a.table)+" ("+a.columns+")", a.fill)
	stmts = append(stmts, a.indexes...)
	stmts = append(stmts, "CREATE OR REPLACE FUNCTION "+a.signature(s)+" RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $sg$"+
		a.body+"$sg$")
	for _, t := range a.triggers {
		stmts = append(stmts, "CREATE TRIGGER "+quoteIdent(t.name)+" "+t.when+" EXECUTE FUNCTION "+a.signature(s))
	}
	var rows int64
	for _, q := range stmts {
		res, err := tx.ExecContext(ctx, q)
		if err != nil {
			return nil, false, fmt.Errorf("installing %s: %w", a.table, err)
		}
		if q == a.fill {
			rows, _ = res.RowsAffected()
		}
	}
	table := fmt.Sprintf("created with %d rows in %s", rows, time.Since(start).Round(time.Millisecond))
	if exists {
		table = "re" + table
	}
	function := "created"
	if functionExists {
		function = "replaced"
	}
	return a.objects(s, table, function, "created"), true, nil
}

// uninstall drops a's triggers, function and table, those that exist.
func (a analyticsTable) uninstall(ctx context.Context, s *Store, tx *sql.Tx) ([]TriggerObject, error) {
	var onExists, fn, table bool
	var present []string
	if err := tx.QueryRowContext(ctx, `SELECT to_regclass($1) IS NOT NULL, to_regprocedure($2) IS NOT NULL, to_regclass($3) IS NOT NULL,
		ARRAY(SELECT CAST(tgname AS text) FROM pg_trigger WHERE tgrelid = to_regclass($1))`, a.on, a.signature(s), s.qualify(a.table)).Scan(&onExists, &fn, &table, pgtype.NewMap().SQLScanner(&present)); err != nil {
		return nil, fmt.Errorf("reading the state of %s: %w", a.table, err)
	}
	var done []TriggerObject
	step := func(name string, exists bool, stmt string) error {
		obj := TriggerObject{Name: name, Action: "absent"}
		if exists {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("dropping %s: %w", name, err)
			}
			obj.Action = "dropped"
		}
		done = append(done, obj)
		return nil
	}
	for _, t := range a.triggers {
		if err := step("trigger "+t.name+" on "+a.onName, onExists && slices.Contains(present, t.name), "DROP TRIGGER "+quoteIdent(t.name)+" ON "+a.on); err != nil {
			return nil, err
		}
	}
	if err := step("function "+s.schema+"."+a.function+"()", fn, "DROP FUNCTION "+a.signature(s)); err != nil {
		return nil, err
	}
	if err := step("table "+s.schema+"."+a.table, table, "DROP TABLE "+s.qualify(a.table)); err != nil {
		return nil, err
	}
	return done, nil
}

// InstallAnalyticsTables creates the facet counts and, when the database
// has Agno 3's runs table, the usage table, each filled from the table it
// summarises, with their triggers, in one transaction (the sessions table
// locked first, then the runs table, as Agno's deletes lock them); each
// table is locked against writes while it is read (reads go on): at 1M runs,
// half a minute for the usage table. It waits at most lockTimeout for each
// lock. A table installed and current is left alone; otherwise rebuilt.
// BAD_USER_INPUT on SQLite.
func (s *Store) InstallAnalyticsTables(ctx context.Context) ([]TriggerObject, error) {
	if s.dialect != Postgres {
		return nil, errAnalyticsTablesNeedPostgres
	}
	var done []TriggerObject
	var filled []string // the tables filled
	err := s.triggerTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "SET LOCAL statement_timeout = 0"); err != nil {
			return err
		}
		if _, err := s.triggerTables(ctx, tx); err != nil { // the sessions table must exist
			return err
		}
		install := func(a analyticsTable) error {
			objs, fill, err := a.install(ctx, s, tx)
			if fill {
				filled = append(filled, a.table)
			}
			done = append(done, objs...)
			return err
		}
		if err := install(s.facetCountsTable()); err != nil {
			return err
		}
		cols, err := s.tableColumns(ctx, s.runsTable)
		if err != nil {
			return err
		}
		usage := s.usageTable()
		if len(cols) == 0 {
			done = append(done, TriggerObject{Name: "table " + s.schema + "." + usage.table,
				Action: "not created: the runs table " + usage.onName + " does not exist yet (Agno 3 creates it on its first run); run install-analytics-tables again then"})
			return nil
		}
		for _, c := range append(slices.Clone(usageTableCopied), "run_data") {
			if !cols[c] {
				return fmt.Errorf("the runs table %s has no column %s: not Agno 3's runs table", s.runsFrom, c)
			}
		}
		return install(usage)
	})
	if err != nil {
		return nil, err
	}
	// Outside the transaction, VACUUM sets the new tables' pages
	// all-visible, so that their indexes are read without the heap.
	for _, t := range filled {
		if _, err := s.Pool().ExecContext(ctx, "VACUUM (ANALYZE) "+s.qualify(t)); err != nil {
			return done, fmt.Errorf("vacuuming %s: %w", t, err)
		}
	}
	return done, s.detectLayout(ctx)
}

// UninstallAnalyticsTables drops the analytics tables' triggers, functions
// and tables, in one transaction. BAD_USER_INPUT on SQLite.
func (s *Store) UninstallAnalyticsTables(ctx context.Context) ([]TriggerObject, error) {
	if s.dialect != Postgres {
		return nil, errAnalyticsTablesNeedPostgres
	}
	var done []TriggerObject
	err := s.triggerTx(ctx, func(tx *sql.Tx) error {
		for _, a := range []analyticsTable{s.facetCountsTable(), s.usageTable()} {
			objs, err := a.uninstall(ctx, s, tx)
			if err != nil {
				return err
			}
			done = append(done, objs...)
		}
		return nil
	})
	if err != nil {
		return done, err
	}
	return done, s.detectLayout(ctx)
}
