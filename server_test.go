package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"sessiongraph/config"
	"sessiongraph/db"
	"sessiongraph/graph"
	"sessiongraph/httpserver"
	"sessiongraph/internal/testpg"
)

func TestMain(m *testing.M) { testpg.Main(m) }

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// loadOptions is config.Load and newOptions for args and vars, the log
// written to logs.
func loadOptions(t *testing.T, args []string, vars map[string]string, logs io.Writer) options {
	t.Helper()
	cfg, err := config.Load(args, env(vars), logs)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	opts, err := newOptions(cfg, env(vars), logs)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return opts
}

// TestOptionsMapTheConfiguration: each setting reaches the option of the
// part it configures (config's own tests cover reading them).
func TestOptionsMapTheConfiguration(t *testing.T) {
	t.Run("by default: the handler's safe defaults, GraphiQL, metrics, no auth, no tracing", func(t *testing.T) {
		o := loadOptions(t, nil, nil, io.Discard)
		if g := o.graphql; g.MaxDepth != graph.DefaultMaxDepth || g.MaxAliases != graph.DefaultMaxAliases ||
			g.ComplexityLimit != graph.DefaultComplexityLimit || g.DisableIntrospection || g.Logger != o.logger {
			t.Errorf("graphql = %+v", g)
		}
		if h := o.http; h.RequestTimeout != httpserver.DefaultRequestTimeout || h.CORSOrigins != nil || h.Auth != nil || h.Logger != o.logger {
			t.Errorf("http = %+v", h)
		}
		if o.noPlayground || o.noMetrics || o.tracing || o.logger == nil || o.metricsOps != nil {
			t.Errorf("options = %+v", o)
		}
		if o.addr != "127.0.0.1:8080" || o.http.ShutdownGrace != 10*time.Second || o.demo {
			t.Errorf("options = %+v", o)
		}
		wantDB := db.Options{ID: "default", URL: "agno.db", Schema: "ai", Table: "agno_sessions", CountCacheTTL: time.Second, StatementTimeout: 30 * time.Second,
			TracesTable: "agno_traces", SpansTable: "agno_spans", MetricsTable: "agno_metrics"}
		if len(o.dbs) != 1 || !reflect.DeepEqual(o.dbs[0], wantDB) {
			t.Errorf("dbs = %+v, want [%+v]", o.dbs, wantDB)
		}
	})
	t.Run("every setting reaches its part", func(t *testing.T) {
		o := loadOptions(t, []string{"--max-depth", "7", "--max-aliases", "8", "--max-complexity", "900", "--request-timeout", "5s",
			"--no-introspection", "--no-playground", "--no-metrics", "--cors-origin", "https://a.example", "--metrics-operation", "page",
			"--security-key", "k", "--db-schema", "s", "--session-table", "t", "--db-max-conns", "3", "--count-cache-ttl", "0",
			"--traces-table", "tr", "--spans-table", "sp", "--metrics-table", "me",
			"--db-statement-timeout", "1s", "--db", "a.db", "--db", "pg=postgres://h/db", "--addr", ":1", "--shutdown-grace", "2s"},
			map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, io.Discard)
		g, h := o.graphql, o.http
		if g.MaxDepth != 7 || g.MaxAliases != 8 || g.ComplexityLimit != 900 || !g.DisableIntrospection {
			t.Errorf("graphql = %+v", g)
		}
		if h.RequestTimeout != 5*time.Second || !slices.Equal(h.CORSOrigins, []string{"https://a.example"}) || h.Auth == nil {
			t.Errorf("http = %+v", h)
		}
		if !o.noPlayground || !o.noMetrics || !o.tracing || o.addr != ":1" || o.http.ShutdownGrace != 2*time.Second || !slices.Equal(o.metricsOps, []string{"page"}) {
			t.Errorf("options = %+v", o)
		}
		store := db.Options{Schema: "s", Table: "t", MaxConns: 3, StatementTimeout: time.Second, TracesTable: "tr", SpansTable: "sp", MetricsTable: "me"}
		a, pg := store, store
		a.ID, a.URL, pg.ID, pg.URL = "default", "a.db", "pg", "postgres://h/db"
		if !reflect.DeepEqual(o.dbs, []db.Options{a, pg}) {
			t.Errorf("dbs = %+v", o.dbs)
		}
	})
	t.Run("--demo leaves the one store's URL to the demo file", func(t *testing.T) {
		o := loadOptions(t, []string{"--demo", "--session-table", "t"}, nil, io.Discard)
		if !o.demo || len(o.dbs) != 1 || o.dbs[0].ID != "default" || o.dbs[0].URL != "" || o.dbs[0].Table != "t" {
			t.Errorf("demo = %v, dbs = %+v", o.demo, o.dbs)
		}
	})
}

