package db

import "context"

// ownerKey is the context key of the user a request is restricted to.
type ownerKey struct{}

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

// scope adds the owner restriction of ctx to w.
func scope(ctx context.Context, w *where) *where {
	if u, ok := OwnerOf(ctx); ok {
		w.add("user_id = ?", u)
	}
	return w
}
