package db

import (
	"encoding/json"
	"reflect"
	"testing"

	"sessiongraph/models"
)

func TestDecodeNotice(t *testing.T) {
	const sessions, runs = "ai.agno_sessions", "ai.agno_runs"
	str := func(s string) *string { return &s }
	num := func(n int64) *int64 { return &n }
	cases := []struct {
		name, payload string
		want          models.ChangeNotice
		ours          bool
		malformed     bool
	}{
		{name: "a new session names its id",
			payload: `{"table" : "ai.agno_sessions", "kind" : "session", "op" : "INSERT", "session_id" : "s1"}`,
			want:    models.ChangeNotice{Op: models.ChangeKindCreated, SessionID: "s1"}, ours: true},
		{name: "an updated run names its id and its session's",
			payload: `{"table" : "ai.agno_runs", "kind" : "run", "op" : "UPDATE", "session_id" : "s1", "run_id" : "r1"}`,
			want:    models.ChangeNotice{Run: true, Op: models.ChangeKindUpdated, SessionID: "s1", RunID: "r1"}, ours: true},
		{name: "a deleted session carries its scalar columns",
			payload: `{"table" : "ai.agno_sessions", "kind" : "session", "op" : "DELETE", "session_id" : "s1", "user_id" : "alice", "session_type" : "team", "agent_id" : null, "team_id" : "t1", "workflow_id" : null, "created_at" : 1760000000, "updated_at" : 1760000005}`,
			want: models.ChangeNotice{Op: models.ChangeKindDeleted, SessionID: "s1", UserID: str("alice"),
				Session: &models.SessionRow{SessionID: "s1", SessionType: "team", TeamID: str("t1"), UserID: str("alice"),
					CreatedAt: 1760000000, UpdatedAt: num(1760000005), Loaded: &models.SessionColumns{}}}, ours: true},
		{name: "a deleted run carries its owner",
			payload: `{"table" : "ai.agno_runs", "kind" : "run", "op" : "DELETE", "session_id" : "s1", "run_id" : "r1", "user_id" : null}`,
			want:    models.ChangeNotice{Run: true, Op: models.ChangeKindDeleted, SessionID: "s1", RunID: "r1"}, ours: true},
		{name: "a cut payload asks for a resync, with the ids it kept",
			payload: `{"table" : "ai.agno_runs", "kind" : "run", "op" : "DELETE", "partial" : true, "session_id" : "s1", "run_id" : null}`,
			want:    models.ChangeNotice{Resync: true, Run: true, Op: models.ChangeKindDeleted, SessionID: "s1"}, ours: true},
		{name: "a notice about another configuration's table is not ours",
			payload: `{"table" : "ai.team_sessions", "kind" : "session", "op" : "INSERT", "session_id" : "s1"}`},
		{name: "a notice about a table of the same name in another schema is not ours",
			payload: `{"table" : "public.agno_sessions", "kind" : "session", "op" : "INSERT", "session_id" : "s1"}`},
		{name: "text that is not JSON is malformed", payload: `INSERT s1`, malformed: true},
		{name: "an empty payload is malformed", payload: ``, malformed: true},
		{name: "an unknown operation is malformed",
			payload: `{"table" : "ai.agno_sessions", "kind" : "session", "op" : "TRUNCATE", "session_id" : "s1"}`, malformed: true},
		{name: "an unknown kind is malformed",
			payload: `{"table" : "ai.agno_sessions", "kind" : "memory", "op" : "INSERT", "session_id" : "s1"}`, malformed: true},
		{name: "a run notice about the sessions table is malformed",
			payload: `{"table" : "ai.agno_sessions", "kind" : "run", "op" : "INSERT", "session_id" : "s1", "run_id" : "r1"}`, malformed: true},
		{name: "a notice without its session id is malformed",
			payload: `{"table" : "ai.agno_sessions", "kind" : "session", "op" : "INSERT"}`, malformed: true},
		{name: "a run notice without its run id is malformed",
			payload: `{"table" : "ai.agno_runs", "kind" : "run", "op" : "UPDATE", "session_id" : "s1"}`, malformed: true},
		{name: "a session's delete without its columns is malformed",
			payload: `{"table" : "ai.agno_sessions", "kind" : "session", "op" : "DELETE", "session_id" : "s1"}`, malformed: true},
		{name: "a created_at that is not an integer is malformed",
			payload: `{"table" : "ai.agno_sessions", "kind" : "session", "op" : "DELETE", "session_id" : "s1", "session_type" : "agent", "created_at" : 1.5}`, malformed: true},
		{name: "an id that is not a string is malformed",
			payload: `{"table" : "ai.agno_sessions", "kind" : "session", "op" : "INSERT", "session_id" : 7}`, malformed: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ours, err := decodeNotice(c.payload, sessions, runs)
			if (err != nil) != c.malformed || ours != c.ours || !reflect.DeepEqual(got, c.want) {
				t.Errorf("decodeNotice(%s) = %+v, %v, %v; want %+v, %v, malformed %v", c.payload, got, ours, err, c.want, c.ours, c.malformed)
			}
		})
	}
}

