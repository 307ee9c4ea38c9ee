package graph_test

import (
	"encoding/json"
	"strings"
	"testing"

	"sessiongraph/db"
	"sessiongraph/models"
)

func TestSessionField(t *testing.T) {
	bs := fixtureBackends(t)
	const q = `query($id: String!, $type: SessionType) {
		session(sessionId: $id, type: $type) { __typename sessionId type }
	}`
	cases := []struct {
		name     string
		id       string
		typ      any
		typename string // "" when the session must be null
	}{
		{"an agent session is found by its id", "s-100", nil, "AgentSession"},
		{"a team session is found by its id", "s-200", nil, "TeamSession"},
		{"a workflow session is found by its id", "s-300", nil, "WorkflowSession"},
		{"a session of the matching type is found", "s-200", "TEAM", "TeamSession"},
		{"a workflow session asked for as a workflow is found", "s-301", "WORKFLOW", "WorkflowSession"},
		{"a team session asked for as an agent session is null", "s-200", "AGENT", ""},
		{"an agent session asked for as a workflow session is null", "s-100", "WORKFLOW", ""},
		{"a workflow session asked for as a team session is null", "s-300", "TEAM", ""},
		{"an absent session is null", "no-such-session", nil, ""},
		{"an absent session asked for with a type is null", "no-such-session", "AGENT", ""},
		{"a legacy row with an empty session_type is an agent session by its agent_id", "s-500", "AGENT", "AgentSession"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eachBackend(t, bs, func(t *testing.T, b servedBackend) {
				data := mustQuery(t, b.h, q, map[string]any{"id": c.id, "type": c.typ})
				if c.typename == "" {
					if data["session"] != nil {
						t.Fatalf("session = %s, want null", jsonText(data["session"]))
					}
					return
				}
				wantEqual(t, "session", data["session"], map[string]any{
					"__typename": c.typename, "sessionId": c.id,
					"type": strings.ToUpper(strings.TrimSuffix(c.typename, "Session")),
				})
			})
		})
	}
}

func TestSessionsField(t *testing.T) {
	bs := fixtureBackends(t)
	rows := fixtureRows(t)
	t.Run("lists every stored row newest first with ties on sessionId descending", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			data := mustQuery(t, b.h, `{ sessions(first: 100) { totalCount nodes { sessionId } } }`, nil)
			wantEqual(t, "ids", stringsAt(t, data, "sessionId", "sessions", "nodes"), fixtureOrder(rows, sessionOrder{"CREATED_AT", "DESC"}))
			wantEqual(t, "totalCount", jsonAt(data, "sessions", "totalCount"), len(rows))
		})
	})
	t.Run("edges and nodes hold the same sessions", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			data := mustQuery(t, b.h, `{ sessions(first: 5) { edges { cursor node { id } } nodes { id } } }`, nil)
			edges, nodes := listAt(t, data, "sessions", "edges"), listAt(t, data, "sessions", "nodes")
			if len(edges) != 5 || len(nodes) != 5 {
				t.Fatalf("got %d edges and %d nodes, want 5 each", len(edges), len(nodes))
			}
			for i := range edges {
				wantEqual(t, "edge node", jsonAt(edges[i], "node", "id"), jsonAt(nodes[i], "id"))
				if c, _ := jsonAt(edges[i], "cursor").(string); c == "" {
					t.Errorf("edge %d has no cursor", i)
				}
			}
		})
	})
}

