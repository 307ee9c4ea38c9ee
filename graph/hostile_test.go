package graph_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"sessiongraph/db"
	"sessiongraph/graph"
	"sessiongraph/httpserver"
	"sessiongraph/internal/agnotest"
	"sessiongraph/internal/telemetry"
	"sessiongraph/models"
)

// Hostile inputs go through a real HTTP server and a client whose 2 s
// timeout turns a hang into a failure (a correctness bound, not a
// performance assertion). Each is refused with a coded error, no data
// leaks, and the server answers a normal query afterwards.
//
// The status follows gqlgen's GraphQL-over-HTTP rules:
//   - refused before GraphQL by the HTTP layer (413 body too large with
//     REQUEST_TOO_LARGE, 400 body that is not a GraphQL request with
//     BAD_USER_INPUT, 405 mutation over GET with METHOD_NOT_ALLOWED): the
//     same under either media type;
//   - request errors, found before execution (parse, validation, variable
//     coercion, QUERY_TOO_DEEP, TOO_MANY_ALIASES, COMPLEXITY_LIMIT_EXCEEDED,
//     INTROSPECTION_DISABLED, and BAD_USER_INPUT for arguments that cannot
//     be right whatever the data: page sizes, cursors, ids too long, NUL,
//     batch sizes; all registered as protocol errors): 422 under
//     application/json, 400 under application/graphql-response+json,
//     with "data": null;
//   - field errors, raised while executing (NOT_FOUND, or BAD_USER_INPUT
//     that depends on the data, such as a cursor of another session's
//     runs): the operation ran, so 200 under both media types, as the spec
//     advises for a null data entry ("2xx; 4xx/5xx not recommended").

const (
	jsonMedia    = "application/json"
	graphqlMedia = "application/graphql-response+json"
)

// hostileServer serves h over loopback HTTP; its client gives up after 2 s.
type hostileServer struct {
	url    string
	client *http.Client
}

func newHostileServer(t *testing.T, h http.Handler) hostileServer {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return hostileServer{url: srv.URL + "/graphql", client: &http.Client{Timeout: 2 * time.Second}}
}

// do sends a request and reads the whole answer, failing on a hang.
func (s hostileServer) do(t *testing.T, req *http.Request) exchange {
	t.Helper()
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("no answer within 2 s: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	return exchange{status: resp.StatusCode, header: resp.Header, body: body}
}

func (s hostileServer) post(t *testing.T, body io.Reader, accept string) exchange {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.url, body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", accept)
	return s.do(t, req)
}

// healthy fails unless a normal query still answers.
func (s hostileServer) healthy(t *testing.T) {
	t.Helper()
	x := s.post(t, strings.NewReader(gqlBody(`{ session(sessionId: "s-100") { sessionId } }`, nil)), jsonMedia)
	if x.status != http.StatusOK || !bytes.Contains(x.body, []byte(`"sessionId":"s-100"`)) {
		t.Fatalf("the server is not healthy afterwards: %d %.300s", x.status, x.body)
	}
}

func gqlBody(query string, vars map[string]any) string {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return string(b)
}

// nestedRuns is a valid query whose fields nest depth levels deep.
func nestedRuns(depth int) string {
	return `run(sessionId: "s-200", runId: "r-t1") { ` + strings.Repeat("... on TeamRun { memberRuns { ", depth-2) +
		"runId" + strings.Repeat(" } }", depth-2) + " }"
}

// aliases is n aliased copies of field.
func aliases(n int, field string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "a%d: %s ", i, field)
	}
	return b.String()
}

// fragmentBomb spreads each of n fragments twice in the next: 2^n fields.
func fragmentBomb(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "{ ...F%d }\nfragment F0 on Query { databases { id } }\n", n)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i-1, i-1)
	}
	return b.String()
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// noData reports whether a response carries no value: data absent or null,
// or an object whose root fields are all null.
func noData(raw json.RawMessage) bool {
	var data map[string]any
	if len(raw) == 0 || string(raw) == "null" {
		return true
	}
	if json.Unmarshal(raw, &data) != nil {
		return false
	}
	for _, v := range data {
		if v != nil {
			return false
		}
	}
	return true
}

