package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"sessiongraph/models"
)

// presentError gives every error a code in extensions.code. Coded domain
// errors keep their message; INTERNAL errors and uncoded Go errors are
// logged with their cause and shown only as "internal error". An error
// that fails a mutation carries its input's clientMutationId (see
// withMutationID).
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		var domain *models.Error
		switch {
		case errors.As(err, &domain) && domain.Code != models.Internal:
			gqlErr.Message = domain.Message
			setCode(gqlErr, domain.Code)
			switch domain.Code {
			case models.DataCorrupt:
				log.WarnContext(ctx, "stored data cannot be read", "path", gqlErr.Path.String(), "error", err)
			case models.Unavailable, models.Timeout:
				// The cause (the driver's error) is for operators only.
				log.WarnContext(ctx, "database call failed", "code", string(domain.Code), "path", gqlErr.Path.String(), "error", err)
			}
		case domain != nil || !isClientError(err):
			log.ErrorContext(ctx, "internal error", "path", gqlErr.Path.String(), "error", err)
			gqlErr.Message = "internal error"
			if domain != nil && domain.Message != "internal error" {
				gqlErr.Message = domain.Message // e.g. "request cancelled or timed out": no detail of ours
			}
			setCode(gqlErr, models.Internal)
		}
		if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Object == "Mutation" && len(gqlErr.Path) == 1 {
			withMutationID(gqlErr, fc.Field.Field, graphql.GetOperationContext(ctx).Variables)
		}
		return gqlErr
	}
}

// isClientError reports whether err is gqlgen's own message to the client
// (parse, validation, coercion, null checks), which is safe to show.
func isClientError(err error) bool {
	var gqlErr *gqlerror.Error
	return errors.As(err, &gqlErr) && gqlErr.Err == nil
}

func setCode(e *gqlerror.Error, code models.Code) {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions["code"] = string(code)
}

// coded returns a GraphQL error with an extensions.code.
func coded(code models.Code, message string) *gqlerror.Error {
	return &gqlerror.Error{Message: message, Extensions: map[string]any{"code": string(code)}}
}

// withMutationID adds to e, which fails the root mutation field f, the
// clientMutationId of f's input as extensions.clientMutationId: the
// payload that would echo it is null, and a client that sent several
// mutations tells by it which one failed (Relay's convention).
func withMutationID(e *gqlerror.Error, f *ast.Field, vars map[string]any) {
	arg := f.Arguments.ForName("input")
	if arg == nil {
		return
	}
	input, err := arg.Value.Value(vars)
	if err != nil {
		return
	}
	if obj, ok := input.(map[string]any); ok {
		if id, ok := obj["clientMutationId"].(string); ok {
			if e.Extensions == nil {
				e.Extensions = map[string]any{}
			}
			e.Extensions["clientMutationId"] = id
		}
	}
}

// recoverPanic turns a panic in a resolver into an INTERNAL error and logs
// it with its stack.
func recoverPanic(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "path", graphql.GetPath(ctx).String(),
			"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return &models.Error{Code: models.Internal, Message: "internal error", Err: fmt.Errorf("panic: %v", p)}
	}
}
