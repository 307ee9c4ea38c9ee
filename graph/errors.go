package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"sessiongraph/models"
)

// presentError gives every error a code in extensions.code. Coded domain
// errors keep their message; INTERNAL errors and uncoded Go errors are
// logged with their cause and shown only as "internal error".
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
				log.WarnContext(ctx, "stored data cannot be read", "request_id", RequestID(ctx), "path", gqlErr.Path.String(), "error", err)
			case models.Unavailable, models.Timeout:
				// The cause (the driver's error) is for operators only.
				log.WarnContext(ctx, "database call failed", "code", string(domain.Code), "request_id", RequestID(ctx), "path", gqlErr.Path.String(), "error", err)
			}
		case domain != nil || !isClientError(err):
			log.ErrorContext(ctx, "internal error", "request_id", RequestID(ctx), "path", gqlErr.Path.String(), "error", err)
			gqlErr.Message = "internal error"
			if domain != nil && domain.Message != "internal error" {
				gqlErr.Message = domain.Message // e.g. "request cancelled or timed out": no detail of ours
			}
			setCode(gqlErr, models.Internal)
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

// recoverPanic turns a panic in a resolver into an INTERNAL error and logs
// it with its stack and the request id.
func recoverPanic(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "request_id", RequestID(ctx), "path", graphql.GetPath(ctx).String(),
			"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return &models.Error{Code: models.Internal, Message: "internal error", Err: fmt.Errorf("panic: %v", p)}
	}
}
