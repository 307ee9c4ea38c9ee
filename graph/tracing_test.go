package graph_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"sessiongraph/graph"
	"sessiongraph/httpserver"
	"sessiongraph/internal/agnotest"
	"sessiongraph/internal/telemetry"
)

// tracedHandler serves the fixture with tracing into an in-memory exporter,
// logging JSON into logs.
func tracedHandler(t *testing.T, logs *syncBuffer) (http.Handler, *tracetest.InMemoryExporter) {
	t.Helper()
	exporter := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })
	store := fixtureSQLite(t)
	if err := store.TraceStatements(tp); err != nil {
		t.Fatal(err)
	}
	logger := jsonLogger(t, logs)
	observers := []graphql.HandlerExtension{telemetry.OperationTracer(tp), telemetry.OperationObserver(logger, nil, nil)}
	h := agnotest.Serve(graph.Options{Logger: logger, MaxDepth: 4, Observers: observers}, httpserver.Options{Logger: logger, TracerProvider: tp}, store)
	return h, exporter
}

func TestTracing(t *testing.T) {
	var logs syncBuffer
	h, exporter := tracedHandler(t, &logs)

	t.Run("a query records HTTP, operation, root field and SQL spans, nested", func(t *testing.T) {
		exporter.Reset()
		postAs(h, "trace-1", "", `query sessionsPage { sessions(first: 2, filter: {userId: "u-9"}) { nodes { sessionId name } } databases { id } }`, nil)
		spans := exporter.GetSpans()
		find := func(what string, match func(s tracetest.SpanStub) bool) []tracetest.SpanStub {
			t.Helper()
			var out []tracetest.SpanStub
			for _, s := range spans {
				if match(s) {
					out = append(out, s)
				}
			}
			if len(out) == 0 {
				t.Fatalf("no %s span among %v", what, names(spans))
			}
			return out
		}
		httpSpan := find("HTTP server", func(s tracetest.SpanStub) bool { return s.SpanKind == trace.SpanKindServer })[0]
		op := find("operation", func(s tracetest.SpanStub) bool { return s.Name == "query sessionsPage" })[0]
		sessions := find("Query.sessions", func(s tracetest.SpanStub) bool { return s.Name == "Query.sessions" })[0]
		databases := find("Query.databases", func(s tracetest.SpanStub) bool { return s.Name == "Query.databases" })[0]
		sql := find("SQL", func(s tracetest.SpanStub) bool { return s.InstrumentationScope.Name == "sessiongraph/db" })
		parentOf := map[string]struct{ child, parent tracetest.SpanStub }{
			"the operation's":     {op, httpSpan},
			"Query.sessions's":    {sessions, op},
			"Query.databases's":   {databases, op},
			"the SQL statement's": {sql[0], sessions},
		}
		for name, link := range parentOf {
			if link.child.Parent.SpanID() != link.parent.SpanContext.SpanID() || link.child.SpanContext.TraceID() != httpSpan.SpanContext.TraceID() {
				t.Errorf("%s parent is %s, want %q", name, link.child.Parent.SpanID(), link.parent.Name)
			}
		}
		if len(sql) != 1 {
			t.Errorf("%d SQL spans, want the page's one statement", len(sql))
		}
		// HTTP, operation, two root fields, one statement: no span per field.
		if len(spans) != 5 {
			t.Errorf("%d spans: %v", len(spans), names(spans))
		}
		text := ""
		for _, kv := range sql[0].Attributes {
			if kv.Key == "db.query.text" {
				text = kv.Value.AsString()
			}
		}
		if strings.Contains(text, "u-9") || !strings.Contains(text, "?") {
			t.Errorf("the SQL text is missing or shows an argument: %q", text)
		}
		lines := operationLines(logs.take(t))
		if len(lines) != 1 || lines[0]["trace_id"] != httpSpan.SpanContext.TraceID().String() {
			t.Errorf("log lines %v, want the trace id %s", lines, httpSpan.SpanContext.TraceID())
		}
	})

	t.Run("a caller's traceparent continues its trace", func(t *testing.T) {
		exporter.Reset()
		const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
		req := gqlBody(`{ databases { id } }`, nil)
		send(h, http.MethodPost, "/graphql", strings.NewReader(req), map[string]string{
			"Content-Type": "application/json", "Traceparent": "00-" + traceID + "-00f067aa0ba902b7-01"})
		for _, s := range exporter.GetSpans() {
			if s.SpanContext.TraceID().String() != traceID {
				t.Errorf("span %q is in trace %s", s.Name, s.SpanContext.TraceID())
			}
		}
	})

	t.Run("an operation refused before it runs has a failed span", func(t *testing.T) {
		exporter.Reset()
		postAs(h, "trace-3", "", `query deep { sessions { nodes { runs { nodes { runId } } } } }`, nil)
		spans := exporter.GetSpans()
		i := slices.IndexFunc(spans, func(s tracetest.SpanStub) bool { return s.Name == "query deep" })
		if i < 0 {
			t.Fatalf("no operation span among %v", names(spans))
		}
		if spans[i].Status.Description != "QUERY_TOO_DEEP" || len(spans) != 2 {
			t.Errorf("status %+v; spans %v", spans[i].Status, names(spans))
		}
	})
}

func names(spans tracetest.SpanStubs) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.Name
	}
	return out
}
