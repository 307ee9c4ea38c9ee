package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"sessiongraph/internal/agnotest"
	"sessiongraph/internal/testpg"
)

// commandOn runs a command on the PostgreSQL database url (named pg) and
// returns what it printed.
func commandOn(t *testing.T, url string) func(args ...string) string {
	return func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := run(context.Background(), append(args, "--db", "pg="+url), env(nil), &out); err != nil {
			t.Fatalf("%s: %v\n%s", args[0], err, out.String())
		}
		return out.String()
	}
}

// TestInstallAndUninstallTriggersCommands runs the commands as users do on
// databases real Agno 3 and Agno 2 wrote: each reports every object once per
// database, a second run changes nothing, and Agno's writes go on with the
// triggers and after them.
func TestInstallAndUninstallTriggersCommands(t *testing.T) {
	runsCreated := "pg: trigger sg_notify_change on ai.agno_runs created\n"
	for _, c := range []struct{ fixture, runs string }{
		{"v3", runsCreated},
		{"v2", "pg: trigger sg_notify_change on ai.agno_runs not created: the table does not exist yet (Agno 3 creates it on its first run); run install-triggers again then\n"},
	} {
		t.Run("on a database Agno "+c.fixture[1:]+" wrote", func(t *testing.T) {
			url := testpg.NewDatabase(t)
			agnotest.LoadPostgresDump(t, url, agnotest.RealAgnoPath(c.fixture, "pg-dump.sql"))
			command := commandOn(t, url)
			if got, want := command("install-triggers"), "pg: function ai.sg_notify_change() created\n"+
				"pg: trigger sg_notify_change on ai.agno_sessions created\n"+c.runs; got != want {
				t.Errorf("install-triggers printed\n%s\nwant\n%s", got, want)
			}
			if got := command("install-triggers"); strings.Count(got, " exists\n") != strings.Count(got, "\n")-strings.Count(got, "not created") {
				t.Errorf("install-triggers again printed\n%s", got)
			}
			pg, err := sql.Open("pgx", url)
			if err != nil {
				t.Fatal(err)
			}
			defer pg.Close()
			if _, err := pg.Exec("UPDATE ai.agno_sessions SET updated_at = updated_at + 1"); err != nil {
				t.Fatalf("Agno's writes with the triggers: %v", err)
			}
			if got := command("uninstall-triggers"); strings.Count(got, " dropped\n") != 3-strings.Count(got, "does not exist") {
				t.Errorf("uninstall-triggers printed\n%s", got)
			}
			if got := command("uninstall-triggers"); strings.Contains(got, "dropped") {
				t.Errorf("uninstall-triggers again printed\n%s", got)
			}
			if _, err := pg.Exec("DELETE FROM ai.agno_sessions"); err != nil {
				t.Fatalf("Agno's writes after the triggers: %v", err)
			}
		})
	}

	t.Run("a sessions table that does not exist is an error, and is not created", func(t *testing.T) {
		url := testpg.NewDatabase(t)
		var out bytes.Buffer
		err := run(context.Background(), []string{"install-triggers", "--db", url, "--session-table", "agno_sesions"}, env(nil), &out)
		if err == nil || !strings.Contains(err.Error(), "ai.agno_sesions does not exist") {
			t.Errorf("install-triggers: %v\n%s", err, out.String())
		}
		pg, err := sql.Open("pgx", url)
		if err != nil {
			t.Fatal(err)
		}
		defer pg.Close()
		var tables int
		if err := pg.QueryRow("SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')").Scan(&tables); err != nil || tables != 0 {
			t.Errorf("install-triggers created %d tables (%v)", tables, err)
		}
	})
	t.Run("SQLite is refused", func(t *testing.T) {
		for _, name := range []string{"install-triggers", "uninstall-triggers"} {
			var out bytes.Buffer
			err := run(context.Background(), []string{name, "--db", filepath.Join(t.TempDir(), "agno.db")}, env(nil), &out)
			if err == nil || !strings.Contains(err.Error(), "NOTIFY triggers exist on PostgreSQL only") {
				t.Errorf("%s on SQLite: %v", name, err)
			}
		}
	})
	t.Run("--help names the commands", func(t *testing.T) {
		var out bytes.Buffer
		if err := run(context.Background(), []string{"install-triggers", "--help"}, env(nil), &out); err != nil ||
			!strings.Contains(out.String(), "sessiongraph install-triggers [flags]") || !strings.Contains(out.String(), "sessiongraph uninstall-triggers [flags]") {
			t.Errorf("install-triggers --help: %v\n%s", err, out.String())
		}
	})
}

