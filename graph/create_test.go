package graph_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sessiongraph/auth"
	"sessiongraph/db"
	"sessiongraph/models"
)

const createMutation = `mutation($in: CreateSessionInput!) {
	createSession(input: $in) { clientMutationId session { __typename sessionId type name nameIsDerived userId componentId
		state data metadata createdAt updatedAt chatHistory { id } runs { totalCount }
		... on AgentSession { agentId summary { summary } }
		... on TeamSession { teamId summary { summary } }
		... on WorkflowSession { workflowId workflow { raw } } } }
}`

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestCreateSession creates sessions of each type through the handler and
// compares the stored row, byte for byte on SQLite, with what Agno's
// POST /sessions stores for the same request (reference §3.2, §1.3, §1.4).
func TestCreateSession(t *testing.T) {
	cases := []struct {
		name  string
		input map[string]any
		// want is the stored row as Agno writes it: JSON columns as Python's
		// json.dumps prints them (see agnoStored), other columns as text.
		want map[string]string
		// wantAPI are fields of the payload's session.
		wantAPI map[string]any
	}{
		{
			"an empty input creates an agent session with a new UUID v4 and JSON null data, as Agno's POST {} does",
			map[string]any{},
			map[string]string{"session_type": "agent", "agent_id": sqlNull, "team_id": sqlNull, "workflow_id": sqlNull, "user_id": sqlNull,
				"session_data": "null", "agent_data": "null", "team_data": sqlNull, "workflow_data": sqlNull,
				"metadata": "null", "runs": "null", "summary": "null"},
			map[string]any{"__typename": "AgentSession", "type": "AGENT", "name": "", "nameIsDerived": true, "userId": nil,
				"componentId": nil, "state": nil, "data": nil, "metadata": nil, "chatHistory": []any{}, "runs": map[string]any{"totalCount": 0},
				"agentId": nil, "summary": nil},
		},
		{
			"an agent session stores name and state in Agno's key order, and ignores the team and workflow ids",
			map[string]any{"sessionId": "new-agent", "sessionName": "  Café Alpha  ", "sessionState": map[string]any{"cart": []any{"tea"}, "n": 1.5, "vip": true},
				"metadata": map[string]any{"env": "prod", "tags": []any{"a"}}, "userId": "u-9", "agentId": "support",
				"teamId": "ignored-team", "workflowId": "ignored-workflow", "clientMutationId": "c-1"},
			map[string]string{"session_id": "new-agent", "session_type": "agent", "agent_id": "support", "team_id": sqlNull, "workflow_id": sqlNull, "user_id": "u-9",
				"session_data": `{"session_state": {"cart": ["tea"], "n": 1.5, "vip": true}, "session_name": "Caf\u00e9 Alpha"}`,
				"agent_data":   "null", "team_data": sqlNull, "workflow_data": sqlNull,
				"metadata": `{"env": "prod", "tags": ["a"]}`, "runs": "null", "summary": "null"},
			map[string]any{"__typename": "AgentSession", "sessionId": "new-agent", "type": "AGENT", "name": "Café Alpha", "nameIsDerived": false, "userId": "u-9",
				"componentId": "support", "agentId": "support", "state": map[string]any{"cart": []any{"tea"}, "n": 1.5, "vip": true},
				"data":     map[string]any{"session_state": map[string]any{"cart": []any{"tea"}, "n": 1.5, "vip": true}, "session_name": "Café Alpha"},
				"metadata": map[string]any{"env": "prod", "tags": []any{"a"}}, "summary": nil},
		},
		{
			"a team session with only a state stores session_data with only session_state, and team_data null",
			map[string]any{"type": "TEAM", "sessionId": "new-team", "sessionState": map[string]any{"k": "v <&> \u2028"}, "teamId": "research", "agentId": "ignored"},
			map[string]string{"session_type": "team", "agent_id": sqlNull, "team_id": "research", "workflow_id": sqlNull, "user_id": sqlNull,
				"session_data": `{"session_state": {"k": "v <&> \u2028"}}`, "agent_data": sqlNull, "team_data": "null", "workflow_data": sqlNull,
				"metadata": "null", "runs": "null", "summary": "null"},
			map[string]any{"__typename": "TeamSession", "type": "TEAM", "teamId": "research", "componentId": "research", "name": "", "nameIsDerived": true,
				"state": map[string]any{"k": "v <&> \u2028"}},
		},
		{
			"a workflow session without data gets {} for session_data, workflow_data and metadata, as Agno's WorkflowSession",
			map[string]any{"type": "WORKFLOW", "sessionId": "new-workflow", "workflowId": "blog"},
			map[string]string{"session_type": "workflow", "agent_id": sqlNull, "team_id": sqlNull, "workflow_id": "blog", "user_id": sqlNull,
				"session_data": `{}`, "agent_data": sqlNull, "team_data": sqlNull, "workflow_data": `{}`,
				"metadata": `{}`, "runs": "null", "summary": "null"},
			map[string]any{"__typename": "WorkflowSession", "type": "WORKFLOW", "workflowId": "blog", "name": "", "nameIsDerived": true,
				"data": map[string]any{}, "metadata": map[string]any{}, "workflow": map[string]any{"raw": map[string]any{}}},
		},
		{
			"a workflow session with a name and metadata",
			map[string]any{"type": "WORKFLOW", "sessionId": "new-workflow-2", "sessionName": "日本 🎉", "metadata": map[string]any{"b": 2, "a": 1}},
			map[string]string{"session_type": "workflow", "workflow_id": sqlNull, "agent_data": sqlNull, "team_data": sqlNull,
				"session_data": `{"session_name": "\u65e5\u672c \ud83c\udf89"}`, "workflow_data": `{}`, "metadata": `{"a": 1, "b": 2}`,
				"runs": "null", "summary": "null"},
			map[string]any{"name": "日本 🎉", "nameIsDerived": false, "metadata": map[string]any{"a": 1, "b": 2}},
		},
	}
	eachBackend(t, fixtureBackends(t), func(t *testing.T, b servedBackend) {
		total := len(fixtureRows(t))
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				from := time.Now()
				data := mustQuery(t, b.h, createMutation, map[string]any{"in": c.input})
				to := time.Now()
				total++
				payload := jsonAt(data, "createSession").(map[string]any)
				wantEqual(t, "clientMutationId", payload["clientMutationId"], c.input["clientMutationId"])
				session := payload["session"].(map[string]any)
				id, _ := session["sessionId"].(string)
				if want, ok := c.input["sessionId"]; ok {
					wantEqual(t, "sessionId", id, want)
				} else if !uuidV4.MatchString(id) {
					t.Errorf("generated sessionId %q is not a UUID v4", id)
				}
				for field, want := range c.wantAPI {
					wantEqual(t, field, session[field], want)
				}
				wantAboutNow(t, "createdAt", session["createdAt"], from, to)
				wantEqual(t, "updatedAt", session["updatedAt"], session["createdAt"])

				stored := storedRow(t, b, id)
				for column, want := range c.want {
					if column == "runs" && !b.store.Describe().LegacyRunsColumn {
						continue // Agno 3's sessions table has no runs column
					}
					if column == "session_id" || column == "session_type" || strings.HasSuffix(column, "_id") {
						if want == sqlNull {
							wantEqual(t, column, text(stored[column]), sqlNull)
						} else {
							wantEqual(t, column, text(stored[column]), want)
						}
						continue
					}
					if got, want := text(stored[column]), text(agnoStored(t, b, want)); got != want {
						t.Errorf("stored %s:\n got  %s\n want %s", column, got, want)
					}
				}
				created, _ := strconv.ParseInt(text(stored["created_at"]), 10, 64)
				wantEqual(t, "updated_at", text(stored["updated_at"]), text(stored["created_at"]))
				wantEqual(t, "createdAt read back", session["createdAt"], rfc3339(created))

				// Read back through the API: the same session, and counted.
				again := mustQuery(t, b.h, `query($s: String!) { session(sessionId: $s) { sessionId name data metadata } sessions { totalCount } }`, map[string]any{"s": id})
				wantEqual(t, "read back", jsonAt(again, "session"), map[string]any{"sessionId": id, "name": session["name"], "data": session["data"], "metadata": session["metadata"]})
				wantEqual(t, "totalCount", jsonAt(again, "sessions", "totalCount"), total)
			})
		}
		t.Run("two creates without an id make two sessions", func(t *testing.T) {
			a := jsonAt(mustQuery(t, b.h, createMutation, map[string]any{"in": map[string]any{}}), "createSession", "session", "sessionId")
			c := jsonAt(mustQuery(t, b.h, createMutation, map[string]any{"in": map[string]any{}}), "createSession", "session", "sessionId")
			if a == c {
				t.Errorf("both creates made %v", a)
			}
		})
	})
}

