package graph_test

import (
	"net/http"
	"reflect"
	"testing"
)

// agreementCase is a query whose answer must be the same on every backend.
// With pages > 1 it is run again with $after set to the previous answer's
// sessions.pageInfo.endCursor, so that cursors made by one page feed the next.
type agreementCase struct {
	name  string
	q     string
	vars  map[string]any
	pages int
}

const allScalars = `id sessionId type name nameIsDerived userId componentId state data metadata totalTokens createdAt updatedAt`

var agreementCases = []agreementCase{
	{name: "the default listing with every scalar field and cursors agrees",
		q: `{ sessions(first: 100) { totalCount edges { cursor node { ` + allScalars + ` } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`},
	{name: "a type filter ordered by NAME ASC agrees",
		q: `{ sessions(first: 100, filter: {type: TEAM}, orderBy: {field: NAME, direction: ASC}) { totalCount nodes { sessionId name } } }`},
	{name: "a componentId filter without type agrees",
		q: `{ sessions(first: 100, filter: {componentId: "notes"}, orderBy: {field: UPDATED_AT, direction: ASC}) { totalCount edges { cursor node { sessionId updatedAt } } } }`},
	{name: "nameContains with % and _ agrees",
		q: `{ a: sessions(filter: {nameContains: "%"}) { totalCount nodes { sessionId } }
			b: sessions(filter: {nameContains: "_1"}) { totalCount nodes { sessionId } }
			c: sessions(filter: {nameContains: "ALPHA"}) { totalCount nodes { sessionId } }
			d: sessions(filter: {nameContains: "日本"}) { totalCount nodes { sessionId } } }`},
	{name: "created and updated windows with userId agree",
		q: `{ a: sessions(filter: {createdAfter: "2025-09-08T16:30:00Z", createdBefore: "2025-09-11T14:13:20Z"}, orderBy: {field: UPDATED_AT, direction: DESC}) { totalCount nodes { sessionId } }
			b: sessions(filter: {updatedAfter: "2025-09-11T14:13:20+00:00", userId: "u-9"}) { totalCount nodes { sessionId updatedAt } } }`},
	{name: "walking NAME DESC three at a time agrees", pages: 5,
		q: `query($after: String) { sessions(first: 3, after: $after, orderBy: {field: NAME, direction: DESC}) { edges { cursor node { sessionId name } } pageInfo { hasNextPage endCursor } } }`},
	{name: "walking CREATED_AT ASC four at a time agrees", pages: 4,
		q: `query($after: String) { sessions(first: 4, after: $after, orderBy: {field: CREATED_AT, direction: ASC}) { edges { cursor node { sessionId } } pageInfo { hasNextPage endCursor } } }`},
	{name: "the last page by UPDATED_AT agrees",
		q: `{ sessions(last: 3, orderBy: {field: UPDATED_AT, direction: ASC}) { edges { cursor node { sessionId } } pageInfo { hasPreviousPage startCursor } } }`},
	{name: "an agent session with runs, messages, tool calls, tools and events agrees",
		q: `{ session(sessionId: "s-100") { ` + sessionDetail + ` chatHistory { id role content }
			runs { totalCount edges { cursor node { __typename id runId status input inputRaw content raw createdAt
				metrics { inputTokens outputTokens totalTokens durationSeconds timeToFirstTokenSeconds raw }
				messages { id role content toolCallId toolName toolArgs fromHistory createdAt raw toolCalls { id type name arguments } metrics { totalTokens durationSeconds } }
				tools { toolCallId toolName toolArgs result error childRunId durationSeconds createdAt } events } } } } }`},
	{name: "a team session with member runs and delegation agrees",
		q: `{ session(sessionId: "s-200") { ` + sessionDetail + ` name chatHistory { id }
			all: runs { nodes { __typename id runId parentRunId input
				... on TeamRun { teamId teamName memberRuns { __typename id runId input content messages { id content } } tools { childRunId toolArgs } } } }
			top: runs(filter: {topLevel: true}) { totalCount nodes { runId } }
			members: runs(filter: {topLevel: false}) { totalCount nodes { runId } } } }`},
	{name: "workflow sessions with steps and step runs agree",
		q: `{ a: session(sessionId: "s-300") { ` + sessionDetail + ` name runs { nodes { __typename id input ... on WorkflowRun { workflowName
				steps { stepName stepId stepType executorType executorName content success error metrics { totalTokens raw } }
				stepRuns { __typename id runId parentRunId input messages { id content } } } } } }
			b: session(sessionId: "s-301") { name runs { nodes { input inputRaw } } }
			c: session(sessionId: "s-302") { name runs { nodes { input ... on WorkflowRun { stepRuns { id input } } } } } }`},
	{name: "nested runs found by run agree",
		q: `{ a: run(sessionId: "s-200", runId: "r-m2") { __typename id runId parentRunId input raw }
			b: run(sessionId: "s-300", runId: "r-s1") { __typename id runId parentRunId input raw }
			c: run(sessionId: "s-302", runId: "r-s3") { __typename id input } }`},
	{name: "root runs with filters agree",
		q: `{ a: runs(sessionId: "s-103", filter: {status: [COMPLETED, PAUSED, CANCELLED]}) { totalCount edges { cursor node { runId status input } } }
			b: runs(sessionId: "s-103", filter: {createdAfter: "2025-09-08T22:20:20Z"}, last: 2) { totalCount nodes { runId input } pageInfo { hasPreviousPage } } }`},
	{name: "a run with a status outside the enum agrees, errors included",
		q: `{ session(sessionId: "s-103") { name metadata runs { nodes { runId status input content contentType } } } }`},
	{name: "names, inputs and chat histories of every session agree",
		q: `{ sessions(first: 20) { nodes { sessionId name nameIsDerived chatHistory { id role } runs(first: 5) { nodes { runId input } } } } }`},
}