func TestRootRunsField(t *testing.T) {
	bs := fixtureBackends(t)
	const q = `query($id: String!, $type: SessionType) {
		runs(sessionId: $id, type: $type) { totalCount nodes { runId } }
	}`
	t.Run("lists a session's runs in stored order", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			data := mustQuery(t, b.h, q, map[string]any{"id": "s-103"})
			wantEqual(t, "runs", stringsAt(t, data, "runId", "runs", "nodes"), []string{"r-c1", "r-c2", "r-c3", "r-c4"})
			wantEqual(t, "totalCount", jsonAt(data, "runs", "totalCount"), 4)
		})
	})
	t.Run("lists a team session's member runs as top-level entries", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			data := mustQuery(t, b.h, q, map[string]any{"id": "s-200", "type": "TEAM"})
			wantEqual(t, "runs", stringsAt(t, data, "runId", "runs", "nodes"), []string{"r-m1", "r-t1"})
		})
	})
	t.Run("a session without runs has an empty connection", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			data := mustQuery(t, b.h, q, map[string]any{"id": "s-102"})
			wantEqual(t, "runs", data["runs"], map[string]any{"totalCount": 0, "nodes": []any{}})
		})
	})
	notFound := []struct {
		name string
		vars map[string]any
	}{
		{"the runs of an absent session are null with NOT_FOUND", map[string]any{"id": "no-such-session"}},
		{"the runs of a session of another type are null with NOT_FOUND", map[string]any{"id": "s-200", "type": "AGENT"}},
		{"the runs of an agent session asked for as a workflow are null with NOT_FOUND", map[string]any{"id": "s-100", "type": "WORKFLOW"}},
	}
	for _, c := range notFound {
		t.Run(c.name, func(t *testing.T) {
			eachBackend(t, bs, func(t *testing.T, b servedBackend) {
				resp := query(t, b.h, q, c.vars)
				wantCodes(t, resp, "NOT_FOUND")
				wantEqual(t, "data", decodeAny(t, resp.Data), map[string]any{"runs": nil})
				if len(resp.Errors) == 1 {
					wantEqual(t, "error path", resp.Errors[0].Path, []any{"runs"})
				}
			})
		})
	}
}

func TestRunField(t *testing.T) {
	bs := fixtureBackends(t)
	const q = `query($s: String!, $r: String!) {
		run(sessionId: $s, runId: $r) {
			__typename id runId sessionId parentRunId content
			... on AgentRun { agentId agentName }
			... on TeamRun { teamId }
			... on WorkflowRun { workflowId }
		}
	}`
	cases := []struct {
		name, session, run string
		want               map[string]any // nil: the run is null
	}{
		{"a top-level agent run is found", "s-100", "r-a1", map[string]any{
			"__typename": "AgentRun", "runId": "r-a1", "sessionId": "s-100", "parentRunId": nil,
			"content": "Order 981 shipped yesterday.", "agentId": "support", "agentName": "Support Agent"}},
		{"a top-level team run is found", "s-200", "r-t1", map[string]any{
			"__typename": "TeamRun", "runId": "r-t1", "sessionId": "s-200", "parentRunId": nil,
			"content": "Go 1.25 shipped in August.", "teamId": "research-team"}},
		{"a member run stored as a top-level entry is found", "s-200", "r-m1", map[string]any{
			"__typename": "AgentRun", "runId": "r-m1", "sessionId": "s-200", "parentRunId": "r-t1",
			"content": "Go 1.25 shipped in August.", "agentId": "web-researcher", "agentName": "Web Researcher"}},
		{"a member run stored only in member_responses is found", "s-200", "r-m2", map[string]any{
			"__typename": "AgentRun", "runId": "r-m2", "sessionId": "s-200", "parentRunId": "r-t1",
			"content": "Drafted a note.", "agentId": "writer", "agentName": "Writer"}},
		{"a workflow run is found", "s-300", "r-w1", map[string]any{
			"__typename": "WorkflowRun", "runId": "r-w1", "sessionId": "s-300", "parentRunId": nil,
			"content": "# Go generics\n...", "workflowId": "blog"}},
		{"a step run nested in step_executor_runs is found", "s-300", "r-s1", map[string]any{
			"__typename": "AgentRun", "runId": "r-s1", "sessionId": "s-300", "parentRunId": "r-w1",
			"content": "Notes on generics...", "agentId": "researcher", "agentName": "Researcher"}},
		{"a step run without agent_name is found", "s-302", "r-s3", map[string]any{
			"__typename": "AgentRun", "runId": "r-s3", "sessionId": "s-302", "parentRunId": "r-w3",
			"content": "x", "agentId": "writer", "agentName": nil}},
		{"an absent run is null", "s-100", "no-such-run", nil},
		{"a run of another session is null", "s-200", "r-a1", nil},
		{"a run of an absent session is null", "no-such-session", "r-a1", nil},
		{"a run of a session without runs is null", "s-102", "r-a1", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eachBackend(t, bs, func(t *testing.T, b servedBackend) {
				data := mustQuery(t, b.h, q, map[string]any{"s": c.session, "r": c.run})
				if c.want == nil {
					if data["run"] != nil {
						t.Fatalf("run = %s, want null", jsonText(data["run"]))
					}
					return
				}
				got, _ := data["run"].(map[string]any)
				if id, _ := got["id"].(string); id == "" {
					t.Errorf("run has no id: %s", jsonText(got))
				}
				delete(got, "id")
				wantEqual(t, "run", got, c.want)
			})
		})
	}
}

