package httpserver

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"sessiongraph/models"
)

// refuse answers a request the layer refuses before GraphQL runs: status,
// a GraphQL-shaped body whose one error has message and code, a log line
// at Info and the refusals metric. Headers set before (Allow,
// WWW-Authenticate) are kept.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, status int, code models.Code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	body, _ := json.Marshal(refusal{Errors: []refusalError{{Message: message, Extensions: map[string]models.Code{"code": code}}}})
	_, _ = w.Write(append(body, '\n'))
	s.opts.Logger.LogAttrs(r.Context(), slog.LevelInfo, "request refused",
		slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.Int("status", status), slog.String("code", string(code)), slog.String("reason", message))
	if s.opts.Metrics != nil {
		s.opts.Metrics.refused(code)
	}
}

type refusal struct {
	Errors []refusalError `json:"errors"`
}

type refusalError struct {
	Message    string                 `json:"message"`
	Extensions map[string]models.Code `json:"extensions"`
}