// TestRunFailsWithOneLineOnAForeignTable: a database that answers but whose
// table is not Agno's is a configuration error, reported in one line at start
// (a database that does not answer is not: see TestStartsWithTheDatabaseDown).
func TestRunFailsWithOneLineOnAForeignTable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "other.db")
	conn, err := sql.Open("sqlite", file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec("CREATE TABLE agno_sessions (session_id TEXT PRIMARY KEY, payload TEXT)"); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	err = run(context.Background(), []string{"--db", file, "--addr", "127.0.0.1:0"}, env(nil), io.Discard)
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "not an Agno sessions table") {
		t.Fatalf("err = %v, want one line saying the table is not Agno's", err)
	}
}

func TestDemoServesSessions(t *testing.T) {
	a, err := newApp(context.Background(), loadOptions(t, []string{"--demo"}, nil, io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	srv := httptest.NewServer(a.handler)
	defer srv.Close()

	body := `{"query":"{ sessions(first: 5) { totalCount nodes { __typename name runs(first: 2) { nodes { runId } } } } }"}`
	resp, err := http.Post(srv.URL+"/graphql", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			Sessions struct {
				TotalCount int
				Nodes      []struct{ Typename, Name string }
			}
		}
		Errors []any
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if len(out.Errors) > 0 || out.Data.Sessions.TotalCount < 100 || len(out.Data.Sessions.Nodes) != 5 {
		t.Fatalf("demo answer: %+v", out)
	}
	for _, n := range out.Data.Sessions.Nodes {
		if n.Name == "" {
			t.Errorf("a demo session has no name: %+v", n)
		}
	}
	for path, want := range map[string]int{"/livez": 200, "/readyz": 200, "/": 200} {
		r, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, r.StatusCode, want)
		}
	}
}

func TestServeOnSQLiteAndPostgresAndShutDownGracefully(t *testing.T) {
	pg := testpg.NewDatabase(t)
	file := filepath.Join(t.TempDir(), "agno.db")
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--addr", addr, "--db", "sqlite:///" + file, "--db", "pg=" + pg}, env(nil), io.Discard)
	}()

	var resp *http.Response
	var err error
	for range 100 {
		if resp, err = http.Post("http://"+addr+"/graphql", "application/json",
			bytes.NewReader([]byte(`{"query":"{ databases { id dialect sessionTable } }"}`))); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := `{"data":{"databases":[{"id":"default","dialect":"sqlite","sessionTable":"agno_sessions"},{"id":"pg","dialect":"postgres","sessionTable":"ai.agno_sessions"}]}}`
	if string(got) != want {
		t.Errorf("databases = %s", got)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run returned %v after SIGTERM-like cancel", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("server did not stop")
	}
}

func TestMigrateIndexesCreatesThemOnce(t *testing.T) {
	file := filepath.Join(t.TempDir(), "agno.db")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"migrate-indexes", "--db", file}, env(nil), &out); err != nil {
		t.Fatal(err)
	}
	// A new file gets Agno 3's tables: 11 indexes on sessions, 7 on runs
	// (PostgreSQL's model and trigram indexes are not SQLite's).
	if n := strings.Count(out.String(), "created in"); n != 18 {
		t.Errorf("first run created %d indexes:\n%s", n, out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"migrate-indexes", "--db", file}, env(nil), &out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "created in") || strings.Count(out.String(), "exists") != 18 {
		t.Errorf("second run:\n%s", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"migrate-indexes", "--help"}, env(nil), &out); err != nil || !strings.Contains(out.String(), "--db URL") {
		t.Errorf("migrate-indexes --help: %v\n%s", err, out.String())
	}
}

