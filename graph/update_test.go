package graph_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"sessiongraph/auth"
	"sessiongraph/internal/agnotest"
	"sessiongraph/models"
)

const updateMutation = `mutation($in: UpdateSessionInput!) {
	updateSession(input: $in) { clientMutationId session { __typename sessionId name nameIsDerived state data metadata createdAt updatedAt
		... on AgentSession { summary { summary topics updatedAt } }
		... on TeamSession { summary { summary topics updatedAt } } } }
}`

// storedJSON decodes a stored JSON column (undoing SQLite's double
// encoding) into a generic value; sqlNull for SQL NULL.
func storedJSON(t *testing.T, v *string) any {
	t.Helper()
	if v == nil {
		return sqlNull
	}
	var doc any
	if err := json.Unmarshal([]byte(*v), &doc); err != nil {
		t.Fatalf("stored %q: %v", *v, err)
	}
	if inner, ok := doc.(string); ok {
		if err := json.Unmarshal([]byte(inner), &doc); err != nil {
			t.Fatalf("stored %q: %v", *v, err)
		}
	}
	return doc
}

// fixtureData is a fixture session's session_data as a generic object (nil when null).
func fixtureData(t *testing.T, id string) map[string]any {
	t.Helper()
	d, _ := fixtureJSON(t, fixtureRow(t, id).SessionData).(map[string]any)
	return d
}

// with returns a copy of m with the given key set (or, with value remove, removed).
func with(m map[string]any, key string, value any) map[string]any {
	out := maps.Clone(m)
	if out == nil {
		out = map[string]any{}
	}
	if value == remove {
		delete(out, key)
	} else {
		out[key] = value
	}
	return out
}

var remove = &struct{}{}