const (
	sessionsPage  = `query($first: Int, $after: String) { sessions(first: $first, after: $after) { nodes { sessionId } } }`
	sessionRuns   = `query($s: String!) { runs(sessionId: $s) { totalCount nodes { runId } } }`
	renameQuery   = `mutation($s: String!, $n: String!) { renameSession(input: {sessionId: $s, name: $n}) { session { name } } }`
	deleteTooMany = `mutation($ids: [String!]!) { deleteSessions(input: {sessionIds: $ids}) { deletedSessionIds } }`
)

func TestHostileInputsAreRefusedPromptlyWithACode(t *testing.T) {
	bs := fixtureBackends(t)
	hugeID := strings.Repeat("s", 100_000)
	manyIDs := make([]string, models.MaxBatchDelete+1)
	for i := range manyIDs {
		manyIDs[i] = fmt.Sprintf("s-%d", i)
	}
	cases := []struct {
		name string
		body func() io.Reader
		// status under application/json and under application/graphql-response+json
		status, graphqlStatus int
		code                  string
	}{
		{"a 5 MiB body is 413", func() io.Reader {
			return io.MultiReader(strings.NewReader(`{"query": "{ databases { id } }", "pad": "`),
				bytes.NewReader(bytes.Repeat([]byte("x"), 5<<20)), strings.NewReader(`"}`))
		}, 413, 413, "REQUEST_TOO_LARGE"},
		{"a body that is not JSON is 400", func() io.Reader { return strings.NewReader(`{"query": "{ databases { id } }"`) }, 400, 400, "BAD_USER_INPUT"},
		{"JSON followed by garbage is 400", func() io.Reader { return strings.NewReader(`{"query": "{ databases { id } }"} {"x"`) }, 400, 400, "BAD_USER_INPUT"},
		{"a JSON array is 400", func() io.Reader { return strings.NewReader(`[{"query": "{ databases { id } }"}]`) }, 400, 400, "BAD_USER_INPUT"},
		{"variables that are not an object are 400", func() io.Reader { return strings.NewReader(`{"query": "{ databases { id } }", "variables": [1]}`) }, 400, 400, "BAD_USER_INPUT"},
		{"a query that is not a string is 400", func() io.Reader { return strings.NewReader(`{"query": {"x": 1}}`) }, 400, 400, "BAD_USER_INPUT"},
		{"a query 50 levels deep is QUERY_TOO_DEEP", func() io.Reader { return strings.NewReader(gqlBody("{ "+nestedRuns(50)+" }", nil)) }, 422, 400, "QUERY_TOO_DEEP"},
		{"a query 50 levels deep through fragments is QUERY_TOO_DEEP", func() io.Reader {
			q := "{ run(sessionId: \"s-200\", runId: \"r-t1\") { ...R0 } }\n"
			for i := range 49 {
				q += fmt.Sprintf("fragment R%d on Run { ... on TeamRun { memberRuns { ...R%d } } }\n", i, i+1)
			}
			q += "fragment R49 on Run { runId }"
			return strings.NewReader(gqlBody(q, nil))
		}, 422, 400, "QUERY_TOO_DEEP"},
		{"a deep query beside introspection is still QUERY_TOO_DEEP", func() io.Reader {
			return strings.NewReader(gqlBody("{ __schema { queryType { name } } "+nestedRuns(50)+" }", nil))
		}, 422, 400, "QUERY_TOO_DEEP"},
		{"1000 cheap aliases are TOO_MANY_ALIASES", func() io.Reader {
			return strings.NewReader(gqlBody("{ "+aliases(1000, "databases { id }")+" }", nil))
		}, 422, 400, "TOO_MANY_ALIASES"},
		{"1000 aliased introspections are TOO_MANY_ALIASES", func() io.Reader {
			return strings.NewReader(gqlBody("{ "+aliases(1000, "__schema { types { name } }")+" }", nil))
		}, 422, 400, "TOO_MANY_ALIASES"},
		{"1000 costly aliases are COMPLEXITY_LIMIT_EXCEEDED", func() io.Reader {
			return strings.NewReader(gqlBody("{ "+aliases(1000, "sessions(first: 100) { totalCount }")+" }", nil))
		}, 422, 400, "COMPLEXITY_LIMIT_EXCEEDED"},
		{"fragments spread 2^30 times are COMPLEXITY_LIMIT_EXCEEDED", func() io.Reader {
			return strings.NewReader(gqlBody(fragmentBomb(30), nil))
		}, 422, 400, "COMPLEXITY_LIMIT_EXCEEDED"},
		{"a 100 kB cursor is BAD_USER_INPUT", func() io.Reader {
			return strings.NewReader(gqlBody(sessionsPage, map[string]any{"after": strings.Repeat("A", 100_000)}))
		}, 422, 400, "BAD_USER_INPUT"},
		{"a cursor of random bytes is BAD_USER_INPUT", func() io.Reader {
			return strings.NewReader(gqlBody(sessionsPage, map[string]any{"after": string(randomBytes(64))}))
		}, 422, 400, "BAD_USER_INPUT"},
		{"a base64 cursor of random bytes is BAD_USER_INPUT", func() io.Reader {
			return strings.NewReader(gqlBody(sessionsPage, map[string]any{"after": base64.StdEncoding.EncodeToString(randomBytes(64))}))
		}, 422, 400, "BAD_USER_INPUT"},
		{"a base64 cursor of JSON of another shape is BAD_USER_INPUT", func() io.Reader {
			return strings.NewReader(gqlBody(sessionsPage, map[string]any{"after": base64.StdEncoding.EncodeToString([]byte(`{"o":[1,2],"k":{"x":null}}`))}))
		}, 422, 400, "BAD_USER_INPUT"},
		{"first: -1 is BAD_USER_INPUT", func() io.Reader { return strings.NewReader(gqlBody(sessionsPage, map[string]any{"first": -1})) }, 422, 400, "BAD_USER_INPUT"},
		{"first: 2^31-1 is BAD_USER_INPUT", func() io.Reader {
			return strings.NewReader(gqlBody(sessionsPage, map[string]any{"first": 1<<31 - 1}))
		}, 422, 400, "BAD_USER_INPUT"},
		{"first: 10^12 in a variable is BAD_USER_INPUT", func() io.Reader {
			return strings.NewReader(gqlBody(sessionsPage, map[string]any{"first": 1_000_000_000_000}))
		}, 422, 400, "BAD_USER_INPUT"},
		{"first: 10^12 in the query is BAD_USER_INPUT", func() io.Reader {
			return strings.NewReader(gqlBody(`{ sessions(first: 1000000000000) { totalCount } }`, nil))
		}, 422, 400, "BAD_USER_INPUT"},
		{"first: 10^30 in a variable is not an Int", func() io.Reader {
			return strings.NewReader(`{"query": "query($first: Int) { sessions(first: $first) { totalCount } }", "variables": {"first": 1000000000000000000000000000000}}`)
		}, 422, 400, "GRAPHQL_VALIDATION_FAILED"},
		{"first: 10^30 in the query is not an Int", func() io.Reader {
			return strings.NewReader(gqlBody(`{ sessions(first: 1000000000000000000000000000000) { totalCount } }`, nil))
		}, 422, 400, "GRAPHQL_VALIDATION_FAILED"},
		{"runs of a 100 kB session id is BAD_USER_INPUT", func() io.Reader { return strings.NewReader(gqlBody(sessionRuns, map[string]any{"s": hugeID})) }, 422, 400, "BAD_USER_INPUT"},
		{"renaming a 100 kB session id is BAD_USER_INPUT", func() io.Reader {
			return strings.NewReader(gqlBody(renameQuery, map[string]any{"s": hugeID, "n": "x"}))
		}, 422, 400, "BAD_USER_INPUT"},
		{"a session id with a NUL byte in a variable is BAD_USER_INPUT", func() io.Reader {
			return strings.NewReader(gqlBody(sessionRuns, map[string]any{"s": "s-100\x00"}))
		}, 422, 400, "BAD_USER_INPUT"},
		{"a session id with a NUL byte in the query is BAD_USER_INPUT", func() io.Reader {
			return strings.NewReader(gqlBody(`{ session(sessionId: "s-100\u0000") { sessionId } }`, nil))
		}, 422, 400, "BAD_USER_INPUT"},
		{"renaming a session id with a NUL byte is BAD_USER_INPUT", func() io.Reader {
			return strings.NewReader(gqlBody(renameQuery, map[string]any{"s": "s-\x00100", "n": "x"}))
		}, 422, 400, "BAD_USER_INPUT"},
		{"deleting ids with a NUL byte in a list is BAD_USER_INPUT", func() io.Reader {
			return strings.NewReader(gqlBody(deleteTooMany, map[string]any{"ids": []string{"s-100", "\x00"}}))
		}, 422, 400, "BAD_USER_INPUT"},
		{"a name with a NUL byte is BAD_USER_INPUT", func() io.Reader {
			return strings.NewReader(gqlBody(renameQuery, map[string]any{"s": "s-100", "n": "a\x00b"}))
		}, 422, 400, "BAD_USER_INPUT"},
		{"deleting 1001 ids is BAD_USER_INPUT", func() io.Reader { return strings.NewReader(gqlBody(deleteTooMany, map[string]any{"ids": manyIDs})) }, 422, 400, "BAD_USER_INPUT"},
	}
	eachBackend(t, bs, func(t *testing.T, b servedBackend) {
		s := newHostileServer(t, b.h)
		for _, c := range cases {
			for _, accept := range []string{jsonMedia, graphqlMedia} {
				t.Run(c.name+" under "+accept, func(t *testing.T) {
					x := s.post(t, c.body(), accept)
					want := c.status
					if accept == graphqlMedia {
						want = c.graphqlStatus
					}
					var resp gqlResponse
					if err := json.Unmarshal(x.body, &resp); err != nil {
						t.Fatalf("answer is not a GraphQL response (%d): %.300s", x.status, x.body)
					}
					if x.status != want || len(resp.codes()) == 0 || resp.codes()[0] != c.code {
						t.Errorf("got %d %v, want %d %s: %.300s", x.status, resp.codes(), want, c.code, x.body)
					}
					if !noData(resp.Data) {
						t.Errorf("data leaked: %.300s", resp.Data)
					}
					if cc := x.header.Get("Cache-Control"); cc != "no-store" {
						t.Errorf("Cache-Control = %q, want no-store", cc)
					}
					s.healthy(t)
				})
			}
		}
		t.Run("nothing was renamed or deleted", func(t *testing.T) {
			var want []string
			for _, r := range fixtureRows(t) {
				want = append(want, r.SessionID)
			}
			wantEqual(t, "sessions", sortedCopy(listSessionIDs(t, b.h)), sortedCopy(want))
		})
	})
}

