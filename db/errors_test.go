package db

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"sessiongraph/internal/testpg"
	"sessiongraph/models"
)

// TestErrorCodes checks how real driver errors reach clients: a SQLite lock
// held past the busy timeout is UNAVAILABLE (retryable), a NUL byte that
// PostgreSQL cannot store is BAD_USER_INPUT, a cancelled query TIMEOUT, and
// a refused connection UNAVAILABLE; none is INTERNAL.
func TestErrorCodes(t *testing.T) {
	ctx := context.Background()
	cases := map[string]error{}

	file := filepath.Join(t.TempDir(), "busy.db")
	holder, err := sql.Open("sqlite", file)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if _, err := holder.Exec("CREATE TABLE t (x)"); err != nil {
		t.Fatal(err)
	}
	lock, err := holder.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if _, err := lock.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	writer, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	_, cases["sqlite busy"] = writer.Exec("INSERT INTO t VALUES (1)")

	pg, err := sql.Open("pgx", testpg.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	var s string
	cases["postgres NUL"] = pg.QueryRow("SELECT $1::text", "a\x00b").Scan(&s)
	cases["postgres serialization failure"] = serializationFailure(t, pg)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	cases["cancelled"] = pg.QueryRowContext(cancelled, "SELECT 1").Scan(&s)
	refused, err := sql.Open("pgx", "postgres://u@127.0.0.1:1/x?connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer refused.Close()
	cases["connection refused"] = refused.Ping()

	want := map[string]models.Code{"sqlite busy": models.Unavailable, "postgres NUL": models.BadUserInput,
		"cancelled": models.Timeout, "postgres serialization failure": models.Unavailable, "connection refused": models.Unavailable}
	for name, cause := range cases {
		if cause == nil {
			t.Errorf("%s: the driver returned no error", name)
			continue
		}
		if got := models.ErrorCode(internal("op", cause)); got != want[name] {
			t.Errorf("%s (%v): code %s, want %s", name, cause, got, want[name])
		}
	}
}

// serializationFailure returns the error of the second of two SERIALIZABLE
// transactions that read what the other writes (SQLSTATE 40001).
func serializationFailure(t *testing.T, pg *sql.DB) error {
	t.Helper()
	ctx := context.Background()
	if _, err := pg.Exec("CREATE TABLE ser (x int)"); err != nil {
		t.Fatal(err)
	}
	var txs [2]*sql.Tx
	for i := range txs {
		tx, err := pg.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable})
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		var n int
		if err := tx.QueryRow("SELECT count(*) FROM ser").Scan(&n); err != nil {
			t.Fatal(err)
		}
		txs[i] = tx
	}
	for i, tx := range txs {
		if _, err := tx.Exec("INSERT INTO ser VALUES ($1)", i); err != nil {
			return err
		}
	}
	if err := txs[0].Commit(); err != nil {
		return err
	}
	return txs[1].Commit()
}

// TestStatementTimeout: Options.StatementTimeout reaches PostgreSQL, and a
// statement it cancels is TIMEOUT.
func TestStatementTimeout(t *testing.T) {
	s, err := Open(context.Background(), Options{URL: testpg.NewDatabase(t), StatementTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var setting string
	if err := s.db.Raw("SHOW statement_timeout").Scan(&setting).Error; err != nil || setting != "100ms" {
		t.Fatalf("statement_timeout = %q, %v; want 100ms", setting, err)
	}
	err = s.db.Exec("SELECT pg_sleep(5)").Error
	if got := models.ErrorCode(internal("op", err)); got != models.Timeout {
		t.Errorf("a statement past statement_timeout: %v, code %s; want TIMEOUT", err, got)
	}
}
