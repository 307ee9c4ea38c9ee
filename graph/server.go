package graph

import (
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"

	"sessiongraph/models"
)

// Defaults of Options.
const (
	DefaultParserTokenLimit = 15000
	DefaultMaxDepth         = 15
	DefaultMaxAliases       = 30
	// DefaultComplexityLimit: every field costs 1 plus its children; a
	// connection costs 1 + n × its children, where n is first or last (20
	// when neither is given, at most 100). sessions(first: 100) with 30 scalar fields and
	// runs(first: 10) { nodes { messages { role content } } } costs 7,201;
	// 500 aliased sessions(first: 100) cost at least 100,500.
	DefaultComplexityLimit = 10000
)

// Options configures the GraphQL executor. Its zero value is the safe
// default: a field left zero (or negative) takes its default.
type Options struct {
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
	// Logger receives internal errors, unreadable stored data and recovered
	// panics; default slog.Default().
	Logger *slog.Logger
	// Observers see every operation, refused ones included, before any
	// other extension: telemetry's operation tracer and observer. None may
	// intercept fields below the root (graphql.FieldInterceptor): the
	// generated code resolves the leaf fields that cannot fail without
	// calling field interceptors (internal/gqlgen).
	Observers []graphql.HandlerExtension
}

func (o Options) withDefaults() Options {
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
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// NewServer returns gqlgen's server for the schema, with no transport: the
// caller adds the transports of its protocol (httpserver does for HTTP).
// It has query caches, automatic persisted queries, the limits of opts,
// access control and the coded error presenter.
func NewServer(r *Resolver, opts Options) *handler.Server {
	opts = opts.withDefaults()
	srv := handler.New(NewExecutableSchema(Config{Resolvers: r, Complexity: complexity()}))
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.SetParserTokenLimit(opts.ParserTokenLimit)
	srv.SetErrorPresenter(presentError(opts.Logger))
	srv.SetRecoverFunc(recoverPanic(opts.Logger))
	srv.SetDisableSuggestion(opts.DisableIntrospection)
	for _, ext := range extensions(opts) {
		srv.Use(ext)
	}
	return srv
}

// complexity is what an operation costs (see DefaultComplexityLimit).
func complexity() ComplexityRoot {
	var c ComplexityRoot
	connection := func(child int, first, last *int) int {
		n := models.DefaultPageSize
		if first != nil {
			n = *first
		} else if last != nil {
			n = *last
		}
		// Out of 0..MaxPageSize the operation is refused with BAD_USER_INPUT
		// (checkArguments), which says more than a complexity beyond the limit would.
		return 1 + min(max(n, 1), models.MaxPageSize)*child
	}
	c.Query.Sessions = func(child int, first *int, _ *string, last *int, _ *string, _ *models.SessionFilter, _ *models.SessionOrder, _ *string) int {
		return connection(child, first, last)
	}
	c.Query.Runs = func(child int, _ string, _ *models.SessionType, _ *string, first *int, _ *string, last *int, _ *string, _ *models.RunFilter, _ *string) int {
		return connection(child, first, last)
	}
	sessionRuns := func(child int, first *int, _ *string, last *int, _ *string, _ *models.RunFilter) int {
		return connection(child, first, last)
	}
	c.AgentSession.Runs = sessionRuns
	c.TeamSession.Runs = sessionRuns
	c.WorkflowSession.Runs = sessionRuns
	return c
}

// extensions are the gqlgen extensions of the server, in order.
func extensions(opts Options) []graphql.HandlerExtension {
	exts := append([]graphql.HandlerExtension{}, opts.Observers...)
	if !opts.DisableIntrospection {
		exts = append(exts, extension.Introspection{})
	}
	return append(exts,
		extension.AutomaticPersistedQuery{Cache: lru.New[string](100)},
		operationLimits{maxDepth: opts.MaxDepth, complexityLimit: opts.ComplexityLimit, noIntrospection: opts.DisableIntrospection},
		extension.FixedComplexityLimit(opts.ComplexityLimit),
		aliasLimit{max: opts.MaxAliases},
		accessControl{},
		readBudget{})
}
