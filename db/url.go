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
// path for SQLite. Its errors never contain the URL's password: they quote
// no more of the URL than its scheme, or the URL with the password redacted.
func ParseURL(raw string) (Target, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return Target{}, fmt.Errorf("empty database URL")
	}
	scheme, rest, hasScheme := strings.Cut(raw, "://")
	if !hasScheme {
		if strings.Contains(raw, ":") && !strings.ContainsAny(raw, `/\.`) {
			// Not quoted: "user:password@host" lands here.
			return Target{}, errors.New("database URL has no scheme (postgres://, sqlite:///) and is not a file path")
		}
		return Target{Dialect: SQLite, DSN: raw}, nil
	}
	base, _, _ := strings.Cut(strings.ToLower(scheme), "+")
	switch base {
	case "postgres", "postgresql":
		u, err := url.Parse("postgres://" + rest)
		if err != nil {
			return Target{}, fmt.Errorf("database URL is not a valid postgres URL: %w", postgresURLError(rest))
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
			return Target{}, errors.New("sqlite URL must look like sqlite:///file.db or sqlite:////abs/file.db")
		}
		return Target{Dialect: SQLite, DSN: path}, nil
	}
	return Target{}, fmt.Errorf("database URL scheme %q is not supported (use postgres://, postgresql+psycopg://, sqlite:/// or a file path)", scheme)
}

// postgresURLError says what is wrong with a postgres URL (after its
// "scheme://") that url.Parse refuses, without quoting its password. The
// url.Error's own text holds the whole URL, and its inner error may quote
// part of the userinfo (an escape, or a password with a "/" read as a
// port), so the URL is parsed again without everything up to its last "@".
func postgresURLError(rest string) error {
	at := strings.LastIndex(rest, "@")
	_, err := url.Parse("postgres://" + rest[at+1:])
	if at >= 0 && err == nil {
		return errors.New("its user or password is not valid URL text (percent-encode it: @ as %40, / as %2F, % as %25)")
	}
	return errors.Unwrap(err) // the *url.Error's cause, without the URL
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
