package graph_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"sessiongraph/auth"
	"sessiongraph/db"
	"sessiongraph/graph"
	"sessiongraph/httpserver"
	"sessiongraph/internal/agnotest"
	"sessiongraph/internal/telemetry"
)

// syncBuffer is a log destination safe for the handler's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// take returns the JSON records written since the last take.
func (b *syncBuffer) take(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(&b.buf)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Bytes())
		}
		out = append(out, rec)
	}
	b.buf.Reset()
	return out
}

// operationLines keeps the one-per-operation records.
func operationLines(recs []map[string]any) []map[string]any {
	return slices.DeleteFunc(recs, func(r map[string]any) bool { return r["msg"] != "graphql operation" })
}

// jsonLogger is the server's JSON logger writing to w.
func jsonLogger(t *testing.T, w io.Writer) *slog.Logger {
	t.Helper()
	logger, err := telemetry.NewLogger(w, "json", "info")
	if err != nil {
		t.Fatal(err)
	}
	return logger
}

// fixtureSQLite is a SQLite store holding the fixture.
func fixtureSQLite(t *testing.T) *db.Store {
	t.Helper()
	s := agnotest.OpenSQLite(t)
	if err := s.InsertRows(context.Background(), fixtureRows(t), db.PlainJSON); err != nil {
		t.Fatal(err)
	}
	return s
}

// postAs POSTs a query with a request id and, unless bearer is empty, a token.
func postAs(h http.Handler, requestID, bearer, q string, vars map[string]any) *httptest.ResponseRecorder {
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Request-Id", requestID)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestOperationLogLine(t *testing.T) {
	store := fixtureSQLite(t)
	statements := logStatements(t, store)
	a, err := auth.New(auth.Config{JWTSecret: accessSecret})
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	logger := jsonLogger(t, &logs)
	h := agnotest.Serve(graph.Options{Logger: logger, MaxDepth: 4, Observers: []graphql.HandlerExtension{telemetry.OperationObserver(logger, nil, nil)}},
		httpserver.Options{Auth: a, Logger: logger}, store)
	bearer := token(t, "u-9", nil)
	const secret = "s-no-such-session-7f3a"
	for _, c := range []struct {
		name, query string
		vars        map[string]any
		// want holds the fields every line must have exactly.
		want map[string]any
		// complexity is the expected complexity, -1 when none is logged.
		complexity int
	}{
		{"a page with its total count runs two statements", `query sessionsPage { sessions(first: 2) { totalCount nodes { sessionId } } }`, nil,
			map[string]any{"operation_type": "query", "operation_name": "sessionsPage", "error_codes": []any{}}, 7},
		{"a missing session is NOT_FOUND", `query runsOf($id: String!) { runs(sessionId: $id) { nodes { runId } } }`, map[string]any{"id": secret},
			map[string]any{"operation_type": "query", "operation_name": "runsOf", "error_codes": []any{"NOT_FOUND"}}, 1 + 20*2},
		{"an anonymous query has an empty name", `{ databases { id } }`, nil,
			map[string]any{"operation_type": "query", "operation_name": "", "error_codes": []any{}}, 2},
		{"a query refused before it runs runs no statement", `query deep { sessions { nodes { runs { nodes { runId } } } } }`, nil,
			map[string]any{"operation_type": "query", "operation_name": "deep", "error_codes": []any{"QUERY_TOO_DEEP"}, "sql_statements": 0.0}, -1},
		{"a document that does not parse has no operation", `query broken { sessions(`, nil,
			map[string]any{"operation_type": "unknown", "operation_name": "", "error_codes": []any{"GRAPHQL_PARSE_FAILED"}, "sql_statements": 0.0}, -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			statements.take()
			requestID := "req-" + strings.ReplaceAll(c.name, " ", "-")
			resp := postAs(h, requestID, bearer, c.query, c.vars)
			ran := len(statements.take())
			lines := operationLines(logs.take(t))
			if len(lines) != 1 {
				t.Fatalf("%d operation lines, want 1: %v (answer %d %s)", len(lines), lines, resp.Code, resp.Body)
			}
			line := lines[0]
			want := map[string]any{"level": "INFO", "request_id": requestID, "user_id": "u-9", "sql_statements": float64(ran)}
			for k, v := range c.want {
				want[k] = v
			}
			for k, v := range want {
				if fmt.Sprint(line[k]) != fmt.Sprint(v) {
					t.Errorf("%s = %#v, want %#v in %v", k, line[k], v, line)
				}
			}
			if d, ok := line["duration_ms"].(float64); !ok || d <= 0 {
				t.Errorf("duration_ms = %#v", line["duration_ms"])
			}
			if got, ok := line["complexity"]; c.complexity < 0 && ok || c.complexity >= 0 && got != float64(c.complexity) {
				t.Errorf("complexity = %v, want %d", got, c.complexity)
			}
			raw, _ := json.Marshal(line)
			for _, leak := range []string{bearer, secret, "sessions(", "nodes"} {
				if strings.Contains(string(raw), leak) {
					t.Errorf("the line shows %q: %s", leak, raw)
				}
			}
		})
	}
	t.Run("a page without its count runs one statement", func(t *testing.T) {
		postAs(h, "r", bearer, `{ sessions(first: 2) { nodes { sessionId } } }`, nil)
		if lines := operationLines(logs.take(t)); len(lines) != 1 || lines[0]["sql_statements"] != 1.0 {
			t.Errorf("lines %v", lines)
		}
	})
	t.Run("a request gone before its operation ran still writes its line", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", strings.NewReader(gqlBody(`query gone { databases { id } }`, nil)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+bearer)
		h.ServeHTTP(httptest.NewRecorder(), req)
		lines := operationLines(logs.take(t))
		if len(lines) != 1 || lines[0]["operation_name"] != "gone" || lines[0]["cancelled"] != true {
			t.Errorf("lines %v", lines)
		}
	})
	t.Run("concurrent operations count their own statements", func(t *testing.T) {
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				q := `{ sessions(first: 2) { nodes { sessionId } } }`
				if i%2 == 1 {
					q = `{ sessions(first: 2, filter: {userId: "u-9"}) { totalCount nodes { sessionId } } }`
				}
				postAs(h, fmt.Sprint("c-", i), bearer, q, nil)
			})
		}
		wg.Wait()
		lines := operationLines(logs.take(t))
		if len(lines) != 8 {
			t.Fatalf("%d lines", len(lines))
		}
		for _, l := range lines {
			var i int
			_, _ = fmt.Sscanf(l["request_id"].(string), "c-%d", &i)
			// The page is one statement; the count is a second one, unless
			// it was cached.
			got := l["sql_statements"]
			if i%2 == 0 && got != 1.0 || i%2 == 1 && got != 1.0 && got != 2.0 {
				t.Errorf("request %d: %v statements", i, got)
			}
		}
	})
}

func TestOperationMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	metrics, err := telemetry.NewOperationMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := telemetry.NewOperationMetrics(reg); err == nil {
		t.Error("registering the metrics twice on one registry succeeded")
	}
	logger := slog.New(slog.DiscardHandler)
	h := agnotest.Serve(graph.Options{Logger: logger, Observers: []graphql.HandlerExtension{telemetry.OperationObserver(logger, metrics, []string{"sessionsPage"})}},
		httpserver.Options{Logger: logger}, fixtureSQLite(t))
	for range 2 {
		query(t, h, `query sessionsPage { sessions(first: 2) { nodes { sessionId } } }`, nil)
	}
	for i := range 30 { // names a client makes up: they must not become labels
		query(t, h, fmt.Sprintf(`query clientName%d { databases { id } }`, i), nil)
	}
	query(t, h, `{ runs(sessionId: "s-none") { nodes { runId } } }`, nil)
	postJSON(h, gqlBody(`query broken { sessions(`, nil), "")

	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*dto.MetricFamily{}
	allowed := map[string][]string{
		"type":      {"query", "mutation", "subscription", "unknown"},
		"operation": {"sessionsPage", "anonymous", "other"},
		"code":      {"NOT_FOUND", "GRAPHQL_PARSE_FAILED"},
	}
	for _, f := range families {
		byName[f.GetName()] = f
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if !slices.Contains(allowed[l.GetName()], l.GetValue()) {
					t.Errorf("%s has label %s=%q", f.GetName(), l.GetName(), l.GetValue())
				}
			}
		}
	}
	value := func(name string, labels ...string) *dto.Metric {
		t.Helper()
		f := byName[name]
		if f == nil {
			t.Fatalf("no metric %s", name)
		}
	next:
		for _, m := range f.GetMetric() {
			for i := 0; i < len(labels); i += 2 {
				if !slices.ContainsFunc(m.GetLabel(), func(l *dto.LabelPair) bool { return l.GetName() == labels[i] && l.GetValue() == labels[i+1] }) {
					continue next
				}
			}
			return m
		}
		t.Fatalf("no %s%v", name, labels)
		return nil
	}
	for _, c := range []struct {
		labels []string
		want   float64
	}{
		{[]string{"type", "query", "operation", "sessionsPage"}, 2},
		{[]string{"type", "query", "operation", "other"}, 30},
		{[]string{"type", "query", "operation", "anonymous"}, 1},
		{[]string{"type", "unknown", "operation", "other"}, 1},
	} {
		if got := value("sessiongraph_graphql_operations_total", c.labels...).GetCounter().GetValue(); got != c.want {
			t.Errorf("operations_total%v = %v, want %v", c.labels, got, c.want)
		}
		if got := value("sessiongraph_graphql_operation_duration_seconds", c.labels...).GetHistogram().GetSampleCount(); got != uint64(c.want) {
			t.Errorf("duration count%v = %v, want %v", c.labels, got, c.want)
		}
	}
	page := value("sessiongraph_graphql_operation_sql_statements", "operation", "sessionsPage").GetHistogram()
	if page.GetSampleCount() != 2 || page.GetSampleSum() != 2 {
		t.Errorf("sql_statements of sessionsPage: %d samples, sum %v; want 2 pages of one statement", page.GetSampleCount(), page.GetSampleSum())
	}
	if v := value("sessiongraph_graphql_operation_duration_seconds", "operation", "sessionsPage").GetHistogram().GetSampleSum(); v <= 0 {
		t.Errorf("duration sum = %v", v)
	}
	for _, c := range [][]string{
		{"type", "query", "operation", "anonymous", "code", "NOT_FOUND"},
		{"type", "unknown", "operation", "other", "code", "GRAPHQL_PARSE_FAILED"},
	} {
		if got := value("sessiongraph_graphql_operation_errors_total", c...).GetCounter().GetValue(); got != 1 {
			t.Errorf("errors_total%v = %v, want 1", c, got)
		}
	}
	if got := value("sessiongraph_graphql_operations_in_flight").GetGauge().GetValue(); got != 0 {
		t.Errorf("in flight after every answer: %v", got)
	}
}