// TestUpdateSession updates each field, and clears each, through the
// handler, and checks the stored row: the named session_data keys and
// columns changed (whole columns written in Agno's bytes and the row's
// encoding), updated_at now, every other key and column as it was.
func TestUpdateSession(t *testing.T) {
	type change struct {
		data     any               // the whole session_data afterwards (logical); nil: unchanged
		columns  map[string]string // other JSON columns afterwards, as Python's json.dumps prints them (agnoStored)
		name     string
		derived  bool
		typeName string
	}
	cases := []struct {
		name, session string
		input         map[string]any
		want          func(t *testing.T) change
	}{
		{"sessionName sets the stored name and keeps the other keys of session_data", "s-100",
			map[string]any{"sessionName": "  Renamed  "},
			func(t *testing.T) change {
				return change{data: with(fixtureData(t, "s-100"), "session_name", "Renamed"), name: "Renamed"}
			}},
		{"sessionState replaces session_state as a whole and keeps the other keys", "s-100",
			map[string]any{"sessionState": map[string]any{"new": []any{1, "ü"}}},
			func(t *testing.T) change {
				return change{data: with(fixtureData(t, "s-100"), "session_state", map[string]any{"new": []any{1, "ü"}}), name: "Order 981 help"}
			}},
		{"metadata replaces the column, written as Agno writes it", "s-100",
			map[string]any{"metadata": map[string]any{"x": "ÿ", "n": 2}},
			func(t *testing.T) change {
				return change{columns: map[string]string{"metadata": `{"n": 2, "x": "\u00ff"}`}, name: "Order 981 help"}
			}},
		{"summary replaces the column in Agno's shape, updated_at as Python's isoformat", "s-100",
			map[string]any{"summary": map[string]any{"summary": "Short", "topics": []any{"a", "b"}, "updatedAt": "2025-09-05T16:02:09Z"}},
			func(t *testing.T) change {
				return change{columns: map[string]string{"summary": `{"summary": "Short", "topics": ["a", "b"], "updated_at": "2025-09-05T16:02:09+00:00"}`}, name: "Order 981 help"}
			}},
		{"a summary of text only leaves out topics and updated_at", "s-100",
			map[string]any{"summary": map[string]any{"summary": "Only text"}},
			func(t *testing.T) change {
				return change{columns: map[string]string{"summary": `{"summary": "Only text"}`}, name: "Order 981 help"}
			}},
		{"sessionName null removes the stored name, so it is derived again", "s-100",
			map[string]any{"sessionName": nil},
			func(t *testing.T) change {
				return change{data: with(fixtureData(t, "s-100"), "session_name", remove), name: "Where is order 981?", derived: true}
			}},
		{"sessionState null removes session_state", "s-100",
			map[string]any{"sessionState": nil},
			func(t *testing.T) change {
				return change{data: with(fixtureData(t, "s-100"), "session_state", remove), name: "Order 981 help"}
			}},
		{"metadata null stores JSON null in an agent session", "s-100",
			map[string]any{"metadata": nil},
			func(t *testing.T) change {
				return change{columns: map[string]string{"metadata": "null"}, name: "Order 981 help"}
			}},
		{"summary null stores JSON null", "s-100",
			map[string]any{"summary": nil},
			func(t *testing.T) change {
				return change{columns: map[string]string{"summary": "null"}, name: "Order 981 help"}
			}},
		{"every field at once, on a team session of that type", "s-200",
			map[string]any{"type": "TEAM", "sessionName": "Go news", "sessionState": map[string]any{"round": 2}, "metadata": map[string]any{"k": []any{}},
				"summary": map[string]any{"summary": "Go 1.25.", "topics": []any{}, "updatedAt": "2025-09-05T18:02:09.5+02:00"}},
			func(t *testing.T) change {
				d := with(with(fixtureData(t, "s-200"), "session_name", "Go news"), "session_state", map[string]any{"round": 2})
				return change{data: d, name: "Go news", columns: map[string]string{"metadata": `{"k": []}`,
					"summary": `{"summary": "Go 1.25.", "topics": [], "updated_at": "2025-09-05T18:02:09.500000+02:00"}`}}
			}},
		{"an empty input changes nothing but updated_at, as Agno's PATCH {}", "s-103",
			map[string]any{},
			func(t *testing.T) change { return change{name: "Café Ünïcode 日本 🎉 review"} }},
		{"metadata null stores {} in a workflow session, as Agno's WorkflowSession", "s-300",
			map[string]any{"metadata": nil},
			func(t *testing.T) change {
				return change{columns: map[string]string{"metadata": `{}`}, name: "Write about Go generics", derived: true}
			}},
		{"a summary is ignored on a workflow session, which has none, and the rest applied", "s-301",
			map[string]any{"sessionName": "Steps", "summary": map[string]any{"summary": "ignored"}},
			func(t *testing.T) change {
				return change{data: map[string]any{"session_name": "Steps"}, name: "Steps"}
			}},
		{"sessionState works when session_data is JSON null", "s-102",
			map[string]any{"sessionState": map[string]any{"a": 1}},
			func(t *testing.T) change {
				return change{data: map[string]any{"session_state": map[string]any{"a": 1}}, name: "", derived: true}
			}},
		{"sessionName works when session_data is SQL NULL", "sql-null-data",
			map[string]any{"sessionName": "From nothing", "sessionState": map[string]any{}},
			func(t *testing.T) change {
				return change{data: map[string]any{"session_name": "From nothing", "session_state": map[string]any{}}, name: "From nothing"}
			}},
		{"removing a key from SQL NULL session_data leaves it SQL NULL", "sql-null-data",
			map[string]any{"sessionName": nil, "sessionState": nil},
			func(t *testing.T) change { return change{data: sqlNull, name: "", derived: true} }},
	}
	sqlNullData := models.SessionRow{SessionID: "sql-null-data", SessionType: "agent", AgentID: ptrTo("a"), UserID: ptrTo("u"),
		CreatedAt: 1757000000, UpdatedAt: ptrTo(int64(1757000001)), Metadata: rawJSON(`{"k": 1}`), Runs: rawJSON(`[]`)}
	eachBackend(t, legacyBackends(t), func(t *testing.T, b servedBackend) {
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				// Each case updates its own copy of the session.
				row := sqlNullData
				if c.session != sqlNullData.SessionID {
					row = fixtureRow(t, c.session)
				}
				id := fmt.Sprintf("%s-copy-%d", c.session, i)
				row.SessionID = id
				insertRows(t, b, row)
				want := c.want(t)
				before := storedRow(t, b, id)
				in := maps.Clone(c.input)
				in["sessionId"], in["clientMutationId"] = id, "cm"
				from := time.Now()
				data := mustQuery(t, b.h, updateMutation, map[string]any{"in": in})
				to := time.Now()
				session := jsonAt(data, "updateSession", "session")
				wantEqual(t, "clientMutationId", jsonAt(data, "updateSession", "clientMutationId"), "cm")
				wantEqual(t, "name", jsonAt(session, "name"), want.name)
				wantEqual(t, "nameIsDerived", jsonAt(session, "nameIsDerived"), want.derived)
				wantAboutNow(t, "updatedAt", jsonAt(session, "updatedAt"), from, to)

				after := storedRow(t, b, id)
				changed := map[string]bool{"updated_at": true}
				if want.data != nil {
					changed["session_data"] = true
					wantEqual(t, "session_data", storedJSON(t, after["session_data"]), want.data)
					if want.data != sqlNull {
						wantEqual(t, "data", jsonAt(session, "data"), want.data)
					}
					if enc := encodingOf(after["session_data"]); enc != encodingOf(before["session_data"]) && encodingOf(before["session_data"]) != "null" {
						t.Errorf("session_data went from %s to %s: %s", encodingOf(before["session_data"]), enc, text(after["session_data"]))
					}
				}
				for column, doc := range want.columns {
					changed[column] = true
					if got, want := text(after[column]), text(agnoStored(t, b, doc)); got != want {
						t.Errorf("stored %s:\n got  %s\n want %s", column, got, want)
					}
				}
				for _, column := range storedColumns {
					if !changed[column] && text(after[column]) != text(before[column]) {
						t.Errorf("%s changed:\n before %s\n after  %s", column, text(before[column]), text(after[column]))
					}
				}
				if s := jsonAt(session, "summary"); want.columns["summary"] != "" && want.columns["summary"] != "null" {
					wantEqual(t, "summary read back", s, summaryAPI(t, storedJSON(t, after["summary"])))
				}
			})
		}
	})
}