func TestDatabasesField(t *testing.T) {
	bs := fixtureBackends(t)
	t.Run("lists the one configured database as default", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			want := map[string]any{"id": "default", "dialect": "sqlite", "sessionTable": "agno_sessions"}
			schema := ""
			if strings.HasPrefix(b.name, "postgres") {
				want = map[string]any{"id": "default", "dialect": "postgres", "sessionTable": "ai.agno_sessions"}
				schema = "ai."
			}
			// Agno 2's layout has the runs column only, Agno 3's the runs table
			// only, a database Agno 3 upgraded both.
			want["runsTable"], want["legacyRunsColumn"] = nil, true
			switch {
			case strings.HasSuffix(b.name, " v3"):
				want["runsTable"], want["legacyRunsColumn"] = schema+"agno_runs", false
			case strings.HasSuffix(b.name, " mixed"):
				want["runsTable"] = schema + "agno_runs"
			}
			data := mustQuery(t, b.h, `{ databases { id dialect sessionTable runsTable legacyRunsColumn } }`, nil)
			wantEqual(t, "databases", data["databases"], []any{want})
		})
	})
}

// nodeIdentity selects what identifies a node; sessionIdentity and runIdentity the same on a Session and a Run.
const (
	nodeIdentity    = `__typename id ... on Session { sessionId } ... on Run { runId sessionId }`
	sessionIdentity = `__typename id sessionId`
	runIdentity     = `__typename id runId sessionId`
)

