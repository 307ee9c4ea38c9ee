package graph_test

import (
	"context"
	"database/sql"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"sessiongraph/db"
	"sessiongraph/graph"
	"sessiongraph/httpserver"
	"sessiongraph/internal/agnotest"
	"sessiongraph/internal/testpg"
)

// analyticsQueries are the analytics requests the timeout test sends, each
// reading the runs a lock keeps it from reading.
var analyticsQueries = map[string]string{
	"usage":        `{ usage(groupBy: [DAY, MODEL]) { totalCount nodes { runs totalTokens } } }`,
	"facets":       `{ facets { users { value count } components { value count } models { value count } } }`,
	"textContains": `{ sessions(filter: {textContains: "hello"}) { totalCount nodes { sessionId } } }`,
}

// TestAnalyticsRunOutOfTimeAsTIMEOUT: an analytics request that cannot
// finish within PostgreSQL's statement timeout, or SQLite's request
// deadline, is TIMEOUT, and once the database is free again the same
// request is answered: nothing is left waiting or broken.
func TestAnalyticsRunOutOfTimeAsTIMEOUT(t *testing.T) {
	ctx := context.Background()
	rows := usageRows()
	for _, tables := range []bool{false, true} {
		name, locked := "postgres statement_timeout", "ai.agno_runs, ai.agno_sessions"
		if tables {
			name, locked = name+", with the analytics tables", locked+", ai.sg_agno_runs_usage, ai.sg_agno_sessions_facets"
		}
		t.Run(name, func(t *testing.T) {
			url := testpg.NewDatabase(t)
			store, err := db.Open(ctx, db.Options{URL: url, CreateLayout: db.LayoutV3, StatementTimeout: 300 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = store.Close() })
			if err := store.InsertRows(ctx, rows, db.PlainJSON); err != nil {
				t.Fatal(err)
			}
			if tables {
				if _, err := store.InstallAnalyticsTables(ctx); err != nil {
					t.Fatal(err)
				}
			}
			h := newHandler(store)
			lock := func() func() {
				conn, err := sql.Open("pgx", url)
				if err != nil {
					t.Fatal(err)
				}
				tx, err := conn.BeginTx(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := tx.ExecContext(ctx, "LOCK TABLE "+locked+" IN ACCESS EXCLUSIVE MODE"); err != nil {
					t.Fatal(err)
				}
				return func() { _ = tx.Rollback(); _ = conn.Close() }
			}
			checkAnalyticsTimeout(t, h, lock)
		})
	}
	t.Run("sqlite request deadline", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "agno.db")
		store, err := db.Open(ctx, db.Options{URL: file, CreateLayout: db.LayoutV3})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = store.Close() })
		if err := store.InsertRows(ctx, rows, db.PlainJSON); err != nil {
			t.Fatal(err)
		}
		h := agnotest.Serve(graph.Options{}, httpserver.Options{RequestTimeout: 300 * time.Millisecond}, store)
		lock := func() func() {
			conn, err := sql.Open("sqlite", file)
			if err != nil {
				t.Fatal(err)
			}
			c, err := conn.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
				t.Fatal(err)
			}
			return func() { _, _ = c.ExecContext(ctx, "ROLLBACK"); _ = c.Close(); _ = conn.Close() }
		}
		checkAnalyticsTimeout(t, h, lock)
	})
}

// checkAnalyticsTimeout sends each analytics query while lock holds the
// tables (TIMEOUT, within a few seconds), then after it is released (answered).
func checkAnalyticsTimeout(t *testing.T, h http.Handler, lock func() (unlock func())) {
	t.Helper()
	for name, q := range analyticsQueries {
		t.Run(name, func(t *testing.T) {
			unlock := lock()
			start := time.Now()
			resp := query(t, h, q, nil)
			unlock()
			for _, c := range resp.codes() {
				if c != "TIMEOUT" {
					t.Errorf("got %v, want TIMEOUT only (errors: %+v)", resp.codes(), resp.Errors)
					break
				}
			}
			if len(resp.Errors) == 0 {
				t.Error("answered while the tables were locked")
			}
			if d := time.Since(start); d > 4*time.Second {
				t.Errorf("TIMEOUT came after %v: the request waited for the lock, not its deadline", d.Round(time.Millisecond))
			}
			var data map[string]any
			query(t, h, q, nil).decode(t, &data)
		})
	}
}