// encodingOf says how a stored SQLite JSON column is written: "double"
// (a JSON string), "plain" (a document) or "null"; PostgreSQL's jsonb is "plain".
func encodingOf(v *string) string {
	switch {
	case v == nil || *v == "null":
		return "null"
	case strings.HasPrefix(*v, `"`):
		return "double"
	}
	return "plain"
}

// summaryAPI is what the API shows of a stored summary object.
func summaryAPI(t *testing.T, stored any) any {
	t.Helper()
	m := stored.(map[string]any)
	out := map[string]any{"summary": m["summary"], "topics": []any{}, "updatedAt": nil}
	if topics, ok := m["topics"]; ok {
		out["topics"] = topics
	}
	if u, ok := m["updated_at"].(string); ok {
		parsed, err := time.Parse(time.RFC3339Nano, u)
		if err != nil {
			t.Fatal(err)
		}
		out["updatedAt"] = parsed.UTC().Format(time.RFC3339)
	}
	return out
}

// TestUpdateSessionRefusals checks that an update that cannot be applied
// is refused with nothing written.
func TestUpdateSessionRefusals(t *testing.T) {
	eachBackend(t, fixtureBackends(t), func(t *testing.T, b servedBackend) {
		corrupt := agnotest.InsertCorrupt(t, b.store)
		for _, c := range []struct {
			name, session string
			input         map[string]any
			code          string
		}{
			{"a session of another type is NOT_FOUND", "s-100", map[string]any{"type": "TEAM", "sessionName": "x"}, "NOT_FOUND"},
			{"an unknown session is NOT_FOUND and not created", "no-such-session", map[string]any{"sessionName": "x"}, "NOT_FOUND"},
			{"an empty input on an unknown session is NOT_FOUND", "no-such-session", map[string]any{}, "NOT_FOUND"},
			{"a session of another user than userId is NOT_FOUND", "s-100", map[string]any{"userId": "u-8", "metadata": map[string]any{}}, "NOT_FOUND"},
			{"metadata that is not an object is BAD_USER_INPUT", "s-100", map[string]any{"metadata": []any{1}}, "BAD_USER_INPUT"},
			{"a sessionState that is not an object is BAD_USER_INPUT", "s-100", map[string]any{"sessionState": "x"}, "BAD_USER_INPUT"},
			{"an empty name is BAD_USER_INPUT", "s-100", map[string]any{"sessionName": " ", "metadata": map[string]any{}}, "BAD_USER_INPUT"},
			{"a summary without its text is refused", "s-100", map[string]any{"summary": map[string]any{"topics": []any{"a"}}}, "GRAPHQL_VALIDATION_FAILED"},
			{"a summary time that is not RFC 3339 is refused", "s-100", map[string]any{"summary": map[string]any{"summary": "s", "updatedAt": "yesterday"}}, "BAD_USER_INPUT"},
			{"a name on a session whose session_data is not an object is DATA_CORRUPT", corrupt[0], map[string]any{"sessionName": "x"}, "DATA_CORRUPT"},
		} {
			t.Run(c.name+", nothing written", func(t *testing.T) {
				before := storedRow(t, b, c.session)
				in := maps.Clone(c.input)
				in["sessionId"] = c.session
				resp := query(t, b.h, updateMutation, map[string]any{"in": in})
				if got := resp.codes(); len(got) != 1 || got[0] != c.code {
					if !(c.code == "BAD_USER_INPUT" && len(got) == 1 && got[0] == "GRAPHQL_VALIDATION_FAILED") {
						t.Errorf("codes %v, want %s (%+v)", got, c.code, resp.Errors)
					}
				}
				wantEqual(t, "row", storedRow(t, b, c.session), before)
			})
		}
		t.Run("metadata of a session whose session_data is corrupt can still be set", func(t *testing.T) {
			data := mustQuery(t, b.h, `mutation($id: String!) { updateSession(input: {sessionId: $id, metadata: {fixed: true}}) { session { metadata } } }`,
				map[string]any{"id": corrupt[0]})
			wantEqual(t, "metadata", jsonAt(data, "updateSession", "session", "metadata"), map[string]any{"fixed": true})
		})
	})
}

