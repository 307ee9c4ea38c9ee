package graph_test

import (
	"testing"

	"sessiongraph/auth"
)

// TestUserIDArgument checks the userId argument of single-session reads and
// writes (Agno's user_id query parameter): a session of another user is
// absent, exactly as a missing one; and for a caller restricted to its own
// sessions userId narrows, never widens, what it sees.
func TestUserIDArgument(t *testing.T) {
	eachBackend(t, fixtureBackends(t), func(t *testing.T, b servedBackend) {
		reads := []struct {
			name, query string
			want        map[string]any
		}{
			{"session of its user is found", `{ session(sessionId: "s-100", userId: "u-7") { sessionId } }`,
				map[string]any{"session": map[string]any{"sessionId": "s-100"}}},
			{"session of another user is null", `{ session(sessionId: "s-100", userId: "u-8") { sessionId } }`,
				map[string]any{"session": nil}},
			{"session without a user is null for any userId", `{ session(sessionId: "s-102", userId: "") { sessionId } }`,
				map[string]any{"session": nil}},
			{"run of a session of its user is found", `{ run(sessionId: "s-100", runId: "r-a1", userId: "u-7") { runId } }`,
				map[string]any{"run": map[string]any{"runId": "r-a1"}}},
			{"run of a session of another user is null", `{ run(sessionId: "s-100", runId: "r-a1", userId: "u-9") { runId } }`,
				map[string]any{"run": nil}},
			{"run of a session of its type is found", `{ run(sessionId: "s-100", runId: "r-a1", type: AGENT) { runId } }`,
				map[string]any{"run": map[string]any{"runId": "r-a1"}}},
			{"run of a session of another type is null", `{ run(sessionId: "s-100", runId: "r-a1", type: TEAM) { runId } }`,
				map[string]any{"run": nil}},
		}
		for _, c := range reads {
			t.Run(c.name, func(t *testing.T) {
				wantEqual(t, "data", mustQuery(t, b.h, c.query, nil), c.want)
			})
		}
		t.Run("runs of a session of its user are listed, of another user NOT_FOUND", func(t *testing.T) {
			data := mustQuery(t, b.h, `{ runs(sessionId: "s-100", userId: "u-7", first: 1) { nodes { runId } } }`, nil)
			wantEqual(t, "runs", jsonAt(data, "runs", "nodes"), []any{map[string]any{"runId": "r-a1"}})
			wantCodes(t, query(t, b.h, `{ runs(sessionId: "s-100", userId: "u-8", first: 1) { nodes { runId } } }`, nil), "NOT_FOUND")
		})
		t.Run("renameSession with another user's userId is NOT_FOUND and renames nothing", func(t *testing.T) {
			before := storedRow(t, b, "s-100")
			wantCodes(t, query(t, b.h, `mutation { renameSession(input: {sessionId: "s-100", name: "x", userId: "u-8"}) { session { name } } }`, nil), "NOT_FOUND")
			wantEqual(t, "row", storedRow(t, b, "s-100"), before)
			data := mustQuery(t, b.h, `mutation { renameSession(input: {sessionId: "s-100", name: "Mine", userId: "u-7"}) { session { name } } }`, nil)
			wantEqual(t, "name", jsonAt(data, "renameSession", "session", "name"), "Mine")
		})
		t.Run("deleteSession with another user's userId is NOT_FOUND and deletes nothing", func(t *testing.T) {
			wantCodes(t, query(t, b.h, `mutation { deleteSession(input: {sessionId: "s-103", userId: "u-8"}) { deletedSessionId } }`, nil), "NOT_FOUND")
			if storedRow(t, b, "s-103") == nil {
				t.Fatal("s-103 was deleted")
			}
			mustQuery(t, b.h, `mutation { deleteSession(input: {sessionId: "s-103", userId: "u-7"}) { deletedSessionId } }`, nil)
			if storedRow(t, b, "s-103") != nil {
				t.Error("s-103 was not deleted")
			}
		})
		t.Run("deleteSessions with userId deletes that user's sessions only", func(t *testing.T) {
			data := mustQuery(t, b.h, `mutation { deleteSessions(input: {sessionIds: ["s-301", "s-302", "s-300", "s-102"], userId: "u-8"}) { deletedSessionIds notFoundSessionIds } }`, nil)
			wantEqual(t, "payload", data["deleteSessions"], map[string]any{"deletedSessionIds": []any{"s-301", "s-302"}, "notFoundSessionIds": []any{"s-300", "s-102"}})
		})
		t.Run("for a non-admin user userId narrows and never widens", func(t *testing.T) {
			h := withAuth(t, b.h)
			u7 := token(t, "u-7", []string{auth.ScopeSessionsRead})
			var r struct{ Own, Foreign, Widened *struct{ SessionID string } }
			queryAs(t, h, u7, `{ own: session(sessionId: "s-100", userId: "u-7") { sessionId }
				foreign: session(sessionId: "s-101", userId: "u-8") { sessionId }
				widened: session(sessionId: "s-100", userId: "u-8") { sessionId } }`, nil).decode(t, &r)
			if r.Own == nil || r.Foreign != nil || r.Widened != nil {
				t.Errorf("own %v, foreign %v, widened %v; want only own", r.Own, r.Foreign, r.Widened)
			}
		})
	})
}
