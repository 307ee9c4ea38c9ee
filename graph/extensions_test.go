package graph

import (
	"log/slog"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"sessiongraph/internal/telemetry"
)

// TestNoFieldInterceptors: internal/gqlgen has the leaf fields that cannot
// fail call their marshaller directly, past any field interceptor, so the
// server must have none, the server's observers included (root field
// interceptors still see every root field).
func TestNoFieldInterceptors(t *testing.T) {
	metrics, err := telemetry.NewOperationMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	observers := []graphql.HandlerExtension{telemetry.OperationTracer(tracenoop.NewTracerProvider()),
		telemetry.OperationObserver(slog.Default(), metrics, nil)}
	for _, opts := range []Options{{}, {Observers: observers}} {
		for _, ext := range extensions(opts.withDefaults()) {
			if _, ok := ext.(graphql.FieldInterceptor); ok {
				t.Errorf("%T intercepts fields: leaf fields would bypass it (see internal/gqlgen inlineLeafFields)", ext)
			}
		}
	}
}
