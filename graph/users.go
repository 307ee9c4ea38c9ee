package graph

import (
	"context"

	"sessiongraph/db"
)

// forUser narrows the Store calls made with the returned context to the
// sessions of userID when it is given: the userId argument of single-session
// operations, Agno's user_id query parameter. For a caller restricted to
// its own sessions it adds to that restriction, never replaces it.
func forUser(ctx context.Context, userID *string) context.Context {
	if userID == nil {
		return ctx
	}
	return db.WithUser(ctx, *userID)
}