// TestUpdateSessionRacingRunAppends runs updates through the handler while
// a writer appends runs to the same row in place, one UPDATE each (as a
// writer that touches only runs would): every run appended is stored, in
// order, and the last update's state and metadata are stored.
func TestUpdateSessionRacingRunAppends(t *testing.T) {
	const rounds = 25
	eachBackend(t, legacyBackends(t), func(t *testing.T, b servedBackend) {
		appendRun := `UPDATE "ai"."agno_sessions" SET runs = runs || jsonb_build_array(CAST($1 AS jsonb)), updated_at = $2 WHERE session_id = $3`
		switch b.name {
		case "sqlite double-encoded":
			appendRun = `UPDATE "agno_sessions" SET runs = json_quote(json_insert(runs ->> '$', '$[#]', json($1)) || ''), updated_at = $2 WHERE session_id = $3`
		case "sqlite plain":
			appendRun = `UPDATE "agno_sessions" SET runs = json_insert(runs, '$[#]', json($1)), updated_at = $2 WHERE session_id = $3`
		}
		var wg sync.WaitGroup
		wg.Go(func() {
			for k := range rounds {
				run := fmt.Sprintf(`{"run_id": "appended-%d", "agent_id": "support", "status": "COMPLETED", "created_at": 1757400000}`, k)
				if _, err := b.store.Pool().ExecContext(t.Context(), appendRun, run, time.Now().Unix(), "s-100"); err != nil {
					t.Error(err)
					return
				}
			}
		})
		wg.Go(func() {
			for k := range rounds {
				resp := query(t, b.h, updateMutation, map[string]any{"in": map[string]any{"sessionId": "s-100",
					"sessionState": map[string]any{"round": k}, "metadata": map[string]any{"round": k}, "sessionName": fmt.Sprintf("round %d", k)}})
				if len(resp.Errors) > 0 {
					t.Errorf("round %d: %+v", k, resp.Errors)
					return
				}
			}
		})
		wg.Wait()
		data := mustQuery(t, b.h, `{ session(sessionId: "s-100") { name state metadata runs(first: 100) { nodes { runId } } } }`, nil)
		want := []string{"r-a1", "r-a2"}
		for k := range rounds {
			want = append(want, fmt.Sprintf("appended-%d", k))
		}
		wantEqual(t, "runs", stringsAt(t, data, "runId", "session", "runs", "nodes"), want)
		wantEqual(t, "name", jsonAt(data, "session", "name"), fmt.Sprintf("round %d", rounds-1))
		wantEqual(t, "state", jsonAt(data, "session", "state"), map[string]any{"round": rounds - 1})
		wantEqual(t, "metadata", jsonAt(data, "session", "metadata"), map[string]any{"round": rounds - 1})
	})
}