func TestBackendsAgree(t *testing.T) {
	bs := fixtureBackends(t)
	type answer struct {
		Data   any
		Errors []string
	}
	ask := func(t *testing.T, h http.Handler, c agreementCase) []answer {
		var out []answer
		vars := map[string]any{}
		for k, v := range c.vars {
			vars[k] = v
		}
		for range max(c.pages, 1) {
			resp := query(t, h, c.q, vars)
			a := answer{Data: decodeAny(t, resp.Data)}
			for _, e := range resp.Errors {
				code, _ := e.Extensions["code"].(string)
				a.Errors = append(a.Errors, code+" at "+pathText(e.Path))
			}
			out = append(out, a)
			vars["after"] = jsonAt(a.Data, "sessions", "pageInfo", "endCursor")
		}
		return out
	}
	// Ids as the first backend makes them; the others must make and accept the same.
	ids := mustQuery(t, bs[0].h, `{
		a: session(sessionId: "s-100") { id } b: run(sessionId: "s-200", runId: "r-t1") { id }
		c: run(sessionId: "s-200", runId: "r-m2") { id } d: session(sessionId: "s-300") { id }
		e: run(sessionId: "s-300", runId: "r-s1") { id } }`, nil)
	cases := append(agreementCases, agreementCase{
		name: "node and nodes on session and run ids agree",
		q: `query($ids: [ID!]!, $id: ID!) { a: nodes(ids: $ids) { __typename id ... on Run { runId input } }
			b: node(id: $id) { __typename id ... on Session { sessionId name } } }`,
		vars: map[string]any{"id": jsonAt(ids, "d", "id"),
			"ids": []any{jsonAt(ids, "a", "id"), jsonAt(ids, "b", "id"), "Zm9v", jsonAt(ids, "c", "id"), jsonAt(ids, "e", "id")}},
	})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := ask(t, bs[0].h, c)
			for _, a := range want {
				if a.Data == nil {
					t.Fatalf("%s answers no data: %v", bs[0].name, a.Errors)
				}
			}
			for _, b := range bs[1:] {
				got := ask(t, b.h, c)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s and %s disagree:\n%s: %s\n%s: %s", b.name, bs[0].name, b.name, jsonText(got), bs[0].name, jsonText(want))
				}
			}
		})
	}
}
