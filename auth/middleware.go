package auth

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"sessiongraph/models"
)

// Middleware authenticates every request but CORS preflights (OPTIONS, which
// carry no credentials and pass through with the zero Principal so a CORS
// layer can answer them) and stores the caller for ForContext. A request it
// cannot authenticate gets a 401 with a GraphQL-shaped error whose message
// says why (missing, invalid or expired token) and nothing more, and never
// reaches next.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions && a.enabled() {
			next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), Principal{})))
			return
		}
		p, err := a.Authenticate(bearerToken(r.Header))
		if err != nil {
			writeUnauthenticated(w, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
	})
}

// bearerToken returns the token of an "Authorization: Bearer <token>" header
// (the scheme is case-insensitive, RFC 7235 §2.1), or "" when there is none.
func bearerToken(h http.Header) string {
	scheme, token, ok := strings.Cut(h.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

type graphQLError struct {
	Message    string                 `json:"message"`
	Extensions map[string]models.Code `json:"extensions"`
}

// writeUnauthenticated answers 401 with an RFC 6750 challenge, which names
// the error only when a token was presented.
func writeUnauthenticated(w http.ResponseWriter, err error) {
	message, challenge := ErrInvalidToken.Error(), `Bearer error="invalid_token"`
	switch {
	case errors.Is(err, ErrMissingToken):
		message, challenge = ErrMissingToken.Error(), "Bearer"
	case errors.Is(err, ErrExpiredToken):
		message = ErrExpiredToken.Error()
	}
	h := w.Header()
	h.Set("WWW-Authenticate", challenge)
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusUnauthorized)
	body := map[string][]graphQLError{"errors": {{
		Message:    message,
		Extensions: map[string]models.Code{"code": models.Unauthenticated},
	}}}
	_ = json.NewEncoder(w).Encode(body) // the client is gone if this fails
}
