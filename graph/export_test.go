package graph

import "net/http"

// NewGqlgenPOSTHandler is NewHandler serving POST with gqlgen's own
// transport.POST, for comparing postTransport with it.
func NewGqlgenPOSTHandler(r *Resolver, opts HandlerOptions) http.Handler {
	opts.gqlgenPOST = true
	return NewHandler(r, opts)
}
