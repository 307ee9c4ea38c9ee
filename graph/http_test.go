package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"sessiongraph/internal/agnotest"
	"sessiongraph/models"
)

// exchange is one HTTP request to the handler and its response.
type exchange struct {
	status int
	header http.Header
	body   []byte
}

// codes returns the extensions.code of each error in the body.
func (x exchange) codes(t *testing.T) []string {
	t.Helper()
	var resp gqlResponse
	if err := json.Unmarshal(x.body, &resp); err != nil {
		t.Fatalf("body is not a GraphQL response (%d): %s", x.status, x.body)
	}
	return resp.codes()
}

func send(h http.Handler, method, target string, body io.Reader, headers map[string]string) exchange {
	req := httptest.NewRequest(method, target, body)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return exchange{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

func getQuery(h http.Handler, q string, extra url.Values) exchange {
	v := url.Values{"query": {q}}
	for k, x := range extra {
		v[k] = x
	}
	return send(h, http.MethodGet, "/graphql?"+v.Encode(), nil, map[string]string{"Accept": "application/json"})
}

func postJSON(h http.Handler, body string, accept string) exchange {
	headers := map[string]string{"Content-Type": "application/json"}
	if accept != "" {
		headers["Accept"] = accept
	}
	return send(h, http.MethodPost, "/graphql", strings.NewReader(body), headers)
}

func is4xx(status int) bool { return status >= 400 && status < 500 }

func TestHTTPTransport(t *testing.T) {
	bs := fixtureBackends(t)
	h := bs[0].h // the transport does not depend on the backend
	t.Run("GET runs a query", func(t *testing.T) {
		x := getQuery(h, `{ session(sessionId: "s-100") { name } }`, nil)
		if x.status != http.StatusOK {
			t.Fatalf("status %d: %s", x.status, x.body)
		}
		wantEqual(t, "body", decodeAny(t, x.body), map[string]any{"data": map[string]any{"session": map[string]any{"name": "Order 981 help"}}})
	})
	t.Run("GET runs a query with variables and an operation name", func(t *testing.T) {
		x := getQuery(h, `query A($s: String!) { session(sessionId: $s) { name } } query B { databases { id } }`,
			url.Values{"variables": {`{"s": "s-200"}`}, "operationName": {"A"}})
		if x.status != http.StatusOK {
			t.Fatalf("status %d: %s", x.status, x.body)
		}
		wantEqual(t, "body", decodeAny(t, x.body), map[string]any{"data": map[string]any{"session": map[string]any{"name": "What's new in Go?"}}})
	})
	t.Run("GET runs a query whose text mentions mutation", func(t *testing.T) {
		x := getQuery(h, `query mutationFree { databases { id } }`, nil)
		if x.status != http.StatusOK {
			t.Fatalf("status %d: %s", x.status, x.body)
		}
	})
	mutations := []struct {
		name string
		q    string
		op   string
	}{
		{"GET with a mutation is refused with 405 and Allow: POST", `mutation { deleteSession(input: {sessionId: "s-100"}) { deletedSessionId } }`, ""},
		{"GET with a named mutation selected by operationName is refused", `query Q { databases { id } } mutation M { deleteSession(input: {sessionId: "s-100"}) { deletedSessionId } }`, "M"},
		{"GET with a mutation after a comment is refused", "# harmless\nmutation { deleteSessions(input: {sessionIds: [\"s-100\"]}) { deletedSessionIds } }", ""},
	}
	for _, c := range mutations {
		t.Run(c.name, func(t *testing.T) {
			extra := url.Values{}
			if c.op != "" {
				extra.Set("operationName", c.op)
			}
			x := getQuery(h, c.q, extra)
			if x.status != http.StatusMethodNotAllowed || !slices.Equal(x.codes(t), []string{"METHOD_NOT_ALLOWED"}) {
				t.Errorf("status %d, want 405 METHOD_NOT_ALLOWED: %s", x.status, x.body)
			}
			if allow := x.header.Get("Allow"); allow != "POST" {
				t.Errorf("Allow = %q, want POST", allow)
			}
			data := mustQuery(t, h, `{ session(sessionId: "s-100") { sessionId } }`, nil)
			if data["session"] == nil {
				t.Fatalf("the mutation ran: s-100 is gone")
			}
		})
	}
	t.Run("GET with a query named like a mutation next to a mutation runs the query", func(t *testing.T) {
		x := getQuery(h, `query Q { databases { id } } mutation M { deleteSession(input: {sessionId: "s-100"}) { deletedSessionId } }`,
			url.Values{"operationName": {"Q"}})
		if x.status != http.StatusOK {
			t.Errorf("status %d, want 200: %s", x.status, x.body)
		}
	})
	t.Run("GET with variables that are not a JSON object is 400 BAD_USER_INPUT", func(t *testing.T) {
		x := getQuery(h, `query($s: String!) { session(sessionId: $s) { name } }`, url.Values{"variables": {`["s-100"]`}})
		if x.status != http.StatusBadRequest || !slices.Equal(x.codes(t), []string{"BAD_USER_INPUT"}) {
			t.Errorf("status %d: %s", x.status, x.body)
		}
	})
	for _, method := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch} {
		t.Run(method+" is 405 METHOD_NOT_ALLOWED with Allow", func(t *testing.T) {
			x := send(h, method, "/graphql", strings.NewReader(`{"query": "{ databases { id } }"}`), map[string]string{"Content-Type": "application/json"})
			if x.status != http.StatusMethodNotAllowed || !slices.Equal(x.codes(t), []string{"METHOD_NOT_ALLOWED"}) || x.header.Get("Allow") != "GET, POST, OPTIONS" {
				t.Errorf("status %d, Allow %q: %s", x.status, x.header.Get("Allow"), x.body)
			}
		})
	}
	malformed := []struct {
		name, contentType, body string
	}{
		{"POST with malformed JSON is 4xx", "application/json", `{"query": "{ databases { id } }"`},
		{"POST with a JSON array is 4xx", "application/json", `[{"query": "{ databases { id } }"}]`},
		{"POST without a query is 4xx", "application/json", `{"variables": {}}`},
		{"POST with variables that are not an object is 4xx", "application/json", `{"query": "{ databases { id } }", "variables": [1]}`},
		{"POST with a form body is 4xx", "application/x-www-form-urlencoded", `query=%7B+databases+%7B+id+%7D+%7D`},
		{"POST with a text body is 4xx", "text/plain", `{"query": "{ databases { id } }"}`},
	}
	for _, c := range malformed {
		t.Run(c.name, func(t *testing.T) {
			x := send(h, http.MethodPost, "/graphql", strings.NewReader(c.body), map[string]string{"Content-Type": c.contentType})
			if codes := x.codes(t); !is4xx(x.status) || len(codes) == 0 || codes[0] == "" {
				t.Errorf("status %d, want 4xx with a code: %s", x.status, x.body)
			}
		})
	}
	t.Run("a body over 1 MiB with Content-Length is 413", func(t *testing.T) {
		body := `{"query": "{ databases { id } }` + strings.Repeat(" ", 1<<20) + `"}`
		x := postJSON(h, body, "")
		if x.status != http.StatusRequestEntityTooLarge || !slices.Equal(x.codes(t), []string{"REQUEST_TOO_LARGE"}) {
			t.Errorf("status %d, want 413 REQUEST_TOO_LARGE: %s", x.status, x.body)
		}
	})
	t.Run("a chunked body over 1 MiB is 413", func(t *testing.T) {
		body := `{"query": "{ databases { id } }` + strings.Repeat(" ", 1<<20) + `"}`
		req := httptest.NewRequest(http.MethodPost, "/graphql", io.MultiReader(strings.NewReader(body)))
		req.ContentLength = -1
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d, want 413: %.200s", rec.Code, rec.Body.String())
		}
	})
	t.Run("a body just under 1 MiB is accepted", func(t *testing.T) {
		body := `{"query": "{ databases { id } }` + strings.Repeat(" ", 1<<20-100) + `"}`
		x := postJSON(h, body, "")
		if x.status != http.StatusOK {
			t.Errorf("status %d, want 200: %.200s", x.status, x.body)
		}
	})
	t.Run("POST with a charset in Content-Type runs the query", func(t *testing.T) {
		x := send(h, http.MethodPost, "/graphql", strings.NewReader(`{"query": "{ databases { id } }"}`),
			map[string]string{"Content-Type": "application/json; charset=utf-8"})
		if x.status != http.StatusOK {
			t.Errorf("status %d: %s", x.status, x.body)
		}
	})
	t.Run("introspection answers, as GraphiQL needs it", func(t *testing.T) {
		data := mustQuery(t, h, `{ __schema { queryType { name } mutationType { name } } }`, nil)
		wantEqual(t, "schema", data["__schema"], map[string]any{"queryType": map[string]any{"name": "Query"}, "mutationType": map[string]any{"name": "Mutation"}})
	})
	contentTypes := []struct{ accept, want string }{
		{"application/graphql-response+json", "application/graphql-response+json"},
		{"application/json", "application/json"},
		{"application/graphql-response+json, application/json;q=0.9", "application/graphql-response+json"},
	}
	for _, c := range contentTypes {
		t.Run("Accept: "+c.accept+" gets "+c.want, func(t *testing.T) {
			x := postJSON(h, `{"query": "{ databases { id } }"}`, c.accept)
			if x.status != http.StatusOK {
				t.Fatalf("status %d: %s", x.status, x.body)
			}
			if ct := x.header.Get("Content-Type"); !strings.HasPrefix(ct, c.want) {
				t.Errorf("Content-Type = %q, want %s", ct, c.want)
			}
		})
	}
	requestErrors := []struct {
		name, query, code string
	}{
		{"a syntax error is 4xx with GRAPHQL_PARSE_FAILED", `{ sessions { `, "GRAPHQL_PARSE_FAILED"},
		{"an unknown field is 4xx with GRAPHQL_VALIDATION_FAILED", `{ sessions { nodes { nope } } }`, "GRAPHQL_VALIDATION_FAILED"},
		{"an unknown argument is 4xx with GRAPHQL_VALIDATION_FAILED", `{ sessions(limit: 3) { totalCount } }`, "GRAPHQL_VALIDATION_FAILED"},
	}
	for _, c := range requestErrors {
		for _, accept := range []string{"application/graphql-response+json", "application/json"} {
			t.Run(c.name+" for Accept "+accept, func(t *testing.T) {
				body, _ := json.Marshal(map[string]any{"query": c.query})
				x := postJSON(h, string(body), accept)
				if !is4xx(x.status) {
					t.Errorf("status %d, want 4xx", x.status)
				}
				if codes := x.codes(t); len(codes) == 0 || codes[0] != c.code {
					t.Errorf("codes %v, want %s", codes, c.code)
				}
			})
		}
		t.Run(c.name+" over GET", func(t *testing.T) {
			x := getQuery(h, c.query, nil)
			if !is4xx(x.status) {
				t.Errorf("status %d, want 4xx", x.status)
			}
			if codes := x.codes(t); len(codes) == 0 || codes[0] != c.code {
				t.Errorf("codes %v, want %s", codes, c.code)
			}
		})
	}
	t.Run("a field error of an executed query is 200 with data", func(t *testing.T) {
		x := postJSON(h, `{"query": "{ runs(sessionId: \"nope\") { totalCount } databases { id } }"}`, "application/graphql-response+json")
		if x.status != http.StatusOK {
			t.Errorf("status %d, want 200: %s", x.status, x.body)
		}
		wantEqual(t, "codes", x.codes(t), []string{"NOT_FOUND"})
	})
}

