package graph

import (
	"context"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// tracerName is the instrumentation scope of the GraphQL spans.
const tracerName = "sessiongraph/graph"

// traceHTTP records a server span per HTTP request, continuing the caller's
// trace when it sends a W3C traceparent header.
func traceHTTP(next http.Handler, tp trace.TracerProvider) http.Handler {
	return otelhttp.NewHandler(next, "graphql",
		otelhttp.WithTracerProvider(tp),
		otelhttp.WithPropagators(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})))
}

// operationTracer records a span per GraphQL operation and, under it, one
// per root field, under which the Stores' SQL spans nest
// (db.Store.TraceStatements). It records none per field: most fields cost
// less than a span.
type operationTracer struct {
	operationHook
	tracer trace.Tracer
}

var _ graphql.RootFieldInterceptor = operationTracer{}

func newOperationTracer(tp trace.TracerProvider) operationTracer {
	t := operationTracer{tracer: tp.Tracer(tracerName)}
	t.operationHook = operationHook{name: "OperationTracer", begin: t.startSpan}
	return t
}

// startSpan starts the operation's span, named as OpenTelemetry's GraphQL
// conventions say ("query sessionsPage"), when gqlgen received the request.
// The document and variables are never recorded.
func (t operationTracer) startSpan(ctx context.Context) (context.Context, func(context.Context, *graphql.Response)) {
	op := describeOperation(ctx)
	name := op.typ
	if op.name != "" {
		name += " " + op.name
	}
	ctx, span := t.tracer.Start(ctx, name, trace.WithTimestamp(op.start), trace.WithAttributes(
		attribute.String("graphql.operation.type", op.typ),
		attribute.String("graphql.operation.name", op.name),
		attribute.String("sessiongraph.request_id", RequestID(ctx))))
	return ctx, func(_ context.Context, resp *graphql.Response) {
		if codes := errorCodes(resp); len(codes) > 0 {
			failed(span, codes)
		}
		span.End()
	}
}

func (t operationTracer) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	field := graphql.GetRootFieldContext(ctx).Field
	ctx, span := t.tracer.Start(ctx, field.ObjectDefinition.Name+"."+field.Name, trace.WithAttributes(
		attribute.String("graphql.field.name", field.Name),
		attribute.String("graphql.field.alias", field.Alias)))
	defer span.End()
	res := next(ctx)
	var codes []string
	for _, e := range graphql.GetErrors(ctx) {
		if len(e.Path) > 0 && e.Path[0] == ast.PathName(field.Alias) {
			if code, ok := e.Extensions["code"].(string); ok {
				codes = append(codes, code)
			}
		}
	}
	if len(codes) > 0 {
		failed(span, codes)
	}
	return res
}

// failed marks a span as failed with the error codes of its answer.
func failed(span trace.Span, errorCodes []string) {
	span.SetAttributes(attribute.StringSlice("sessiongraph.error_codes", errorCodes))
	span.SetStatus(codes.Error, strings.Join(errorCodes, ","))
}
