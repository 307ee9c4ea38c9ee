package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"sessiongraph/auth"
	"sessiongraph/db"
	"sessiongraph/live"
	"sessiongraph/models"
)

// subscriber is who the current subscription is for: the caller's owner
// restriction, when their token expires, and their connection.
func subscriber(ctx context.Context) live.Subscriber {
	p := auth.ForContext(ctx)
	s := live.Subscriber{Expires: p.Expires, Conn: live.ConnectionOf(ctx)}
	if !p.CanSeeAll() {
		owner := p.UserID
		s.Owner = &owner
	}
	return s
}

// liveStart returns the subscriptions' hub and the decoded after argument
// (nil when there is none): UNAVAILABLE without a hub, BAD_USER_INPUT for
// a malformed cursor.
func (r *Resolver) liveStart(after *string) (*live.Hub, *models.ChangeCursor, error) {
	if r.Live == nil {
		return nil, nil, models.Errorf(models.Unavailable, "this server does not serve subscriptions")
	}
	if after == nil {
		return r.Live, nil, nil
	}
	c, err := models.DecodeChangeCursor(*after)
	if err != nil {
		return nil, nil, err
	}
	return r.Live, &c, nil
}

func (r *Resolver) watchSessions(ctx context.Context, store *db.Store, filter *models.SessionFilter, after *string) (<-chan *models.SessionEvent, error) {
	hub, cursor, err := r.liveStart(after)
	if err != nil {
		return nil, err
	}
	return hub.WatchSessions(ctx, store, live.SessionWatch{
		Subscriber:  subscriber(ctx),
		Filter:      filter,
		Columns:     sessionColumns(ctx, "session"),
		WithSession: graphql.AnyFieldRequested(ctx, "session"),
		After:       cursor,
	})
}

func (r *Resolver) watchRuns(ctx context.Context, store *db.Store, sessionID string, after *string) (<-chan *models.RunEvent, error) {
	hub, cursor, err := r.liveStart(after)
	if err != nil {
		return nil, err
	}
	return hub.WatchRuns(ctx, store, live.RunWatch{
		Subscriber: subscriber(ctx),
		SessionID:  sessionID,
		Columns:    runsOf(ctx, "run"),
		After:      cursor,
	})
}

// wrote tells the subscriptions' hub that this server has just written to
// store, so that its subscribers hear of it at once rather than at the
// watcher's next tick.
func (r *Resolver) wrote(store *db.Store) {
	if r.Live != nil {
		r.Live.Wake(store)
	}
}
