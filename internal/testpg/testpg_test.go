package testpg_test

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib"

	"sessiongraph/internal/testpg"
)

func TestMain(m *testing.M) { testpg.Main(m) }

func open(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func userTables(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	err := db.QueryRowContext(ctx(t), `SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNewDatabase(t *testing.T) {
	var urlA, urlB string
	ok := t.Run("isolated", func(t *testing.T) {
		urlA, urlB = testpg.NewDatabase(t), testpg.NewDatabase(t)
		t.Logf("A=%s B=%s", urlA, urlB)
		if urlA == urlB {
			t.Fatalf("same URL twice: %s", urlA)
		}
		a, b := open(t, urlA), open(t, urlB)
		for _, db := range []*sql.DB{a, b} {
			if n := userTables(t, db); n != 0 {
				t.Fatalf("new database has %d tables, want 0", n)
			}
		}
		if _, err := a.ExecContext(ctx(t), `CREATE TABLE agno_sessions (session_id text PRIMARY KEY)`); err != nil {
			t.Fatal(err)
		}
		if n := userTables(t, a); n != 1 {
			t.Fatalf("A has %d tables after CREATE TABLE, want 1", n)
		}
		var reg sql.NullString
		if err := b.QueryRowContext(ctx(t), `SELECT to_regclass('public.agno_sessions')::text`).Scan(&reg); err != nil {
			t.Fatal(err)
		}
		if reg.Valid {
			t.Fatalf("table created in A is visible in B as %s", reg.String)
		}

		if env := os.Getenv("TEST_DATABASE_URL"); env != "" {
			want, _ := url.Parse(env)
			got, _ := url.Parse(urlA)
			if got.Host != want.Host || got.User.String() != want.User.String() {
				t.Fatalf("database URL %s is not on TEST_DATABASE_URL's server %s", urlA, env)
			}
		} else {
			var listen string
			if err := a.QueryRowContext(ctx(t), `SELECT current_setting('listen_addresses')`).Scan(&listen); err != nil {
				t.Fatal(err)
			}
			if listen != "127.0.0.1" {
				t.Fatalf("listen_addresses = %q, want 127.0.0.1", listen)
			}
		}
	})
	if !ok || urlA == "" {
		t.Fatal("subtest failed or was skipped")
	}

	// The subtest's cleanup dropped both databases.
	for _, u := range []string{urlA, urlB} {
		err := open(t, u).PingContext(ctx(t))
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "3D000" { // invalid_catalog_name
			t.Errorf("connect to %s after cleanup: err = %v, want SQLSTATE 3D000 (database does not exist)", u, err)
		}
	}
}

// TestParallel creates databases from parallel tests.
func TestParallel(t *testing.T) {
	for i := 0; i < 8; i++ {
		t.Run("db", func(t *testing.T) {
			t.Parallel()
			db := open(t, testpg.NewDatabase(t))
			if _, err := db.ExecContext(ctx(t), `CREATE TABLE t (x int)`); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestWithTestDatabaseURL reruns TestNewDatabase in a child process whose
// TEST_DATABASE_URL points at a database from this process.
func TestWithTestDatabaseURL(t *testing.T) {
	base := testpg.NewDatabase(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestNewDatabase$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "TEST_DATABASE_URL="+base)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestNewDatabase") || strings.Contains(string(out), "--- SKIP") {
		t.Fatalf("child with TEST_DATABASE_URL: err = %v\n%s", err, out)
	}
	if strings.Contains(string(out), "testpg: started PostgreSQL") {
		t.Fatalf("child started its own cluster despite TEST_DATABASE_URL:\n%s", out)
	}
}
