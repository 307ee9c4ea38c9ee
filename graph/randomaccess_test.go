package graph_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sessiongraph/auth"
	"sessiongraph/internal/agnotest"
)

// TestRandomQueriesLeakNothing draws queries as TestRandomQueriesAgree does
// (their ids, cursors and session ids taken from an administrator's
// answers, so that many name other users' sessions) and asks each, on
// every backend and layout, as a user without a scopes claim, who may see
// their own sessions only (sessionId is selected wherever it can be). No
// session of another user may appear in the
// answer: not as a sessionId, nor inside a global id or a cursor, nor as
// a userId.
func TestRandomQueriesLeakNothing(t *testing.T) {
	rows, _ := runKeysFixture(t)
	n := 800
	if v, err := strconv.Atoi(os.Getenv("SESSIONGRAPH_RANDOM_QUERIES")); err == nil {
		n = v
	}
	own := map[string]bool{}
	for _, r := range rows {
		if r.UserID != nil && *r.UserID == "u-7" {
			own[r.SessionID] = true
		}
	}
	if len(own) < 2 || len(own) == len(rows) {
		t.Fatalf("fixture changed: u-7 owns %v of %d sessions", own, len(rows))
	}
	eachBackend(t, serveBackends(agnotest.EveryLayout(t, rows)), func(t *testing.T, b servedBackend) {
		h := withAuth(t, b.h)
		admin := token(t, "root", []string{auth.DefaultAdminScope})
		user := token(t, "u-7", nil)
		g := newQueryGen(t)
		g.withSessionIDs = true
		seen := 0
		for i := range n {
			q, vars := g.query()
			all := decodeAny(t, queryAs(t, h, admin, q, vars).Data)
			g.keepCursors(all)
			if foreignIn(all, own, "") != "" {
				seen++ // the administrator sees another user's session here
			}
			resp := queryAs(t, h, user, q, vars)
			for _, e := range resp.Errors {
				if code, _ := e.Extensions["code"].(string); code == "INTERNAL" || code == "" {
					t.Errorf("query %d: %s error %q\n%s %v", i, code, e.Message, q, vars)
				}
			}
			if leak := foreignIn(decodeAny(t, resp.Data), own, ""); leak != "" {
				t.Fatalf("query %d leaks %s\n%s %v\n%s", i, leak, q, vars, resp.Data)
			}
		}
		// The check means something where the query shows other users'
		// sessions to an administrator.
		if seen < n/8 {
			t.Errorf("only %d of %d queries show an administrator another user's session", seen, n)
		}
	})
}

// foreignIn returns where v shows a session not in own (or a user other
// than u-7), "" when it shows none.
func foreignIn(v any, own map[string]bool, path string) string {
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			p := path + "." + k
			if s, ok := c.(string); ok {
				switch {
				case k == "sessionId" && !own[s]:
					return fmt.Sprintf("session %q at %s", s, p)
				case k == "userId" && s != "u-7":
					return fmt.Sprintf("user %q at %s", s, p)
				case k == "id" || k == "cursor" || strings.HasSuffix(k, "Cursor"):
					if sid := sessionOfToken(s); sid != "" && !own[sid] {
						return fmt.Sprintf("session %q inside %s %q at %s", sid, k, s, p)
					}
				}
			}
			if leak := foreignIn(c, own, p); leak != "" {
				return leak
			}
		}
	case []any:
		for i, c := range v {
			if leak := foreignIn(c, own, fmt.Sprintf("%s[%d]", path, i)); leak != "" {
				return leak
			}
		}
	}
	return ""
}

// sessionOfToken returns the session a global id ("AgentSession:db:s-100",
// "AgentRun:db:s-100:r-1") or a cursor (JSON with the session in "s", or a
// sessions cursor's "id") names, base64url-encoded; "" when s is neither.
func sessionOfToken(s string) string {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return ""
	}
	var c map[string]any
	if json.Unmarshal(raw, &c) == nil {
		if sid, ok := c["s"].(string); ok {
			return sid
		}
		if sid, ok := c["id"].(string); ok && c["c"] == "sessions" {
			return sid
		}
		return ""
	}
	if parts := strings.Split(string(raw), ":"); len(parts) >= 3 && slices.Contains([]string{"AgentSession", "TeamSession", "WorkflowSession", "AgentRun", "TeamRun", "WorkflowRun"}, parts[0]) {
		return parts[2]
	}
	return ""
}
