package live_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"sessiongraph/db"
	"sessiongraph/httpserver"
	"sessiongraph/internal/agnotest"
	"sessiongraph/live"
	"sessiongraph/models"
)

// wait is how long a test waits for an event: the watcher reads every
// second by default, and the target is two.
const wait = 5 * time.Second

// TestOutsideWritesArriveOnceInOrder: an insert, a rename, a new run, a run
// status change and a delete, each written from outside the server as
// Agno writes them, arrive once and in order at a WebSocket client and an
// SSE client, on both backends and both of Agno's layouts; the session's
// owner sees them, another user sees none.
func TestOutsideWritesArriveOnceInOrder(t *testing.T) {
	for _, l := range layouts(t) {
		t.Run(l.name, func(t *testing.T) {
			t.Parallel()
			s := serve(t, l.store, live.Options{}, httpserver.Options{})
			a := newAgno(t, l.store)
			ws := dialWS(t, s.url, map[string]any{"Authorization": "Bearer " + adminKey}, nil)
			owner := dialWS(t, s.url, map[string]any{"Authorization": "Bearer " + token(t, "u1", nil, time.Hour)}, nil)
			other := dialWS(t, s.url, map[string]any{"authorization": token(t, "u2", nil, time.Hour)}, nil)
			sessions := ws.subscribe(t, sessionEventsQuery, nil)
			mine := owner.subscribe(t, sessionEventsQuery, nil)
			theirs := other.subscribe(t, sessionEventsQuery, nil)
			sse, resp := sseSubscribe(t, s.url, adminKey, sessionEventsQuery, nil)
			if resp.StatusCode != 200 {
				t.Fatalf("SSE: HTTP %d", resp.StatusCode)
			}
			s.awaitOpen(t, 4)

			expect := func(st *stream, kind, name string) event {
				t.Helper()
				ev := eventOf(t, st.next(t, wait), "sessionEvents")
				if ev.Kind != kind || ev.SessionID != "s1" || ev.Cursor == "" {
					t.Fatalf("got %+v, want %s of s1", ev, kind)
				}
				if kind == "DELETED" {
					if ev.Session != nil {
						t.Fatalf("a deleted session is %+v", ev.Session)
					}
				} else if ev.Session == nil || ev.Session.Name != name || ev.Session.UserID != "u1" {
					t.Fatalf("session %+v, want name %q of u1", ev.Session, name)
				}
				return ev
			}
			expectAll := func(kind, name string) {
				t.Helper()
				for _, st := range []*stream{sessions, mine, sse} {
					expect(st, kind, name)
				}
			}

			a.createSession("s1", "u1", "first")
			expectAll("CREATED", "first")
			runs := owner.subscribe(t, runEventsQuery, map[string]any{"id": "s1"})
			s.awaitOpen(t, 5)

			a.rename("s1", "second")
			expectAll("UPDATED", "second")

			a.saveRun("s1", "u1", "r1", "RUNNING")
			expectAll("UPDATED", "second")
			expectRun(t, runs, "CREATED", "r1", "RUNNING")

			a.saveRun("s1", "u1", "r1", "COMPLETED")
			expectAll("UPDATED", "second")
			expectRun(t, runs, "UPDATED", "r1", "COMPLETED")

			a.deleteSession("s1")
			expectAll("DELETED", "")
			if ev := eventOf(t, runs.next(t, wait), "runEvents"); ev.Kind != "DELETED" || ev.SessionID != "s1" || ev.Run != nil {
				t.Fatalf("runEvents: %+v, want DELETED of s1", ev)
			}
			for name, st := range map[string]*stream{"admin WS": sessions, "owner": mine, "SSE": sse, "runs": runs} {
				select {
				case p := <-st.results:
					t.Errorf("%s: a change was delivered twice: %s", name, p.Data)
				default:
				}
			}
			theirs.none(t, 1500*time.Millisecond)
		})
	}
}

func expectRun(t *testing.T, st *stream, kind, runID, status string) {
	t.Helper()
	ev := eventOf(t, st.next(t, wait), "runEvents")
	if ev.Kind != kind || ev.RunID != runID || ev.Run == nil || ev.Run.Status != status {
		t.Fatalf("got %+v (run %+v), want %s of %s %s", ev, ev.Run, kind, runID, status)
	}
}