// TestCreateSessionEncoding checks that a new row takes the encoding the
// SQLite table holds: an empty table, or one whose rows do not tell, gets
// Agno 2.9's double encoding; a table of plain rows (later Agno) plain rows.
func TestCreateSessionEncoding(t *testing.T) {
	for _, c := range []struct {
		name   string
		rows   []models.SessionRow
		enc    db.SQLiteEncoding
		double bool
	}{
		{"an empty table gets double-encoded rows", nil, db.DoubleEncoded, true},
		{"a table of double-encoded rows gets double-encoded rows", []models.SessionRow{fixtureRow(t, "s-100")}, db.DoubleEncoded, true},
		{"a table of plain rows gets plain rows", []models.SessionRow{fixtureRow(t, "s-100")}, db.PlainJSON, false},
		{"a table whose newest row is plain gets plain rows", []models.SessionRow{fixtureRow(t, "s-101")}, db.PlainJSON, false},
		{"a table whose rows hold only nulls gets double-encoded rows",
			[]models.SessionRow{{SessionID: "nulls", SessionType: "agent", SessionData: rawJSON("null"), Runs: rawJSON("null"), CreatedAt: 1}}, db.PlainJSON, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := openSQLiteStore(t, "enc")
			if err := s.InsertRows(context.Background(), c.rows, c.enc); err != nil {
				t.Fatal(err)
			}
			b := servedBackend{name: "sqlite", store: s, h: newHandler(s)}
			mustQuery(t, b.h, createMutation, map[string]any{"in": map[string]any{"sessionId": "new", "sessionName": "é", "metadata": map[string]any{"k": 1}}})
			stored := storedRow(t, b, "new")
			want := map[bool][2]string{
				true:  {`"{\"session_name\": \"\\u00e9\"}"`, `"{\"k\": 1}"`},
				false: {`{"session_name": "\u00e9"}`, `{"k": 1}`},
			}[c.double]
			wantEqual(t, "session_data", text(stored["session_data"]), want[0])
			wantEqual(t, "metadata", text(stored["metadata"]), want[1])
			wantEqual(t, "agent_data", text(stored["agent_data"]), "null")

			// A row whose JSON columns are all null does not tell: writes into it take the table's encoding.
			mustQuery(t, b.h, createMutation, map[string]any{"in": map[string]any{"sessionId": "nulls-only"}})
			mustQuery(t, b.h, updateMutation, map[string]any{"in": map[string]any{"sessionId": "nulls-only", "sessionName": "é", "metadata": map[string]any{"k": 1}}})
			stored = storedRow(t, b, "nulls-only")
			want = map[bool][2]string{true: {`"{\"session_name\":\"é\"}"`, `"{\"k\": 1}"`}, false: {`{"session_name":"é"}`, `{"k": 1}`}}[c.double]
			wantEqual(t, "updated session_data", text(stored["session_data"]), want[0])
			wantEqual(t, "updated metadata", text(stored["metadata"]), want[1])
		})
	}
}