func TestComplexityLimit(t *testing.T) {
	bs := fixtureBackends(t)
	h := bs[0].h
	t.Run("sessions(first: 100) with 30 scalar fields and runs(first: 10) with messages is accepted", func(t *testing.T) {
		fields := strings.Fields(`id sessionId type name nameIsDerived userId componentId state data metadata totalTokens createdAt updatedAt`)
		var sel []string
		for i := range 30 {
			sel = append(sel, fmt.Sprintf("f%d: %s", i, fields[i%len(fields)]))
		}
		q := `{ sessions(first: 100) { nodes { ` + strings.Join(sel, " ") + ` runs(first: 10) { nodes { messages { role content } } } } } }`
		body, _ := json.Marshal(map[string]any{"query": q})
		x := postJSON(h, string(body), "application/json")
		if x.status != http.StatusOK {
			t.Fatalf("status %d: %.300s", x.status, x.body)
		}
		var resp gqlResponse
		if err := json.Unmarshal(x.body, &resp); err != nil {
			t.Fatal(err)
		}
		wantCodes(t, resp)
		if n := len(listAt(t, decodeAny(t, resp.Data), "sessions", "nodes")); n != len(fixtureRows(t)) {
			t.Errorf("%d sessions, want %d", n, len(fixtureRows(t)))
		}
	})
	t.Run("500 aliased sessions(first: 100) are 4xx with COMPLEXITY_LIMIT_EXCEEDED", func(t *testing.T) {
		var b bytes.Buffer
		b.WriteString("{")
		for i := range 500 {
			fmt.Fprintf(&b, " s%d: sessions(first: 100) { totalCount }", i)
		}
		b.WriteString(" }")
		body, _ := json.Marshal(map[string]any{"query": b.String()})
		x := postJSON(h, string(body), "application/json")
		if !is4xx(x.status) {
			t.Errorf("status %d, want 4xx", x.status)
		}
		wantEqual(t, "codes", x.codes(t), []string{"COMPLEXITY_LIMIT_EXCEEDED"})
	})
}

// TestGqlgenCodesAreListedInModels: the codes gqlgen sets itself are the
// ones models.Codes lists, so that metrics label them and the docs name them.
func TestGqlgenCodesAreListedInModels(t *testing.T) {
	h := newHandler(agnotest.OpenSQLite(t))
	unknownHash := `{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "` + strings.Repeat("ab", 32) + `"}}}`
	deep := `{"query": "{ a: sessions(first: 100) { nodes { runs(first: 100) { nodes { messages { content } } } } } }"}`
	for _, c := range []struct {
		name, body string
		want       models.Code
	}{
		{"a document that does not parse", `{"query": "{"}`, models.GraphQLParseFailed},
		{"a document that does not validate", `{"query": "{ nope }"}`, models.GraphQLValidationFailed},
		{"an operation that costs too much", deep, models.ComplexityLimitExceeded},
		{"an unknown persisted query", unknownHash, models.PersistedQueryNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			if codes := postJSON(h, c.body, "").codes(t); !slices.Equal(codes, []string{string(c.want)}) {
				t.Errorf("codes %v, want %s", codes, c.want)
			}
		})
	}
}
