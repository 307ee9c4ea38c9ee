package graph_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"sessiongraph/auth"
	"sessiongraph/models"
)

const renameMutation = `mutation($in: RenameSessionInput!) {
	renameSession(input: $in) { clientMutationId session { __typename sessionId name nameIsDerived createdAt updatedAt data state } }
}`

// sessionSnapshot reads everything about a session, runs included, to compare before and after a write.
func sessionSnapshot(t *testing.T, h http.Handler, id string) map[string]any {
	t.Helper()
	data := mustQuery(t, h, `query($s: String!) { session(sessionId: $s) { name nameIsDerived `+sessionDetail+`
		runs { totalCount nodes { runId raw } } chatHistory { id } } }`, map[string]any{"s": id})
	s, _ := data["session"].(map[string]any)
	return s
}

// without returns a copy of m without keys.
func without(m map[string]any, keys ...string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

// wantAboutNow fails unless the DateTime s is within a second of [from, to].
func wantAboutNow(t *testing.T, what string, s any, from, to time.Time) {
	t.Helper()
	str, _ := s.(string)
	got, err := time.Parse(time.RFC3339, str)
	if err != nil {
		t.Fatalf("%s = %v: %v", what, s, err)
	}
	if got.Before(from.Truncate(time.Second).Add(-time.Second)) || got.After(to.Add(time.Second)) {
		t.Errorf("%s = %s, want about now (%s..%s)", what, str, from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
	}
}

func TestRenameSession(t *testing.T) {
	bs := fixtureBackends(t) // this test writes
	eachBackend(t, bs, func(t *testing.T, b servedBackend) {
		insertRows(t, b, models.SessionRow{SessionID: "sql-null-data", SessionType: "agent", AgentID: ptrTo("a"), UserID: ptrTo("u"),
			CreatedAt: 1757000000, UpdatedAt: ptrTo(int64(1757000001)), Metadata: rawJSON(`{"k": 1}`)})
		succeed := []struct {
			name, session, input, stored string
			typ                          any
			wantData                     func(t *testing.T) any
		}{
			{"renaming keeps every other key of session_data", "s-100", "  New name  ", "New name", nil, func(t *testing.T) any {
				d := fixtureJSON(t, fixtureRow(t, "s-100").SessionData).(map[string]any)
				d["session_name"] = "New name"
				return d
			}},
			{"renaming works on a session with SQL NULL updated_at and no stored name", "s-101", "Refund", "Refund", "AGENT", func(t *testing.T) any {
				return map[string]any{"session_state": map[string]any{}, "session_name": "Refund"}
			}},
			{"renaming works when session_data is JSON null", "s-102", "Named at last", "Named at last", nil, func(t *testing.T) any {
				return map[string]any{"session_name": "Named at last"}
			}},
			{"renaming works when session_data is SQL NULL", "sql-null-data", "From nothing", "From nothing", nil, func(t *testing.T) any {
				return map[string]any{"session_name": "From nothing"}
			}},
			{"renaming a team session with its type works", "s-200", "Go news", "Go news", "TEAM", func(t *testing.T) any {
				d := fixtureJSON(t, fixtureRow(t, "s-200").SessionData).(map[string]any)
				d["session_name"] = "Go news"
				return d
			}},
			{"renaming a workflow session keeps Unicode", "s-300", "Générics 🎉 日本", "Générics 🎉 日本", "WORKFLOW", func(t *testing.T) any {
				return map[string]any{"session_name": "Générics 🎉 日本"}
			}},
			{"a name of exactly 512 characters is accepted", "s-301", strings.Repeat("é", 512), strings.Repeat("é", 512), nil, func(t *testing.T) any {
				return map[string]any{"session_name": strings.Repeat("é", 512)}
			}},
			{"a name of 512 characters plus surrounding spaces is trimmed and accepted", "s-302", " " + strings.Repeat("x", 512) + "\n", strings.Repeat("x", 512), nil, func(t *testing.T) any {
				return map[string]any{"session_name": strings.Repeat("x", 512)}
			}},
			{"renaming a legacy row with an empty session_type as an agent session works", "s-500", "Legacy renamed", "Legacy renamed", "AGENT", func(t *testing.T) any {
				return map[string]any{"session_name": "Legacy renamed"}
			}},
		}
		for _, c := range succeed {
			t.Run(c.name, func(t *testing.T) {
				before := sessionSnapshot(t, b.h, c.session)
				from := time.Now()
				in := map[string]any{"sessionId": c.session, "name": c.input, "clientMutationId": "cm-" + c.session}
				if c.typ != nil {
					in["type"] = c.typ
				}
				data := mustQuery(t, b.h, renameMutation, map[string]any{"in": in})
				to := time.Now()
				payload := jsonAt(data, "renameSession")
				wantEqual(t, "clientMutationId", jsonAt(payload, "clientMutationId"), "cm-"+c.session)
				wantEqual(t, "name", jsonAt(payload, "session", "name"), c.stored)
				wantEqual(t, "nameIsDerived", jsonAt(payload, "session", "nameIsDerived"), false)
				wantEqual(t, "sessionId", jsonAt(payload, "session", "sessionId"), c.session)
				wantEqual(t, "data", jsonAt(payload, "session", "data"), c.wantData(t))
				wantAboutNow(t, "updatedAt", jsonAt(payload, "session", "updatedAt"), from, to)
				wantEqual(t, "createdAt", jsonAt(payload, "session", "createdAt"), before["createdAt"])

				after := sessionSnapshot(t, b.h, c.session)
				wantEqual(t, "name read again", after["name"], c.stored)
				wantEqual(t, "data read again", after["data"], c.wantData(t))
				wantAboutNow(t, "updatedAt read again", after["updatedAt"], from, to)
				// Every other column and every other session_data key is untouched.
				wantEqual(t, "the rest of the session", without(after, "name", "nameIsDerived", "updatedAt", "data"),
					without(before, "name", "nameIsDerived", "updatedAt", "data"))
				if utf8.RuneCountInString(c.stored) < 100 {
					found := mustQuery(t, b.h, `query($n: String) { sessions(filter: {nameContains: $n}) { nodes { sessionId } } }`,
						map[string]any{"n": asciiUpper(c.stored)})
					wantEqual(t, "nameContains finds the new name", stringsAt(t, found, "sessionId", "sessions", "nodes"), []string{c.session})
				}
			})
		}
		t.Run("the NAME order sees the new names", func(t *testing.T) {
			data := mustQuery(t, b.h, `{ sessions(first: 3, orderBy: {field: NAME, direction: DESC}) { nodes { sessionId } } }`, nil)
			// "é…" (0xC3…) > "x…" > "refund" byte-wise.
			wantEqual(t, "first by NAME DESC", stringsAt(t, data, "sessionId", "sessions", "nodes"), []string{"s-301", "s-302", "s-101"})
		})
		rejected := []struct {
			name, input string
			typ         any
			code        string
		}{
			{"an empty name is BAD_USER_INPUT", "", nil, "BAD_USER_INPUT"},
			{"a name of only spaces is BAD_USER_INPUT", "   ", nil, "BAD_USER_INPUT"},
			{"a name of only whitespace controls is BAD_USER_INPUT", "\t\n\r ", nil, "BAD_USER_INPUT"},
			{"a name of 513 characters is BAD_USER_INPUT", strings.Repeat("a", 513), nil, "BAD_USER_INPUT"},
			{"a name of 513 multi-byte characters is BAD_USER_INPUT", strings.Repeat("日", 513), nil, "BAD_USER_INPUT"},
			{"a name with a newline inside is BAD_USER_INPUT", "first\nsecond", nil, "BAD_USER_INPUT"},
			{"a name with a tab inside is BAD_USER_INPUT", "a\tb", nil, "BAD_USER_INPUT"},
			{"a name with a NUL is BAD_USER_INPUT", "a\x00b", nil, "BAD_USER_INPUT"},
			{"a name with DEL is BAD_USER_INPUT", "a\x7fb", nil, "BAD_USER_INPUT"},
			{"a name with a C1 control is BAD_USER_INPUT", "a\u0085b", nil, "BAD_USER_INPUT"},
			{"a session of another type is NOT_FOUND", "Valid name", "TEAM", "NOT_FOUND"},
			{"a session asked for as a workflow is NOT_FOUND", "Valid name", "WORKFLOW", "NOT_FOUND"},
		}
		for _, c := range rejected {
			t.Run(c.name+" and nothing is written", func(t *testing.T) {
				before := sessionSnapshot(t, b.h, "s-103")
				in := map[string]any{"sessionId": "s-103", "name": c.input}
				if c.typ != nil {
					in["type"] = c.typ
				}
				resp := query(t, b.h, renameMutation, map[string]any{"in": in})
				wantCodes(t, resp, c.code)
				wantEqual(t, "data", decodeAny(t, resp.Data), nil)
				wantEqual(t, "s-103 after", sessionSnapshot(t, b.h, "s-103"), before)
				wantEqual(t, "s-103 name", before["name"], "Café Ünïcode 日本 🎉 review")
			})
		}
		t.Run("an unknown session is NOT_FOUND and not created", func(t *testing.T) {
			resp := query(t, b.h, renameMutation, map[string]any{"in": map[string]any{"sessionId": "no-such-session", "name": "Ghost"}})
			wantCodes(t, resp, "NOT_FOUND")
			data := mustQuery(t, b.h, `{ session(sessionId: "no-such-session") { name } sessions { totalCount } }`, nil)
			wantEqual(t, "data", data, map[string]any{"session": nil, "sessions": map[string]any{"totalCount": len(fixtureRows(t)) + 1}})
		})
		t.Run("an unknown session with a bad name is an error and not created", func(t *testing.T) {
			resp := query(t, b.h, renameMutation, map[string]any{"in": map[string]any{"sessionId": "no-such-session", "name": ""}})
			if len(resp.Errors) != 1 {
				t.Fatalf("errors = %+v, want one", resp.Errors)
			}
			if c := resp.codes()[0]; c != "BAD_USER_INPUT" && c != "NOT_FOUND" {
				t.Errorf("code = %s, want BAD_USER_INPUT or NOT_FOUND", c)
			}
		})
	})
}

const deleteOne = `mutation($in: DeleteSessionInput!) { deleteSession(input: $in) { deletedSessionId clientMutationId } }`

func TestDeleteSession(t *testing.T) {
	bs := fixtureBackends(t) // this test writes
	eachBackend(t, bs, func(t *testing.T, b servedBackend) {
		exists := func(t *testing.T, id string) bool {
			t.Helper()
			return mustQuery(t, b.h, `query($s: String!) { session(sessionId: $s) { sessionId } }`, map[string]any{"s": id})["session"] != nil
		}
		count := func(t *testing.T) float64 {
			t.Helper()
			return jsonAt(mustQuery(t, b.h, `{ sessions { totalCount } }`, nil), "sessions", "totalCount").(float64)
		}
		total := float64(len(fixtureRows(t)))
		t.Run("deleting a session removes it and echoes clientMutationId", func(t *testing.T) {
			id := jsonAt(mustQuery(t, b.h, `{ session(sessionId: "s-101") { id } }`, nil), "session", "id")
			data := mustQuery(t, b.h, deleteOne, map[string]any{"in": map[string]any{"sessionId": "s-101", "clientMutationId": "del-1"}})
			wantEqual(t, "payload", data["deleteSession"], map[string]any{"deletedSessionId": "s-101", "clientMutationId": "del-1"})
			if exists(t, "s-101") {
				t.Errorf("s-101 still exists")
			}
			total--
			wantEqual(t, "totalCount", count(t), total)
			wantCodes(t, query(t, b.h, `{ runs(sessionId: "s-101") { totalCount } }`, nil), "NOT_FOUND")
			node := mustQuery(t, b.h, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id})
			wantEqual(t, "node of the deleted session", node["node"], nil)
		})
		t.Run("deleting it again is NOT_FOUND", func(t *testing.T) {
			wantCodes(t, query(t, b.h, deleteOne, map[string]any{"in": map[string]any{"sessionId": "s-101"}}), "NOT_FOUND")
		})
		t.Run("deleting an unknown session is NOT_FOUND", func(t *testing.T) {
			resp := query(t, b.h, deleteOne, map[string]any{"in": map[string]any{"sessionId": "no-such-session"}})
			wantCodes(t, resp, "NOT_FOUND")
			wantEqual(t, "data", decodeAny(t, resp.Data), nil)
			wantEqual(t, "totalCount", count(t), total)
		})
		t.Run("deleting a session of another type is NOT_FOUND and keeps the row", func(t *testing.T) {
			wantCodes(t, query(t, b.h, deleteOne, map[string]any{"in": map[string]any{"sessionId": "s-200", "type": "AGENT"}}), "NOT_FOUND")
			wantCodes(t, query(t, b.h, deleteOne, map[string]any{"in": map[string]any{"sessionId": "s-100", "type": "WORKFLOW"}}), "NOT_FOUND")
			if !exists(t, "s-200") || !exists(t, "s-100") {
				t.Errorf("a session of another type was deleted")
			}
			wantEqual(t, "totalCount", count(t), total)
		})
		t.Run("deleting a session with its own type works", func(t *testing.T) {
			data := mustQuery(t, b.h, deleteOne, map[string]any{"in": map[string]any{"sessionId": "s-200", "type": "TEAM"}})
			wantEqual(t, "payload", data["deleteSession"], map[string]any{"deletedSessionId": "s-200", "clientMutationId": nil})
			if exists(t, "s-200") {
				t.Errorf("s-200 still exists")
			}
			total--
		})
		t.Run("deleting a legacy row with an empty session_type as an agent session works", func(t *testing.T) {
			mustQuery(t, b.h, deleteOne, map[string]any{"in": map[string]any{"sessionId": "s-500", "type": "AGENT"}})
			if exists(t, "s-500") {
				t.Errorf("s-500 still exists")
			}
			total--
			wantEqual(t, "totalCount", count(t), total)
		})
	})
}

const deleteMany = `mutation($in: DeleteSessionsInput!) { deleteSessions(input: $in) { deletedSessionIds notFoundSessionIds clientMutationId } }`

func TestDeleteSessions(t *testing.T) {
	bs := fixtureBackends(t) // this test writes
	eachBackend(t, bs, func(t *testing.T, b servedBackend) {
		remaining := func(t *testing.T) []string { t.Helper(); return sortedCopy(listSessionIDs(t, b.h)) }
		t.Run("deletes the found ids and lists the others, in input order, each once", func(t *testing.T) {
			data := mustQuery(t, b.h, deleteMany, map[string]any{"in": map[string]any{
				"sessionIds": []string{"s-101", "missing-1", "s-100", "s-101", "missing-1", "missing-0"}, "clientMutationId": "many"}})
			wantEqual(t, "payload", data["deleteSessions"], map[string]any{
				"deletedSessionIds": []any{"s-101", "s-100"}, "notFoundSessionIds": []any{"missing-1", "missing-0"}, "clientMutationId": "many"})
			wantEqual(t, "remaining", remaining(t), []string{"s-102", "s-103", "s-104", "s-200", "s-300", "s-301", "s-302", "s-400", "s-401", "s-402", "s-403", "s-500"})
		})
		t.Run("with types deletes only the rows whose type matches", func(t *testing.T) {
			data := mustQuery(t, b.h, deleteMany, map[string]any{"in": map[string]any{
				"sessionIds": []string{"s-200", "s-300", "s-301", "s-500", "missing-2"},
				"types":      []string{"AGENT", "WORKFLOW", "TEAM", "AGENT", "TEAM"}}})
			wantEqual(t, "payload", data["deleteSessions"], map[string]any{
				"deletedSessionIds": []any{"s-300", "s-500"}, "notFoundSessionIds": []any{"s-200", "s-301", "missing-2"}, "clientMutationId": nil})
			wantEqual(t, "remaining", remaining(t), []string{"s-102", "s-103", "s-104", "s-200", "s-301", "s-302", "s-400", "s-401", "s-402", "s-403"})
		})
		t.Run("types of a different length are BAD_USER_INPUT and nothing is deleted", func(t *testing.T) {
			before := remaining(t)
			for _, types := range [][]string{{"AGENT"}, {}, {"AGENT", "AGENT", "AGENT"}} {
				resp := query(t, b.h, deleteMany, map[string]any{"in": map[string]any{"sessionIds": []string{"s-103", "s-104"}, "types": types}})
				wantCodes(t, resp, "BAD_USER_INPUT")
			}
			wantEqual(t, "remaining", remaining(t), before)
		})
		t.Run("1001 ids are BAD_USER_INPUT and nothing is deleted", func(t *testing.T) {
			before := remaining(t)
			ids := []string{"s-103"}
			for i := range 1000 {
				ids = append(ids, fmt.Sprintf("missing-%04d", i))
			}
			wantCodes(t, query(t, b.h, deleteMany, map[string]any{"in": map[string]any{"sessionIds": ids}}), "BAD_USER_INPUT")
			wantEqual(t, "remaining", remaining(t), before)
		})
		t.Run("1000 ids with types are accepted", func(t *testing.T) {
			ids, types := []string{"s-103"}, []string{"AGENT"}
			for i := range 999 {
				ids, types = append(ids, fmt.Sprintf("missing-%04d", i)), append(types, "AGENT")
			}
			data := mustQuery(t, b.h, deleteMany, map[string]any{"in": map[string]any{"sessionIds": ids, "types": types}})
			wantEqual(t, "deleted", jsonAt(data, "deleteSessions", "deletedSessionIds"), []any{"s-103"})
			wantEqual(t, "not found", len(listAt(t, data, "deleteSessions", "notFoundSessionIds")), 999)
		})
		t.Run("1000 ids without types are accepted", func(t *testing.T) {
			ids := []string{"s-104"}
			for i := range 999 {
				ids = append(ids, fmt.Sprintf("missing-%04d", i))
			}
			data := mustQuery(t, b.h, deleteMany, map[string]any{"in": map[string]any{"sessionIds": ids}})
			wantEqual(t, "deleted", jsonAt(data, "deleteSessions", "deletedSessionIds"), []any{"s-104"})
		})
		t.Run("a repeated id is listed once however its types differ", func(t *testing.T) {
			data := mustQuery(t, b.h, deleteMany, map[string]any{"in": map[string]any{
				"sessionIds": []string{"s-102", "s-102"}, "types": []string{"TEAM", "AGENT"}}})
			wantEqual(t, "payload", data["deleteSessions"], map[string]any{
				"deletedSessionIds": []any{"s-102"}, "notFoundSessionIds": []any{}, "clientMutationId": nil})
		})
		t.Run("no ids delete nothing", func(t *testing.T) {
			before := remaining(t)
			data := mustQuery(t, b.h, deleteMany, map[string]any{"in": map[string]any{"sessionIds": []string{}}})
			wantEqual(t, "payload", data["deleteSessions"], map[string]any{
				"deletedSessionIds": []any{}, "notFoundSessionIds": []any{}, "clientMutationId": nil})
			wantEqual(t, "remaining", remaining(t), before)
		})
	})
}

// asciiUpper upper-cases a-z only.
func asciiUpper(s string) string {
	return strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' {
			return c - 'a' + 'A'
		}
		return c
	}, s)
}

