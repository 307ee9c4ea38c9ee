package httpserver_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"sessiongraph/auth"
	"sessiongraph/db"
	"sessiongraph/graph"
	"sessiongraph/httpserver"
	"sessiongraph/internal/agnotest"
	"sessiongraph/internal/telemetry"
)

// TestRefusalsAreLoggedAndCounted: every request the HTTP layer refuses
// before GraphQL runs gets a coded answer, one log line naming its request
// id, status and code, and a count by code; every answer, refused or not,
// is counted by route and status.
func TestRefusalsAreLoggedAndCounted(t *testing.T) {
	var logs bytes.Buffer
	logger, err := telemetry.NewLogger(&logs, "json", "info")
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	metrics, err := httpserver.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	authn, err := auth.New(auth.Config{SecurityKey: "refusal-test-key"})
	if err != nil {
		t.Fatal(err)
	}
	web := httpserver.New(httpserver.Options{Auth: authn, Logger: logger, Metrics: metrics, MaxBodyBytes: 1 << 10})
	mux := http.NewServeMux()
	mux.Handle("/graphql", web.GraphQL(graph.NewServer(&graph.Resolver{Stores: []*db.Store{agnotest.OpenSQLite(t)}}, graph.Options{Logger: logger})))
	h := web.Wrap(mux)

	key := map[string]string{"Authorization": "Bearer refusal-test-key", "Content-Type": "application/json"}
	mutation := url.Values{"query": {`mutation { deleteSession(input: {sessionId: "x"}) { deletedSessionId } }`}}.Encode()
	for _, c := range []struct {
		name, method, target, body string
		headers                    map[string]string
		status                     int
		code                       string
	}{
		{"a body over the cap", http.MethodPost, "/graphql", `{"query": "` + strings.Repeat(" ", 2<<10) + `"}`, key, 413, "REQUEST_TOO_LARGE"},
		{"a body that is not JSON", http.MethodPost, "/graphql", `{"query": `, key, 400, "BAD_USER_INPUT"},
		{"a JSON array", http.MethodPost, "/graphql", `[]`, key, 400, "BAD_USER_INPUT"},
		{"a form body", http.MethodPost, "/graphql", `query=x`, map[string]string{"Authorization": key["Authorization"], "Content-Type": "application/x-www-form-urlencoded"}, 400, "BAD_USER_INPUT"},
		{"no token", http.MethodPost, "/graphql", `{"query": "{ databases { id } }"}`, map[string]string{"Content-Type": "application/json"}, 401, "UNAUTHENTICATED"},
		{"a mutation over GET", http.MethodGet, "/graphql?" + mutation, "", key, 405, "METHOD_NOT_ALLOWED"},
		{"a PUT", http.MethodPut, "/graphql", `{"query": "{ databases { id } }"}`, key, 405, "METHOD_NOT_ALLOWED"},
	} {
		t.Run(c.name, func(t *testing.T) {
			logs.Reset()
			before := counter(t, reg, "sessiongraph_http_refusals_total", "code", c.code)
			requests := counter(t, reg, "sessiongraph_http_requests_total", "route", "/graphql", "status", strconv.Itoa(c.status))
			req := httptest.NewRequest(c.method, c.target, strings.NewReader(c.body))
			for k, v := range c.headers {
				req.Header.Set(k, v)
			}
			req.Header.Set("X-Request-Id", "refused-"+c.code)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			var body struct {
				Errors []struct {
					Message    string
					Extensions map[string]string
				}
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != c.status || len(body.Errors) != 1 || body.Errors[0].Extensions["code"] != c.code {
				t.Fatalf("answer %d %s, want %d with %s", rec.Code, rec.Body.Bytes(), c.status, c.code)
			}
			var lines []map[string]any
			sc := bufio.NewScanner(&logs)
			for sc.Scan() {
				var line map[string]any
				if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
					t.Fatalf("log line is not JSON: %s", sc.Bytes())
				}
				lines = append(lines, line)
			}
			if len(lines) != 1 || lines[0]["msg"] != "request refused" || lines[0]["request_id"] != "refused-"+c.code ||
				lines[0]["status"] != float64(c.status) || lines[0]["code"] != c.code || lines[0]["reason"] != body.Errors[0].Message {
				t.Errorf("log lines %v, want one naming the request, %d and %s", lines, c.status, c.code)
			}
			if got := counter(t, reg, "sessiongraph_http_refusals_total", "code", c.code) - before; got != 1 {
				t.Errorf("refusals{code=%s} grew by %v, want 1", c.code, got)
			}
			if got := counter(t, reg, "sessiongraph_http_requests_total", "route", "/graphql", "status", strconv.Itoa(c.status)) - requests; got != 1 {
				t.Errorf("requests{route=/graphql,status=%d} grew by %v, want 1", c.status, got)
			}
		})
	}
	t.Run("an answered query is counted and logs no refusal", func(t *testing.T) {
		logs.Reset()
		before := counter(t, reg, "sessiongraph_http_requests_total", "route", "/graphql", "status", strconv.Itoa(200))
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query": "{ databases { id } }"}`))
		for k, v := range key {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || strings.Contains(logs.String(), "request refused") {
			t.Errorf("answer %d %s; logs %s", rec.Code, rec.Body.Bytes(), logs.Bytes())
		}
		if got := counter(t, reg, "sessiongraph_http_requests_total", "route", "/graphql", "status", strconv.Itoa(200)) - before; got != 1 {
			t.Errorf("requests{status=200} grew by %v", got)
		}
	})
	t.Run("labels stay bounded: an unknown path is one route", func(t *testing.T) {
		for i := range 5 {
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/nope/"+strings.Repeat("x", i), nil))
		}
		if got := counter(t, reg, "sessiongraph_http_requests_total", "route", "", "status", strconv.Itoa(404)); got != 5 {
			t.Errorf("requests{route=\"\",status=404} = %v, want 5", got)
		}
		families, _ := reg.Gather()
		for _, f := range families {
			for _, m := range f.GetMetric() {
				for _, l := range m.GetLabel() {
					if l.GetName() == "route" && !slices.Contains([]string{"", "/graphql"}, l.GetValue()) {
						t.Errorf("%s has route %q", f.GetName(), l.GetValue())
					}
				}
			}
		}
	})
}

// counter returns the value of the counter name with the given label
// pairs in reg, 0 when it has not counted yet.
func counter(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	metrics:
		for _, m := range f.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for i := 0; i < len(labels); i += 2 {
				if have[labels[i]] != labels[i+1] {
					continue metrics
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}
