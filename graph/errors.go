package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"sessiongraph/models"
)

// PresentError gives every error a code in extensions.code. Coded domain
// errors keep their message; INTERNAL errors and uncoded Go errors are
// logged with their cause and shown only as "internal error".
func PresentError(ctx context.Context, err error) *gqlerror.Error {
	gqlErr := graphql.DefaultErrorPresenter(ctx, err)
	var domain *models.Error
	switch {
	case errors.As(err, &domain) && domain.Code != models.Internal:
		gqlErr.Message = domain.Message
		setCode(gqlErr, domain.Code)
		if domain.Code == models.DataCorrupt {
			slog.WarnContext(ctx, "stored data cannot be read", "path", gqlErr.Path.String(), "error", err)
		}
	case domain != nil || !isClientError(err):
		slog.ErrorContext(ctx, "internal error", "path", gqlErr.Path.String(), "error", err)
		gqlErr.Message = "internal error"
		if domain != nil && domain.Message != "internal error" {
			gqlErr.Message = domain.Message // e.g. "request cancelled or timed out": no detail of ours
		}
		setCode(gqlErr, models.Internal)
	}
	return gqlErr
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

// Recover turns a panic in a resolver into an INTERNAL error and logs it.
func Recover(ctx context.Context, p any) error {
	slog.ErrorContext(ctx, "panic in resolver", "path", graphql.GetPath(ctx).String(), "panic", fmt.Sprint(p))
	return &models.Error{Code: models.Internal, Message: "internal error", Err: fmt.Errorf("panic: %v", p)}
}
