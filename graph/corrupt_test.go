package graph_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"sessiongraph/internal/agnotest"
)

// everything selects every session field, nested runs included.
const everything = `{ sessions(first: 20) { totalCount nodes {
	id sessionId type name nameIsDerived userId componentId state data metadata totalTokens createdAt updatedAt
	metrics { inputTokens totalTokens cost raw }
	runs(first: 5) { totalCount pageInfo { hasNextPage } nodes {
		__typename id runId sessionId parentRunId userId status input inputRaw content contentType model createdAt raw
		metrics { totalTokens durationSeconds raw }
		messages { id role content fromHistory toolCalls { name } metrics { totalTokens } }
		tools { toolName childRunId } events
		... on TeamRun { memberRuns { runId } }
		... on WorkflowRun { steps { stepName } stepRuns { runId } }
	} }
	chatHistory { id role content }
	... on AgentSession { agentId agent { name model { id } raw } summary { summary topics updatedAt } }
	... on TeamSession { teamId team { name raw } summary { summary topics } }
	... on WorkflowSession { workflowId workflow { name steps { name } raw } }
} } }`

func TestCorruptRows(t *testing.T) {
	bs := fixtureBackends(t) // this test writes
	eachBackend(t, bs, func(t *testing.T, b servedBackend) {
		clean := query(t, b.h, everything, nil)
		cleanNodes := map[string]any{}
		for _, n := range listAt(t, decodeAny(t, clean.Data), "sessions", "nodes") {
			cleanNodes[jsonAt(n, "sessionId").(string)] = n
		}
		agnotest.InsertCorrupt(t, b.store)
		resp := query(t, b.h, everything, nil)
		data := decodeAny(t, resp.Data)
		nodes := listAt(t, data, "sessions", "nodes")
		index := map[string]int{}
		for i, n := range nodes {
			index[jsonAt(n, "sessionId").(string)] = i
		}
		node := func(id string) map[string]any {
			n, _ := nodes[index[id]].(map[string]any)
			return n
		}
		errorPaths := map[string]bool{}
		for _, e := range resp.Errors {
			errorPaths[pathText(e.Path)] = true
		}
		at := func(id string, rest ...string) string {
			return strings.Join(append([]string{"sessions", "nodes", strconv.Itoa(index[id])}, rest...), ".")
		}

		t.Run("a query selecting everything still returns every row", func(t *testing.T) {
			wantEqual(t, "totalCount", jsonAt(data, "sessions", "totalCount"), len(fixtureRows(t))+2)
			wantEqual(t, "sessions", sortedCopy(stringsAt(t, data, "sessionId", "sessions", "nodes")),
				sortedCopy(append(mapKeys(cleanNodes), "x-broken-1", "x-broken-2")))
		})
		t.Run("every error is DATA_CORRUPT at a field of a corrupt value", func(t *testing.T) {
			allowed := []string{
				at("x-broken-1", "data"), at("x-broken-1", "state"), at("x-broken-1", "metadata"), at("x-broken-1", "metrics"),
				at("x-broken-1", "totalTokens"), at("x-broken-1", "runs"), at("x-broken-1", "chatHistory"),
				at("x-broken-2", "runs"), at("x-broken-2", "runs", "nodes", "0", "messages"), at("x-broken-2", "chatHistory"),
				at("s-103", "runs", "nodes", "1", "status"), // r-c2's status THINKING
			}
			for _, e := range resp.Errors {
				code, _ := e.Extensions["code"].(string)
				if code != "DATA_CORRUPT" || !slices.Contains(allowed, pathText(e.Path)) {
					t.Errorf("unexpected error %s at %s: %s", code, pathText(e.Path), e.Message)
				}
			}
		})
		t.Run("x-broken-1 reports an error at each field exposing a corrupt column", func(t *testing.T) {
			for _, p := range []string{at("x-broken-1", "data"), at("x-broken-1", "state"), at("x-broken-1", "metadata"), at("x-broken-1", "runs")} {
				if !errorPaths[p] {
					t.Errorf("no error at %s; errors at %v", p, mapKeys(errorPaths))
				}
			}
		})
		t.Run("x-broken-1 resolves its corrupt columns to null or empty and everything else normally", func(t *testing.T) {
			n := node("x-broken-1")
			got := map[string]any{}
			for _, k := range []string{"sessionId", "type", "name", "nameIsDerived", "userId", "componentId", "state", "data", "metadata", "totalTokens", "metrics", "createdAt", "updatedAt", "chatHistory", "agentId"} {
				got[k] = n[k]
			}
			wantEqual(t, "x-broken-1", got, map[string]any{
				"sessionId": "x-broken-1", "type": "AGENT", "name": "", "nameIsDerived": true, "userId": "u-x", "componentId": "broken-agent",
				"state": nil, "data": nil, "metadata": nil, "totalTokens": nil, "metrics": nil,
				"createdAt": rfc3339(1757000000), "updatedAt": rfc3339(1757000000), "chatHistory": []any{}, "agentId": "broken-agent"})
			wantEqual(t, "runs", jsonAt(n, "runs", "nodes"), []any{})
		})
		t.Run("x-broken-2 skips the non-object run with an error and keeps r-x2 with empty messages", func(t *testing.T) {
			n := node("x-broken-2")
			wantEqual(t, "name", n["name"], "ok name")
			wantEqual(t, "nameIsDerived", n["nameIsDerived"], false)
			wantEqual(t, "metadata", n["metadata"], map[string]any{"fine": true})
			wantEqual(t, "data", n["data"], map[string]any{"session_name": "ok name"})
			wantEqual(t, "runs", stringsAt(t, n, "runId", "runs", "nodes"), []string{"r-x2"})
			wantEqual(t, "r-x2 status", jsonAt(n, "runs", "nodes", 0, "status"), "COMPLETED")
			wantEqual(t, "r-x2 createdAt", jsonAt(n, "runs", "nodes", 0, "createdAt"), rfc3339(1757000001))
			wantEqual(t, "r-x2 messages", jsonAt(n, "runs", "nodes", 0, "messages"), []any{})
			for _, p := range []string{at("x-broken-2", "runs"), at("x-broken-2", "runs", "nodes", "0", "messages")} {
				if !errorPaths[p] {
					t.Errorf("no error at %s; errors at %v", p, mapKeys(errorPaths))
				}
			}
		})
		t.Run("the other rows read exactly as without the corrupt rows", func(t *testing.T) {
			for id, want := range cleanNodes {
				wantEqual(t, id, node(id), want)
			}
		})
		t.Run("one corrupt session read alone reports its errors at its own paths", func(t *testing.T) {
			resp := query(t, b.h, `{ session(sessionId: "x-broken-1") { sessionId name data state metadata runs { nodes { runId } } } }`, nil)
			got := map[string]string{}
			for _, e := range resp.Errors {
				got[pathText(e.Path)], _ = e.Extensions["code"].(string)
			}
			wantEqual(t, "errors", got, map[string]string{"session.data": "DATA_CORRUPT", "session.state": "DATA_CORRUPT",
				"session.metadata": "DATA_CORRUPT", "session.runs": "DATA_CORRUPT"})
			wantEqual(t, "data", decodeAny(t, resp.Data), map[string]any{"session": map[string]any{
				"sessionId": "x-broken-1", "name": "", "data": nil, "state": nil, "metadata": nil, "runs": map[string]any{"nodes": []any{}}}})
		})
		t.Run("a run with corrupt messages is found with its messages empty", func(t *testing.T) {
			resp := query(t, b.h, `{ run(sessionId: "x-broken-2", runId: "r-x2") { runId status messages { id } } }`, nil)
			wantCodes(t, resp, "DATA_CORRUPT")
			if len(resp.Errors) == 1 {
				wantEqual(t, "error path", resp.Errors[0].Path, []any{"run", "messages"})
			}
			wantEqual(t, "data", decodeAny(t, resp.Data), map[string]any{"run": map[string]any{"runId": "r-x2", "status": "COMPLETED", "messages": []any{}}})
		})
		t.Run("filters and orders on the name still work with corrupt rows present", func(t *testing.T) {
			data := mustQuery(t, b.h, `{
				a: sessions(filter: {nameContains: "OK NAME"}) { totalCount nodes { sessionId } }
				b: sessions(first: 100, orderBy: {field: NAME, direction: ASC}) { nodes { sessionId } }
			}`, nil)
			wantEqual(t, "nameContains", stringsAt(t, data, "sessionId", "a", "nodes"), []string{"x-broken-2"})
			byName := stringsAt(t, data, "sessionId", "b", "nodes")
			// x-broken-1 has no readable name (""): last of the nameless rows on the sessionId tie-break,
			// just before "alpha 1000 done"; "ok name" sorts between "legacy row" and "order 981 help".
			for id, neighbours := range map[string][2]string{"x-broken-1": {"s-302", "s-401"}, "x-broken-2": {"s-500", "s-100"}} {
				if i := slices.Index(byName, id); i < 1 || i+1 >= len(byName) || byName[i-1] != neighbours[0] || byName[i+1] != neighbours[1] {
					t.Errorf("%s is not between %s and %s by name: %v", id, neighbours[0], neighbours[1], byName)
				}
			}
		})
		t.Run("node fetches a corrupt session", func(t *testing.T) {
			id := node("x-broken-1")["id"]
			resp := query(t, b.h, `query($id: ID!) { node(id: $id) { ... on Session { sessionId name } } }`, map[string]any{"id": id})
			wantCodes(t, resp)
			wantEqual(t, "node", decodeAny(t, resp.Data), map[string]any{"node": map[string]any{"sessionId": "x-broken-1", "name": ""}})
		})
		t.Run("renaming a session with readable session_data next to corrupt columns works", func(t *testing.T) {
			data := mustQuery(t, b.h, renameMutation, map[string]any{"in": map[string]any{"sessionId": "x-broken-2", "name": "Fixed"}})
			wantEqual(t, "name", jsonAt(data, "renameSession", "session", "name"), "Fixed")
			wantEqual(t, "data", jsonAt(data, "renameSession", "session", "data"), map[string]any{"session_name": "Fixed"})
		})
		t.Run("renaming a session whose session_data is corrupt is a client-visible error, not INTERNAL", func(t *testing.T) {
			resp := query(t, b.h, renameMutation, map[string]any{"in": map[string]any{"sessionId": "x-broken-1", "name": "Fixed"}})
			for _, c := range resp.codes() {
				if c == "INTERNAL" {
					t.Errorf("renaming x-broken-1 failed with INTERNAL: %+v", resp.Errors)
				}
			}
		})
		t.Run("deleting corrupt sessions works", func(t *testing.T) {
			data := mustQuery(t, b.h, deleteMany, map[string]any{"in": map[string]any{"sessionIds": []string{"x-broken-1", "x-broken-2"}}})
			wantEqual(t, "deleted", jsonAt(data, "deleteSessions", "deletedSessionIds"), []any{"x-broken-1", "x-broken-2"})
		})
	})
}

func mapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
