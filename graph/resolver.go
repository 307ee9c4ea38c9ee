// Package graph translates GraphQL to Store calls and back. Resolvers stay
// thin: pagination and SQL live in db/, Agno's derivations in models/.
package graph

//go:generate go run sessiongraph/internal/gqlgen

import (
	"sessiongraph/db"
	"sessiongraph/live"
	"sessiongraph/models"
)

// Resolver is the root resolver: the configured databases, the first one
// the default, and the subscriptions' hub (nil refuses subscriptions).
type Resolver struct {
	Stores []*db.Store
	Live   *live.Hub
}

// store returns the database with dbID, the default one when dbID is nil;
// NOT_FOUND for an unknown id.
func (r *Resolver) store(dbID *string) (*db.Store, error) {
	if dbID == nil {
		return r.Stores[0], nil
	}
	for _, s := range r.Stores {
		if s.ID() == *dbID {
			return s, nil
		}
	}
	return nil, models.Errorf(models.NotFound, "no database with id %q", *dbID)
}
