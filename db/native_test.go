package db_test

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"
	"testing"

	"gorm.io/gorm"

	"sessiongraph/db"
	"sessiongraph/internal/agnotest"
	"sessiongraph/models"
)

// TestPostgresReadsRowsWithPgx checks the reads PostgreSQL answers with
// pgx's own API (db/native.go): they run through gorm's Row callbacks (the
// statement observers see them, once each) without database/sql's rows,
// and every row of a page keeps its own bytes after the next rows were
// read (the strings of a row are views of them), equal to what is stored.
func TestPostgresReadsRowsWithPgx(t *testing.T) {
	ctx := context.Background()
	s := agnotest.OpenPostgres(t)
	rows := agnotest.LoadRows(t, "sessions.json")
	if err := s.InsertRows(ctx, rows, db.PlainJSON); err != nil {
		t.Fatal(err)
	}
	var (
		mu   sync.Mutex
		seen []string
	)
	// gorm's own Row callback leaves database/sql's rows in Dest.
	if err := s.GORM().Callback().Row().After("gorm:row").Register("test:native", func(tx *gorm.DB) {
		if _, isRows := tx.Statement.Dest.(interface{ Next() bool }); !isRows {
			mu.Lock()
			seen = append(seen, tx.Statement.SQL.String())
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	counted, counter := db.WithStatementCounter(ctx)
	first := 100
	page, err := s.ListSessions(counted, nil, models.DefaultSessionOrder, models.PageArgs{First: &first}, models.AllColumns)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Rows) != len(rows) {
		t.Fatalf("listed %d sessions, stored %d", len(page.Rows), len(rows))
	}
	stored := map[string]models.SessionRow{}
	for _, r := range rows {
		stored[r.SessionID] = r
	}
	for _, got := range page.Rows {
		want := stored[got.SessionID]
		for _, col := range []struct {
			name      string
			got, want []byte
		}{{"runs", got.Runs, want.Runs}, {"session_data", got.SessionData, want.SessionData}, {"metadata", got.Metadata, want.Metadata}} {
			if !sameJSON(t, col.got, col.want) {
				t.Errorf("%s %s: read %.200s, stored %.200s", got.SessionID, col.name, col.got, col.want)
			}
		}
	}
	one, err := s.GetSession(counted, rows[0].SessionID, nil, models.AllColumns)
	if err != nil || one == nil || one.SessionID != rows[0].SessionID {
		t.Fatalf("GetSession: %v, %v", one, err)
	}
	if n := counter.Count(); n != 2 {
		t.Errorf("the statement counter saw %d statements, want 2", n)
	}
	if len(seen) != 2 {
		t.Errorf("%d statements read without database/sql's rows, want 2 (the page and the session): %q", len(seen), seen)
	}
}

// sameJSON reports whether a and b hold the same JSON value (both absent counts as the same).
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	if len(bytes.TrimSpace(a)) == 0 || len(bytes.TrimSpace(b)) == 0 {
		return len(bytes.TrimSpace(a)) == len(bytes.TrimSpace(b))
	}
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("read JSON: %v: %.200s", err, a)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("stored JSON: %v: %.200s", err, b)
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return bytes.Equal(xb, yb)
}
