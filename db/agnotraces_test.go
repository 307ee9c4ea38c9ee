package db_test

import (
	"context"
	"testing"

	"sessiongraph/db"
	"sessiongraph/internal/agnotest"
)

// TestTracesAreReadThroughTheirSession: a restricted caller reads a trace
// only when its session is theirs and Agno recorded it for them, whatever
// session id it is asked for.
func TestTracesAreReadThroughTheirSession(t *testing.T) {
	for _, b := range agnotest.Backends(t, agnotest.LoadRows(t, "sessions.json")) {
		t.Run(b.Name, func(t *testing.T) {
			agnotest.AddTraces(t, b.Store)
			ctx := context.Background()
			for _, tc := range []struct {
				name      string
				ctx       context.Context
				sessionID string
				want      int
			}{
				{"an administrator reads every trace of a session", ctx, "s-101", 2},
				{"its owner those recorded for them", db.WithOwner(ctx, "u-8"), "s-101", 1},
				{"another user none, even one recorded for them", db.WithOwner(ctx, "u-7"), "s-101", 0},
				{"nor through a userId", db.WithUser(ctx, "u-7"), "s-101", 0},
			} {
				t.Run(tc.name, func(t *testing.T) {
					read, err := b.Store.SessionTraces(tc.ctx, tc.sessionID, 100)
					if err != nil || len(read.Traces) != tc.want {
						t.Fatalf("SessionTraces = %d traces, %v; want %d", len(read.Traces), err, tc.want)
					}
				})
			}
			t.Run("a read past its rows is refused", func(t *testing.T) {
				read, err := b.Store.SessionTraces(ctx, "s-100", 10)
				if err == nil || read.Rows != 11 {
					t.Fatalf("SessionTraces(max 10 rows) = %d rows, %v; want 11 read and COMPLEXITY_LIMIT_EXCEEDED", read.Rows, err)
				}
			})
		})
	}
}
