// Package telemetry builds the server's logger, Prometheus registry and
// OpenTelemetry tracer provider from its configuration, and observes
// GraphQL operations: a log line, metrics and a span for each. The HTTP
// layer (httpserver) observes the requests, db its statements.
package telemetry

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.opentelemetry.io/contrib/exporters/autoexport"
	sdkresource "go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"sessiongraph/db"
)

// NewLogger returns a logger writing to w, in format "text" or "json", the
// records at level ("debug", "info", "warn" or "error") and above. A record
// written with a request's context names the request (request_id, see
// WithRequestID) and, when it is traced, the trace (trace_id).
func NewLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q is not debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch format {
	case "text":
		return slog.New(contextHandler{slog.NewTextHandler(w, opts)}), nil
	case "json":
		return slog.New(contextHandler{slog.NewJSONHandler(w, opts)}), nil
	}
	return nil, fmt.Errorf("log format %q is not text or json", format)
}

// NewRegistry returns a Prometheus registry holding the Go runtime and
// process collectors and, for each store, its connection pool's statistics
// (go_sql_*, labelled db_name with the database id).
func NewRegistry(stores []*db.Store) (*prometheus.Registry, error) {
	reg := prometheus.NewRegistry()
	cs := []prometheus.Collector{collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})}
	for _, s := range stores {
		cs = append(cs, collectors.NewDBStatsCollector(s.Pool(), s.ID()))
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return reg, nil
}

// TracingEnabled reports whether the standard OTEL_* environment asks for
// traces: OTEL_TRACES_EXPORTER names an exporter other than "none", or, with
// it unset, an OTLP endpoint is set (OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT). OTEL_SDK_DISABLED=true turns tracing
// off whatever else is set. Tracing is off when nothing is set, so that the
// server never sends anything unasked.
func TracingEnabled(getenv func(string) string) bool {
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return false
	}
	if exporter := strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER")); exporter != "" {
		return exporter != "none"
	}
	return getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// NewTracerProvider returns a tracer provider that exports spans in
// batches through the exporter the OTEL_* environment configures
// (autoexport: OTLP over HTTP unless OTEL_EXPORTER_OTLP_PROTOCOL=grpc, or
// "console"), samples as OTEL_TRACES_SAMPLER says (parent-based always-on
// by default) and names the service "sessiongraph" unless OTEL_SERVICE_NAME
// or OTEL_RESOURCE_ATTRIBUTES say otherwise. Nothing is sent before the
// first span ends; Shutdown flushes what is left.
func NewTracerProvider(ctx context.Context) (*sdktrace.TracerProvider, error) {
	exporter, err := autoexport.NewSpanExporter(ctx)
	if err != nil {
		return nil, fmt.Errorf("tracing: %w", err)
	}
	res, err := sdkresource.New(ctx,
		sdkresource.WithAttributes(semconv.ServiceName("sessiongraph")),
		sdkresource.WithFromEnv(), // after the default name, which it overrides
		sdkresource.WithTelemetrySDK())
	if err != nil {
		return nil, fmt.Errorf("tracing: %w", err)
	}
	return sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res)), nil
}
