package graph_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"sessiongraph/db"
	"sessiongraph/graph"
	"sessiongraph/httpserver"
	"sessiongraph/internal/agnotest"
)

// TestPOSTTransportMatchesGqlgen sends the same requests to the handler and
// to one serving POST with gqlgen's own transport.POST: every answer must
// have the same status and Content-Type, and a body that is valid JSON with
// the same value. The requests cover data, partial errors (corrupt rows),
// mutations, refusals before execution, and both response media types.
func TestPOSTTransportMatchesGqlgen(t *testing.T) {
	bs := fixtureBackends(t) // this test writes
	eachBackend(t, bs, func(t *testing.T, b servedBackend) {
		agnotest.InsertCorrupt(t, b.store)
		ours := agnotest.Serve(graph.Options{}, httpserver.Options{}, b.store)
		reference := graph.NewServer(&graph.Resolver{Stores: []*db.Store{b.store}}, graph.Options{})
		reference.AddTransport(transport.POST{})
		gqlgens := httpserver.New(httpserver.Options{}).Wrap(reference)
		id := fixtureRows(t)[0].SessionID
		// A name the final json.Marshal of gqlgen escapes (\u003c, \u0026, \u2028): the same string either way.
		rename := `mutation($id: String!) { renameSession(input: {sessionId: $id, name: "<b>Tom & Jerry</b>\u2028"}) { session { name } } }`
		requests := []struct {
			name, query, accept string
			vars                map[string]any
		}{
			{"rename", rename, "", map[string]any{"id": id}},
			{"everything, with corrupt rows", everything, "", nil},
			{"everything as graphql-response+json", everything, "application/graphql-response+json", nil},
			{"the renamed session", `query($id: String!) { session(sessionId: $id) { name runs { nodes { raw messages { raw } } } } }`, "", map[string]any{"id": id}},
			{"no such session", `{ session(sessionId: "no such session") { name } }`, "", nil},
			{"one error in execution", rename, "", map[string]any{"id": "no such session"}},
			{"bad argument", `{ sessions(first: 1000) { totalCount } }`, "", nil},
			{"bad argument as graphql-response+json", `{ sessions(first: 1000) { totalCount } }`, "application/graphql-response+json, application/json;q=0.9", nil},
			{"validation error", `{ sessions { nope } }`, "", nil},
			{"syntax error", `{ sessions {`, "application/graphql-response+json", nil},
			{"missing variable", `query($id: String!) { session(sessionId: $id) { name } }`, "", nil},
			{"unknown media type", `{ sessions(first: 1) { totalCount } }`, "text/html", nil},
			{"introspection", `{ __schema { queryType { name } } }`, "*/*", nil},
		}
		for _, r := range requests {
			t.Run(r.name, func(t *testing.T) {
				body, err := json.Marshal(map[string]any{"query": r.query, "variables": r.vars})
				if err != nil {
					t.Fatal(err)
				}
				got, want := postRaw(ours, body, r.accept), postRaw(gqlgens, body, r.accept)
				if got.Code != want.Code {
					t.Errorf("status %d, gqlgen's transport %d", got.Code, want.Code)
				}
				if g, w := got.Header().Get("Content-Type"), want.Header().Get("Content-Type"); g != w {
					t.Errorf("Content-Type %q, gqlgen's transport %q", g, w)
				}
				// Every answer is written whole, with its length.
				if cl := got.Header().Get("Content-Length"); cl != strconv.Itoa(got.Body.Len()) {
					t.Errorf("Content-Length %q for a body of %d bytes (status %d)", cl, got.Body.Len(), got.Code)
				}
				if !json.Valid(got.Body.Bytes()) {
					t.Fatalf("not valid JSON: %.300s", got.Body.Bytes())
				}
				g, w := decodeAny(t, got.Body.Bytes()), decodeAny(t, want.Body.Bytes())
				wantEqual(t, "body", sortErrors(g), sortErrors(w))
			})
		}
	})
}

// sortErrors orders the errors of a decoded answer by their JSON text. The
// order is the executor's, not the transport's, and gqlgen's own executor
// (internal/gqlgen with its passes off) marshals a list's elements
// concurrently, so the errors of two executions come in different orders.
func sortErrors(answer any) any {
	if m, ok := answer.(map[string]any); ok {
		if errs, ok := m["errors"].([]any); ok {
			slices.SortFunc(errs, func(a, b any) int { return strings.Compare(jsonText(a), jsonText(b)) })
		}
	}
	return answer
}

func postRaw(h http.Handler, body []byte, accept string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestDeferOverPOST: POST answers with one response, so a fragment marked
// @defer is resolved in it, never left null with "hasNext": true and an
// incremental payload that plain POST cannot deliver.
func TestDeferOverPOST(t *testing.T) {
	eachBackend(t, fixtureBackends(t), func(t *testing.T, b servedBackend) {
		body, _ := json.Marshal(map[string]any{"query": `{ sessions(first: 3) { nodes { sessionId ... @defer(label: "tree") { name runs(first: 1) { nodes { runId } } } } } }`})
		rec := postRaw(b.h, body, "")
		got := decodeAny(t, rec.Body.Bytes()).(map[string]any)
		if _, ok := got["hasNext"]; ok || got["errors"] != nil {
			t.Fatalf("got %s", rec.Body.Bytes())
		}
		nodes := listAt(t, got["data"], "sessions", "nodes")
		if len(nodes) == 0 {
			t.Fatal("no sessions")
		}
		for _, n := range nodes {
			if runs, _ := n.(map[string]any)["runs"].(map[string]any); runs == nil || n.(map[string]any)["name"] == nil {
				t.Errorf("deferred fields missing: %v", n)
			}
		}
	})
}
