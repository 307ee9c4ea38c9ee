package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"sessiongraph/models"
)

// session returns the session with sessionID of database dbID, reading the
// columns cols; nil when absent or of another type than typ.
func (r *Resolver) session(ctx context.Context, sessionID string, typ *models.SessionType, dbID *string, cols models.SessionColumns) (models.Session, error) {
	store, err := r.store(dbID)
	if err != nil {
		return nil, err
	}
	row, err := store.GetSession(ctx, sessionID, typ, cols)
	if row == nil {
		return nil, err
	}
	return models.NewSession(store.ID(), *row), nil
}

// node fetches the object a global id names; nil when it is absent (or its
// database is no longer configured), BAD_USER_INPUT when the id is malformed.
func (r *Resolver) node(ctx context.Context, id string) (models.Node, error) {
	gid, err := models.ParseGlobalID(id)
	if err != nil {
		return nil, err
	}
	cols := runsOf(ctx, "")
	if gid.IsSession() {
		cols = sessionColumns(ctx, "")
	}
	session, err := r.session(ctx, gid.SessionID, nil, &gid.DBID, cols)
	if session == nil {
		if models.ErrorCode(err) == models.NotFound {
			return nil, nil
		}
		return nil, err
	}
	if gid.IsSession() {
		if session.GetID() != id {
			return nil, nil // the session is now of another type
		}
		return session, nil
	}
	run := session.Core().FindRun(gid.RunID)
	if run == nil || run.GetID() != id {
		return nil, nil
	}
	return run, nil
}

// nodes fetches each id in order; an id that fails yields null and an error at its index.
func (r *Resolver) nodes(ctx context.Context, ids []string) ([]models.Node, error) {
	if err := models.CheckCount("ids", len(ids), models.MaxNodes); err != nil {
		return nil, err
	}
	out := make([]models.Node, len(ids))
	for i, id := range ids {
		n, err := r.node(ctx, id)
		if err != nil {
			graphql.AddError(ctx, &gqlerror.Error{Err: err, Message: err.Error(), Path: append(graphql.GetPath(ctx), ast.PathIndex(i))})
			continue
		}
		out[i] = n
	}
	return out, nil
}