func TestNodeField(t *testing.T) {
	bs := fixtureBackends(t)
	// ghost is a store that holds objects absent from the fixture backends,
	// under the same database id, so that their ids are well-formed there.
	ghost := openSQLiteStore(t, "default")
	ghostRows := []models.SessionRow{{
		SessionID: "ghost", SessionType: "agent", AgentID: ptrTo("a"), CreatedAt: 1,
		Runs: rawJSON(`[{"run_id": "r-ghost", "agent_id": "a"}]`),
	}, {
		SessionID: "s-100", SessionType: "agent", AgentID: ptrTo("a"), CreatedAt: 1,
		Runs: rawJSON(`[{"run_id": "r-ghost-in-s-100", "agent_id": "a"}]`),
	}, {
		SessionID: "s-200", SessionType: "agent", AgentID: ptrTo("a"), CreatedAt: 1,
	}}
	if err := ghost.InsertRows(t.Context(), ghostRows, db.DoubleEncoded); err != nil {
		t.Fatal(err)
	}
	ghostData := mustQuery(t, newHandler(ghost), `{
		a: session(sessionId: "ghost") { id runs { nodes { id } } }
		b: session(sessionId: "s-100") { id runs { nodes { id } } }
		c: session(sessionId: "s-200") { id }
	}`, nil)
	absentSession := jsonAt(ghostData, "a", "id").(string)
	absentRun := jsonAt(ghostData, "a", "runs", "nodes", 0, "id").(string)
	absentRunOfPresentSession := jsonAt(ghostData, "b", "runs", "nodes", 0, "id").(string)
	teamSessionAsAgent := jsonAt(ghostData, "c", "id").(string)

	t.Run("every session id fetches its session again", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			data := mustQuery(t, b.h, `{ sessions(first: 100) { nodes { `+sessionIdentity+` } } }`, nil)
			sessions := listAt(t, data, "sessions", "nodes")
			if len(sessions) != len(fixtureRows(t)) {
				t.Fatalf("got %d sessions, want %d", len(sessions), len(fixtureRows(t)))
			}
			for _, s := range sessions {
				got := mustQuery(t, b.h, `query($id: ID!) { node(id: $id) { `+nodeIdentity+` } }`, map[string]any{"id": jsonAt(s, "id")})
				wantEqual(t, "node", got["node"], s)
			}
		})
	})
	t.Run("every run id, nested runs included, fetches its run again", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			data := mustQuery(t, b.h, `{
				s100: session(sessionId: "s-100") { runs { nodes { `+runIdentity+` } } }
				s200: session(sessionId: "s-200") { runs { nodes { `+runIdentity+`
					... on TeamRun { memberRuns { `+runIdentity+` } } } } }
				s300: session(sessionId: "s-300") { runs { nodes { `+runIdentity+`
					... on WorkflowRun { stepRuns { `+runIdentity+` } } } } }
			}`, nil)
			var runs []any
			runs = append(runs, listAt(t, data, "s100", "runs", "nodes")...)
			runs = append(runs, listAt(t, data, "s200", "runs", "nodes")...)
			runs = append(runs, listAt(t, data, "s300", "runs", "nodes")...)
			runs = append(runs, listAt(t, data, "s200", "runs", "nodes", 1, "memberRuns")...)
			runs = append(runs, listAt(t, data, "s300", "runs", "nodes", 0, "stepRuns")...)
			var runIDs []string
			for _, r := range runs {
				m := r.(map[string]any)
				delete(m, "memberRuns")
				delete(m, "stepRuns")
				runIDs = append(runIDs, m["runId"].(string))
				got := mustQuery(t, b.h, `query($id: ID!) { node(id: $id) { `+nodeIdentity+` } }`, map[string]any{"id": m["id"]})
				wantEqual(t, "node of run "+m["runId"].(string), got["node"], m)
			}
			wantEqual(t, "runs checked", runIDs, []string{"r-a1", "r-a2", "r-m1", "r-t1", "r-w1", "r-m1", "r-m2", "r-s1"})
		})
	})
	t.Run("session and run ids are all distinct", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			data := mustQuery(t, b.h, `{ sessions(first: 100) { nodes { id runs(first: 10) { nodes { id } } } } }`, nil)
			seen := map[string]bool{}
			for _, s := range listAt(t, data, "sessions", "nodes") {
				ids := []any{jsonAt(s, "id")}
				for _, r := range listAt(t, s, "runs", "nodes") {
					ids = append(ids, jsonAt(r, "id"))
				}
				for _, id := range ids {
					if seen[id.(string)] {
						t.Errorf("id %v appears twice", id)
					}
					seen[id.(string)] = true
				}
			}
		})
	})
	absent := []struct{ name, id string }{
		{"a well-formed id of an absent session is null", absentSession},
		{"a well-formed id of a run of an absent session is null", absentRun},
		{"a well-formed id of an absent run of a present session is null", absentRunOfPresentSession},
		{"the id of an agent session whose row is now a team session is null", teamSessionAsAgent},
	}
	for _, c := range absent {
		t.Run(c.name, func(t *testing.T) {
			eachBackend(t, bs, func(t *testing.T, b servedBackend) {
				data := mustQuery(t, b.h, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": c.id})
				if data["node"] != nil {
					t.Fatalf("node = %s, want null", jsonText(data["node"]))
				}
			})
		})
	}
	for _, id := range []string{"", "not an id", "Zm9v", "!!!", "QWdlbnRTZXNzaW9uOmRlZmF1bHQ", strings.Repeat("A", 5000)} {
		t.Run("a malformed id "+strings.ReplaceAll(shortForName(id), " ", "_")+" is BAD_USER_INPUT", func(t *testing.T) {
			eachBackend(t, bs, func(t *testing.T, b servedBackend) {
				// Refused before execution (checkArguments): 422 and no data.
				resp := query(t, b.h, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id})
				wantCodes(t, resp, "BAD_USER_INPUT")
				if resp.Status != 422 || (len(resp.Data) > 0 && string(resp.Data) != "null") {
					t.Errorf("status %d, data %s; want 422 and no data", resp.Status, resp.Data)
				}
			})
		})
	}
	t.Run("nodes keeps the order and length of ids with null for absent and malformed ones", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			ids := mustQuery(t, b.h, `{
				a: session(sessionId: "s-300") { id }
				b: run(sessionId: "s-200", runId: "r-m2") { id }
				c: session(sessionId: "s-100") { id }
			}`, nil)
			s300, rm2, s100 := jsonAt(ids, "a", "id"), jsonAt(ids, "b", "id"), jsonAt(ids, "c", "id")
			resp := query(t, b.h, `query($ids: [ID!]!) { nodes(ids: $ids) { __typename ... on Session { sessionId } ... on Run { runId } } }`,
				map[string]any{"ids": []any{s300, absentSession, rm2, "garbage", s100, s300}})
			wantCodes(t, resp, "BAD_USER_INPUT")
			if len(resp.Errors) == 1 {
				wantEqual(t, "error path", resp.Errors[0].Path, []any{"nodes", 3})
			}
			wantEqual(t, "nodes", decodeAny(t, resp.Data), map[string]any{"nodes": []any{
				map[string]any{"__typename": "WorkflowSession", "sessionId": "s-300"},
				nil,
				map[string]any{"__typename": "AgentRun", "runId": "r-m2"},
				nil,
				map[string]any{"__typename": "AgentSession", "sessionId": "s-100"},
				map[string]any{"__typename": "WorkflowSession", "sessionId": "s-300"},
			}})
		})
	})
	t.Run("nodes of no ids is an empty list", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			data := mustQuery(t, b.h, `{ nodes(ids: []) { id } }`, nil)
			wantEqual(t, "nodes", data["nodes"], []any{})
		})
	})
}

