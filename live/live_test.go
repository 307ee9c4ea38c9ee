package live_test

import (
	"fmt"
	"testing"
	"time"

	"sessiongraph/httpserver"
	"sessiongraph/live"
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
			time.Sleep(200 * time.Millisecond) // the subscriptions are open

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
			time.Sleep(200 * time.Millisecond)

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

var _ = fmt.Sprint
