package graph

import (
	"context"
	"fmt"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"sessiongraph/auth"
	"sessiongraph/db"
	"sessiongraph/models"
)

// rootFieldScopes is the AgentOS scope each root field needs (reads
// sessions:read, creates, updates and renames sessions:write, deletes
// sessions:delete). A root field missing here is refused to every caller
// that is not allowed everything, so a new mutation cannot slip through
// unguarded; TestEveryRootFieldHasAScope keeps the table complete.
var rootFieldScopes = map[string]map[string]string{
	"Query": {
		"session": auth.ScopeSessionsRead, "sessions": auth.ScopeSessionsRead,
		"runs": auth.ScopeSessionsRead, "run": auth.ScopeSessionsRead, "allRuns": auth.ScopeSessionsRead,
		"node": auth.ScopeSessionsRead, "nodes": auth.ScopeSessionsRead,
		"databases": auth.ScopeSessionsRead,
		"usage":     auth.ScopeSessionsRead, "facets": auth.ScopeSessionsRead, "agnoMetrics": auth.ScopeMetricsRead,
		// Introspection reads the schema, not data.
		"__schema": "", "__type": "", "__typename": "",
	},
	"Mutation": {
		"createSession": auth.ScopeSessionsWrite, "updateSession": auth.ScopeSessionsWrite,
		"renameSession": auth.ScopeSessionsWrite,
		"deleteSession": auth.ScopeSessionsDelete, "deleteSessions": auth.ScopeSessionsDelete,
		"__typename": "",
	},
	"Subscription": {
		"sessionEvents": auth.ScopeSessionsRead, "runEvents": auth.ScopeSessionsRead,
	},
}

// typeScopes is the AgentOS scope a field of these types needs besides its
// root field's: Agno's traces are behind traces:read in AgentOS (GET
// /traces*), wherever they are selected (Run.trace, Session.traces, in
// queries and subscriptions alike).
var typeScopes = map[string]string{"Trace": auth.ScopeTracesRead}

// accessControl enforces the caller's authorization on every operation:
// the scopes its root fields need (FORBIDDEN before anything runs) and, for
// callers that may not see everything, the restriction of every database
// call to their own sessions (db.WithOwner), so that other users' sessions
// are absent through every path: session, sessions and totalCount, runs,
// run, node, nodes and the mutations.
type accessControl struct{}

var (
	_ graphql.HandlerExtension        = accessControl{}
	_ graphql.OperationContextMutator = accessControl{}
	_ graphql.OperationInterceptor    = accessControl{}
)

func (accessControl) ExtensionName() string                   { return "AccessControl" }
func (accessControl) Validate(graphql.ExecutableSchema) error { return nil }
func (accessControl) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	p := auth.ForContext(ctx)
	if !p.CanSeeAll() && p.UserID == "" {
		return coded(models.Unauthenticated, "this request carries no user")
	}
	if p.Expired(time.Now()) { // a WebSocket outlives the token it opened with
		return coded(models.Unauthenticated, auth.ErrExpiredToken.Error())
	}
	if op.Operation == nil {
		return nil
	}
	typ := "Query"
	switch op.Operation.Operation {
	case ast.Mutation:
		typ = "Mutation"
	case ast.Subscription:
		typ = "Subscription"
	}
	var refusal *gqlerror.Error
	eachField(op.Operation.SelectionSet, op.Doc.Fragments, func(f *ast.Field) bool {
		if refusal == nil {
			if refusal = rootFieldRefusal(p, typ, f.Name); refusal != nil && typ == "Mutation" {
				withMutationID(refusal, f, op.Variables)
			}
		}
		return false // root fields only
	})
	if refusal == nil {
		refusal = typeScopeRefusal(p, op)
	}
	return refusal
}

// typeScopeRefusal is why p may not select a field of op whose type needs
// a scope (typeScopes), nil when it may.
func typeScopeRefusal(p auth.Principal, op *graphql.OperationContext) *gqlerror.Error {
	var refusal *gqlerror.Error
	eachField(op.Operation.SelectionSet, op.Doc.Fragments, func(f *ast.Field) bool {
		if refusal != nil || f.Definition == nil {
			return false
		}
		if scope, ok := typeScopes[f.Definition.Type.Name()]; ok && !p.Allows(scope) {
			refusal = coded(models.Forbidden, fmt.Sprintf("%s.%s needs the %s scope", f.ObjectDefinition.Name, f.Name, scope))
		}
		return refusal == nil
	})
	return refusal
}

// rootFieldRefusal is why p may not select root field of typ, nil when it may.
func rootFieldRefusal(p auth.Principal, typ, field string) *gqlerror.Error {
	scope, known := rootFieldScopes[typ][field]
	switch {
	case !known && !p.CanSeeAll():
		return coded(models.Forbidden, fmt.Sprintf("%s.%s is not available to this caller", typ, field))
	case scope != "" && !p.Allows(scope):
		return coded(models.Forbidden, fmt.Sprintf("%s.%s needs the %s scope", typ, field, scope))
	}
	return nil
}

func (accessControl) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if p := auth.ForContext(ctx); !p.CanSeeAll() {
		ctx = db.WithOwner(ctx, p.UserID)
	}
	return next(ctx)
}

// RootFieldScope returns the scope a root field of typ ("Query" or
// "Mutation") needs ("" for none), and whether the field is known.
func RootFieldScope(typ, field string) (string, bool) {
	scope, ok := rootFieldScopes[typ][field]
	return scope, ok
}
