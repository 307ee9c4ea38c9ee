package agnotest

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"sessiongraph/db"
	"sessiongraph/internal/testpg"
)

// RealAgnoFixtures are the folders of testdata/realagno: databases that real
// Agno wrote, each with AgentOS's REST answers over it (see its README.md).
var RealAgnoFixtures = []string{"v2", "v3", "mixed", "migrated"}

// RealAgnoPath returns the path of a file of the real-Agno fixture named fixture.
func RealAgnoPath(fixture, name string) string {
	return FixturePath(filepath.Join("realagno", fixture, name))
}

// OpenRealAgnoSQLite opens a store on a copy of the fixture's SQLite file, so
// that nothing the store does touches testdata.
func OpenRealAgnoSQLite(tb testing.TB, fixture string) *db.Store {
	tb.Helper()
	data, err := os.ReadFile(RealAgnoPath(fixture, "agno.db"))
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "agno.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	return open(tb, path, nil)
}

// OpenRealAgnoPostgres loads the fixture's PostgreSQL dump (schema ai) into a
// new database (see testpg) and opens a store on it.
func OpenRealAgnoPostgres(tb testing.TB, fixture string) *db.Store {
	tb.Helper()
	url := testpg.NewDatabase(tb)
	LoadPostgresDump(tb, url, RealAgnoPath(fixture, "pg-dump.sql"))
	return open(tb, url, []Option{func(o *db.Options) { o.Schema = "ai" }})
}

// psqlMetaCommand matches the \restrict and \unrestrict lines that pg_dump
// (15.14 and later) writes for psql; they are not SQL.
var psqlMetaCommand = regexp.MustCompile(`(?m)^\\(un)?restrict [A-Za-z0-9]+$`)

// LoadPostgresDump runs a plain-text pg_dump made with --inserts (no COPY
// blocks) on the database at url, as one multi-statement script.
func LoadPostgresDump(tb testing.TB, url, path string) {
	tb.Helper()
	script, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	conn, err := sql.Open("pgx", url)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	// Without arguments pgx sends the script with the simple protocol, which
	// runs every statement in it.
	if _, err := conn.ExecContext(context.Background(), psqlMetaCommand.ReplaceAllString(string(script), "")); err != nil {
		tb.Fatalf("loading %s: %v", path, err)
	}
}
