package docs_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sessiongraph/dataset"
	"sessiongraph/db"
	"sessiongraph/graph"
	"sessiongraph/httpserver"
	"sessiongraph/live"
)

// TestCookbookSubscriptionsDeliverOnTheDemoDataset runs the cookbook's
// live documents over Server-Sent Events against the demo dataset: a
// session renamed from outside arrives in the live list, a run whose status
// Agno changes arrives in the live transcript.
func TestCookbookSubscriptionsDeliverOnTheDemoDataset(t *testing.T) {
	ctx := context.Background()
	s, err := db.Open(ctx, db.Options{URL: filepath.Join(t.TempDir(), "demo.db"), CreateLayout: db.LayoutV3})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := dataset.Insert(ctx, s, demoSessions(), db.PlainJSON); err != nil {
		t.Fatal(err)
	}
	hub, err := live.New(live.Options{})
	if err != nil {
		t.Fatal(err)
	}
	web := httpserver.New(httpserver.Options{})
	srv := httptest.NewServer(web.Wrap(web.GraphQL(graph.NewServer(&graph.Resolver{Stores: []*db.Store{s}, Live: hub}, graph.Options{}))))
	t.Cleanup(func() { hub.Close(); srv.CloseClientConnections(); srv.Close() })
	h := srv.Config.Handler

	// An agent session of the demo with a run to change.
	picked := post(t, h, `{ sessions(first: 1, filter: {type: AGENT}) { nodes { sessionId ... on AgentSession { runs(last: 1) { nodes { runId } } } } } }`, nil)
	session := str(picked.Data, "sessions", "nodes", 0, "sessionId")
	run := str(picked.Data, "sessions", "nodes", 0, "runs", "nodes", 0, "runId")
	if session == "" || run == "" {
		t.Fatalf("no agent session with a run in the demo: %s", jsonText(picked.Data))
	}

	t.Run("live-sessions", func(t *testing.T) {
		events := sseEvents(t, srv.URL, readFile(t, "cookbook/live-sessions.graphql"), map[string]any{})
		ev := eventAfter(t, events, func() {
			if _, err := s.RenameSession(ctx, session, "renamed while watched", nil); err != nil {
				t.Fatal(err)
			}
		})
		if str(ev, "sessionEvents", "sessionId") != session || str(ev, "sessionEvents", "kind") != "UPDATED" ||
			str(ev, "sessionEvents", "session", "name") != "renamed while watched" || str(ev, "sessionEvents", "cursor") == "" {
			t.Fatalf("got %s", jsonText(ev))
		}
	})
	t.Run("live-transcript", func(t *testing.T) {
		events := sseEvents(t, srv.URL, readFile(t, "cookbook/live-transcript.graphql"), map[string]any{"sessionId": session})
		ev := eventAfter(t, events, func() {
			// As Agno saves a run whose status changed: the row and its run_data.
			_, err := s.Pool().ExecContext(ctx, `UPDATE agno_runs SET status = 'ERROR', run_data = json_set(run_data, '$.status', 'ERROR'),
				updated_at = ? WHERE run_id = ?`, time.Now().Unix(), run)
			if err != nil {
				t.Fatal(err)
			}
		})
		if str(ev, "runEvents", "runId") != run || str(ev, "runEvents", "kind") != "UPDATED" || str(ev, "runEvents", "run", "status") != "ERROR" {
			t.Fatalf("got %s", jsonText(ev))
		}
	})
}

// sseEvents subscribes over SSE and returns the data of each result.
func sseEvents(t *testing.T, url, query string, vars map[string]any) <-chan any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("HTTP %d", resp.StatusCode)
	}
	out := make(chan any, 100)
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var r struct {
					Data   any `json:"data"`
					Errors any `json:"errors"`
				}
				_ = json.Unmarshal([]byte(data), &r)
				if r.Errors != nil {
					r.Data = map[string]any{"errors": r.Errors}
				}
				out <- r.Data
			}
		}
	}()
	time.Sleep(300 * time.Millisecond) // the subscription is open
	return out
}

// eventAfter writes with write until the first event arrives, within 10 s:
// over SSE the response starts before the subscription is registered, so a
// write made too early is before its start, and is written again.
func eventAfter(t *testing.T, events <-chan any, write func()) any {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		write()
		select {
		case ev := <-events:
			return ev
		case <-time.After(2 * time.Second):
		case <-deadline:
			t.Fatal("no event within 10 s")
			return nil
		}
	}
}