// TestCreateSessionConflict checks that creating a session whose id exists,
// of whatever type or user, is CONFLICT, shows nothing of the stored
// session and leaves its row byte-identical; and that of concurrent creates
// of one new id exactly one wins.
func TestCreateSessionConflict(t *testing.T) {
	eachBackend(t, fixtureBackends(t), func(t *testing.T, b servedBackend) {
		h := withAuth(t, b.h)
		admin := token(t, "root", []string{auth.DefaultAdminScope})
		for _, c := range []struct {
			name, bearer string
			input        map[string]any
		}{
			{"the same id and type", admin, map[string]any{"sessionId": "s-100", "sessionName": "Overwrite"}},
			{"the id of a session of another type", admin, map[string]any{"sessionId": "s-100", "type": "TEAM", "sessionState": map[string]any{}}},
			{"the id of another user's session, as that user", token(t, "u-8", nil), map[string]any{"sessionId": "s-100", "userId": "u-8"}},
			{"the id of a workflow session", admin, map[string]any{"sessionId": "s-300", "type": "WORKFLOW"}},
			{"the id of a session without a user", token(t, "u-7", []string{auth.ScopeSessionsWrite}), map[string]any{"sessionId": "s-102"}},
		} {
			t.Run(c.name+" is CONFLICT and changes nothing", func(t *testing.T) {
				id := c.input["sessionId"].(string)
				before := storedRow(t, b, id)
				resp := queryAs(t, h, c.bearer, createMutation, map[string]any{"in": c.input})
				wantCodes(t, resp, "CONFLICT")
				wantEqual(t, "data", decodeAny(t, resp.Data), nil)
				if msg := resp.Errors[0].Message; !strings.Contains(msg, id) || strings.Contains(msg, "u-7") || strings.Contains(msg, "Order 981") {
					t.Errorf("message %q: want the id and nothing of the stored session", msg)
				}
				wantEqual(t, "row", storedRow(t, b, id), before)
			})
		}

		t.Run("of concurrent creates of one id exactly one wins", func(t *testing.T) {
			const n = 12
			var wg sync.WaitGroup
			codes := make([]string, n)
			for i := range n {
				wg.Go(func() {
					resp := query(t, b.h, createMutation, map[string]any{"in": map[string]any{"sessionId": "contended", "sessionName": fmt.Sprintf("writer %d", i)}})
					if len(resp.Errors) == 0 {
						codes[i] = "OK"
						return
					}
					codes[i] = strings.Join(resp.codes(), ",")
				})
			}
			wg.Wait()
			var winner = -1
			for i, c := range codes {
				switch {
				case c == "OK" && winner < 0:
					winner = i
				case c == "OK":
					t.Errorf("writers %d and %d both created the session", winner, i)
				case c != "CONFLICT":
					t.Errorf("writer %d: %s, want CONFLICT", i, c)
				}
			}
			if winner < 0 {
				t.Fatalf("no writer won: %v", codes)
			}
			name := jsonAt(mustQuery(t, b.h, `{ session(sessionId: "contended") { name } }`, nil), "session", "name")
			wantEqual(t, "stored name", name, fmt.Sprintf("writer %d", winner))
		})
	})
}