// TestResumeLosesNothing: a client that resubscribes with the cursor of
// the last event it read gets every change written while it was away, then
// the live ones, none twice.
func TestResumeLosesNothing(t *testing.T) {
	for _, l := range layouts(t) {
		t.Run(l.name, func(t *testing.T) {
			t.Parallel()
			s := serve(t, l.store, live.Options{}, httpserver.Options{})
			a := newAgno(t, l.store)
			init := map[string]any{"Authorization": "Bearer " + adminKey}
			first := dialWS(t, s.url, init, nil)
			st := first.subscribe(t, sessionEventsQuery, nil)
			s.awaitOpen(t, 1)
			a.createSession("s1", "u1", "first")
			cursor := eventOf(t, st.next(t, wait), "sessionEvents").Cursor
			_ = first.conn.CloseNow()

			a.rename("s1", "renamed while away")
			a.createSession("s2", "u2", "created while away")
			a.saveRun("s2", "u2", "r1", "COMPLETED")
			time.Sleep(1500 * time.Millisecond) // the watcher reads them with nobody listening

			again := dialWS(t, s.url, init, nil)
			resumed := again.subscribe(t, sessionEventsQuery, map[string]any{"after": cursor})
			got := map[string]string{}
			for range 2 {
				ev := eventOf(t, resumed.next(t, wait), "sessionEvents")
				if _, dup := got[ev.SessionID]; dup {
					t.Fatalf("%s delivered twice", ev.SessionID)
				}
				got[ev.SessionID] = ev.Kind + " " + ev.Session.Name
			}
			want := map[string]string{"s1": "UPDATED renamed while away", "s2": "CREATED created while away"}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("resumed with %v, want %v", got, want)
			}
			a.rename("s2", "live again")
			if ev := eventOf(t, resumed.next(t, wait), "sessionEvents"); ev.SessionID != "s2" || ev.Session.Name != "live again" {
				t.Fatalf("after the catch-up: %+v", ev)
			}
			resumed.none(t, 1500*time.Millisecond)
		})
	}
}

