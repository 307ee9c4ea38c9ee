package db_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"sessiongraph/db"
	"sessiongraph/internal/agnotest"
	"sessiongraph/models"
)

func TestStatementCounter(t *testing.T) {
	s := agnotest.OpenSQLite(t)
	rows := agnotest.LoadRows(t, "sessions.json")[:3]
	counted, stmts := db.WithStatementCounter(context.Background())
	if err := s.InsertRows(counted, rows, db.PlainJSON); err != nil {
		t.Fatal(err)
	}
	if got := stmts.Count(); got != len(rows) {
		t.Errorf("inserting %d rows counted %d statements, want one INSERT each", len(rows), got)
	}
	first := 2
	if _, err := s.ListSessions(counted, nil, models.DefaultSessionOrder, models.PageArgs{First: &first}, models.AllColumns); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CountSessions(counted, nil); err != nil {
		t.Fatal(err)
	}
	if got := stmts.Count(); got != len(rows)+2 {
		t.Errorf("a page and a count brought the count to %d, want %d", got, len(rows)+2)
	}
	other, otherStmts := db.WithStatementCounter(context.Background())
	if _, err := s.CountSessions(other, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CountSessions(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if stmts.Count() != len(rows)+2 || otherStmts.Count() != 1 {
		t.Errorf("statements of other contexts were counted: %d, %d", stmts.Count(), otherStmts.Count())
	}
}

// TestOnStatement checks what an observer sees of each statement: the SQL
// with the dialect's placeholders, the arguments apart, the rows a write
// changed (-1 for a read), the error of one that failed, and the
// statement's context.
func TestOnStatement(t *testing.T) {
	for _, open := range []func(testing.TB, ...agnotest.Option) *db.Store{agnotest.OpenSQLite, agnotest.OpenPostgres} {
		s := open(t)
		t.Run(string(s.Dialect()), func(t *testing.T) {
			user := "u-observed"
			rows := []models.SessionRow{{SessionID: "s-1", SessionType: "agent", UserID: &user, CreatedAt: 1}}
			if err := s.InsertRows(context.Background(), rows, db.PlainJSON); err != nil {
				t.Fatal(err)
			}
			type seen struct {
				ctx context.Context
				st  db.Statement
			}
			var stmts []seen
			if err := s.OnStatement("test:observe", func(ctx context.Context, st db.Statement) {
				stmts = append(stmts, seen{ctx, st})
			}); err != nil {
				t.Fatal(err)
			}
			ctx := context.WithValue(context.Background(), testKey{}, "this request")
			if _, err := s.CountSessions(ctx, &models.SessionFilter{UserID: &user}); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteSession(ctx, "s-1", nil); err != nil {
				t.Fatal(err)
			}
			if err := s.GORM().WithContext(ctx).Exec("DELETE FROM no_such_table WHERE session_id = ?", "s-2").Error; err == nil {
				t.Fatal("deleting from a table that does not exist succeeded")
			}
			placeholder := "?"
			if s.Dialect() == db.Postgres {
				placeholder = "$1"
			}
			if len(stmts) != 3 {
				t.Fatalf("observed %d statements, want 3: %+v", len(stmts), stmts)
			}
			count, del := stmts[0].st, stmts[1].st
			if !strings.HasPrefix(count.SQL, "SELECT count(*)") || !strings.Contains(count.SQL, placeholder) || strings.Contains(count.SQL, user) ||
				!slices.Contains(count.Args, any(user)) || count.RowsAffected != -1 || count.Err != nil {
				t.Errorf("the count: %+v", count)
			}
			if !strings.HasPrefix(del.SQL, "DELETE") || !slices.Contains(del.Args, any("s-1")) || del.RowsAffected != 1 || del.Err != nil {
				t.Errorf("the deletion: %+v", del)
			}
			if failed := stmts[2].st; failed.Err == nil || failed.RowsAffected > 0 {
				t.Errorf("the failed deletion: %+v", failed)
			}
			for _, o := range stmts {
				if o.ctx.Value(testKey{}) != "this request" {
					t.Errorf("%q was observed without the caller's context", o.st.SQL)
				}
			}
		})
	}
}

type testKey struct{}
