package db

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"sessiongraph/internal/testpg"
	"sessiongraph/models"
)

// TestTraceStatements checks the span of each statement on both dialects: a
// client span under the caller's, named after the statement's command, with
// the conventions' attributes and the SQL's placeholders but none of its
// arguments; a write's rows; a failed statement's error. On PostgreSQL the
// reads run on pgx's own API (readRows) and are traced as any other.
func TestTraceStatements(t *testing.T) {
	ctx := context.Background()
	for name, url := range map[string]string{
		"sqlite":   filepath.Join(t.TempDir(), "agno.db"),
		"postgres": testpg.NewDatabase(t),
	} {
		t.Run(name, func(t *testing.T) {
			s, err := Open(ctx, Options{ID: "traced", URL: url, CreateLayout: LayoutV2})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			const secret = "u-secret-argument"
			user := secret
			if err := s.InsertRows(ctx, []models.SessionRow{{SessionID: "s-1", SessionType: "agent", UserID: &user, CreatedAt: 1}}, PlainJSON); err != nil {
				t.Fatal(err)
			}
			recorder := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
			if err := s.TraceStatements(tp); err != nil {
				t.Fatal(err)
			}

			ctx, parent := tp.Tracer("test").Start(ctx, "request")
			first := 10
			if _, err := s.ListSessions(ctx, &models.SessionFilter{UserID: &user}, models.DefaultSessionOrder, models.PageArgs{First: &first}, models.AllColumns); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteSession(ctx, "s-1", nil); err != nil {
				t.Fatal(err)
			}
			if err := s.queryRows(ctx, "SELECT no_such_column FROM "+s.from+" WHERE user_id = ?", []any{secret}, func(scanner) error { return nil }); err == nil {
				t.Fatal("reading a column that does not exist succeeded")
			}
			parent.End()

			spans := recorder.Ended()
			if len(spans) != 4 {
				t.Fatalf("%d spans, want the page's, the deletion's, the failed read's and the request's", len(spans))
			}
			system, placeholder, namespace, failedCode := "sqlite", "?", "", "1" // SQLITE_ERROR
			if s.dialect == Postgres {
				cfg, err := pgconn.ParseConfig(s.target.DSN)
				if err != nil {
					t.Fatal(err)
				}
				system, placeholder, namespace, failedCode = "postgresql", "$1", cfg.Database+"|ai", "42703" // undefined_column
			}
			for i, want := range []struct {
				name         string
				rowsAffected int64 // -1: none recorded
				failed       bool
			}{
				{"SELECT", -1, false},
				{"DELETE", 1, false},
				{"SELECT", -1, true},
			} {
				span := spans[i]
				attrs := map[attribute.Key]attribute.Value{}
				for _, kv := range span.Attributes() {
					attrs[kv.Key] = kv.Value
				}
				text := attrs["db.query.text"].AsString()
				if span.Name() != want.name || attrs["db.operation.name"].AsString() != want.name {
					t.Errorf("span %d is named %q (operation %q), want %s", i, span.Name(), attrs["db.operation.name"].AsString(), want.name)
				}
				if span.Parent().SpanID() != parent.SpanContext().SpanID() || span.SpanContext().TraceID() != parent.SpanContext().TraceID() {
					t.Errorf("%s: not a child of the caller's span", text)
				}
				if span.SpanKind() != trace.SpanKindClient || span.InstrumentationScope().Name != "sessiongraph/db" {
					t.Errorf("%s: kind %s, scope %q", text, span.SpanKind(), span.InstrumentationScope().Name)
				}
				if !strings.HasPrefix(text, want.name+" ") || !strings.Contains(text, placeholder) {
					t.Errorf("db.query.text %q is not the statement with its placeholders", text)
				}
				if attrs["db.system.name"].AsString() != system || attrs["sessiongraph.db_id"].AsString() != "traced" {
					t.Errorf("%s: db.system.name %q, sessiongraph.db_id %q", text, attrs["db.system.name"].AsString(), attrs["sessiongraph.db_id"].AsString())
				}
				if s.dialect == Postgres && (attrs["db.namespace"].AsString() != namespace || attrs["server.address"].AsString() == "" || attrs["server.port"].AsInt64() == 0) {
					t.Errorf("%s: db.namespace %q (want %q), server %q port %d", text,
						attrs["db.namespace"].AsString(), namespace, attrs["server.address"].AsString(), attrs["server.port"].AsInt64())
				}
				rows, recorded := attrs["sessiongraph.rows_affected"]
				if (want.rowsAffected < 0) == recorded || recorded && rows.AsInt64() != want.rowsAffected {
					t.Errorf("%s: rows affected %v (recorded: %t), want %d", text, rows.Emit(), recorded, want.rowsAffected)
				}
				failed := span.Status().Code == codes.Error
				if failed != want.failed {
					t.Errorf("%s: status %+v", text, span.Status())
				}
				if want.failed && (attrs["db.response.status_code"].AsString() != failedCode || attrs["error.type"].AsString() != failedCode ||
					len(span.Events()) != 1 || span.Events()[0].Name != "exception") {
					t.Errorf("%s: db.response.status_code %q, error.type %q (want %s), events %v", text,
						attrs["db.response.status_code"].AsString(), attrs["error.type"].AsString(), failedCode, span.Events())
				}
				values := []attribute.KeyValue{{Key: "name", Value: attribute.StringValue(span.Name())}}
				values = append(values, span.Attributes()...)
				for _, e := range span.Events() {
					values = append(values, e.Attributes...)
				}
				for _, kv := range values {
					if strings.Contains(kv.Value.Emit(), secret) {
						t.Errorf("%s: %s shows an argument: %s", text, kv.Key, kv.Value.Emit())
					}
				}
			}
		})
	}
}