// TestSubscriptionsAreGuardedAsQueries: the token in connection_init (or
// the Authorization header for SSE), the sessions:read scope, user
// isolation of runEvents, malformed cursors, and a token that expires
// while its subscription is open.
func TestSubscriptionsAreGuardedAsQueries(t *testing.T) {
	store := agnotest.OpenSQLite(t, agnotest.V3)
	s := serve(t, store, live.Options{}, httpserver.Options{})
	a := newAgno(t, store)
	a.createSession("s1", "u1", "mine")

	t.Run("a WebSocket without a token is closed with 4403", func(t *testing.T) {
		_, err := dialWSErr(t, s.url, nil, nil)
		if code := websocket.CloseStatus(err); code != 4403 || !strings.Contains(err.Error(), "missing bearer token") {
			t.Fatalf("got %v (close code %d), want 4403 saying the token is missing", err, code)
		}
	})
	t.Run("a WebSocket with an expired token is closed with 4403", func(t *testing.T) {
		_, err := dialWSErr(t, s.url, map[string]any{"Authorization": "Bearer " + token(t, "u1", nil, -time.Hour)}, nil)
		if code := websocket.CloseStatus(err); code != 4403 {
			t.Fatalf("got %v (close code %d), want 4403", err, code)
		}
	})
	t.Run("the upgrade request's Authorization header serves clients that can send one", func(t *testing.T) {
		c := dialWS(t, s.url, nil, http.Header{"Authorization": {"Bearer " + adminKey}})
		open := s.open(t)
		st := c.subscribe(t, sessionEventsQuery, nil)
		s.awaitOpen(t, open+1)
		a.rename("s1", "seen through the header")
		if ev := eventOf(t, st.next(t, wait), "sessionEvents"); ev.SessionID != "s1" {
			t.Fatalf("got %+v", ev)
		}
	})
	t.Run("SSE without a token is refused with 401", func(t *testing.T) {
		_, resp := sseSubscribe(t, s.url, "", sessionEventsQuery, nil)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("HTTP %d, want 401", resp.StatusCode)
		}
	})
	for _, tc := range []struct {
		name, token, query string
		vars               map[string]any
		code               string
	}{
		{"a token without sessions:read is refused", token(t, "u1", []string{"sessions:write"}, time.Hour), sessionEventsQuery, nil, "FORBIDDEN"},
		{"another user's session cannot be watched", token(t, "u2", nil, time.Hour), runEventsQuery, map[string]any{"id": "s1"}, "NOT_FOUND"},
		{"a session that is not there cannot be watched", adminKey, runEventsQuery, map[string]any{"id": "nope"}, "NOT_FOUND"},
		{"a malformed cursor is refused", adminKey, sessionEventsQuery, map[string]any{"after": "bm90IGEgY3Vyc29y"}, "BAD_USER_INPUT"},
	} {
		t.Run(tc.name+" over WebSocket", func(t *testing.T) {
			c := dialWS(t, s.url, map[string]any{"Authorization": "Bearer " + tc.token}, nil)
			expectRefusal(t, c.subscribe(t, tc.query, tc.vars), tc.code)
		})
		t.Run(tc.name+" over SSE", func(t *testing.T) {
			st, resp := sseSubscribe(t, s.url, tc.token, tc.query, tc.vars)
			if resp.StatusCode >= 500 {
				t.Fatalf("HTTP %d", resp.StatusCode)
			}
			if resp.StatusCode != http.StatusOK { // refused before the stream: a GraphQL response body
				var p payload
				_ = json.NewDecoder(resp.Body).Decode(&p)
				if p.code() != tc.code {
					t.Fatalf("HTTP %d, code %q, want %s", resp.StatusCode, p.code(), tc.code)
				}
				return
			}
			expectRefusal(t, st, tc.code)
		})
	}
	t.Run("a token that expires ends its subscription with UNAUTHENTICATED", func(t *testing.T) {
		c := dialWS(t, s.url, map[string]any{"Authorization": "Bearer " + token(t, "u1", nil, 2*time.Second)}, nil)
		st := c.subscribe(t, sessionEventsQuery, nil)
		p := st.next(t, 5*time.Second)
		if p.code() != "UNAUTHENTICATED" || string(p.Data) != `{"sessionEvents":null}` {
			t.Fatalf("got %s %v, want no data and UNAUTHENTICATED", p.Data, p.Errors)
		}
		select {
		case err := <-st.done:
			if err != nil {
				t.Fatalf("ended with %v, want complete", err)
			}
		case <-time.After(wait):
			t.Fatal("the subscription did not end")
		}
	})
}

// expectRefusal waits for a subscription's refusal: a result whose error
// has code, or an error message naming it.
func expectRefusal(t *testing.T, st *stream, code string) {
	t.Helper()
	select {
	case p := <-st.results:
		if p.code() != code {
			t.Fatalf("got %s %v, want %s", p.Data, p.Errors, code)
		}
	case err := <-st.done:
		select {
		case p := <-st.results: // the result came before the end; select chose at random
			if p.code() != code {
				t.Fatalf("got %s %v, want %s", p.Data, p.Errors, code)
			}
			return
		default:
		}
		if err == nil || !strings.Contains(err.Error(), code) {
			t.Fatalf("ended with %v, want %s", err, code)
		}
	case <-time.After(wait):
		t.Fatalf("no refusal within %s", wait)
	}
}

