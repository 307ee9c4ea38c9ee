package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"sessiongraph/models"
)

// Limits of the GraphQL endpoint.
const (
	// MaxBodyBytes caps a request body (413 above).
	MaxBodyBytes = 1 << 20
	// ComplexityLimit is the most a query may cost. Every field costs 1 plus
	// its children; a connection costs 1 + n × its children, where n is
	// first or last (20 when neither is given). sessions(first: 100) with 30
	// scalar fields and runs(first: 10) { nodes { messages { role content } } }
	// costs 7,201; 500 aliased sessions(first: 100) cost at least 100,500.
	ComplexityLimit = 10000
	// ParserTokenLimit bounds the tokens of a query document.
	ParserTokenLimit = 15000
)

func init() {
	// A query over the complexity limit is the client's error: answer 4xx, not 200.
	errcode.RegisterErrorType("COMPLEXITY_LIMIT_EXCEEDED", errcode.KindProtocol)
}

// NewHandler returns the /graphql endpoint: POST and GET (queries only) over
// JSON, no form transports (CSRF), with query caches, automatic persisted
// queries, complexity limits, and the coded error presenter.
func NewHandler(r *Resolver) http.Handler {
	cfg := Config{Resolvers: r}
	connection := func(child int, first, last *int) int {
		n := models.DefaultPageSize
		if first != nil {
			n = *first
		} else if last != nil {
			n = *last
		}
		return 1 + max(n, 1)*child
	}
	cfg.Complexity.Query.Sessions = func(child int, first *int, _ *string, last *int, _ *string, _ *models.SessionFilter, _ *models.SessionOrder, _ *string) int {
		return connection(child, first, last)
	}
	cfg.Complexity.Query.Runs = func(child int, _ string, _ *models.SessionType, _ *string, first *int, _ *string, last *int, _ *string, _ *models.RunFilter) int {
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
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.SetParserTokenLimit(ParserTokenLimit)
	srv.SetErrorPresenter(PresentError)
	srv.SetRecoverFunc(Recover)
	srv.Use(extension.Introspection{})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](100)})
	srv.Use(extension.FixedComplexityLimit(ComplexityLimit))
	srv.Use(accessControl{})
	return guardHTTP(srv)
}

// guardHTTP applies the GraphQL-over-HTTP rules gqlgen leaves to us: a body
// cap (413, also for chunked bodies, which gqlgen would answer with 200) and
// mutations over GET refused with 405 and Allow: POST.
func guardHTTP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				writeHTTPError(w, http.StatusRequestEntityTooLarge, "request body too large (at most 1 MiB)")
				return
			}
			if err != nil {
				writeHTTPError(w, http.StatusBadRequest, "request body could not be read")
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
