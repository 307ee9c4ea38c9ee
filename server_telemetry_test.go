package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// lockedBuffer is a log destination safe for the server's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// serveAppLogging is serveApp with the server's log written to logs.
func serveAppLogging(t *testing.T, logs io.Writer, args ...string) string {
	t.Helper()
	a, err := newApp(context.Background(), loadOptions(t, append(args, "--db", filepath.Join(t.TempDir(), "agno.db")), nil, logs))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	srv := httptest.NewServer(a.handler)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestMetricsEndpoint(t *testing.T) {
	jsonPost := map[string]string{"Content-Type": "application/json"}
	t.Run("/metrics shows operation counts and durations, named only when allowed", func(t *testing.T) {
		url := serveApp(t, "--metrics-operation", "sessionsPage")
		for _, q := range []string{`query sessionsPage { sessions(first: 2) { nodes { sessionId } } }`, `query madeUpByAClient { databases { id } }`} {
			body, _ := json.Marshal(map[string]string{"query": q})
			if resp, got := fetch(t, http.MethodPost, url+"/graphql", string(body), jsonPost); resp.StatusCode != 200 || strings.Contains(got, `"errors"`) {
				t.Fatalf("%s: %d %s", q, resp.StatusCode, got)
			}
		}
		resp, metrics := fetch(t, http.MethodGet, url+"/metrics", "", nil)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
			t.Fatalf("GET /metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		for _, want := range []string{
			`sessiongraph_graphql_operations_total{operation="sessionsPage",type="query"} 1`,
			`sessiongraph_graphql_operation_duration_seconds_count{operation="sessionsPage",type="query"} 1`,
			`sessiongraph_graphql_operation_duration_seconds_bucket{operation="sessionsPage",type="query",le="30"} 1`,
			`sessiongraph_graphql_operation_sql_statements_sum{operation="sessionsPage",type="query"} 1`,
			`sessiongraph_graphql_operations_total{operation="other",type="query"} 1`,
			`sessiongraph_graphql_operations_in_flight 0`,
			`go_sql_open_connections{db_name="default"}`,
			`go_sql_wait_count_total{db_name="default"}`,
			`go_goroutines `,
			`process_resident_memory_bytes `,
		} {
			if !strings.Contains(metrics, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		if strings.Contains(metrics, "madeUpByAClient") {
			t.Error("an operation name outside the allow-list became a label")
		}
	})
	t.Run("/metrics needs no token while /graphql does", func(t *testing.T) {
		url := serveApp(t, "--security-key", "s3cret-key")
		if resp, _ := fetch(t, http.MethodPost, url+"/graphql", `{"query":"{ databases { id } }"}`, jsonPost); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("POST /graphql without a token: %d", resp.StatusCode)
		}
		if resp, _ := fetch(t, http.MethodGet, url+"/metrics", "", nil); resp.StatusCode != http.StatusOK {
			t.Errorf("GET /metrics: %d", resp.StatusCode)
		}
	})
	t.Run("--no-metrics serves no /metrics", func(t *testing.T) {
		url := serveApp(t, "--no-metrics")
		if resp, _ := fetch(t, http.MethodGet, url+"/metrics", "", nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET /metrics: %d", resp.StatusCode)
		}
	})
}

func TestJSONLogFormat(t *testing.T) {
	var logs lockedBuffer
	url := serveAppLogging(t, &logs, "--log-format", "json")
	fetch(t, http.MethodPost, url+"/graphql", `{"query":"query dbs { databases { id } }"}`, map[string]string{"Content-Type": "application/json", "X-Request-Id": "json-1"})
	var ops []map[string]any
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("not a JSON line: %s", sc.Bytes())
		}
		if rec["msg"] == "graphql operation" {
			ops = append(ops, rec)
		}
	}
	if len(ops) != 1 || ops[0]["request_id"] != "json-1" || ops[0]["operation_name"] != "dbs" || ops[0]["level"] != "INFO" {
		t.Errorf("operation lines: %v", ops)
	}
	logs = lockedBuffer{}
	url = serveAppLogging(t, &logs, "--log-level", "warn")
	fetch(t, http.MethodPost, url+"/graphql", `{"query":"{ databases { id } }"}`, map[string]string{"Content-Type": "application/json"})
	if strings.Contains(logs.String(), "graphql operation") {
		t.Errorf("--log-level warn logged an operation: %s", logs.String())
	}
}

// TestTracingExportsOnShutdown serves with OTLP/HTTP tracing pointed at a
// receiver on loopback: the spans of a query reach it, at the latest when
// the server closes.
func TestTracingExportsOnShutdown(t *testing.T) {
	var mu sync.Mutex
	var spans []string
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req coltracepb.ExportTraceServiceRequest
		if r.URL.Path != "/v1/traces" || proto.Unmarshal(body, &req) != nil {
			t.Errorf("receiver got %s %s", r.Method, r.URL)
		}
		mu.Lock()
		defer mu.Unlock()
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					spans = append(spans, s.Name)
				}
			}
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer receiver.Close()
	vars := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.URL}
	for k, v := range vars {
		t.Setenv(k, v) // the exporter reads the process environment
	}
	a, err := newApp(context.Background(), loadOptions(t, []string{"--db", filepath.Join(t.TempDir(), "agno.db")}, vars, io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	if a.cfg.http.TracerProvider == nil {
		a.Close()
		t.Fatal("tracing is off")
	}
	srv := httptest.NewServer(a.handler)
	fetch(t, http.MethodPost, srv.URL+"/graphql", `{"query":"query page { sessions(first: 1) { nodes { sessionId } } }"}`, map[string]string{"Content-Type": "application/json"})
	srv.Close()
	a.Close()
	mu.Lock()
	defer mu.Unlock()
	for _, want := range []string{"query page", "Query.sessions"} {
		if !slices.Contains(spans, want) {
			t.Errorf("exported spans %v lack %q", spans, want)
		}
	}
}