// TestStalledClientIsCutOff: a WebSocket client that stops reading is
// closed with 1008 once its buffer is full, while another client keeps
// receiving every event.
func TestStalledClientIsCutOff(t *testing.T) {
	store := agnotest.OpenSQLite(t, agnotest.V3)
	reg := prometheus.NewRegistry()
	s := serve(t, store, live.Options{Buffer: 4, Registerer: reg}, httpserver.Options{})
	cut := counterOf(t, reg, "sessiongraph_subscriptions_ended_total", "SLOW_CONSUMER")
	const q = `subscription { sessionEvents { sessionId session { state } } }`
	init := map[string]any{"Authorization": "Bearer " + adminKey}
	healthy := dialWS(t, s.url, init, nil)
	reading := healthy.subscribe(t, q, nil)

	ctx := context.Background()
	stalled, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.url, "http")+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.CloseNow()
	stalled.SetReadLimit(64 << 20)
	_ = wsjson.Write(ctx, stalled, map[string]any{"type": "connection_init", "payload": init})
	var ack map[string]any
	if err := wsjson.Read(ctx, stalled, &ack); err != nil || ack["type"] != "connection_ack" {
		t.Fatalf("%v %v", ack, err)
	}
	_ = wsjson.Write(ctx, stalled, map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": q}})
	s.awaitOpen(t, 2)

	// Sessions whose state is 1 MB each, until the server has cut the
	// stalled client off: the socket's buffers (their size varies by
	// machine) fill first, then the 4 events the server keeps for it.
	big := strings.Repeat("x", 1<<20)
	sessions := 0
	for sessions < 200 && testutil.ToFloat64(cut) == 0 {
		now := time.Now().Unix()
		row := models.SessionRow{SessionID: fmt.Sprintf("big-%03d", sessions), SessionType: "agent", AgentID: ptr("agent-1"),
			SessionData: json.RawMessage(jsonText(map[string]any{"session_state": map[string]any{"blob": big}})), CreatedAt: now, UpdatedAt: &now}
		if err := store.InsertRows(ctx, []models.SessionRow{row}, db.PlainJSON); err != nil {
			t.Fatal(err)
		}
		sessions++
		if p := reading.next(t, 2*wait); len(p.Errors) > 0 { // the healthy client reads each
			t.Fatalf("the healthy client got %v", p.Errors)
		}
	}
	// Reading now, the stalled client finds what the socket held, then the close.
	readCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	got := 0
	for {
		var m map[string]any
		err := wsjson.Read(readCtx, stalled, &m)
		if err != nil {
			if code := websocket.CloseStatus(err); code != websocket.StatusPolicyViolation {
				t.Fatalf("after %d results: %v (close code %d), want 1008", got, err, code)
			}
			break
		}
		if m["type"] == "next" {
			got++
		}
	}
	if got >= sessions {
		t.Fatalf("the stalled client got all %d events", got)
	}
}

// TestCapsAndShutdown: a connection holds at most its share of
// subscriptions, the server at most its own, and closing the hub (the
// server shutting down) completes every subscription.
func TestCapsAndShutdown(t *testing.T) {
	store := agnotest.OpenSQLite(t, agnotest.V3)
	s := serve(t, store, live.Options{MaxSubscriptions: 3}, httpserver.Options{MaxSubscriptionsPerConnection: 2})
	init := map[string]any{"Authorization": "Bearer " + adminKey}
	c := dialWS(t, s.url, init, nil)
	// One at a time: the server starts a socket's subscriptions concurrently.
	first := c.subscribe(t, sessionEventsQuery, nil)
	s.awaitOpen(t, 1)
	second := c.subscribe(t, sessionEventsQuery, nil)
	s.awaitOpen(t, 2)
	expectRefusal(t, c.subscribe(t, sessionEventsQuery, nil), "TOO_MANY_SUBSCRIPTIONS")
	other := dialWS(t, s.url, init, nil)
	third := other.subscribe(t, sessionEventsQuery, nil)
	s.awaitOpen(t, 3)
	expectRefusal(t, other.subscribe(t, sessionEventsQuery, nil), "TOO_MANY_SUBSCRIPTIONS")

	s.hub.Close()
	for _, st := range []*stream{first, second, third} {
		select {
		case err := <-st.done:
			if err != nil {
				t.Fatalf("ended with %v, want complete", err)
			}
		case <-time.After(wait):
			t.Fatal("a subscription outlived the hub")
		}
	}
	expectRefusal(t, c.subscribe(t, sessionEventsQuery, nil), "UNAVAILABLE")
}