// serveApp serves the app configured by args on a fresh SQLite file.
func serveApp(t *testing.T, args ...string) string {
	t.Helper()
	a, err := newApp(context.Background(), loadOptions(t, append(args, "--db", filepath.Join(t.TempDir(), "agno.db")), nil, io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	srv := httptest.NewServer(a.handler)
	t.Cleanup(srv.Close)
	return srv.URL
}

// fetch sends a request with the given headers and returns the answer, body read.
func fetch(t *testing.T, method, url, body string, headers map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{Timeout: 2 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// preflight is what a browser sends before a cross-origin JSON POST with a
// bearer token (request headers lower-cased and sorted, per the Fetch standard).
func preflight(origin string) map[string]string {
	return map[string]string{"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"}
}

func TestGraphQLEndpointFlags(t *testing.T) {
	const query = `{"query": "{ databases { id } }"}`
	jsonPost := map[string]string{"Content-Type": "application/json", "Origin": "https://app.example.com"}
	t.Run("by default GraphiQL is served and no CORS header is sent", func(t *testing.T) {
		url := serveApp(t)
		if resp, _ := fetch(t, http.MethodGet, url+"/", "", nil); resp.StatusCode != http.StatusOK {
			t.Errorf("GET / = %d", resp.StatusCode)
		}
		preflightResp, _ := fetch(t, http.MethodOptions, url+"/graphql", "", preflight("https://app.example.com"))
		postResp, _ := fetch(t, http.MethodPost, url+"/graphql", query, jsonPost)
		for _, resp := range []*http.Response{preflightResp, postResp} {
			for k := range resp.Header {
				if strings.HasPrefix(k, "Access-Control-") {
					t.Errorf("%s answered with %s", resp.Request.Method, k)
				}
			}
			if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("X-Request-Id") == "" {
				t.Errorf("%s headers: %v", resp.Request.Method, resp.Header)
			}
		}
	})
	t.Run("--no-playground answers GET / with 404 and still serves /graphql", func(t *testing.T) {
		url := serveApp(t, "--no-playground")
		if resp, _ := fetch(t, http.MethodGet, url+"/", "", nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET / = %d, want 404", resp.StatusCode)
		}
		if resp, body := fetch(t, http.MethodPost, url+"/graphql", query, jsonPost); resp.StatusCode != http.StatusOK {
			t.Errorf("POST /graphql = %d %s", resp.StatusCode, body)
		}
	})
	t.Run("--cors-origin lets that origin, and only it, call from a browser", func(t *testing.T) {
		url := serveApp(t, "--cors-origin", "https://app.example.com")
		resp, _ := fetch(t, http.MethodOptions, url+"/graphql", "", preflight("https://app.example.com"))
		h := resp.Header
		if resp.StatusCode != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
			!strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") ||
			!strings.Contains(strings.ToLower(h.Get("Access-Control-Allow-Headers")), "authorization") ||
			h.Get("Cache-Control") != "no-store" {
			t.Errorf("allowed preflight: %d %v", resp.StatusCode, h)
		}
		// CORS is enforced by the browser: a disallowed origin's preflight is
		// answered (204) without the headers that would let the call through.
		resp, _ = fetch(t, http.MethodOptions, url+"/graphql", "", preflight("https://evil.example"))
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" || resp.StatusCode != http.StatusNoContent {
			t.Errorf("disallowed preflight: %d, Access-Control-Allow-Origin = %q", resp.StatusCode, got)
		}
		resp, _ = fetch(t, http.MethodPost, url+"/graphql", query, jsonPost)
		if resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" || resp.Header.Get("Access-Control-Expose-Headers") != "X-Request-Id" {
			t.Errorf("allowed POST headers: %v", resp.Header)
		}
		resp, _ = fetch(t, http.MethodPost, url+"/graphql", query, map[string]string{"Content-Type": "application/json", "Origin": "https://evil.example"})
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("disallowed POST: Access-Control-Allow-Origin = %q", got)
		}
	})
	t.Run("--no-introspection refuses introspection with a code", func(t *testing.T) {
		url := serveApp(t, "--no-introspection")
		resp, body := fetch(t, http.MethodPost, url+"/graphql", `{"query": "{ __schema { queryType { name } } }"}`, map[string]string{"Content-Type": "application/json"})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `"INTROSPECTION_DISABLED"`) {
			t.Errorf("got %d %s", resp.StatusCode, body)
		}
	})
	t.Run("--max-depth, --max-aliases and --max-complexity reach the handler", func(t *testing.T) {
		url := serveApp(t, "--max-depth", "1", "--max-aliases", "1", "--max-complexity", "3")
		for q, code := range map[string]string{
			`{ databases { id } }`:                                     "QUERY_TOO_DEEP",
			`{ a: __typename b: __typename }`:                          "TOO_MANY_ALIASES",
			`{ __typename t: __typename x: __typename y: __typename }`: "COMPLEXITY_LIMIT_EXCEEDED",
		} {
			b, _ := json.Marshal(map[string]string{"query": q})
			resp, body := fetch(t, http.MethodPost, url+"/graphql", string(b), map[string]string{"Content-Type": "application/json"})
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `"`+code+`"`) {
				t.Errorf("%s: got %d %s, want %s", q, resp.StatusCode, body, code)
			}
		}
	})
}

