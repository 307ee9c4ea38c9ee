package db

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Dialect is a database backend.
type Dialect string

// The supported backends.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// Target is where a database is: its dialect and the driver's DSN.
type Target struct {
	Dialect Dialect
	DSN     string // a postgres:// URL, or a SQLite file path
}

// ParseURL accepts the database URLs Agno users already have: postgres:// and
// postgresql:// URLs, SQLAlchemy's postgresql+psycopg:// (and +psycopg2,
// +asyncpg), sqlite:///relative.db, sqlite:////absolute.db, and a plain file
// path for SQLite.
func ParseURL(raw string) (Target, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return Target{}, fmt.Errorf("empty database URL")
	}
	scheme, rest, hasScheme := strings.Cut(raw, "://")
	if !hasScheme {
		if strings.Contains(raw, ":") && !strings.ContainsAny(raw, `/\.`) {
			return Target{}, fmt.Errorf("database URL %q has no scheme (postgres://, sqlite:///) and is not a file path", raw)
		}
		return Target{Dialect: SQLite, DSN: raw}, nil
	}
	base, _, _ := strings.Cut(strings.ToLower(scheme), "+")
	switch base {
	case "postgres", "postgresql":
		u, err := url.Parse("postgres://" + rest)
		if err != nil {
			var uerr *url.Error
			if errors.As(err, &uerr) {
				err = uerr.Err // url.Error quotes the whole URL, password included
			}
			return Target{}, fmt.Errorf("database URL is not a valid postgres URL: %w", err)
		}
		if u.Host == "" && u.Query().Get("host") == "" {
			return Target{}, fmt.Errorf("postgres URL %q names no host", redact(u))
		}
		if u.Host == "" && u.Path == "" {
			u.Path = "/" // else String drops the "//", and pgx reads "postgres:?host=…" as key=value text, ignoring host
		}
		return Target{Dialect: Postgres, DSN: u.String()}, nil
	case "sqlite":
		// SQLAlchemy: sqlite:///relative.db and sqlite:////absolute.db (the path follows the third slash).
		path, ok := strings.CutPrefix(rest, "/")
		path, _, _ = strings.Cut(path, "?")
		if !ok || path == "" {
			return Target{}, fmt.Errorf("sqlite URL %q must look like sqlite:///file.db or sqlite:////abs/file.db", raw)
		}
		return Target{Dialect: SQLite, DSN: path}, nil
	}
	return Target{}, fmt.Errorf("database URL scheme %q is not supported (use postgres://, postgresql+psycopg://, sqlite:/// or a file path)", scheme)
}

// Redacted returns the target for logs, without a password.
func (t Target) Redacted() string {
	if t.Dialect != Postgres {
		return t.DSN
	}
	u, err := url.Parse(t.DSN)
	if err != nil {
		return "postgres://…"
	}
	return redact(u)
}

func redact(u *url.URL) string {
	if _, has := u.User.Password(); has {
		u = &url.URL{Scheme: u.Scheme, User: url.UserPassword(u.User.Username(), "xxxxx"), Host: u.Host, Path: u.Path, RawQuery: u.RawQuery}
	}
	return u.String()
}
