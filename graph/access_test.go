package graph_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"sessiongraph/auth"
	"sessiongraph/graph"
	"sessiongraph/httpserver"
)

// accessSecret signs the test tokens (HS256 needs at least 32 bytes).
var accessSecret = []byte("0123456789abcdef0123456789abcdef")

// token signs a JWT for user with the given scopes claim (nil: no claim).
func token(t *testing.T, user string, scopes []string) string {
	t.Helper()
	claims := jwt.MapClaims{"exp": time.Now().Add(time.Hour).Unix()}
	if user != "" {
		claims["sub"] = user
	}
	if scopes != nil {
		claims["scopes"] = scopes
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(accessSecret)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// withAuth serves h behind the real authentication middleware in JWT mode.
func withAuth(t *testing.T, h http.Handler) http.Handler {
	t.Helper()
	a, err := auth.New(auth.Config{JWTSecret: accessSecret})
	if err != nil {
		t.Fatal(err)
	}
	return httpserver.New(httpserver.Options{Auth: a}).Authenticate(h)
}

// queryAs POSTs a query with a bearer token.
func queryAs(t *testing.T, h http.Handler, bearer, q string, vars map[string]any) gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var resp gqlResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatalf("response is not JSON (%d): %s", rec.Code, rec.Body.String())
	}
	resp.Status = rec.Code
	return resp
}

