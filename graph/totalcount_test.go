package graph_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"sessiongraph/db"
	"sessiongraph/internal/agnotest"
)

// statementLog records the SQL a store runs.
type statementLog struct {
	mu    sync.Mutex
	stmts []string
}

func (l *statementLog) record(_ context.Context, st db.Statement) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stmts = append(l.stmts, st.SQL)
}

func (l *statementLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.stmts
	l.stmts = nil
	return out
}

// logStatements records every statement the store runs from now on.
func logStatements(t *testing.T, s *db.Store) *statementLog {
	t.Helper()
	log := &statementLog{}
	if err := s.OnStatement("test:log", log.record); err != nil {
		t.Fatal(err)
	}
	return log
}

func TestTotalCountRunsOnlyWhenSelected(t *testing.T) {
	rows := agnotest.LoadRows(t, "sessions.json")
	for _, b := range agnotest.Backends(t, rows) {
		t.Run(b.Name, func(t *testing.T) {
			log := logStatements(t, b.Store)
			h := newHandler(b.Store)
			query(t, h, `{ sessions(first: 3) { nodes { sessionId } } }`, nil)
			if stmts := log.take(); len(stmts) != 1 || strings.Contains(stmts[0], "count(") {
				t.Errorf("without totalCount the page ran %q", stmts)
			}
			resp := query(t, h, `{ sessions(first: 3, filter: {userId: "u-9"}) { totalCount nodes { sessionId } } }`, nil)
			var got struct{ Sessions struct{ TotalCount int } }
			resp.decode(t, &got)
			if got.Sessions.TotalCount != 5 {
				t.Errorf("totalCount for u-9 = %d, want 5 (s-104, s-400, s-401, s-402, s-403)", got.Sessions.TotalCount)
			}
			if stmts := log.take(); len(stmts) != 2 {
				t.Errorf("with totalCount the request ran %d statements: %q", len(stmts), stmts)
			}
		})
	}
}
