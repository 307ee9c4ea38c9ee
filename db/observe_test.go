package db_test

import (
	"context"
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
