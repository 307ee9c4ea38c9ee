package graph

import (
	"context"

	"sessiongraph/db"
	"sessiongraph/models"
)

// facet resolves one field of Facets: its values over the sessions the
// facets' filter selects, in the facets' database.
func (r *Resolver) facet(ctx context.Context, f *models.Facets, facet db.Facet, first *int) ([]*models.FacetValue, error) {
	store, err := r.store(f.DBID)
	if err != nil {
		return nil, err
	}
	n := 100
	if first != nil {
		n = *first
	}
	return store.FacetValues(ctx, facet, f.Filter, n)
}