// TestInstallAndUninstallAnalyticsTablesCommands runs the commands on
// databases real Agno 3 and Agno 2 wrote: each reports every object, a
// second run changes nothing, and Agno's writes go on with the tables and
// after them.
func TestInstallAndUninstallAnalyticsTablesCommands(t *testing.T) {
	for _, fixture := range []string{"v3", "v2"} {
		t.Run("on a database Agno "+fixture[1:]+" wrote", func(t *testing.T) {
			url := testpg.NewDatabase(t)
			agnotest.LoadPostgresDump(t, url, agnotest.RealAgnoPath(fixture, "pg-dump.sql"))
			command := commandOn(t, url)
			got := command("install-analytics-tables")
			created := []string{"pg: table ai.sg_agno_sessions_facets created with ", "pg: trigger sg_facets_truncate on ai.agno_sessions created\n"}
			if fixture == "v3" {
				created = append(created, "pg: table ai.sg_agno_runs_usage created with ", "pg: trigger sg_usage_truncate on ai.agno_runs created\n")
			} else {
				created = append(created, "pg: table ai.sg_agno_runs_usage not created: the runs table ai.agno_runs does not exist yet")
			}
			for _, want := range created {
				if !strings.Contains(got, want) {
					t.Errorf("install-analytics-tables printed\n%s\nwant in it: %s", got, want)
				}
			}
			if got := command("install-analytics-tables"); strings.Count(got, " exists\n") != strings.Count(got, "\n")-strings.Count(got, "not created") {
				t.Errorf("install-analytics-tables again printed\n%s", got)
			}
			pg, err := sql.Open("pgx", url)
			if err != nil {
				t.Fatal(err)
			}
			defer pg.Close()
			if _, err := pg.Exec("UPDATE ai.agno_sessions SET user_id = 'someone else', updated_at = updated_at + 1"); err != nil {
				t.Fatalf("Agno's writes with the tables: %v", err)
			}
			var users int
			if err := pg.QueryRow("SELECT count(*) FROM ai.sg_agno_sessions_facets WHERE facet = 'user' AND n > 0").Scan(&users); err != nil || users != 1 {
				t.Errorf("%d users counted after every session moved to one (%v)", users, err)
			}
			if got := command("uninstall-analytics-tables"); strings.Count(got, " dropped\n") != strings.Count(got, "\n")-strings.Count(got, " absent\n") ||
				strings.Count(got, " dropped\n") != map[string]int{"v3": 10, "v2": 6}[fixture] {
				t.Errorf("uninstall-analytics-tables printed\n%s", got)
			}
			if got := command("uninstall-analytics-tables"); strings.Contains(got, "dropped") {
				t.Errorf("uninstall-analytics-tables again printed\n%s", got)
			}
			if _, err := pg.Exec("DELETE FROM ai.agno_sessions"); err != nil {
				t.Fatalf("Agno's writes after the tables: %v", err)
			}
		})
	}
	t.Run("SQLite is refused", func(t *testing.T) {
		var out bytes.Buffer
		err := run(context.Background(), []string{"install-analytics-tables", "--db", filepath.Join(t.TempDir(), "agno.db")}, env(nil), &out)
		if err == nil || !strings.Contains(err.Error(), "the analytics tables exist on PostgreSQL only") {
			t.Errorf("install-analytics-tables on SQLite: %v", err)
		}
	})
}
