package db

import "context"

// ownerKey is the context key of the user a request is restricted to.
type ownerKey struct{}

// userKey is the context key of the user a call asks for (a userId argument).
type userKey struct{}

// WithOwner restricts every Store call made with the returned context to the
// sessions whose user_id is userID: reads, counts, renames and deletes see
// other users' sessions as absent, as AgentOS's user scoping does. The HTTP
// layer sets it for authenticated non-admin callers; without it a call sees
// every session.
func WithOwner(ctx context.Context, userID string) context.Context {
	return context.WithValue(ctx, ownerKey{}, userID)
}

// OwnerOf returns the user ctx is restricted to, if any.
func OwnerOf(ctx context.Context) (string, bool) {
	u, ok := ctx.Value(ownerKey{}).(string)
	return u, ok
}

// WithUser narrows the Store calls made with the returned context to the
// sessions whose user_id is userID, on top of any owner restriction (so a
// caller restricted to one user who asks for another's sessions finds
// none): the userId argument of single-session operations, Agno's user_id
// query parameter.
func WithUser(ctx context.Context, userID string) context.Context {
	return context.WithValue(ctx, userKey{}, userID)
}

// scope adds the owner restriction and the user asked for of ctx to w.
func scope(ctx context.Context, w *where) *where {
	if u, ok := OwnerOf(ctx); ok {
		w.add("user_id = ?", u)
	}
	if u, ok := ctx.Value(userKey{}).(string); ok {
		w.add("user_id = ?", u)
	}
	return w
}
