package telemetry

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2/ast"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"sessiongraph/auth"
	"sessiongraph/db"
	"sessiongraph/models"
)

// OperationMetrics are the Prometheus metrics of GraphQL operations. Their
// labels are bounded whatever clients send: type is query, mutation,
// subscription or unknown (refused before its operation was found);
// operation is one of the names given to OperationObserver, "anonymous" or
// "other"; code is one of models.Codes or "other".
type OperationMetrics struct {
	operations *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	statements *prometheus.HistogramVec
	errors     *prometheus.CounterVec
	inFlight   prometheus.Gauge
}

// NewOperationMetrics creates the operation metrics and registers them with
// reg; it fails if reg holds them already.
func NewOperationMetrics(reg prometheus.Registerer) (*OperationMetrics, error) {
	labels := []string{"type", "operation"}
	m := &OperationMetrics{
		operations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sessiongraph_graphql_operations_total",
			Help: "GraphQL operations answered, refused ones included.",
		}, labels),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "sessiongraph_graphql_operation_duration_seconds",
			Help:    "Time from receiving a GraphQL request to its answer, written out excepted.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, labels),
		statements: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "sessiongraph_graphql_operation_sql_statements",
			Help:    "SQL statements a GraphQL operation ran.",
			Buckets: []float64{0, 1, 2, 3, 4, 6, 10, 20, 50},
		}, labels),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sessiongraph_graphql_operation_errors_total",
			Help: "GraphQL operations answered with at least one error of the code.",
		}, append(labels, "code")),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "sessiongraph_graphql_operations_in_flight",
			Help: "GraphQL operations executing now.",
		}),
	}
	for _, c := range []prometheus.Collector{m.operations, m.duration, m.statements, m.errors, m.inFlight} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// MetricCode is code as metrics label it: one of models.Codes, else "other",
// so that clients cannot grow the label set.
func MetricCode(code string) string {
	if slices.Contains(models.Codes, models.Code(code)) {
		return code
	}
	return "other"
}

// OperationObserver returns the gqlgen extension that writes one log line
// per GraphQL operation to log, at Info, and updates m (nil: no metrics),
// labelling by name the operations named in namedOperations. It does no
// per-field work: statements are counted by the Stores
// (db.WithStatementCounter) and errors read from the response. Never
// logged: tokens, the document, variables.
func OperationObserver(log *slog.Logger, m *OperationMetrics, namedOperations []string) graphql.HandlerExtension {
	o := operationObserver{log: log, metrics: m, named: map[string]bool{}}
	for _, name := range namedOperations {
		o.named[name] = true
	}
	return operationHook{name: "OperationObserver", begin: o.begin}
}

type operationObserver struct {
	log     *slog.Logger
	metrics *OperationMetrics // nil: none
	named   map[string]bool   // operation names metrics label by name
}

func (o operationObserver) begin(ctx context.Context) (context.Context, func(context.Context, *graphql.Response)) {
	ctx, statements := db.WithStatementCounter(ctx)
	if o.metrics != nil {
		o.metrics.inFlight.Inc()
	}
	return ctx, func(ctx context.Context, resp *graphql.Response) {
		if o.metrics != nil {
			o.metrics.inFlight.Dec()
		}
		o.record(ctx, resp, statements.Count())
	}
}

func (o operationObserver) record(ctx context.Context, resp *graphql.Response, statements int) {
	op := describeOperation(ctx)
	took := time.Since(op.start)
	codes := errorCodes(resp)
	if m := o.metrics; m != nil {
		name := "other"
		switch {
		case o.named[op.name]:
			name = op.name
		case op.name == "" && op.typ != "unknown":
			name = "anonymous"
		}
		m.operations.WithLabelValues(op.typ, name).Inc()
		m.duration.WithLabelValues(op.typ, name).Observe(took.Seconds())
		m.statements.WithLabelValues(op.typ, name).Observe(float64(statements))
		for _, code := range codes {
			m.errors.WithLabelValues(op.typ, name, MetricCode(code)).Inc()
		}
	}
	if !o.log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs,
		slog.String("operation_type", op.typ),
		slog.String("operation_name", op.name),
		slog.Float64("duration_ms", float64(took.Microseconds())/1000),
		slog.Int("sql_statements", statements),
		slog.Any("error_codes", codes))
	if op.complexity != nil {
		attrs = append(attrs, slog.Int("complexity", *op.complexity))
	}
	if user := auth.ForContext(ctx).UserID; user != "" {
		attrs = append(attrs, slog.String("user_id", user))
	}
	if resp == nil {
		// The request's context ended before the operation ran.
		attrs = append(attrs, slog.Bool("cancelled", true))
	}
	o.log.LogAttrs(ctx, slog.LevelInfo, "graphql operation", attrs...)
}

