package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"sessiongraph/models"
)

// usage answers Query.usage: the buckets are counted by the database in one
// statement; distinct sessions only when a bucket's sessions are selected.
func (r *queryResolver) usage(ctx context.Context, groupBy []models.UsageDimension, filter *models.SessionFilter, runFilter *models.RunsFilter, timeZone *string, first *int, after *string, dbID *string) (*models.UsageConnection, error) {
	store, err := r.store(dbID)
	if err != nil {
		return nil, err
	}
	zone := "UTC"
	if timeZone != nil {
		zone = *timeZone
	}
	q, err := models.NewUsageQuery(groupBy, filter, runFilter, zone, first, after)
	if err != nil {
		return nil, err
	}
	page, err := store.Usage(ctx, q, graphql.AnyFieldRequested(ctx, "nodes.sessions", "edges.node.sessions"))
	if err != nil {
		return nil, err
	}
	return models.NewUsageConnection(q, page), nil
}
