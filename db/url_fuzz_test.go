package db_test

import (
	"net/url"
	"strings"
	"testing"

	"sessiongraph/db"
)

// FuzzParseURL checks that ParseURL either fails or returns a target of a
// known dialect that the driver can use, that its DSN is a fixed point, that
// Redacted never shows a password and that errors never echo one.
func FuzzParseURL(f *testing.F) {
	for _, seed := range []string{
		"postgres://u:p@h:5432/agno?sslmode=disable",
		"postgresql://u@h/agno",
		"postgresql+psycopg://ai:ai@localhost:5532/ai",
		"POSTGRESQL+ASYNCPG://ai:ai@localhost/ai",
		"postgres:///db?host=/var/run/postgresql",
		"postgres://u:s%2Fecret@[::1]:5432/db",
		"postgres://u:secret@h:port/db",
		"postgres://u:secret word@h/db",
		"postgres://u:secret@h/%zz",
		"postgres://u:secret@/db",
		"postgres://u:sec/ret@h/db",
		"postgres://u:sec%zzret@h/db",
		"u:secret@h",
		"sqlite://u:secret@h",
		"postgres://",
		"sqlite:///tmp/agno.db",
		"sqlite:////var/data/agno.db",
		"sqlite:///agno.db?mode=ro",
		"sqlite:///?mode=ro",
		"sqlite://",
		"sqlite:///",
		"./agno.db",
		"agno.db",
		"C:\\data\\agno.db",
		"localhost:5432",
		"mysql://h/db",
		"://",
		"",
		"   ",
		"\x00",
		"postgres://h/\x00",
		"sqlite:///\x00",
		strings.Repeat("a", 100_000),
		"postgres://u:" + strings.Repeat("p", 100_000) + "@h/db",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		target, err := db.ParseURL(raw)
		if err != nil {
			if target != (db.Target{}) {
				t.Errorf("ParseURL(%.200q) failed with %v but returned %.200q", raw, err, target)
			}
			if pw := postgresPassword(raw); len(pw) >= 4 && strings.Contains(err.Error(), pw) {
				t.Errorf("ParseURL(%.200q) error shows the password: %v", raw, err)
			}
			return
		}
		if target.DSN == "" {
			t.Fatalf("ParseURL(%.200q) = %.200q: empty DSN", raw, target)
		}
		switch target.Dialect {
		case db.Postgres:
			u, err := url.Parse(target.DSN)
			// pgx reads a DSN as a URL only when it starts with postgres://.
			if err != nil || !strings.HasPrefix(target.DSN, "postgres://") || (u.Host == "" && u.Query().Get("host") == "") {
				t.Fatalf("ParseURL(%.200q) DSN %.200q is not a postgres URL with a host (%v)", raw, target.DSN, err)
			}
			if again, err := db.ParseURL(target.DSN); err != nil || again != target {
				t.Errorf("ParseURL(%.200q) = %.200q, but its DSN parses as %.200q, %v", raw, target, again, err)
			}
			r, err := url.Parse(target.Redacted())
			if err != nil {
				t.Fatalf("Redacted() %.200q of %.200q is not a URL: %v", target.Redacted(), raw, err)
			}
			if pw, has := r.User.Password(); has && pw != "xxxxx" {
				t.Errorf("Redacted() of %.200q shows the password: %.200q", raw, target.Redacted())
			}
		case db.SQLite:
			if target.Redacted() != target.DSN {
				t.Errorf("Redacted() of SQLite target %.200q = %.200q", target.DSN, target.Redacted())
			}
			if scheme, _, ok := strings.Cut(strings.TrimSpace(raw), "://"); ok {
				if strings.Contains(target.DSN, "?") {
					t.Errorf("ParseURL(%.200q) kept the query in the SQLite path %.200q", raw, target.DSN)
				}
				// A path ending in spaces cannot be written as a URL, which is trimmed.
				if strings.TrimSpace(target.DSN) != target.DSN {
					return
				}
				if again, err := db.ParseURL(scheme + ":///" + target.DSN); err != nil || again != target {
					t.Errorf("ParseURL(%.200q) = %.200q, but sqlite:/// of its path gives %.200q, %v", raw, target, again, err)
				}
			}
		default:
			t.Fatalf("ParseURL(%.200q) = %.200q: unknown dialect", raw, target)
		}
	})
}

// postgresPassword returns the password in the userinfo of a postgres-scheme
// URL, found without url.Parse (which may reject the URL); "" when none.
func postgresPassword(raw string) string {
	scheme, rest, ok := strings.Cut(strings.TrimSpace(raw), "://")
	if !ok || !strings.HasPrefix(strings.ToLower(scheme), "postgres") {
		return ""
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return ""
	}
	_, pw, _ := strings.Cut(authority[:at], ":")
	if strings.Count(raw, pw) > 1 {
		return "" // the same text appears outside the password too
	}
	return pw
}
