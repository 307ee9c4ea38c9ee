package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"sessiongraph/auth"
	data "sessiongraph/dataset"
	"sessiongraph/db"
	"sessiongraph/graph"
	"sessiongraph/httpserver"
	"sessiongraph/internal/testpg"
)

func TestMain(m *testing.M) { testpg.Main(m) }

// TestSoak soaks an in-process server (the GraphQL handler behind the
// security-key middleware, over 100 demo sessions) for 2 s after a short
// warm-up, on SQLite and on PostgreSQL.
func TestSoak(t *testing.T) {
	for _, tc := range []struct {
		name   string
		dbURL  func(testing.TB) string
		fromDB bool // pick the sessions with --db instead of asking the server
	}{
		{"a SQLite server is soaked with sessions asked from the server", func(tb testing.TB) string { return filepath.Join(tb.TempDir(), "demo.db") }, false},
		{"a PostgreSQL server is soaked with sessions picked from --db", testpg.NewDatabase, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dbURL := tc.dbURL(t)
			srv := soakServer(t, dbURL)
			// This process is the server; the growth bound is loose because
			// the test is about counting, not memory.
			args := []string{"--server", srv.URL, "--token", "soak-key", "--concurrency", "4", "--warmup", "500ms",
				"--duration", "2s", "--settle", "100ms", "--rename-share", "0.2", "--server-pid", strconv.Itoa(os.Getpid()), "--max-growth", "100"}
			if tc.fromDB {
				args = append(args, "--db", dbURL)
			}
			cfg, err := parseSoakFlags(args, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := soak(t.Context(), cfg, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			rep.print(&out)
			t.Log("\n" + out.String())

			if len(rep.kinds) != 5 {
				t.Errorf("the report has %d request kinds, want 5 (list, tree, filtered, node, rename)", len(rep.kinds))
			}
			for _, k := range rep.kinds {
				if k.requests == 0 || k.errors != 0 || k.p50 <= 0 || k.p99 < k.p50 {
					t.Errorf("%s: %d requests, %d errors, p50 %s, p99 %s; want requests, no errors and latencies", k.kind.key, k.requests, k.errors, k.p50, k.p99)
				}
			}
			if warm, _ := countRequests(rep.warmupKinds); warm == 0 {
				t.Error("the warm-up sent no request")
			}
			if len(rep.errors)+len(rep.warmupErrors) != 0 {
				t.Errorf("errors by class: %+v, in the warm-up: %+v; want none", rep.errors, rep.warmupErrors)
			}
			if f := rep.failures(); len(f) != 0 {
				t.Errorf("failures: %q, want none", f)
			}
			for _, s := range []serverState{rep.before, rep.after} {
				if s.mem == nil || s.mem.rssKB == 0 || s.goroutines <= 0 {
					t.Errorf("server state %s: want RSS from /proc and goroutines from /metrics", s)
				}
			}
		})
	}
}

// soakServer serves /graphql over 100 demo sessions written into the
// database at dbURL (half double-encoded, as Agno's SQLite backend up to
// 2.9 stores them), behind a security key, and /metrics with go_goroutines.
func soakServer(t *testing.T, dbURL string) *httptest.Server {
	ctx := t.Context()
	store, err := db.Open(ctx, db.Options{URL: dbURL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	rows := data.Rows(data.Realistic(1, 100, time.Now()))
	if err := store.InsertRows(ctx, rows[:50], db.DoubleEncoded); err != nil {
		t.Fatal(err)
	}
	if err := store.InsertRows(ctx, rows[50:], db.PlainJSON); err != nil {
		t.Fatal(err)
	}
	authn, err := auth.New(auth.Config{SecurityKey: "soak-key"})
	if err != nil {
		t.Fatal(err)
	}
	web := httpserver.New(httpserver.Options{Auth: authn})
	mux := http.NewServeMux()
	mux.Handle("/graphql", web.GraphQL(graph.NewServer(&graph.Resolver{Stores: []*db.Store{store}}, graph.Options{})))
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "# TYPE go_goroutines gauge\ngo_goroutines %d\n", runtime.NumGoroutine())
	})
	srv := httptest.NewServer(web.Wrap(mux)) // on 127.0.0.1
	t.Cleanup(srv.Close)
	return srv
}

func TestSoakRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"a server that is not on a loopback address", []string{"--server", "http://10.1.2.3:8080"}, "not on a loopback address"},
		{"a database that is not on a loopback address", []string{"--server", "http://127.0.0.1:1", "--db", "postgres://u@db.example.com/agno"}, "not a loopback address"},
		{"a database that is not PostgreSQL", []string{"--server", "http://127.0.0.1:1", "--db", "sqlite:///tmp/agno.db"}, "must be a PostgreSQL URL"},
		{"a rename share above 1", []string{"--rename-share", "1.5"}, "--rename-share"},
		{"a duration above an hour", []string{"--duration", "2h"}, "--duration"},
		{"a growth factor below 1", []string{"--max-growth", "0.5"}, "--max-growth"},
	} {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			err := run(t.Context(), append([]string{"soak"}, tc.args...), io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one that says %q", err, tc.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		err    error
		want   errorClass
		ok     bool
		fails  bool
	}{
		{"a 200 without errors succeeds", 200, `{"data":{"sessions":{"totalCount":3}}}`, nil, errorClass{}, true, false},
		{"a 200 whose data holds an errors key succeeds", 200, `{"data":{"run":{"content":{"errors":[{"message":"x"}]}}}}`, nil, errorClass{}, true, false},
		{"no answer is a transport error that fails", 0, "", errors.New("connection refused"), errorClass{"transport", ""}, false, true},
		{"a 503 is an HTTP 5xx that fails", 503, `database default does not answer`, nil, errorClass{"HTTP 5xx", "503"}, false, true},
		{"a 401 is an HTTP 4xx with its code", 401, `{"errors":[{"message":"missing bearer token","extensions":{"code":"UNAUTHENTICATED"}}]}`, nil, errorClass{"HTTP 4xx", "401 UNAUTHENTICATED"}, false, false},
		{"a GraphQL INTERNAL error fails", 200, `{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}],"data":null}`, nil, errorClass{"GraphQL", "INTERNAL"}, false, true},
		{"a GraphQL NOT_FOUND error does not fail", 200, `{"errors":[{"message":"no session","extensions":{"code":"NOT_FOUND"}}],"data":null}`, nil, errorClass{"GraphQL", "NOT_FOUND"}, false, false},
		{"a GraphQL error without a code is named so", 200, `{"errors":[{"message":"boom"}]}`, nil, errorClass{"GraphQL", "no code"}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, ok := classify(tc.status, []byte(tc.body), tc.err)
			if got != tc.want || ok != tc.ok || got.fails() != tc.fails {
				t.Errorf("classify = %+v ok %v fails %v, want %+v ok %v fails %v", got, ok, got.fails(), tc.want, tc.ok, tc.fails)
			}
		})
	}
}
