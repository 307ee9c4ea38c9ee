package graph

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"go.opentelemetry.io/otel/trace"

	"sessiongraph/auth"
	"sessiongraph/models"
)

// Defaults of HandlerOptions.
const (
	DefaultMaxBodyBytes     = 1 << 20
	DefaultParserTokenLimit = 15000
	DefaultMaxDepth         = 15
	DefaultMaxAliases       = 30
	// DefaultComplexityLimit: every field costs 1 plus its children; a
	// connection costs 1 + n × its children, where n is first or last (20
	// when neither is given, at most 100). sessions(first: 100) with 30 scalar fields and
	// runs(first: 10) { nodes { messages { role content } } } costs 7,201;
	// 500 aliased sessions(first: 100) cost at least 100,500.
	DefaultComplexityLimit = 10000
	DefaultRequestTimeout  = 30 * time.Second
)

// HandlerOptions configures the /graphql endpoint. Its zero value is the
// safe default: a field left zero (or negative) takes its default.
type HandlerOptions struct {
	// MaxBodyBytes caps a request body; a larger one gets 413.
	MaxBodyBytes int64
	// ParserTokenLimit bounds the tokens of a query document.
	ParserTokenLimit int
	// MaxDepth bounds how deeply fields nest, root fields being at depth 1,
	// counted through fragments (QUERY_TOO_DEEP). The selections under
	// __schema and __type do not count: gqlparser bounds those itself.
	MaxDepth int
	// MaxAliases bounds the aliased fields of the operation, each fragment
	// spread counted again (TOO_MANY_ALIASES).
	MaxAliases int
	// ComplexityLimit is the most an operation may cost (COMPLEXITY_LIMIT_EXCEEDED).
	ComplexityLimit int
	// DisableIntrospection refuses __schema and __type (INTROSPECTION_DISABLED)
	// and drops the "Did you mean" suggestions that would leak field names.
	DisableIntrospection bool
	// RequestTimeout is the deadline of a request's context; work cut
	// short by it fails with TIMEOUT.
	RequestTimeout time.Duration
	// CORSOrigins are the origins browsers may call from ("*" for any);
	// with none, no CORS headers are sent at all.
	CORSOrigins []string
	// Logger receives internal errors, recovered panics and one Info line
	// per operation (see operationObserver); default slog.Default().
	Logger *slog.Logger
	// Metrics, when set, count and time every operation (see NewMetrics).
	Metrics *Metrics
	// MetricsOperations are the operation names Metrics label by name;
	// every other name is "other", so that clients cannot grow the label set.
	MetricsOperations []string
	// TracerProvider, when set, receives OpenTelemetry spans of every
	// request, its operation and its root fields (see operationTracer).
	TracerProvider trace.TracerProvider
	// Auth authenticates every request but CORS preflights (401 without a
	// valid security key or JWT); nil serves everyone as an admin, as
	// AgentOS does without a security key.
	Auth *auth.Authenticator

	// gqlgenPOST serves POST with gqlgen's own transport.POST instead of
	// postTransport, for the tests that compare the two.
	gqlgenPOST bool
}