// TestWriteAccess checks createSession and updateSession under
// authentication: a non-admin user creates sessions of its own user only
// and updates only its own sessions (others' are NOT_FOUND, as absent
// ones); an admin may create for any user; tokens without sessions:write
// are FORBIDDEN before anything runs.
func TestWriteAccess(t *testing.T) {
	eachBackend(t, fixtureBackends(t), func(t *testing.T, b servedBackend) {
		h := withAuth(t, b.h)
		admin := token(t, "root", []string{auth.DefaultAdminScope})
		u7 := token(t, "u-7", nil)
		t.Run("a non-admin user's create stores its own user, whatever userId says", func(t *testing.T) {
			var r struct {
				CreateSession struct{ Session struct{ UserID string } }
			}
			queryAs(t, h, u7, createMutation, map[string]any{"in": map[string]any{"sessionId": "by-u7", "userId": "u-8"}}).decode(t, &r)
			wantEqual(t, "userId", r.CreateSession.Session.UserID, "u-7")
			wantEqual(t, "stored user_id", text(storedRow(t, b, "by-u7")["user_id"]), "u-7")
		})
		t.Run("an admin creates for the user it names", func(t *testing.T) {
			queryAs(t, h, admin, createMutation, map[string]any{"in": map[string]any{"sessionId": "for-u8", "userId": "u-8"}}).decode(t, new(any))
			wantEqual(t, "stored user_id", text(storedRow(t, b, "for-u8")["user_id"]), "u-8")
		})
		t.Run("a non-admin user's update of another user's session is NOT_FOUND and changes nothing", func(t *testing.T) {
			for _, id := range []string{"s-101", "for-u8", "s-102"} {
				before := storedRow(t, b, id)
				r := queryAs(t, h, u7, updateMutation, map[string]any{"in": map[string]any{"sessionId": id, "sessionName": "mine", "metadata": map[string]any{}}})
				wantCodes(t, r, "NOT_FOUND")
				wantEqual(t, id, storedRow(t, b, id), before)
			}
		})
		t.Run("a non-admin user updates its own sessions", func(t *testing.T) {
			var r struct {
				UpdateSession struct{ Session struct{ Name string } }
			}
			queryAs(t, h, u7, updateMutation, map[string]any{"in": map[string]any{"sessionId": "by-u7", "sessionName": "mine"}}).decode(t, &r)
			wantEqual(t, "name", r.UpdateSession.Session.Name, "mine")
		})
		t.Run("userId of another user finds nothing for a non-admin user", func(t *testing.T) {
			r := queryAs(t, h, u7, updateMutation, map[string]any{"in": map[string]any{"sessionId": "by-u7", "userId": "u-8", "sessionName": "x"}})
			wantCodes(t, r, "NOT_FOUND")
		})
		if b.name != "postgres" {
			return // scopes do not depend on the backend
		}
		for _, c := range []struct {
			name      string
			scopes    []string
			forbidden bool
		}{
			{"a sessions:read token", []string{auth.ScopeSessionsRead}, true},
			{"a sessions:delete token", []string{auth.ScopeSessionsDelete}, true},
			{"a sessions:write token", []string{auth.ScopeSessionsWrite}, false},
		} {
			bearer := token(t, "u-7", c.scopes)
			for _, m := range []struct {
				name, query string
				input       map[string]any
			}{
				{"createSession", createMutation, map[string]any{"sessionId": "scoped-" + strings.Join(c.scopes, "")}},
				{"updateSession", updateMutation, map[string]any{"sessionId": "s-100", "sessionName": "scoped"}},
			} {
				t.Run(c.name+" calling "+m.name, func(t *testing.T) {
					before := storedRow(t, b, m.input["sessionId"].(string))
					r := queryAs(t, h, bearer, m.query, map[string]any{"in": m.input})
					if !c.forbidden {
						if len(r.Errors) > 0 {
							t.Errorf("unexpected errors: %+v", r.Errors)
						}
						return
					}
					if !slices.Equal(r.codes(), []string{"FORBIDDEN"}) || (len(r.Data) > 0 && string(r.Data) != "null") {
						t.Errorf("got %d %v data %s, want FORBIDDEN and no data", r.Status, r.codes(), r.Data)
					}
					wantEqual(t, "row", storedRow(t, b, m.input["sessionId"].(string)), before)
				})
			}
		}
	})
}