// operation is what logs, metrics and spans say of an operation.
type operation struct {
	typ        string // query, mutation, subscription, or unknown when refused before it was found
	name       string // as the document names it, "" when anonymous or unknown
	start      time.Time
	complexity *int // nil when it was refused before gqlgen computed it
}

func describeOperation(ctx context.Context) operation {
	op := operation{typ: "unknown", start: time.Now()}
	if !graphql.HasOperationContext(ctx) {
		return op
	}
	opCtx := graphql.GetOperationContext(ctx)
	if !opCtx.Stats.OperationStart.IsZero() {
		op.start = opCtx.Stats.OperationStart
	}
	if opCtx.Operation != nil {
		op.typ, op.name = string(opCtx.Operation.Operation), opCtx.Operation.Name
	}
	if stats := extension.GetComplexityStats(ctx); stats != nil {
		op.complexity = &stats.Complexity
	}
	return op
}

// errorCodes returns the distinct extensions.code values of resp's errors,
// sorted; empty, not nil, when there are none.
func errorCodes(resp *graphql.Response) []string {
	if resp == nil || len(resp.Errors) == 0 {
		return []string{}
	}
	codes := make([]string, 0, len(resp.Errors))
	for _, e := range resp.Errors {
		if code, ok := e.Extensions["code"].(string); ok {
			codes = append(codes, code)
		}
	}
	slices.Sort(codes)
	return slices.Compact(codes)
}

// operationHook adapts begin, which starts observing an operation and
// returns what finishes it, to gqlgen's interceptors so that finish runs
// exactly once per operation: with its answer once it ran, or with the
// refusal when gqlgen refused it before it ran (then gqlgen calls only the
// response interceptors). finish gets nil when the request's context ended
// before the operation could run.
type operationHook struct {
	name  string
	begin func(ctx context.Context) (context.Context, func(context.Context, *graphql.Response))
}

// hookKey marks the context of an operation a hook is observing already.
type hookKey struct{ name string }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.ResponseInterceptor
} = operationHook{}

func (h operationHook) ExtensionName() string                   { return h.name }
func (h operationHook) Validate(graphql.ExecutableSchema) error { return nil }

func (h operationHook) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	ctx, finish := h.begin(context.WithValue(ctx, hookKey{h.name}, true))
	responses := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		resp := responses(ctx)
		if finish != nil {
			finish(ctx, resp)
			finish = nil
		}
		return resp
	}
}

func (h operationHook) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if ctx.Value(hookKey{h.name}) != nil {
		return next(ctx)
	}
	ctx, finish := h.begin(ctx)
	resp := next(ctx)
	finish(ctx, resp)
	return resp
}

// tracerName is the instrumentation scope of the GraphQL spans (named when
// graph recorded them, kept for the dashboards that filter on it).
const tracerName = "sessiongraph/graph"

// OperationTracer returns the gqlgen extension that records a span per
// GraphQL operation and, under it, one per root field, under which the
// Stores' SQL spans nest (db.Store.TraceStatements). It records none per
// field: most fields cost less than a span. Install it before
// OperationObserver, whose log line then names the trace.
func OperationTracer(tp trace.TracerProvider) graphql.HandlerExtension {
	t := operationTracer{tracer: tp.Tracer(tracerName)}
	t.operationHook = operationHook{name: "OperationTracer", begin: t.startSpan}
	return t
}

type operationTracer struct {
	operationHook
	tracer trace.Tracer
}

var _ graphql.RootFieldInterceptor = operationTracer{}

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