func shortForName(s string) string {
	if s == "" {
		return "(empty)"
	}
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}

func TestUnknownDBID(t *testing.T) {
	bs := fixtureBackends(t)
	cases := []struct{ name, q string }{
		{"session with an unknown dbId is NOT_FOUND", `{ session(sessionId: "s-100", dbId: "nope") { id } }`},
		{"sessions with an unknown dbId is NOT_FOUND", `{ sessions(dbId: "nope") { totalCount } }`},
		{"runs with an unknown dbId is NOT_FOUND", `{ runs(sessionId: "s-100", dbId: "nope") { totalCount } }`},
		{"run with an unknown dbId is NOT_FOUND", `{ run(sessionId: "s-100", runId: "r-a1", dbId: "nope") { id } }`},
		{"renameSession with an unknown dbId is NOT_FOUND", `mutation { renameSession(input: {sessionId: "s-100", name: "x", dbId: "nope"}) { clientMutationId } }`},
		{"deleteSession with an unknown dbId is NOT_FOUND", `mutation { deleteSession(input: {sessionId: "s-100", dbId: "nope"}) { deletedSessionId } }`},
		{"deleteSessions with an unknown dbId is NOT_FOUND", `mutation { deleteSessions(input: {sessionIds: ["s-100"], dbId: "nope"}) { deletedSessionIds } }`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eachBackend(t, bs, func(t *testing.T, b servedBackend) {
				wantCodes(t, query(t, b.h, c.q, nil), "NOT_FOUND")
			})
		})
	}
	t.Run("nothing was written through an unknown dbId", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			data := mustQuery(t, b.h, `{ session(sessionId: "s-100") { name } sessions { totalCount } }`, nil)
			wantEqual(t, "s-100 name", jsonAt(data, "session", "name"), "Order 981 help")
			wantEqual(t, "totalCount", jsonAt(data, "sessions", "totalCount"), len(fixtureRows(t)))
		})
	})
}

