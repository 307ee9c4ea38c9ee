package graph

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"

	"sessiongraph/auth"
	"sessiongraph/db"
	"sessiongraph/models"
)

// Metrics are the Prometheus metrics of GraphQL operations. Their labels are
// bounded whatever clients send: type is query, mutation, subscription or
// unknown (refused before its operation was found); operation is a name
// from HandlerOptions.MetricsOperations, "anonymous" or "other"; code is one
// of the API's error codes or "other".
type Metrics struct {
	operations *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	statements *prometheus.HistogramVec
	errors     *prometheus.CounterVec
	inFlight   prometheus.Gauge
}

// NewMetrics creates the operation metrics and registers them with reg; it
// fails if reg holds them already.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	labels := []string{"type", "operation"}
	m := &Metrics{
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

// metricCodes are the error codes metrics name; any other is "other".
var metricCodes = map[string]bool{
	string(models.BadUserInput): true, string(models.NotFound): true, string(models.Unauthenticated): true,
	string(models.Forbidden): true, string(models.Internal): true, string(models.Conflict): true,
	string(models.DataCorrupt): true, string(models.Unavailable): true, string(models.Timeout): true,
	string(CodeQueryTooDeep): true, string(CodeTooManyAliases): true, string(CodeIntrospectionDisabled): true,
	string(codeComplexityLimit): true, errcode.ParseFailed: true, errcode.ValidationFailed: true,
	"PERSISTED_QUERY_NOT_FOUND": true, // gqlgen's automatic persisted queries
}

// operationObserver writes one log line per operation and updates the
// metrics. It does no per-field work: statements are counted by the
// Stores (db.WithStatementCounter) and errors read from the response.
type operationObserver struct {
	log     *slog.Logger
	metrics *Metrics        // nil: none
	named   map[string]bool // operation names metrics label by name
}

func newOperationObserver(opts HandlerOptions) operationHook {
	o := operationObserver{log: opts.Logger, metrics: opts.Metrics, named: map[string]bool{}}
	for _, name := range opts.MetricsOperations {
		o.named[name] = true
	}
	return operationHook{name: "OperationObserver", begin: o.begin}
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
			if !metricCodes[code] {
				code = "other"
			}
			m.errors.WithLabelValues(op.typ, name, code).Inc()
		}
	}
	if !o.log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	attrs := make([]slog.Attr, 0, 10)
	attrs = append(attrs,
		slog.String("request_id", RequestID(ctx)),
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
	if span := trace.SpanContextFromContext(ctx); span.IsValid() {
		attrs = append(attrs, slog.String("trace_id", span.TraceID().String()))
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
