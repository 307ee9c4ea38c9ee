package agnotest

import (
	"net/http"

	"sessiongraph/db"
	"sessiongraph/graph"
	"sessiongraph/httpserver"
)

// Serve returns the /graphql endpoint over stores (the first the default)
// as the server serves it: the executor configured by gopts in the HTTP
// layer configured by hopts, request scope included.
func Serve(gopts graph.Options, hopts httpserver.Options, stores ...*db.Store) http.Handler {
	web := httpserver.New(hopts)
	return web.Wrap(web.GraphQL(graph.NewServer(&graph.Resolver{Stores: stores}, gopts)))
}