func (o HandlerOptions) withDefaults() HandlerOptions {
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.ParserTokenLimit <= 0 {
		o.ParserTokenLimit = DefaultParserTokenLimit
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = DefaultMaxDepth
	}
	if o.MaxAliases <= 0 {
		o.MaxAliases = DefaultMaxAliases
	}
	if o.ComplexityLimit <= 0 {
		o.ComplexityLimit = DefaultComplexityLimit
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// NewHandler returns the /graphql endpoint: POST and GET (queries only) over
// JSON, no form transports (CSRF), with query caches, automatic persisted
// queries, the limits of opts and the coded error presenter; every answer
// carries a request id and Cache-Control: no-store, and CORS headers for
// opts.CORSOrigins.
func NewHandler(r *Resolver, opts HandlerOptions) http.Handler {
	opts = opts.withDefaults()
	cfg := Config{Resolvers: r}
	connection := func(child int, first, last *int) int {
		n := models.DefaultPageSize
		if first != nil {
			n = *first
		} else if last != nil {
			n = *last
		}
		// Out of 0..MaxPageSize the resolver answers BAD_USER_INPUT, which
		// says more than a complexity beyond the limit would.
		return 1 + min(max(n, 1), models.MaxPageSize)*child
	}
	cfg.Complexity.Query.Sessions = func(child int, first *int, _ *string, last *int, _ *string, _ *models.SessionFilter, _ *models.SessionOrder, _ *string) int {
		return connection(child, first, last)
	}
	cfg.Complexity.Query.Runs = func(child int, _ string, _ *models.SessionType, _ *string, first *int, _ *string, last *int, _ *string, _ *models.RunFilter, _ *string) int {
		return connection(child, first, last)
	}
	sessionRuns := func(child int, first *int, _ *string, last *int, _ *string, _ *models.RunFilter) int {
		return connection(child, first, last)
	}
	cfg.Complexity.AgentSession.Runs = sessionRuns
	cfg.Complexity.TeamSession.Runs = sessionRuns
	cfg.Complexity.WorkflowSession.Runs = sessionRuns

	srv := handler.New(NewExecutableSchema(cfg))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	if opts.gqlgenPOST {
		srv.AddTransport(transport.POST{})
	} else {
		srv.AddTransport(postTransport{})
	}
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.SetParserTokenLimit(opts.ParserTokenLimit)
	srv.SetErrorPresenter(presentError(opts.Logger))
	srv.SetRecoverFunc(recoverPanic(opts.Logger))
	srv.SetDisableSuggestion(opts.DisableIntrospection)
	for _, ext := range handlerExtensions(opts) {
		srv.Use(ext)
	}

	h := guardHTTP(srv, opts.MaxBodyBytes)
	if opts.Auth != nil {
		h = opts.Auth.Middleware(h)
	}
	if len(opts.CORSOrigins) > 0 {
		h = cors.New(cors.Options{
			AllowedOrigins: opts.CORSOrigins,
			AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodOptions},
			AllowedHeaders: []string{"Content-Type", "Authorization"},
			ExposedHeaders: []string{"X-Request-Id"},
			MaxAge:         600, // seconds a browser may reuse a preflight answer
		}).Handler(h)
	}
	h = withRequestScope(h, opts.RequestTimeout)
	if opts.TracerProvider != nil {
		h = traceHTTP(h, opts.TracerProvider)
	}
	return h
}

// handlerExtensions are the gqlgen extensions of the endpoint, in order.
// None may intercept fields below the root (graphql.FieldInterceptor):
// internal/gqlgen has the leaf fields that cannot fail call their
// marshaller directly, so field interceptors would not see them
// (TestNoFieldInterceptors).
func handlerExtensions(opts HandlerOptions) []graphql.HandlerExtension {
	var exts []graphql.HandlerExtension
	if opts.TracerProvider != nil {
		exts = append(exts, newOperationTracer(opts.TracerProvider)) // before the observer, whose log line names the trace
	}
	exts = append(exts, newOperationObserver(opts))
	if !opts.DisableIntrospection {
		exts = append(exts, extension.Introspection{})
	}
	return append(exts,
		extension.AutomaticPersistedQuery{Cache: lru.New[string](100)},
		operationLimits{maxDepth: opts.MaxDepth, complexityLimit: opts.ComplexityLimit, noIntrospection: opts.DisableIntrospection},
		extension.FixedComplexityLimit(opts.ComplexityLimit),
		aliasLimit{max: opts.MaxAliases},
		accessControl{})
}

type requestIDKey struct{}

// RequestID returns the id of the request ctx belongs to: the caller's
// X-Request-Id when it is 1 to 128 printable ASCII characters, else a
// generated one; "" outside a request.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// withRequestScope gives a request its id (echoed in X-Request-Id), its
// deadline, and Cache-Control: no-store and X-Content-Type-Options: nosniff
// on every answer, refusals and CORS preflights included.
func withRequestScope(next http.Handler, timeout time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !saneRequestID(id) {
			id = rand.Text()
		}
		w.Header().Set("X-Request-Id", id)
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		ctx, cancel := context.WithTimeout(context.WithValue(r.Context(), requestIDKey{}, id), timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// saneRequestID keeps the ids that are safe to log and echo.
func saneRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := range len(id) {
		if id[i] < 0x20 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

// guardHTTP applies the GraphQL-over-HTTP rules gqlgen leaves to us: a body
// cap (413, also for chunked bodies, which gqlgen would answer with 200), a
// coded 400 for a JSON body that does not parse (gqlgen's 400 has no code
// and echoes the body), and mutations over GET refused with 405 and Allow: POST.
func guardHTTP(next http.Handler, maxBodyBytes int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				writeHTTPError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body too large (at most %d bytes)", maxBodyBytes))
				return
			}
			if err != nil {
				writeHTTPError(w, http.StatusBadRequest, "request body could not be read")
				return
			}
			if mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mediaType == "application/json" && !json.Valid(body) {
				writeHTTPError(w, http.StatusBadRequest, "request body is not valid JSON")
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		if r.Method == http.MethodGet && isMutation(r.URL.Query().Get("query"), r.URL.Query().Get("operationName")) {
			w.Header().Set("Allow", "POST")
			writeHTTPError(w, http.StatusMethodNotAllowed, "mutations are only allowed over POST")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// writeHTTPError answers a request refused before GraphQL execution.
func writeHTTPError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	body, _ := json.Marshal(map[string]any{"errors": []any{map[string]any{
		"message": message, "extensions": map[string]any{"code": string(models.BadUserInput)}}}})
	_, _ = w.Write(body)
}

// isMutation reports whether the operation a GET request would run is a
// mutation; unparsable queries are left to gqlgen to report.
func isMutation(query, operationName string) bool {
	if !strings.Contains(query, "mutation") {
		return false
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return false
	}
	for _, op := range doc.Operations {
		if (operationName == "" || op.Name == operationName) && op.Operation == ast.Mutation {
			return true
		}
	}
	return false
}
