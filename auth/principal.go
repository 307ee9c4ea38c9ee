package auth

import (
	"context"
	"slices"
	"strings"
	"time"
)

// The AgentOS scopes of the sessions operations, of its metrics and traces
// endpoints (GET /metrics, GET /traces*), and its default admin scope.
const (
	ScopeSessionsRead   = "sessions:read"
	ScopeSessionsWrite  = "sessions:write"
	ScopeSessionsDelete = "sessions:delete"
	ScopeMetricsRead    = "metrics:read"
	ScopeTracesRead     = "traces:read"
	DefaultAdminScope   = "agent_os:admin"
)

// Method is how a Principal was authenticated.
type Method string

// The Methods. The zero Method is no authentication at all: see Principal.
const (
	MethodNone        Method = "none" // auth is disabled
	MethodSecurityKey Method = "key"
	MethodJWT         Method = "jwt"
)

// Principal is the caller of a request. The zero Principal is an
// unauthenticated caller that may see and do nothing; the Middleware gives it
// to the CORS preflight requests it lets through.
type Principal struct {
	// UserID is the JWT's user claim; empty for other methods and for admin
	// tokens without one.
	UserID string
	// Admin reports whether the JWT carried the admin scope.
	Admin bool
	// Scopes are the JWT's scopes, nil when it carried no scopes claim.
	Scopes []string
	// ScopesPresent reports whether the JWT carried a scopes claim at all,
	// even an empty one.
	ScopesPresent bool
	Method        Method
	// Expires is when the JWT expires; zero when it does not (or for other
	// methods). A subscription made with it ends then.
	Expires time.Time
}

// Expired reports whether p's credentials have expired by now.
func (p Principal) Expired(now time.Time) bool {
	return !p.Expires.IsZero() && !now.Before(p.Expires)
}

// CanSeeAll reports whether p sees every user's sessions: an admin, the
// security key, or anyone while auth is disabled. Everyone else sees only
// the sessions whose user_id is p.UserID.
func (p Principal) CanSeeAll() bool {
	return p.Admin || p.Method == MethodNone || p.Method == MethodSecurityKey
}

// Allows reports whether p may perform an operation that needs scope, such
// as ScopeSessionsWrite. As in AgentOS, a JWT's scopes restrict it only when
// the token carries a scopes claim, and "resource:*:action" grants
// "resource:action".
func (p Principal) Allows(scope string) bool {
	switch {
	case p.CanSeeAll():
		return true
	case p.Method != MethodJWT:
		return false
	case !p.ScopesPresent:
		return true
	}
	return slices.ContainsFunc(p.Scopes, func(held string) bool { return grants(held, scope) })
}

// grants reports whether a held scope satisfies a required "resource:action"
// scope: exactly, or as AgentOS's wildcard "resource:*:action".
func grants(held, required string) bool {
	if held == required {
		return true
	}
	resource, action, ok := strings.Cut(required, ":")
	return ok && held == resource+":*:"+action
}

type contextKey struct{}

// WithPrincipal returns a copy of ctx that carries p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, contextKey{}, p)
}

// ForContext returns the Principal stored in ctx by the Middleware or
// WithPrincipal. When there is none it returns the principal of disabled
// auth, which sees and may do everything, so code that runs without the
// Middleware (tests, tools) behaves as an unauthenticated server.
func ForContext(ctx context.Context) Principal {
	if p, ok := ctx.Value(contextKey{}).(Principal); ok {
		return p
	}
	return Principal{Method: MethodNone}
}
