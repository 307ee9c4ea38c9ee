package graph

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"sessiongraph/db"
	"sessiongraph/models"
)

// facetFields are Facets' fields and what each reads.
var facetFields = map[string]db.Facet{"users": db.FacetUsers, "components": db.FacetComponents, "models": db.FacetModels}

// defaultFacetValues is a facet field's first when none is given (the
// schema's default).
const defaultFacetValues = 100

// facets resolves Query.facets. The fields selected below it, each one
// statement, are read at once on connections of their own: fields below
// the root resolve one after another (see internal/gqlgen), so read there
// they would take the sum of their times instead of the longest.
func (r *Resolver) facets(ctx context.Context, filter *models.SessionFilter, dbID *string) (*models.Facets, error) {
	store, err := r.store(dbID)
	if err != nil {
		return nil, err
	}
	f := &models.Facets{Filter: filter, DBID: dbID}
	opCtx := graphql.GetOperationContext(ctx)
	keys := map[models.FacetKey]db.Facet{}
	for _, c := range graphql.CollectFields(opCtx, graphql.GetFieldContext(ctx).Field.Selections, []string{"Facets"}) {
		facet, ok := facetFields[c.Name]
		if !ok {
			continue
		}
		n := int64(defaultFacetValues)
		if v, ok := asInt(c.ArgumentMap(opCtx.Variables)["first"]); ok {
			n = v
		}
		keys[models.FacetKey{Field: c.Name, First: int(n)}] = facet
	}
	var wg sync.WaitGroup
	for key, facet := range keys {
		wg.Go(func() {
			values, err := store.FacetValues(ctx, facet, filter, key.First)
			f.SetPrefetched(key, values, err)
		})
	}
	wg.Wait()
	return f, nil
}

// facet resolves one field of Facets: the answer read with the facets, or
// its values read now over the sessions the facets' filter selects.
func (r *Resolver) facet(ctx context.Context, f *models.Facets, field string, first *int) ([]*models.FacetValue, error) {
	n := defaultFacetValues
	if first != nil {
		n = *first
	}
	if values, err, ok := f.Prefetched(models.FacetKey{Field: field, First: n}); ok {
		return values, err
	}
	store, err := r.store(f.DBID)
	if err != nil {
		return nil, err
	}
	return store.FacetValues(ctx, facetFields[field], f.Filter, n)
}