func TestSecondDatabase(t *testing.T) {
	bs := fixtureBackends(t) // this test writes
	eachBackend(t, bs, func(t *testing.T, b servedBackend) {
		other := openSQLiteStore(t, "other")
		rows := []models.SessionRow{
			{SessionID: "s-100", SessionType: "team", TeamID: ptrTo("t"), CreatedAt: 1757000000, SessionData: rawJSON(`{"session_name": "The other s-100"}`)},
			{SessionID: "b-1", SessionType: "agent", AgentID: ptrTo("a"), CreatedAt: 1757000001, SessionData: rawJSON(`{"session_name": "Only in other"}`)},
		}
		if err := other.InsertRows(t.Context(), rows, db.DoubleEncoded); err != nil {
			t.Fatal(err)
		}
		h := newHandler(b.store, other)
		t.Run("databases lists both, the first as default", func(t *testing.T) {
			data := mustQuery(t, h, `{ databases { id dialect } }`, nil)
			first := "sqlite"
			if strings.HasPrefix(b.name, "postgres") {
				first = "postgres"
			}
			wantEqual(t, "databases", data["databases"], []any{
				map[string]any{"id": "default", "dialect": first},
				map[string]any{"id": "other", "dialect": "sqlite"},
			})
		})
		t.Run("session without dbId reads the default database", func(t *testing.T) {
			data := mustQuery(t, h, `{ a: session(sessionId: "s-100") { __typename name } b: session(sessionId: "b-1") { name } }`, nil)
			wantEqual(t, "data", data, map[string]any{"a": map[string]any{"__typename": "AgentSession", "name": "Order 981 help"}, "b": nil})
		})
		t.Run("session with dbId reads that database", func(t *testing.T) {
			data := mustQuery(t, h, `{ a: session(sessionId: "s-100", dbId: "other") { __typename name } b: session(sessionId: "b-1", dbId: "other") { name } c: session(sessionId: "s-100", dbId: "default") { name } }`, nil)
			wantEqual(t, "data", data, map[string]any{
				"a": map[string]any{"__typename": "TeamSession", "name": "The other s-100"},
				"b": map[string]any{"name": "Only in other"},
				"c": map[string]any{"name": "Order 981 help"},
			})
		})
		t.Run("sessions with dbId lists that database", func(t *testing.T) {
			data := mustQuery(t, h, `{ sessions(dbId: "other") { totalCount nodes { sessionId } } }`, nil)
			wantEqual(t, "sessions", data["sessions"], map[string]any{"totalCount": 2, "nodes": []any{
				map[string]any{"sessionId": "b-1"}, map[string]any{"sessionId": "s-100"}}})
		})
		t.Run("ids of the same session id in two databases differ and each fetches its own", func(t *testing.T) {
			data := mustQuery(t, h, `{ a: session(sessionId: "s-100") { id } b: session(sessionId: "s-100", dbId: "other") { id } }`, nil)
			a, bID := jsonAt(data, "a", "id"), jsonAt(data, "b", "id")
			if a == bID {
				t.Fatalf("both databases give s-100 the id %v", a)
			}
			got := mustQuery(t, h, `query($a: ID!, $b: ID!) { a: node(id: $a) { ... on Session { name } } b: node(id: $b) { ... on Session { name } } }`, map[string]any{"a": a, "b": bID})
			wantEqual(t, "nodes", got, map[string]any{"a": map[string]any{"name": "Order 981 help"}, "b": map[string]any{"name": "The other s-100"}})
		})
		t.Run("an id of a database that is not configured is null", func(t *testing.T) {
			id := jsonAt(mustQuery(t, h, `{ session(sessionId: "b-1", dbId: "other") { id } }`, nil), "session", "id")
			data := mustQuery(t, b.h, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id})
			if data["node"] != nil {
				t.Fatalf("node = %s, want null", jsonText(data["node"]))
			}
		})
		t.Run("mutations with dbId write only that database", func(t *testing.T) {
			resp := query(t, h, `mutation {
				renameSession(input: {sessionId: "s-100", name: "Renamed other", dbId: "other"}) { session { name } }
				deleteSession(input: {sessionId: "b-1", dbId: "other"}) { deletedSessionId }
			}`, nil)
			wantCodes(t, resp)
			data := mustQuery(t, h, `{
				a: session(sessionId: "s-100") { name }
				b: session(sessionId: "s-100", dbId: "other") { name }
				c: sessions(dbId: "other") { totalCount }
				d: sessions { totalCount }
			}`, nil)
			wantEqual(t, "data", data, map[string]any{
				"a": map[string]any{"name": "Order 981 help"},
				"b": map[string]any{"name": "Renamed other"},
				"c": map[string]any{"totalCount": 1},
				"d": map[string]any{"totalCount": len(fixtureRows(t))},
			})
		})
	})
}

