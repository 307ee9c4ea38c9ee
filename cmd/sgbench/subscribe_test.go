package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"sessiongraph/auth"
	data "sessiongraph/dataset"
	"sessiongraph/db"
	"sessiongraph/graph"
	"sessiongraph/httpserver"
	"sessiongraph/internal/testpg"
	"sessiongraph/live"
)

// TestSubscribe runs the whole subscription load, shortened, against an
// in-process server (the real GraphQL handler and subscription hub behind
// a security key, with /metrics) over each layout and transport: every
// subscription must get every write once.
func TestSubscribe(t *testing.T) {
	for _, tc := range []struct {
		name   string
		dbURL  func(testing.TB) string
		layout db.Layout
		args   []string
	}{
		{"7 WebSocket subscriptions, 3 per connection, on SQLite in Agno 3's layout each get every write",
			sqliteURL, db.LayoutV3, []string{"--subscribers", "7", "--per-connection", "3"}},
		{"3 SSE subscriptions of the dashboard's document on SQLite in Agno 2's layout each get every write",
			sqliteURL, db.LayoutV2, []string{"--subscribers", "3", "--transport", "sse", "--document", "dashboard"}},
		{"4 WebSocket subscriptions, 2 per connection, on PostgreSQL in Agno 2's layout each get every write",
			testpg.NewDatabase, db.LayoutV2, []string{"--subscribers", "4", "--per-connection", "2"}},
		{"2 WebSocket subscriptions on PostgreSQL in Agno 3's layout each get every write",
			testpg.NewDatabase, db.LayoutV3, []string{"--subscribers", "2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dbURL := tc.dbURL(t)
			srv := subscribeServer(t, dbURL, tc.layout)
			args := append([]string{"--server", srv.URL, "--db", dbURL, "--token", "sub-key", "--server-pid", strconv.Itoa(os.Getpid()),
				"--idle", "200ms", "--duration", "1200ms", "--write-rate", "10", "--update-after", "400ms", "--drain", "600ms", "--messages", "2"}, tc.args...)
			cfg, err := parseSubscribeFlags(args, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := subscribe(t.Context(), cfg, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			rep.print(&out)
			t.Log("\n" + out.String())

			d := rep.delivery
			creates := 0
			for _, w := range rep.writes {
				if w.create {
					creates++
				}
			}
			if creates == 0 || creates == len(rep.writes) {
				t.Errorf("%d writes, %d of them creates; want creates and runs added", len(rep.writes), creates)
			}
			if p := rep.problems(); len(p) > 0 || d.received != d.expected || d.expected != cfg.subscribers*len(rep.writes) {
				t.Errorf("problems %q; %d events received of %d expected", p, d.received, d.expected)
			}
			if len(d.lat) != d.expected || d.percentile(50) <= 0 || d.percentile(100) > time.Second {
				t.Errorf("%d latencies, p50 %s, max %s; want one per event, within the 100 ms interval's reach", len(d.lat), d.percentile(50), d.percentile(100))
			}
			if int(rep.serverEvents) != d.expected || rep.serverEnded != 0 {
				t.Errorf("the server queued %v events and ended %v subscriptions; want %d and 0", rep.serverEvents, rep.serverEnded, d.expected)
			}
			if rep.memBaseline == nil || rep.idle.server < 0 {
				t.Error("no server CPU or memory with --server-pid")
			}
			store, err := db.Open(t.Context(), db.Options{URL: dbURL})
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			if n, err := store.CountSessions(t.Context(), nil); err != nil || n != 20 {
				t.Errorf("%d sessions left (%v), want the 20 there were: sgbench deletes what it wrote", n, err)
			}
		})
	}
}

func sqliteURL(tb testing.TB) string { return "sqlite:///" + filepath.Join(tb.TempDir(), "agno.db") }

// subscribeServer serves /graphql with subscriptions (a watcher interval of
// 100 ms) over 20 demo sessions in layout, behind a security key, and
// /metrics with the subscriptions' metrics.
func subscribeServer(t *testing.T, dbURL string, layout db.Layout) *httptest.Server {
	ctx := t.Context()
	store, err := db.Open(ctx, db.Options{URL: dbURL, CreateLayout: layout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	if err := data.Insert(ctx, store, data.Generate(data.Realistic(1, 20, time.Now())), db.PlainJSON); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	hub, err := live.New(live.Options{Interval: 100 * time.Millisecond, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	authn, err := auth.New(auth.Config{SecurityKey: "sub-key"})
	if err != nil {
		t.Fatal(err)
	}
	web := httpserver.New(httpserver.Options{Auth: authn})
	mux := http.NewServeMux()
	mux.Handle("/graphql", web.GraphQL(graph.NewServer(&graph.Resolver{Stores: []*db.Store{store}, Live: hub}, graph.Options{})))
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	srv := httptest.NewServer(web.Wrap(mux))
	t.Cleanup(func() {
		hub.Close()
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv
}

func TestSubscribeRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"a server that is not on a loopback address", []string{"--server", "http://10.1.2.3:8080", "--db", "x.db"}, "not on a loopback address"},
		{"a database that is not on a loopback address", []string{"--server", "http://127.0.0.1:1", "--db", "postgres://u@db.example.com/agno"}, "not a loopback address"},
		{"no database", []string{"--server", "http://127.0.0.1:1"}, "--db is required"},
		{"more subscriptions than 10,000", []string{"--db", "x.db", "--subscribers", "10001"}, "--subscribers"},
		{"more subscriptions per connection than the server's 100", []string{"--db", "x.db", "--per-connection", "101"}, "--per-connection"},
		{"several subscriptions per SSE stream", []string{"--db", "x.db", "--transport", "sse", "--per-connection", "2"}, "one subscription"},
		{"an unknown document", []string{"--db", "x.db", "--document", "everything"}, "--document"},
	} {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			err := run(t.Context(), append([]string{"subscribe"}, tc.args...), io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one that says %q", err, tc.want)
			}
		})
	}
}

func TestParseWSMessage(t *testing.T) {
	for _, tc := range []struct {
		name, msg string
		want      wsMessage
	}{
		{"a next as gqlgen writes it is read without decoding its payload",
			`{"payload":{"data":{"sessionEvents":{"kind":"CREATED","sessionId":"s-1","at":"2026-12-06T08:00:00Z","cursor":"c"}}},"id":"12","type":"next"}`,
			wsMessage{typ: "next", id: 12, payload: []byte(`{"data":{"sessionEvents":{"kind":"CREATED","sessionId":"s-1","at":"2026-12-06T08:00:00Z","cursor":"c"}}}`)}},
		{"a next whose payload holds an id key keeps the envelope's id",
			`{"payload":{"data":{"x":{"id":"7","sessionId":"s"}}},"id":"3","type":"next"}`,
			wsMessage{typ: "next", id: 3, payload: []byte(`{"data":{"x":{"id":"7","sessionId":"s"}}}`)}},
		{"a next in another key order is decoded",
			`{"type":"next","id":"4","payload":{"data":{}}}`, wsMessage{typ: "next", id: 4, payload: []byte(`{"data":{}}`)}},
		{"connection_ack has no id", `{"type":"connection_ack"}`, wsMessage{typ: "connection_ack"}},
		{"ping", `{"payload":{},"type":"ping"}`, wsMessage{typ: "ping", payload: []byte(`{}`)}},
		{"an error carries its errors", `{"payload":[{"message":"no"}],"id":"2","type":"error"}`, wsMessage{typ: "error", id: 2, payload: []byte(`[{"message":"no"}]`)}},
		{"complete", `{"id":"5","type":"complete"}`, wsMessage{typ: "complete", id: 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseWSMessage([]byte(tc.msg))
			if err != nil {
				t.Fatal(err)
			}
			if got.typ != tc.want.typ || got.id != tc.want.id || string(got.payload) != string(tc.want.payload) {
				t.Errorf("got %s %d %s, want %s %d %s", got.typ, got.id, got.payload, tc.want.typ, tc.want.id, tc.want.payload)
			}
		})
	}
	for _, bad := range []string{`not json`, `{"type":"next","id":"x"}`} {
		if _, err := parseWSMessage([]byte(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestEventOf(t *testing.T) {
	for _, tc := range []struct {
		name, payload, session, errs string
	}{
		{"an event gives its own sessionId, not its session's",
			`{"data":{"sessionEvents":{"kind":"UPDATED","sessionId":"a-1","session":{"sessionId":"a-1","name":"n"}}}}`, "a-1", ""},
		{"a result with errors gives its first error's code and message",
			`{"errors":[{"message":"more than 256 events left unread","extensions":{"code":"SLOW_CONSUMER"}}],"data":null}`, "", "SLOW_CONSUMER more than 256 events left unread"},
		{"a result without a sessionId is an error", `{"data":{"sessionEvents":null}}`, "", `a result without a sessionId: {"data":{"sessionEvents":null}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			session, errs := eventOf([]byte(tc.payload))
			if string(session) != tc.session || errs != tc.errs {
				t.Errorf("got %q %q, want %q %q", session, errs, tc.session, tc.errs)
			}
		})
	}
}

// TestAccountDeliveries matches events to writes: each (subscription,
// write) pair's first event gives a latency from the write's commit; an
// event belongs to its session's last write begun before it was read.
func TestAccountDeliveries(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	writes := []writeLog{
		{session: 0, create: true, start: ms(100), commit: ms(110)},
		{session: 1, create: true, start: ms(200), commit: ms(205)},
		{session: 0, start: ms(1000), commit: ms(1010)},
	}
	conns := []*subscriberConn{
		{first: 0, n: 2, foreign: 1, events: []received{
			{sub: 0, session: 0, at: ms(600)},  // write 0: 490 ms
			{sub: 1, session: 0, at: ms(610)},  // write 0: 500 ms
			{sub: 0, session: 1, at: ms(700)},  // write 1: 495 ms
			{sub: 0, session: 0, at: ms(1500)}, // write 2: 490 ms
			{sub: 0, session: 0, at: ms(1600)}, // write 2 again: a duplicate
			{sub: 1, session: 1, at: ms(50)},   // before session 1 was written
		}},
		{first: 2, n: 1, events: []received{
			{sub: 2, session: 0, at: ms(2000)}, // write 2: 990 ms; writes 0 and 1 missing
		}},
	}
	d := accountDeliveries(3, writes, conns)
	want := deliveries{expected: 9, received: 6, missing: 4, duplicates: 1, early: 1, foreign: 1,
		lat: []time.Duration{ms(490), ms(490), ms(495), ms(500), ms(990)}, span: ms(1900)}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("got  %+v\nwant %+v", d, want)
	}
	if got := d.percentile(50); got != ms(495) {
		t.Errorf("p50 %s, want 495ms", got)
	}
	if got := d.rate(); got < 3.15 || got > 3.16 {
		t.Errorf("%.3f events/s, want 6 over 1.9 s", got)
	}
}

// TestSubscribeStopsOnARefusedToken checks that a connection the server
// refuses ends the load with the server's close code (4403 Forbidden).
func TestSubscribeStopsOnARefusedToken(t *testing.T) {
	dbURL := sqliteURL(t)
	srv := subscribeServer(t, dbURL, db.LayoutV3)
	cfg, err := parseSubscribeFlags([]string{"--server", srv.URL, "--db", dbURL, "--token", "wrong", "--subscribers", "2", "--idle", "0s"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	_, err = subscribe(ctx, cfg, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "4403") {
		t.Errorf("err = %v, want the server's refusal of the token", err)
	}
}