// introspectionQuery is the query GraphiQL sends (graphql-js
// getIntrospectionQuery with descriptions, specifiedByURL, isRepeatable,
// schema description and deprecated input values).
const introspectionQuery = `query IntrospectionQuery {
  __schema {
    description
    queryType { name kind }
    mutationType { name kind }
    subscriptionType { name kind }
    types { ...FullType }
    directives { name description isRepeatable locations args(includeDeprecated: true) { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description specifiedByURL
  fields(includeDeprecated: true) { name description args(includeDeprecated: true) { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue isDeprecated deprecationReason }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } }
}`

func TestIntrospectionUnderTheLimits(t *testing.T) {
	store := agnotest.OpenSQLite(t)
	t.Run("GraphiQL's introspection query answers with the default limits", func(t *testing.T) {
		s := newHostileServer(t, newHandler(store))
		x := s.post(t, strings.NewReader(gqlBody(introspectionQuery, nil)), graphqlMedia)
		var resp gqlResponse
		_ = json.Unmarshal(x.body, &resp)
		if x.status != http.StatusOK || len(resp.Errors) > 0 || !bytes.Contains(x.body, []byte(`"queryType":{"name":"Query"`)) {
			t.Fatalf("got %d: %.500s", x.status, x.body)
		}
	})
	t.Run("introspection nested 26 levels deep does not count towards the depth limit", func(t *testing.T) {
		s := newHostileServer(t, newHandler(store))
		q := `{ __type(name: "Session") { fields { type { ` + strings.Repeat("ofType { ", 22) + "name" + strings.Repeat(" }", 22) + " } } } }"
		x := s.post(t, strings.NewReader(gqlBody(q, nil)), graphqlMedia)
		if x.status != http.StatusOK || bytes.Contains(x.body, []byte(`"errors"`)) {
			t.Fatalf("got %d: %.300s", x.status, x.body)
		}
	})
	t.Run("the depth limit counts fields, root fields at depth 1", func(t *testing.T) {
		h := agnotest.Serve(graph.Options{MaxDepth: 4}, httpserver.Options{}, store)
		for depth, want := range map[int]int{4: http.StatusOK, 5: http.StatusBadRequest} {
			x := postJSON(h, gqlBody("{ "+nestedRuns(depth)+" }", nil), graphqlMedia)
			if x.status != want {
				t.Errorf("depth %d: %d, want %d: %s", depth, x.status, want, x.body)
			}
		}
	})
	t.Run("with introspection disabled, introspection is INTROSPECTION_DISABLED and the rest answers", func(t *testing.T) {
		h := agnotest.Serve(graph.Options{DisableIntrospection: true}, httpserver.Options{}, store)
		s := newHostileServer(t, h)
		for _, q := range []string{introspectionQuery, `{ __type(name: "Session") { name } }`, `{ databases { id } __schema { queryType { name } } }`} {
			for accept, want := range map[string]int{jsonMedia: 422, graphqlMedia: 400} {
				x := s.post(t, strings.NewReader(gqlBody(q, nil)), accept)
				var resp gqlResponse
				_ = json.Unmarshal(x.body, &resp)
				if x.status != want || !slices.Equal(resp.codes(), []string{"INTROSPECTION_DISABLED"}) {
					t.Errorf("%.40s under %s: %d %s", q, accept, x.status, x.body)
				}
			}
		}
		data := mustQuery(t, h, `{ databases { id } __typename }`, nil)
		wantEqual(t, "data", data, map[string]any{"databases": []any{map[string]any{"id": "default"}}, "__typename": "Query"})
	})
	t.Run("with introspection disabled, errors suggest no field names", func(t *testing.T) {
		h := agnotest.Serve(graph.Options{DisableIntrospection: true}, httpserver.Options{}, store)
		x := postJSON(h, gqlBody(`{ sesions { totalCount } }`, nil), jsonMedia)
		if x.status != 422 || bytes.Contains(x.body, []byte("Did you mean")) {
			t.Errorf("got %d: %s", x.status, x.body)
		}
	})
	t.Run("aliases are counted through fragments", func(t *testing.T) {
		h := agnotest.Serve(graph.Options{MaxAliases: 4}, httpserver.Options{}, store)
		q := "{ ...D ...E }\nfragment D on Query { a: databases { id } b: databases { id } }\nfragment E on Query { c: databases { x: id } }"
		if x := postJSON(h, gqlBody(q, nil), jsonMedia); x.status != http.StatusOK {
			t.Errorf("4 aliases: %d %s", x.status, x.body)
		}
		q = "{ ...D ...E }\nfragment D on Query { a: databases { id } b: databases { id } }\nfragment E on Query { c: databases { x: id } d: databases { ...F } }\nfragment F on Database { y: id }"
		x := postJSON(h, gqlBody(q, nil), jsonMedia)
		if x.status != 422 || !slices.Equal(x.codes(t), []string{"TOO_MANY_ALIASES"}) || !bytes.Contains(x.body, []byte("limit of 4")) {
			t.Errorf("6 aliases: %d %s", x.status, x.body)
		}
	})
}