// TestUserIsolation checks that a non-admin user sees, renames and deletes
// only their own sessions, through every path, and that everything else is
// NOT_FOUND or absent exactly as a missing session is.
func TestUserIsolation(t *testing.T) {
	eachBackend(t, fixtureBackends(t), func(t *testing.T, b servedBackend) {
		h := withAuth(t, b.h)
		admin := token(t, "root", []string{auth.DefaultAdminScope})
		u7 := token(t, "u-7", nil) // no scopes claim: every operation, own sessions only

		// Global ids of an own and a foreign session and run, read as admin.
		var all struct {
			Sessions struct {
				TotalCount int
				Nodes      []struct {
					ID, SessionID string
					UserID        *string
					Runs          struct{ Nodes []struct{ ID, RunID string } }
				}
			}
		}
		queryAs(t, h, admin, `{ sessions(first: 100) { totalCount nodes { id sessionId userId runs(first: 1) { nodes { id runId } } } } }`, nil).decode(t, &all)
		if all.Sessions.TotalCount != 14 || len(all.Sessions.Nodes) != 14 {
			t.Fatalf("admin sees %d sessions (%d nodes), want all 14", all.Sessions.TotalCount, len(all.Sessions.Nodes))
		}
		var own []string
		ids := map[string]string{}
		runIDs, runGIDs := map[string]string{}, map[string]string{}
		for _, n := range all.Sessions.Nodes {
			ids[n.SessionID] = n.ID
			if len(n.Runs.Nodes) > 0 {
				runIDs[n.SessionID], runGIDs[n.SessionID] = n.Runs.Nodes[0].RunID, n.Runs.Nodes[0].ID
			}
			if n.UserID != nil && *n.UserID == "u-7" {
				own = append(own, n.SessionID)
			}
		}
		slices.Sort(own)
		if len(own) != 4 || runIDs["s-101"] == "" || runIDs["s-100"] == "" {
			t.Fatalf("fixture changed: u-7 owns %v; runs %v", own, runIDs)
		}

		// sessions and totalCount: only own rows, also under a filter naming another user.
		var mine struct {
			Sessions struct {
				TotalCount int
				Nodes      []struct{ SessionID string }
			}
		}
		queryAs(t, h, u7, `{ sessions(first: 100) { totalCount nodes { sessionId } } }`, nil).decode(t, &mine)
		var got []string
		for _, n := range mine.Sessions.Nodes {
			got = append(got, n.SessionID)
		}
		slices.Sort(got)
		if !slices.Equal(got, own) || mine.Sessions.TotalCount != len(own) {
			t.Errorf("u-7 lists %v (totalCount %d), want %v", got, mine.Sessions.TotalCount, own)
		}
		queryAs(t, h, u7, `{ sessions(first: 100, filter: {userId: "u-8"}) { totalCount nodes { sessionId } } }`, nil).decode(t, &mine)
		if len(mine.Sessions.Nodes) != 0 || mine.Sessions.TotalCount != 0 {
			t.Errorf("u-7 filtering on u-8 sees %+v", mine.Sessions)
		}

		// session, run, node, nodes: a foreign session is null, as a missing one is.
		var single struct {
			Session *struct{ SessionID string }
			Run     *struct{ RunID string }
			Node    *struct{ ID string }
			Nodes   []*struct{ ID string }
		}
		r := queryAs(t, h, u7, `query($foreign: String!, $run: String!, $gid: ID!, $gids: [ID!]!) {
			session(sessionId: $foreign) { sessionId }
			run(sessionId: $foreign, runId: $run) { runId }
			node(id: $gid) { id }
			nodes(ids: $gids) { id }
		}`, map[string]any{"foreign": "s-101", "run": runIDs["s-101"], "gid": ids["s-101"],
			"gids": []string{ids["s-100"], ids["s-101"], runGIDs["s-100"], runGIDs["s-101"]}})
		r.decode(t, &single)
		if single.Session != nil || single.Run != nil || single.Node != nil {
			t.Errorf("u-7 reads a foreign session: %+v", single)
		}
		if len(single.Nodes) != 4 || single.Nodes[0] == nil || single.Nodes[1] != nil || single.Nodes[2] == nil || single.Nodes[3] != nil {
			t.Errorf("nodes = %s, want [own, null, own run, null]", r.Data)
		}
		// runs on a foreign session: NOT_FOUND, the same answer as for a missing one.
		foreign := queryAs(t, h, u7, `{ runs(sessionId: "s-101", first: 5) { nodes { runId } } }`, nil)
		missing := queryAs(t, h, u7, `{ runs(sessionId: "no-such-session", first: 5) { nodes { runId } } }`, nil)
		if c := foreign.codes(); !slices.Equal(c, []string{"NOT_FOUND"}) || !slices.Equal(missing.codes(), c) {
			t.Errorf("runs of a foreign session: %v, of a missing one: %v; want NOT_FOUND for both", c, missing.codes())
		}

		// Mutations on a foreign session: NOT_FOUND, nothing changed.
		rename := queryAs(t, h, u7, `mutation { renameSession(input: {sessionId: "s-101", name: "mine now"}) { session { sessionId } } }`, nil)
		del := queryAs(t, h, u7, `mutation { deleteSession(input: {sessionId: "s-102"}) { deletedSessionId } }`, nil)
		if !slices.Equal(rename.codes(), []string{"NOT_FOUND"}) || !slices.Equal(del.codes(), []string{"NOT_FOUND"}) {
			t.Errorf("foreign rename: %v, foreign delete: %v; want NOT_FOUND", rename.codes(), del.codes())
		}
		var batch struct {
			DeleteSessions struct{ DeletedSessionIds, NotFoundSessionIds []string }
		}
		queryAs(t, h, u7, `mutation { deleteSessions(input: {sessionIds: ["s-101", "s-103", "s-500"]}) { deletedSessionIds notFoundSessionIds } }`, nil).decode(t, &batch)
		if !slices.Equal(batch.DeleteSessions.DeletedSessionIds, []string{"s-103"}) || !slices.Equal(batch.DeleteSessions.NotFoundSessionIds, []string{"s-101", "s-500"}) {
			t.Errorf("batch delete as u-7 = %+v, want deleted [s-103], notFound [s-101 s-500]", batch.DeleteSessions)
		}
		var after struct {
			A, B, C *struct {
				Name   string
				UserID *string
			}
		}
		queryAs(t, h, admin, `{ a: session(sessionId: "s-101") { name userId } b: session(sessionId: "s-102") { name userId } c: session(sessionId: "s-500") { name userId } }`, nil).decode(t, &after)
		if after.A == nil || after.A.Name == "mine now" || after.B == nil || after.C == nil {
			t.Errorf("foreign sessions after u-7's mutations: %+v %+v %+v", after.A, after.B, after.C)
		}
		// An own session can be renamed.
		var renamed struct {
			RenameSession struct{ Session struct{ Name string } }
		}
		queryAs(t, h, u7, `mutation { renameSession(input: {sessionId: "s-100", name: "renamed by owner"}) { session { name } } }`, nil).decode(t, &renamed)
		if renamed.RenameSession.Session.Name != "renamed by owner" {
			t.Errorf("own rename = %+v", renamed)
		}
	})
}

