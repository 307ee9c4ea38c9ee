package live_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/golang-jwt/jwt/v5"

	"sessiongraph/auth"
	"sessiongraph/db"
	"sessiongraph/graph"
	"sessiongraph/httpserver"
	"sessiongraph/internal/agnotest"
	"sessiongraph/internal/testpg"
	"sessiongraph/live"
	"sessiongraph/models"
)

func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	testpg.Main(m)
}

const (
	adminKey  = "the-admin-security-key"
	jwtSecret = "0123456789abcdef0123456789abcdef"
)

// token returns a JWT for user with the given scopes (nil: no scopes
// claim) expiring after ttl.
func token(t *testing.T, user string, scopes []string, ttl time.Duration) string {
	t.Helper()
	claims := jwt.MapClaims{"sub": user, "exp": time.Now().Add(ttl).Unix()}
	if scopes != nil {
		claims["scopes"] = scopes
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(jwtSecret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// served is a store behind the real HTTP stack with subscriptions, on a
// real loopback server, authenticated by a security key and JWTs.
type served struct {
	url     string
	store   *db.Store
	hub     *live.Hub
	metrics prometheus.Gatherer // the hub's
}

// open is the number of subscriptions the hub holds now.
func (s *served) open(t *testing.T) int {
	t.Helper()
	families, err := s.metrics.Gather()
	if err != nil {
		t.Fatal(err)
	}
	n := 0.0
	for _, f := range families {
		if f.GetName() == "sessiongraph_subscriptions_open" {
			for _, m := range f.GetMetric() {
				n += m.GetGauge().GetValue()
			}
		}
	}
	return int(n)
}

// awaitOpen waits until the hub holds at least n subscriptions: from then
// on, every change is delivered to them. A subscription request is
// answered before its subscription joins the hub, so a write made right
// after it may come before it.
func (s *served) awaitOpen(t *testing.T, n int) {
	t.Helper()
	for deadline := time.Now().Add(wait); s.open(t) < n; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d subscriptions open after %s, want %d", s.open(t), wait, n)
		}
	}
}

func serve(t *testing.T, store *db.Store, opts live.Options, hopts httpserver.Options) *served {
	t.Helper()
	if opts.Registerer == nil {
		opts.Registerer = prometheus.NewRegistry()
	}
	metrics, ok := opts.Registerer.(prometheus.Gatherer)
	if !ok {
		t.Fatal("the hub's metrics must be gathered: its Registerer a prometheus.Registry")
	}
	hub, err := live.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	a, err := auth.New(auth.Config{SecurityKey: adminKey, JWTSecret: []byte(jwtSecret)})
	if err != nil {
		t.Fatal(err)
	}
	hopts.Auth = a
	web := httpserver.New(hopts)
	h := web.Wrap(web.GraphQL(graph.NewServer(&graph.Resolver{Stores: []*db.Store{store}, Live: hub}, graph.Options{})))
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		hub.Close()
		srv.CloseClientConnections()
		srv.Close()
	})
	return &served{url: srv.URL, store: store, hub: hub, metrics: metrics}
}

// layouts are the databases subscriptions are tested on: both backends in
// Agno 2's layout and in Agno 3's.
func layouts(t *testing.T) []struct {
	name  string
	store *db.Store
} {
	return []struct {
		name  string
		store *db.Store
	}{
		{"sqlite v2", agnotest.OpenSQLite(t)},
		{"sqlite v3", agnotest.OpenSQLite(t, agnotest.V3)},
		{"postgres v2", agnotest.OpenPostgres(t)},
		{"postgres v3", agnotest.OpenPostgres(t, agnotest.V3)},
	}
}

// agno writes to a database as Agno does, from outside the server: plain
// SQL on the store's pool.
type agno struct {
	t     *testing.T
	store *db.Store
	pg    bool
	v3    bool
	runs  map[string][]map[string]any // Agno 2: each session's runs column
}

func newAgno(t *testing.T, store *db.Store) *agno {
	d := store.Describe()
	return &agno{t: t, store: store, pg: store.Dialect() == db.Postgres, v3: d.RunsTable != nil, runs: map[string][]map[string]any{}}
}

func (a *agno) sessions() string  { return a.store.Describe().SessionTable }
func (a *agno) runsTable() string { return *a.store.Describe().RunsTable }