// TestCreateSessionRefusals checks inputs Agno's request model refuses, or
// that make no sense, are BAD_USER_INPUT and create nothing.
func TestCreateSessionRefusals(t *testing.T) {
	b := fixtureBackends(t)[0]
	for _, c := range []struct {
		name  string
		input map[string]any
	}{
		{"a sessionState that is not an object", map[string]any{"sessionId": "r-1", "sessionState": []any{1}}},
		{"a sessionState that is a string", map[string]any{"sessionId": "r-2", "sessionState": "x"}},
		{"metadata that is not an object", map[string]any{"sessionId": "r-3", "metadata": 3}},
		{"an empty sessionId", map[string]any{"sessionId": ""}},
		{"an empty name", map[string]any{"sessionId": "r-4", "sessionName": "  "}},
		{"a name with a control character", map[string]any{"sessionId": "r-5", "sessionName": "a\tb"}},
		{"a name of 513 characters", map[string]any{"sessionId": "r-6", "sessionName": strings.Repeat("x", 513)}},
		{"an agentId over 4096 bytes", map[string]any{"sessionId": "r-7", "agentId": strings.Repeat("x", 4097)}},
		{"an unknown type", map[string]any{"sessionId": "r-8", "type": "AGENTS"}},
	} {
		t.Run(c.name+" is refused", func(t *testing.T) {
			resp := query(t, b.h, createMutation, map[string]any{"in": c.input})
			if codes := resp.codes(); len(codes) != 1 || (codes[0] != "BAD_USER_INPUT" && codes[0] != "GRAPHQL_VALIDATION_FAILED") {
				t.Errorf("codes %v, want BAD_USER_INPUT", codes)
			}
			if id, _ := c.input["sessionId"].(string); id != "" && storedRow(t, b, id) != nil {
				t.Errorf("%s was created", id)
			}
		})
	}
	wantEqual(t, "totalCount", jsonAt(mustQuery(t, b.h, `{ sessions { totalCount } }`, nil), "sessions", "totalCount"), len(fixtureRows(t)))
}

// TestWritesStripLikeAgnoOnPostgres checks that, as Agno's PostgreSQL
// backend does, the characters PostgreSQL text cannot hold well are
// stripped from string values written there, and kept on SQLite.
func TestWritesStripLikeAgnoOnPostgres(t *testing.T) {
	eachBackend(t, fixtureBackends(t), func(t *testing.T, b servedBackend) {
		want := "a\u0001b\uffff"
		if b.store.Dialect() == db.Postgres {
			want = "ab"
		}
		state := map[string]any{"s": "a\u0001b\uffff"}
		data := mustQuery(t, b.h, createMutation, map[string]any{"in": map[string]any{"sessionId": "strip", "sessionState": state, "metadata": state}})
		wantEqual(t, "created state", jsonAt(data, "createSession", "session", "state"), map[string]any{"s": want})
		wantEqual(t, "created metadata", jsonAt(data, "createSession", "session", "metadata"), map[string]any{"s": want})
		data = mustQuery(t, b.h, updateMutation, map[string]any{"in": map[string]any{"sessionId": "strip", "sessionState": state,
			"summary": map[string]any{"summary": "a\u0001b\uffff"}}})
		wantEqual(t, "updated state", jsonAt(data, "updateSession", "session", "state"), map[string]any{"s": want})
		wantEqual(t, "updated summary", jsonAt(data, "updateSession", "session", "summary", "summary"), want)
	})
}