func TestRequestScope(t *testing.T) {
	store := agnotest.OpenSQLite(t)
	h := newHandler(store)
	request := func(header string) exchange {
		headers := map[string]string{"Content-Type": "application/json"}
		if header != "" {
			headers["X-Request-Id"] = header
		}
		return send(h, http.MethodPost, "/graphql", strings.NewReader(gqlBody(`{ databases { id } }`, nil)), headers)
	}
	t.Run("a sane X-Request-Id is echoed", func(t *testing.T) {
		if got := request("req-42 from/the:edge").header.Get("X-Request-Id"); got != "req-42 from/the:edge" {
			t.Errorf("X-Request-Id = %q", got)
		}
	})
	for name, id := range map[string]string{"missing": "", "too long": strings.Repeat("a", 129), "not printable": "abc\x01def", "not ASCII": "réquest"} {
		t.Run("an X-Request-Id that is "+name+" is replaced by a generated one", func(t *testing.T) {
			got := request(id).header.Get("X-Request-Id")
			if got == "" || got == id || len(got) > 128 {
				t.Errorf("X-Request-Id = %q", got)
			}
			if other := request(id).header.Get("X-Request-Id"); other == got {
				t.Errorf("two requests got the same id %q", got)
			}
		})
	}
	t.Run("Cache-Control: no-store is on answers of every kind", func(t *testing.T) {
		for name, x := range map[string]exchange{
			"success": request(""),
			"413":     postJSON(h, `{"query": "`+strings.Repeat(" ", 2<<20)+`"}`, ""),
			"405":     getQuery(h, `mutation { deleteSession(input: {sessionId: "x"}) { deletedSessionId } }`, nil),
			"OPTIONS": send(h, http.MethodOptions, "/graphql", nil, nil),
			"422":     postJSON(h, gqlBody(`{ nope }`, nil), ""),
		} {
			if cc := x.header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("%s (%d): Cache-Control = %q", name, x.status, cc)
			}
		}
	})
	t.Run("a panic in a resolver is INTERNAL, logged with its stack and the request id", func(t *testing.T) {
		var log bytes.Buffer
		// A resolver without stores panics on the first database access.
		logger, err := telemetry.NewLogger(&log, "text", "info")
		if err != nil {
			t.Fatal(err)
		}
		h := agnotest.Serve(graph.Options{Logger: logger}, httpserver.Options{Logger: logger})
		x := send(h, http.MethodPost, "/graphql", strings.NewReader(gqlBody(`{ sessions { totalCount } }`, nil)),
			map[string]string{"Content-Type": "application/json", "X-Request-Id": "panic-1"})
		if !slices.Equal(x.codes(t), []string{"INTERNAL"}) || !bytes.Contains(x.body, []byte(`"internal error"`)) {
			t.Errorf("got %d %s", x.status, x.body)
		}
		for _, want := range []string{"panic in resolver", "request_id=panic-1", "index out of range", "goroutine ", "graph.(*Resolver).store"} {
			if !strings.Contains(log.String(), want) {
				t.Errorf("log lacks %q:\n%.2000s", want, log.String())
			}
		}
	})
}