// FuzzDecodeNotice: no payload makes decodeNotice panic, and a notice it
// accepts is about the table its kind says, with a known operation and the
// ids of its row unless it asks for a resync.
func FuzzDecodeNotice(f *testing.F) {
	for _, seed := range []string{
		`{"table" : "ai.agno_sessions", "kind" : "session", "op" : "INSERT", "session_id" : "s1"}`,
		`{"table" : "ai.agno_runs", "kind" : "run", "op" : "DELETE", "session_id" : "s1", "run_id" : "r1", "user_id" : "u"}`,
		`{"table" : "ai.agno_sessions", "kind" : "session", "op" : "DELETE", "session_id" : "s1", "user_id" : null, "session_type" : "agent", "agent_id" : "a", "team_id" : null, "workflow_id" : null, "created_at" : 1, "updated_at" : null}`,
		`{"table" : "ai.agno_runs", "kind" : "run", "op" : "UPDATE", "partial" : true, "session_id" : null, "run_id" : null}`,
		`{"table" : "x", "kind" : "session", "op" : "INSERT"}`, `{"op": 1}`, `[]`, `null`, `"x"`, ``, `{`,
		`{"table" : "ai.agno_sessions", "kind" : "session", "op" : "DELETE", "session_id" : "s1", "session_type" : "agent", "created_at" : 1e30}`,
		`{"TABLE" : "ai.agno_sessions", "Kind" : "session", "OP" : "INSERT", "session_id" : "\u0000"}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		n, ours, err := decodeNotice(payload, "ai.agno_sessions", "ai.agno_runs")
		if err != nil || !ours {
			if !reflect.DeepEqual(n, models.ChangeNotice{}) {
				t.Errorf("a payload that is not ours decoded to %+v", n)
			}
			return
		}
		var p noticePayload
		_ = json.Unmarshal([]byte(payload), &p)
		switch {
		case n.Op != models.ChangeKindCreated && n.Op != models.ChangeKindUpdated && n.Op != models.ChangeKindDeleted:
			t.Errorf("operation %q", n.Op)
		case n.Run != (p.Table == "ai.agno_runs"):
			t.Errorf("a notice of Run %v from %s", n.Run, payload)
		case !n.Run && n.RunID != "":
			t.Errorf("a session's notice with run id %q", n.RunID)
		case (n.Session != nil) != (!n.Run && !n.Resync && n.Op == models.ChangeKindDeleted):
			t.Errorf("Session %+v on a notice of %+v", n.Session, n)
		case n.Session != nil && (n.Session.SessionID != n.SessionID || n.Session.UserID != n.UserID):
			t.Errorf("a deleted session's columns %+v disagree with its notice %+v", n.Session, n)
		}
	})
}