// TestTriggersAnnounceDeletesOfUnseenSessions: with install-triggers run on
// PostgreSQL, deleting a session no subscriber has heard of is announced
// to whoever may see it (without the triggers it cannot be: nothing is
// left to read), and not to another user.
func TestTriggersAnnounceDeletesOfUnseenSessions(t *testing.T) {
	store := agnotest.OpenPostgres(t, agnotest.V3)
	if _, err := store.InstallTriggers(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := serve(t, store, live.Options{}, httpserver.Options{})
	a := newAgno(t, store)
	a.createSession("unseen", "u1", "old")
	time.Sleep(1500 * time.Millisecond) // older than the subscriptions
	admin := dialWS(t, s.url, map[string]any{"Authorization": "Bearer " + adminKey}, nil).subscribe(t, sessionEventsQuery, nil)
	other := dialWS(t, s.url, map[string]any{"Authorization": "Bearer " + token(t, "u2", nil, time.Hour)}, nil).subscribe(t, sessionEventsQuery, nil)
	s.awaitOpen(t, 2)
	// The watcher listens for the notices on a connection of its own, once
	// it has found the triggers installed.
	for deadline := time.Now().Add(wait); ; time.Sleep(10 * time.Millisecond) {
		var listening int
		if err := store.Pool().QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle' AND query = $1`,
			"LISTEN "+db.NoticeChannel).Scan(&listening); err != nil {
			t.Fatal(err)
		}
		if listening > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the watcher does not listen for notices after %s", wait)
		}
	}
	a.deleteSession("unseen")
	if ev := eventOf(t, admin.next(t, wait), "sessionEvents"); ev.Kind != "DELETED" || ev.SessionID != "unseen" {
		t.Fatalf("got %+v, want DELETED of unseen", ev)
	}
	other.none(t, 1500*time.Millisecond)
}

// counterOf returns a collector reading the registered counter name{code}.
func counterOf(t *testing.T, reg *prometheus.Registry, name, code string) prometheus.Collector {
	t.Helper()
	return collectorFunc(func() float64 {
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range families {
			if f.GetName() != name {
				continue
			}
			for _, m := range f.GetMetric() {
				for _, l := range m.GetLabel() {
					if l.GetName() == "code" && l.GetValue() == code {
						return m.GetCounter().GetValue()
					}
				}
			}
		}
		return 0
	})
}

// collectorFunc is a gauge whose value is read from a function.
func collectorFunc(f func() float64) prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "probe", Help: "probe"}, f)
}

// TestRunEventsReadTheRunsSession: a run event's run is read with what is
// selected on its session, there and on the session of the runs nested in
// it (the run's session is the row it was read with), on every layout.
func TestRunEventsReadTheRunsSession(t *testing.T) {
	const q = `subscription($id: String!) { runEvents(sessionId: $id) { kind runId run { runId
		session { sessionId name metadata state runs(first: 1) { totalCount } }
		... on TeamRun { memberRuns { session { metadata } } } } } }`
	for _, l := range layouts(t) {
		t.Run(l.name, func(t *testing.T) {
			t.Parallel()
			s := serve(t, l.store, live.Options{}, httpserver.Options{})
			a := newAgno(t, l.store)
			a.createSession("s1", "u1", "first")
			c := dialWS(t, s.url, map[string]any{"Authorization": "Bearer " + adminKey}, nil)
			st := c.subscribe(t, q, map[string]any{"id": "s1"})
			s.awaitOpen(t, 1)
			a.saveRun("s1", "u1", "r1", "RUNNING")
			p := st.next(t, wait)
			if len(p.Errors) > 0 {
				t.Fatalf("errors: %v", p.Errors)
			}
			var d struct {
				RunEvents struct {
					Run struct {
						Session struct {
							SessionID, Name string
							Runs            struct{ TotalCount int }
						}
					}
				}
			}
			if err := json.Unmarshal(p.Data, &d); err != nil {
				t.Fatal(err)
			}
			if s := d.RunEvents.Run.Session; s.SessionID != "s1" || s.Name != "first" || s.Runs.TotalCount != 1 {
				t.Errorf("the run's session: %+v, want s1, named first, with 1 run (%s)", s, p.Data)
			}
		})
	}
}