func TestRequestTimeout(t *testing.T) {
	t.Run("a request whose deadline passes before it runs is TIMEOUT", func(t *testing.T) {
		store := agnotest.OpenSQLite(t)
		h := agnotest.Serve(graph.Options{}, httpserver.Options{RequestTimeout: time.Nanosecond}, store)
		x := postJSON(h, gqlBody(`{ sessions { totalCount } }`, nil), jsonMedia)
		if !slices.Equal(x.codes(t), []string{"TIMEOUT"}) {
			t.Errorf("got %d %s", x.status, x.body)
		}
	})
	t.Run("a write waiting on a locked SQLite file times out with TIMEOUT, not a hang", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "agno.db")
		store, err := db.Open(context.Background(), db.Options{URL: file})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = store.Close() })
		if err := store.InsertRows(context.Background(), fixtureRows(t), db.PlainJSON); err != nil {
			t.Fatal(err)
		}
		locker, err := sql.Open("sqlite", file)
		if err != nil {
			t.Fatal(err)
		}
		defer locker.Close()
		conn, err := locker.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
			t.Fatal(err)
		}
		defer func() { _, _ = conn.ExecContext(context.Background(), "ROLLBACK") }()

		h := agnotest.Serve(graph.Options{}, httpserver.Options{RequestTimeout: 300 * time.Millisecond}, store)
		s := newHostileServer(t, h)
		start := time.Now()
		x := s.post(t, strings.NewReader(gqlBody(renameQuery, map[string]any{"s": "s-100", "n": "x"})), jsonMedia)
		if !slices.Equal(x.codes(t), []string{"TIMEOUT"}) {
			t.Errorf("got %d %s", x.status, x.body)
		}
		t.Logf("answered after %v", time.Since(start).Round(time.Millisecond))
	})
}
