package db_test

// The analytics tables (install-analytics-tables) against a real
// PostgreSQL: Agno's writes made in plain SQL as Agno makes them, and the
// tables after each.

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"sessiongraph/db"
	"sessiongraph/internal/agnotest"
	"sessiongraph/models"
)

// noDrift fails unless the analytics tables hold exactly what they would
// computed from the runs and sessions tables now.
func noDrift(t *testing.T, s *db.Store, after string) {
	t.Helper()
	n, err := s.AnalyticsDrift()
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("after %s, %d rows of the analytics tables differ from the runs and sessions tables'", after, n)
	}
}

// count counts a table's rows.
func count(t *testing.T, s *db.Store, table string) int {
	t.Helper()
	var n int
	if err := s.Pool().QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// installAnalytics runs InstallAnalyticsTables and returns what it did.
func installAnalytics(t *testing.T, s *db.Store) string {
	t.Helper()
	done, err := s.InstallAnalyticsTables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return actions(done)
}

const (
	facetObjects = "function ai.sg_agno_sessions_facets(): %[1]s; trigger sg_facets_insert on ai.agno_sessions: %[2]s; " +
		"trigger sg_facets_update on ai.agno_sessions: %[2]s; trigger sg_facets_delete on ai.agno_sessions: %[2]s; trigger sg_facets_truncate on ai.agno_sessions: %[2]s"
	usageObjects = "function ai.sg_agno_runs_usage(): %[1]s; trigger sg_usage on ai.agno_runs: %[2]s; trigger sg_usage_truncate on ai.agno_runs: %[2]s"
)

func TestAnalyticsTablesFollowEveryWriteAsAgnoMakesIt(t *testing.T) {
	s := agnotest.OpenPostgres(t, agnotest.V3)
	w := newAgnoWriter(t, s)
	w.upsertSession("s0", "alice", t0)
	w.upsertRun("s0", "alice", "r0", "COMPLETED", t0)
	got := installAnalytics(t, s)
	for _, want := range []string{"table ai.sg_agno_sessions_facets: created with 2 rows in ", fmt.Sprintf(facetObjects, "created", "created"),
		"table ai.sg_agno_runs_usage: created with 1 rows in ", fmt.Sprintf(usageObjects, "created", "created")} {
		if !strings.Contains(got, want) {
			t.Errorf("install-analytics-tables did %s\nwant in it: %s", got, want)
		}
	}
	if usage, facets := s.UsesAnalyticsTables(); !usage || !facets {
		t.Fatalf("the store reads the usage table: %v, the facet counts: %v", usage, facets)
	}
	all := "table ai.sg_agno_sessions_facets: exists; " + fmt.Sprintf(facetObjects, "exists", "exists") +
		"; table ai.sg_agno_runs_usage: exists; " + fmt.Sprintf(usageObjects, "exists", "exists")
	if got := installAnalytics(t, s); got != all {
		t.Errorf("a second install-analytics-tables did %s\nwant %s", got, all)
	}
	noDrift(t, s, "the install")

	// A run as Agno writes it, with metrics, then its status and numbers.
	run := func(id, status string, doc string) {
		w.exec("INSERT INTO ai.agno_runs AS t (run_id, session_id, run_type, agent_id, user_id, status, run_index, run_data, created_at, updated_at) "+
			"VALUES ($1, 's0', 'agent', 'agent-1', 'alice', $2, NULL, CAST($3 AS jsonb), $4, $4) ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, "+
			"run_data = excluded.run_data, updated_at = excluded.updated_at, run_index = COALESCE(t.run_index, excluded.run_index)", id, status, doc, t0+1)
	}
	run("r1", "RUNNING", `{"run_id": "r1", "model": "gpt-4o", "model_provider": "OpenAI"}`)
	noDrift(t, s, "a new run")
	run("r1", "COMPLETED", `{"run_id": "r1", "model": "gpt-4o", "model_provider": "OpenAI", "metrics": {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15, "cost": 0.25, "duration": 1.5}}`)
	noDrift(t, s, "its completion")
	run("w1", "COMPLETED", `{"run_id": "w1", "metrics": {"steps": {"a": {"metrics": {"input_tokens": 3, "total_tokens": 4, "cost": 1}}, "b": {"metrics": {"input_tokens": 2}}}}}`)
	noDrift(t, s, "a workflow run whose steps hold its numbers")
	// Numbers no double holds, and JSON of any shape, never fail a write.
	run("big", "ERROR", `{"run_id": "big", "metrics": {"input_tokens": 1e400, "cost": -1`+strings.Repeat("0", 400)+`, "duration": "long"}, "model": 7}`)
	run("odd", "ERROR", `[1, 2]`)
	run("null", "ERROR", `null`)
	noDrift(t, s, "runs with odd numbers and documents")
	if n := count(t, s, "ai.sg_agno_runs_usage"); n != 6 {
		t.Errorf("%d rows in the usage table, want 6", n)
	}
	w.exec("UPDATE ai.agno_runs SET run_id = 'r1-moved' WHERE run_id = 'r1'")
	noDrift(t, s, "a run_id changed")
	w.exec("DELETE FROM ai.agno_runs WHERE run_id = 'odd'")
	noDrift(t, s, "Agno's delete_run")

	// Sessions: upserts that change nothing counted, and those that do.
	w.upsertSession("s0", "alice", t0+2)
	w.upsertSession("s1", "alice", t0)
	w.exec("INSERT INTO ai.agno_sessions (session_id, session_type, team_id, created_at) VALUES ('s2', 'team', 'team-1', $1), ('s3', 'weird', NULL, $1), ('s4', 'agent', 'agent-2', $1)", t0)
	noDrift(t, s, "sessions upserted and inserted")
	w.exec("UPDATE ai.agno_sessions SET user_id = 'bob' WHERE session_id = 's1'")
	w.exec("UPDATE ai.agno_sessions SET session_type = 'team', team_id = 'team-1' WHERE session_id = 's4'")
	noDrift(t, s, "a session's user and type changed")

	tx, err := s.Pool().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{"DELETE FROM ai.agno_runs", "DELETE FROM ai.agno_sessions"} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	noDrift(t, s, "rolled-back deletes")

	w.upsertRun("s1", "bob", "r2", "COMPLETED", t0)
	w.deleteSession("s0")
	noDrift(t, s, "Agno's delete_session (its runs deleted by the foreign key's cascade)")
	if n := count(t, s, "ai.sg_agno_runs_usage"); n != 1 {
		t.Errorf("%d rows in the usage table after the delete, want 1", n)
	}
	w.exec("TRUNCATE ai.agno_runs")
	if n := count(t, s, "ai.sg_agno_runs_usage"); n != 0 {
		t.Errorf("%d rows in the usage table after TRUNCATE of the runs table, want 0", n)
	}
	w.exec("TRUNCATE ai.agno_sessions CASCADE")
	if n := count(t, s, "ai.sg_agno_sessions_facets"); n != 0 {
		t.Errorf("%d facet counts after TRUNCATE of the sessions table, want 0", n)
	}
}

func TestAnalyticsTablesNeedNoRightsOfAgnosRole(t *testing.T) {
	s := agnotest.OpenPostgres(t, agnotest.V3)
	installAnalytics(t, s)
	role := fmt.Sprintf("sg_agno_%d", time.Now().UnixNano())
	for _, stmt := range []string{
		"CREATE ROLE " + role, "GRANT USAGE ON SCHEMA ai TO " + role,
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ai.agno_sessions, ai.agno_runs TO " + role,
	} {
		if err := s.GORM().Exec(stmt).Error; err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	t.Cleanup(func() { _ = s.GORM().Exec("DROP OWNED BY " + role + "; DROP ROLE " + role).Error })
	tx, err := s.Pool().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	for _, stmt := range []string{
		"SET LOCAL ROLE " + role,
		"INSERT INTO ai.agno_sessions (session_id, session_type, agent_id, user_id, created_at) VALUES ('s1', 'agent', 'a', 'u', 1)",
		`INSERT INTO ai.agno_runs (run_id, session_id, run_type, run_data, created_at) VALUES ('r1', 's1', 'agent', '{"metrics": {"total_tokens": 3}}', 1)`,
		"UPDATE ai.agno_sessions SET user_id = 'v'",
		"DELETE FROM ai.agno_sessions",
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("Agno's role, without rights on the analytics tables: %s: %v", stmt, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "SELECT count(*) FROM ai.sg_agno_runs_usage"); err == nil {
		t.Error("Agno's role reads the usage table: the test proves nothing")
	}
}

func TestAnalyticsTablesAreReadOnlyWhileTheirTriggersAreCurrent(t *testing.T) {
	s := agnotest.OpenPostgres(t, agnotest.V3)
	if usage, facets := s.UsesAnalyticsTables(); usage || facets {
		t.Fatal("a store reads analytics tables never installed")
	}
	installAnalytics(t, s)
	w := newAgnoWriter(t, s)
	w.exec("ALTER TABLE ai.agno_runs DISABLE TRIGGER sg_usage")
	w.exec("ALTER TABLE ai.agno_sessions DISABLE TRIGGER sg_facets_update")
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if usage, facets := s.UsesAnalyticsTables(); !usage && !facets {
			break
		}
		time.Sleep(100 * time.Millisecond) // the layout is read again every 2 s
	}
	if usage, facets := s.UsesAnalyticsTables(); usage || facets {
		t.Fatalf("with a trigger of each disabled, the store reads the usage table: %v, the facet counts: %v", usage, facets)
	}
	w.upsertSession("s1", "bob", t0)
	w.upsertRun("s1", "bob", "r1", "COMPLETED", t0)
	got := installAnalytics(t, s)
	if !strings.Contains(got, "table ai.sg_agno_sessions_facets: recreated with 2 rows") || !strings.Contains(got, "table ai.sg_agno_runs_usage: recreated with 1 rows") ||
		!strings.Contains(got, fmt.Sprintf(usageObjects, "replaced", "created")) {
		t.Errorf("install-analytics-tables over disabled triggers did: %s", got)
	}
	if usage, facets := s.UsesAnalyticsTables(); !usage || !facets {
		t.Errorf("after the install, the store reads the usage table: %v, the facet counts: %v", usage, facets)
	}
	noDrift(t, s, "the install over disabled triggers")

	done, err := s.UninstallAnalyticsTables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dropped := "trigger sg_facets_insert on ai.agno_sessions: dropped; trigger sg_facets_update on ai.agno_sessions: dropped; trigger sg_facets_delete on ai.agno_sessions: dropped; " +
		"trigger sg_facets_truncate on ai.agno_sessions: dropped; function ai.sg_agno_sessions_facets(): dropped; table ai.sg_agno_sessions_facets: dropped; " +
		"trigger sg_usage on ai.agno_runs: dropped; trigger sg_usage_truncate on ai.agno_runs: dropped; function ai.sg_agno_runs_usage(): dropped; table ai.sg_agno_runs_usage: dropped"
	if got := actions(done); got != dropped {
		t.Errorf("uninstall-analytics-tables did: %s", got)
	}
	if usage, facets := s.UsesAnalyticsTables(); usage || facets {
		t.Error("the store reads analytics tables uninstalled")
	}
	var left int
	if err := s.Pool().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM pg_class WHERE relname LIKE 'sg_agno_runs_usage%' OR relname LIKE 'sg_agno_sessions_facets%')
		+ (SELECT count(*) FROM pg_proc WHERE proname IN ('sg_agno_runs_usage', 'sg_agno_sessions_facets'))
		+ (SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'sg_usage%' OR tgname LIKE 'sg_facets%')`).Scan(&left); err != nil || left != 0 {
		t.Errorf("uninstall-analytics-tables left %d objects (%v)", left, err)
	}
	if done, err := s.UninstallAnalyticsTables(ctx); err != nil || actions(done) != strings.ReplaceAll(dropped, "dropped", "absent") {
		t.Errorf("a second uninstall-analytics-tables did: %s, %v", actions(done), err)
	}
	w.upsertRun("s1", "bob", "r2", "COMPLETED", t0)
	w.deleteSession("s1")
}

func TestAnalyticsTablesWithoutARunsTableAndOnSQLite(t *testing.T) {
	v2 := agnotest.OpenPostgres(t)
	got := installAnalytics(t, v2)
	if !strings.Contains(got, fmt.Sprintf(facetObjects, "created", "created")) ||
		!strings.HasSuffix(got, "table ai.sg_agno_runs_usage: not created: the runs table ai.agno_runs does not exist yet (Agno 3 creates it on its first run); run install-analytics-tables again then") {
		t.Errorf("install-analytics-tables without a runs table did: %s", got)
	}
	if usage, facets := v2.UsesAnalyticsTables(); usage || !facets {
		t.Errorf("without a runs table, the store reads the usage table: %v, the facet counts: %v", usage, facets)
	}
	w := newAgnoWriter(t, v2)
	w.upsertSession("s1", "alice", t0)
	w.deleteSession("s1")
	noDrift(t, v2, "sessions written and deleted on Agno 2's layout")
	var e *models.Error
	if _, err := agnotest.OpenSQLite(t, agnotest.V3).InstallAnalyticsTables(ctx); !errors.As(err, &e) || e.Code != models.BadUserInput {
		t.Errorf("install-analytics-tables on SQLite: %v", err)
	}
}