// TestTuneGC checks the collector's target: defaultGCPercent when the
// environment sets no GOGC, the runtime's reading of GOGC when it does.
// Not parallel: the target is the process's.
func TestTuneGC(t *testing.T) {
	prevPercent := debug.SetGCPercent(100)
	prevLimit := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetGCPercent(prevPercent); debug.SetMemoryLimit(prevLimit) })
	logger := slog.New(slog.DiscardHandler)

	tuneGC(func(string) string { return "" }, logger)
	if got := debug.SetGCPercent(100); got != defaultGCPercent {
		t.Errorf("without GOGC the target is %d, want %d", got, defaultGCPercent)
	}
	tuneGC(func(k string) string {
		if k == "GOGC" {
			return "100"
		}
		return ""
	}, logger)
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set the target is %d, want it left at 100", got)
	}
}

// TestEveryEndpointHasTheRequestScope: every endpoint, refusals and 404s
// included, answers with a request id (the caller's when it is sane) and
// the same security headers; the playground replaces only its
// Content-Security-Policy and Cache-Control with its own.
func TestEveryEndpointHasTheRequestScope(t *testing.T) {
	url := serveApp(t, "--security-key", "scope-test-key")
	_, page := fetch(t, http.MethodGet, url+"/", "", nil)
	asset := "/" + regexp.MustCompile(`playground/assets/[^"]+\.js`).FindString(page)
	if asset == "/" {
		t.Fatalf("the playground page names no script: %.300s", page)
	}
	key := map[string]string{"Authorization": "Bearer scope-test-key", "Content-Type": "application/json"}
	for _, c := range []struct {
		name, method, path, body string
		headers                  map[string]string
		status                   int
	}{
		{"a GraphQL query", http.MethodPost, "/graphql", `{"query": "{ databases { id } }"}`, key, 200},
		{"a request without the key", http.MethodPost, "/graphql", `{"query": "{ databases { id } }"}`, nil, 401},
		{"the playground", http.MethodGet, "/", "", nil, 200},
		{"a playground asset", http.MethodGet, asset, "", nil, 200},
		{"liveness", http.MethodGet, "/livez", "", nil, 200},
		{"readiness", http.MethodGet, "/readyz", "", nil, 200},
		{"metrics", http.MethodGet, "/metrics", "", nil, 200},
		{"a path that is not served", http.MethodGet, "/nope", "", nil, 404},
		{"a method a route does not take", http.MethodPost, "/livez", "", nil, 405},
	} {
		t.Run(c.name, func(t *testing.T) {
			headers := map[string]string{"X-Request-Id": "scope-" + strings.ReplaceAll(c.name, " ", "-")}
			for k, v := range c.headers {
				headers[k] = v
			}
			resp, body := fetch(t, c.method, url+c.path, c.body, headers)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %.200s", resp.StatusCode, c.status, body)
			}
			if got := resp.Header.Get("X-Request-Id"); got != headers["X-Request-Id"] {
				t.Errorf("X-Request-Id = %q", got)
			}
			for name, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"} {
				if got := resp.Header.Values(name); len(got) != 1 || got[0] != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			for _, name := range []string{"Content-Security-Policy", "Cache-Control"} {
				if len(resp.Header.Values(name)) != 1 {
					t.Errorf("%s = %q, want one", name, resp.Header.Values(name))
				}
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("Content-Security-Policy = %q, want frame-ancestors 'none'", csp)
			}
		})
	}
}