func TestAwkwardKeysAndValues(t *testing.T) {
	bs := fixtureBackends(t) // this test writes
	const sessionID, runID = "s:1 é/x%2F?=&", "r:2 %3A/é"
	eachBackend(t, bs, func(t *testing.T, b servedBackend) {
		insertRows(t, b, models.SessionRow{SessionID: sessionID, SessionType: "agent", AgentID: ptrTo("a"), CreatedAt: 1,
			Metadata: rawJSON(`{"big": 123456789012345678901234567890, "tiny": 1e-7, "text": "\u00e9\ud83c\udf89 \"q\" \\ \u0001"}`),
			Runs:     rawJSON(`[{"run_id": "` + runID + `", "agent_id": "a", "created_at": 1}]`)})
		t.Run("ids of sessions and runs with separators and escapes in their keys round trip", func(t *testing.T) {
			data := mustQuery(t, b.h, `query($s: String!, $r: String!) { session(sessionId: $s) { id sessionId } run(sessionId: $s, runId: $r) { id runId sessionId } }`,
				map[string]any{"s": sessionID, "r": runID})
			wantEqual(t, "keys", []any{jsonAt(data, "session", "sessionId"), jsonAt(data, "run", "runId"), jsonAt(data, "run", "sessionId")},
				[]any{sessionID, runID, sessionID})
			got := mustQuery(t, b.h, `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Session { sessionId } ... on Run { runId sessionId } } }`,
				map[string]any{"ids": []any{jsonAt(data, "session", "id"), jsonAt(data, "run", "id")}})
			wantEqual(t, "nodes", got["nodes"], []any{data["session"], data["run"]})
		})
		t.Run("JSON passes big integers, exponents and escapes through exactly", func(t *testing.T) {
			resp := query(t, b.h, `query($s: String!) { session(sessionId: $s) { metadata } }`, map[string]any{"s": sessionID})
			wantCodes(t, resp)
			var got struct {
				Session struct{ Metadata json.RawMessage }
			}
			if err := json.Unmarshal(resp.Data, &got); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(got.Session.Metadata), `123456789012345678901234567890`) {
				t.Errorf("metadata %s lost the digits of big", got.Session.Metadata)
			}
			var m map[string]any
			if err := json.Unmarshal(got.Session.Metadata, &m); err != nil {
				t.Fatal(err)
			}
			wantEqual(t, "text", m["text"], "é🎉 \"q\" \\ \u0001")
			wantEqual(t, "tiny", m["tiny"], 1e-7)
		})
	})
}