// TestScopes checks that AgentOS scopes present in a token are enforced per
// operation with FORBIDDEN before anything runs, and that a request without
// a token gets 401 and no data.
func TestScopes(t *testing.T) {
	b := fixtureBackends(t)[0]
	h := withAuth(t, b.h)
	reader := token(t, "u-7", []string{auth.ScopeSessionsRead})
	writer := token(t, "u-7", []string{auth.ScopeSessionsWrite})
	deleter := token(t, "u-7", []string{auth.ScopeSessionsDelete})
	const (
		read   = `{ sessions(first: 1) { totalCount } }`
		rename = `mutation { renameSession(input: {sessionId: "s-100", name: "x"}) { session { name } } }`
		del    = `mutation { deleteSession(input: {sessionId: "s-100"}) { deletedSessionId } }`
		intro  = `{ __schema { queryType { name } } }`
	)
	for _, c := range []struct {
		name, token, query string
		forbidden          bool
	}{
		{"reader reads", reader, read, false},
		{"reader renames", reader, rename, true},
		{"reader deletes", reader, del, true},
		{"writer reads", writer, read, true},
		{"writer renames", writer, rename, false},
		{"writer deletes", writer, del, true},
		{"deleter renames", deleter, rename, true},
		{"writer introspects", writer, intro, false},
		{"fragment hides a read", writer, `query { ...F } fragment F on Query { sessions(first: 1) { totalCount } }`, true},
		{"deleter deletes", deleter, del, false}, // last: it deletes s-100
	} {
		t.Run(c.name, func(t *testing.T) {
			r := queryAs(t, h, c.token, c.query, nil)
			if c.forbidden {
				if !slices.Equal(r.codes(), []string{"FORBIDDEN"}) || (len(r.Data) > 0 && string(r.Data) != "null") {
					t.Errorf("got %d %v data %s, want FORBIDDEN and no data", r.Status, r.codes(), r.Data)
				}
				return
			}
			if len(r.Errors) > 0 {
				t.Errorf("unexpected errors: %+v", r.Errors)
			}
		})
	}

	// No token, and a token for another secret: 401, no data.
	for _, bearer := range []string{"", "not-a-jwt"} {
		r := queryAs(t, h, bearer, read, nil)
		if r.Status != http.StatusUnauthorized || !slices.Equal(r.codes(), []string{"UNAUTHENTICATED"}) || len(r.Data) > 0 {
			t.Errorf("bearer %q: %d %v %s, want 401 UNAUTHENTICATED without data", bearer, r.Status, r.codes(), r.Data)
		}
	}
}

// TestEveryRootFieldHasAScope keeps graph.RootFieldScopes complete: a root
// field without an entry is refused to non-admin callers, so this test
// catches a new field before users do.
func TestEveryRootFieldHasAScope(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	for _, typ := range []string{"Query", "Mutation"} {
		for _, f := range schema.Types[typ].Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if _, ok := graph.RootFieldScope(typ, f.Name); !ok {
				t.Errorf("%s.%s has no scope in rootFieldScopes", typ, f.Name)
			}
		}
	}
}
