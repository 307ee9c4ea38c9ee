package httpserver

import (
	"net/http"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/rs/cors"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/propagation"

	"sessiongraph/models"
)

// GraphQL returns the /graphql endpoint over exec, gqlgen's server without
// transports (graph.NewServer), to which it adds GraphQL over HTTP: POST
// with a JSON body and GET for queries (transport), OPTIONS, and the
// subscriptions' transports, WebSocket and SSE (live.go). Only JSON
// bodies are taken (no form or multipart transports, so no CSRF through
// simple requests). Around it, outermost first: a server span per request
// (with a TracerProvider, continuing the caller's W3C traceparent), CORS
// for CORSOrigins (GET, POST and OPTIONS, the Content-Type and
// Authorization headers, X-Request-Id exposed), authentication
// (Authenticate), and 405 with Allow for any other method.
func (s *Server) GraphQL(exec *handler.Server) http.Handler {
	exec.AddTransport(transport.Options{})
	exec.AddTransport(wsTransport{s})
	exec.AddTransport(sseTransport{s}) // before graphQLTransport, which takes every POST
	exec.AddTransport(graphQLTransport{s})
	h := s.Authenticate(s.allowMethods(exec))
	if len(s.opts.CORSOrigins) > 0 {
		h = cors.New(cors.Options{
			AllowedOrigins: s.opts.CORSOrigins,
			AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodOptions},
			AllowedHeaders: []string{"Content-Type", "Authorization"},
			ExposedHeaders: []string{"X-Request-Id"},
			MaxAge:         600, // seconds a browser may reuse a preflight answer
		}).Handler(h)
	}
	if s.opts.TracerProvider != nil {
		h = otelhttp.NewHandler(h, "graphql",
			otelhttp.WithTracerProvider(s.opts.TracerProvider),
			otelhttp.WithPropagators(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})))
	}
	return h
}

// allowMethods answers 405 to a method /graphql does not take.
func (s *Server) allowMethods(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodPost, http.MethodOptions:
			next.ServeHTTP(w, r)
		default:
			w.Header().Set("Allow", "GET, POST, OPTIONS")
			s.refuse(w, r, http.StatusMethodNotAllowed, models.MethodNotAllowed, "/graphql takes GET, POST and OPTIONS, not "+r.Method)
		}
	})
}
