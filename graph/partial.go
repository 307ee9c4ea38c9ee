package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"sessiongraph/models"
)

// partial resolves a non-null field whose value is usable although part of
// the stored data could not be read: err is reported at the field's path and
// the value is still returned, so one corrupt value never nulls its parents.
func partial[T any](ctx context.Context, v T, err error) (T, error) {
	if err != nil {
		graphql.AddError(ctx, err)
	}
	return v, nil
}

// runConnection is partial for a run connection: bad arguments (no connection) are a plain error.
func runConnection(ctx context.Context, conn *models.RunConnection, err error) (*models.RunConnection, error) {
	if conn == nil {
		return nil, err
	}
	return partial(ctx, conn, err)
}

func pageArgs(first *int, after *string, last *int, before *string) models.PageArgs {
	return models.PageArgs{First: first, After: after, Last: last, Before: before}
}