// TestRefusedMutationKeepsItsClientMutationID: a mutation that fails has a
// null payload, so the error itself carries the input's clientMutationId,
// whether it was refused before running (scopes, arguments) or while
// running (a missing session), and only the error of that mutation.
func TestRefusedMutationKeepsItsClientMutationID(t *testing.T) {
	b := fixtureBackends(t)[0]
	h := withAuth(t, b.h)
	readOnly := token(t, "u-7", []string{auth.ScopeSessionsRead})
	writer := token(t, "root", []string{auth.DefaultAdminScope})
	const renameTwo = `mutation($a: RenameSessionInput!, $b: RenameSessionInput!) {
		a: renameSession(input: $a) { clientMutationId } b: renameSession(input: $b) { clientMutationId } }`
	for _, c := range []struct {
		name, bearer, query string
		vars                map[string]any
		code                string
		want                []any // clientMutationId of each error, nil when absent
	}{
		{"a missing session is NOT_FOUND with the id", writer, deleteOne,
			map[string]any{"in": map[string]any{"sessionId": "no-such-session", "clientMutationId": "cm-1"}}, "NOT_FOUND", []any{"cm-1"}},
		{"a mutation without an id gets none", writer, deleteOne,
			map[string]any{"in": map[string]any{"sessionId": "no-such-session"}}, "NOT_FOUND", []any{nil}},
		{"a missing scope is FORBIDDEN with the id", readOnly, deleteOne,
			map[string]any{"in": map[string]any{"sessionId": "s-101", "clientMutationId": "cm-2"}}, "FORBIDDEN", []any{"cm-2"}},
		{"an argument refused before running is BAD_USER_INPUT with the id", writer, deleteOne,
			map[string]any{"in": map[string]any{"sessionId": strings.Repeat("s", 5000), "clientMutationId": "cm-3"}}, "BAD_USER_INPUT", []any{"cm-3"}},
		{"an id given in the document is found too", writer,
			`mutation { deleteSession(input: {sessionId: "no-such-session", clientMutationId: "cm-4"}) { deletedSessionId } }`, nil, "NOT_FOUND", []any{"cm-4"}},
		{"of two mutations the failing one names its own id", writer, renameTwo,
			map[string]any{"a": map[string]any{"sessionId": "s-101", "name": "ok", "clientMutationId": "cm-a"},
				"b": map[string]any{"sessionId": "no-such-session", "name": "x", "clientMutationId": "cm-b"}}, "NOT_FOUND", []any{"cm-b"}},
		{"of two mutations refused before running, the first refused names its id", writer, renameTwo,
			map[string]any{"a": map[string]any{"sessionId": "s-101", "name": "ok", "clientMutationId": "cm-a"},
				"b": map[string]any{"sessionId": "s-\x00", "name": "x", "clientMutationId": "cm-b"}}, "BAD_USER_INPUT", []any{"cm-b"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp := queryAs(t, h, c.bearer, c.query, c.vars)
			wantCodes(t, resp, c.code)
			var got []any
			for _, e := range resp.Errors {
				got = append(got, e.Extensions["clientMutationId"])
			}
			wantEqual(t, "clientMutationIds", got, c.want)
		})
	}
}
