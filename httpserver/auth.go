package httpserver

import (
	"errors"
	"net/http"
	"strings"

	"sessiongraph/auth"
	"sessiongraph/models"
)

// Authenticate authenticates every request to next but CORS preflights
// (OPTIONS, which carry no credentials and pass through with the zero
// Principal so that a CORS layer can answer them) and WebSocket upgrades
// (authenticated by their connection_init message instead) and stores the caller for
// auth.ForContext. A request it cannot authenticate gets a 401 with an RFC
// 6750 challenge and a GraphQL-shaped UNAUTHENTICATED error whose message
// says why (missing, invalid or expired token) and nothing more, and never
// reaches next. Without Options.Auth every request is an admin's.
func (s *Server) Authenticate(next http.Handler) http.Handler {
	a := s.opts.Auth
	if a == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions && a.Enabled() {
			next.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), auth.Principal{})))
			return
		}
		if r.Header.Get("Upgrade") != "" { // browsers cannot send the header: connection_init carries the token (wsTransport)
			next.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), auth.Principal{})))
			return
		}
		p, err := a.Authenticate(bearerToken(r.Header))
		if err != nil {
			s.unauthenticated(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), p)))
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

// unauthenticated answers 401 with an RFC 6750 challenge, which names the
// error only when a token was presented.
func (s *Server) unauthenticated(w http.ResponseWriter, r *http.Request, err error) {
	message, challenge := auth.ErrInvalidToken.Error(), `Bearer error="invalid_token"`
	switch {
	case errors.Is(err, auth.ErrMissingToken):
		message, challenge = auth.ErrMissingToken.Error(), "Bearer"
	case errors.Is(err, auth.ErrExpiredToken):
		message = auth.ErrExpiredToken.Error()
	}
	w.Header().Set("WWW-Authenticate", challenge)
	s.refuse(w, r, http.StatusUnauthorized, models.Unauthenticated, message)
}