// exec runs q with ? placeholders (numbered on PostgreSQL); J(?) marks a
// JSON parameter.
func (a *agno) exec(q string, args ...any) {
	a.t.Helper()
	if a.pg {
		q = strings.ReplaceAll(q, "J(?)", "CAST(? AS jsonb)")
		n := 0
		for strings.Contains(q, "?") {
			n++
			q = strings.Replace(q, "?", fmt.Sprintf("$%d", n), 1)
		}
	} else {
		q = strings.ReplaceAll(q, "J(?)", "?")
	}
	if _, err := a.store.Pool().ExecContext(context.Background(), q, args...); err != nil {
		a.t.Fatalf("%s: %v", q, err)
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// createSession inserts an agent session of user named name.
func (a *agno) createSession(id, user, name string) {
	a.t.Helper()
	now := time.Now().Unix()
	row := models.SessionRow{SessionID: id, SessionType: "agent", AgentID: ptr("agent-1"), UserID: ptr(user),
		SessionData: json.RawMessage(jsonText(map[string]any{"session_name": name})), CreatedAt: now, UpdatedAt: &now}
	if !a.v3 {
		row.Runs = json.RawMessage("[]")
	}
	if err := a.store.InsertRows(context.Background(), []models.SessionRow{row}, db.PlainJSON); err != nil {
		a.t.Fatal(err)
	}
}

// rename sets the session's stored name, as Agno's rename does.
func (a *agno) rename(id, name string) {
	a.t.Helper()
	a.exec("UPDATE "+a.sessions()+" SET session_data = J(?), updated_at = ? WHERE session_id = ?",
		jsonText(map[string]any{"session_name": name}), time.Now().Unix(), id)
}

func runDoc(sessionID, runID, status, text string) map[string]any {
	return map[string]any{"run_id": runID, "agent_id": "agent-1", "session_id": sessionID, "status": status,
		"created_at": time.Now().Unix(), "content": text,
		"messages": []any{map[string]any{"role": "user", "content": text}}}
}

// saveRun writes a run as Agno saves it: a row of the runs table on Agno
// 3 (inserted, or updated in place), the session's runs column on Agno 2.
func (a *agno) saveRun(sessionID, user, runID, status string) {
	a.t.Helper()
	now := time.Now().Unix()
	doc := runDoc(sessionID, runID, status, "hello from "+runID)
	if a.v3 {
		var n int
		q := "SELECT count(*) FROM " + a.runsTable() + " WHERE run_id = " + map[bool]string{true: "$1", false: "?"}[a.pg]
		if err := a.store.Pool().QueryRow(q, runID).Scan(&n); err != nil {
			a.t.Fatal(err)
		}
		if n == 0 {
			idx := int64(0)
			err := a.store.InsertRuns(context.Background(), []models.RunRow{{RunID: runID, SessionID: sessionID, RunType: "agent",
				AgentID: ptr("agent-1"), UserID: ptr(user), Status: ptr(status), RunIndex: &idx,
				RunData: json.RawMessage(jsonText(doc)), CreatedAt: now, UpdatedAt: &now}})
			if err != nil {
				a.t.Fatal(err)
			}
			return
		}
		a.exec("UPDATE "+a.runsTable()+" SET status = ?, run_data = J(?), updated_at = ? WHERE run_id = ?", status, jsonText(doc), now, runID)
		return
	}
	runs := a.runs[sessionID]
	replaced := false
	for i, r := range runs {
		if r["run_id"] == runID {
			runs[i], replaced = doc, true
		}
	}
	if !replaced {
		runs = append(runs, doc)
	}
	a.runs[sessionID] = runs
	a.exec("UPDATE "+a.sessions()+" SET runs = J(?), updated_at = ? WHERE session_id = ?", jsonText(runs), now, sessionID)
}

// deleteSession deletes a session and its runs, as Agno does.
func (a *agno) deleteSession(id string) {
	a.t.Helper()
	if a.v3 {
		a.exec("DELETE FROM "+a.runsTable()+" WHERE session_id = ?", id)
	}
	a.exec("DELETE FROM "+a.sessions()+" WHERE session_id = ?", id)
}

func ptr[T any](v T) *T { return &v }

// event is the part of an event the tests compare.
type event struct {
	Kind      string `json:"kind"`
	SessionID string `json:"sessionId"`
	RunID     string `json:"runId"`
	Cursor    string `json:"cursor"`
	Session   *struct {
		Name   string `json:"name"`
		UserID string `json:"userId"`
	} `json:"session"`
	Run *struct {
		RunID  string `json:"runId"`
		Status string `json:"status"`
	} `json:"run"`
}

// eventOf decodes the event of a result, failing on errors.
func eventOf(t *testing.T, p payload, field string) event {
	t.Helper()
	if len(p.Errors) > 0 {
		t.Fatalf("errors: %v", p.Errors)
	}
	var d map[string]event
	if err := json.Unmarshal(p.Data, &d); err != nil {
		t.Fatalf("%s: %v", p.Data, err)
	}
	return d[field]
}

const sessionEventsQuery = `subscription($after: String, $filter: SessionFilter) {
  sessionEvents(after: $after, filter: $filter) { kind sessionId cursor session { name userId } }
}`

const runEventsQuery = `subscription($id: String!, $after: String) {
  runEvents(sessionId: $id, after: $after) { kind sessionId runId cursor run { runId status } }
}`
