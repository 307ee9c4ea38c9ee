package db_test

import (
	"strings"
	"testing"

	"sessiongraph/db"
)

// TestParseURLErrorsNeverShowThePassword: whatever is wrong with a URL
// that carries a password, ParseURL's error holds no part of it, since the
// error goes to logs and the terminal.
func TestParseURLErrorsNeverShowThePassword(t *testing.T) {
	const pw = "Qx7vKp9Zr"
	for _, c := range []struct{ name, raw, want string }{
		{"a postgres URL without a host", "postgres://u:" + pw + "@/db", "names no host"},
		{"a malformed port", "postgres://u:" + pw + "@h:port/db", "invalid port"},
		{"a bad escape in the password", "postgresql+psycopg://u:" + pw + "%zz@h/db", "percent-encode"},
		{"a slash in the password, read as the end of the host", "postgres://u:" + pw + "/x@h/db", "percent-encode"},
		{"a space in the host", "postgres://u:" + pw + "@h st/db", "invalid character"},
		{"an unsupported scheme", "mysql://u:" + pw + "@h/db", "not supported"},
		{"no scheme", "u:" + pw + "@h", "no scheme"},
		{"a sqlite URL with a user", "sqlite://u:" + pw + "@h", "sqlite:///file.db"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := db.ParseURL(c.raw)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to mention %q", err, c.want)
			}
			for i := 0; i+4 <= len(pw); i++ {
				if strings.Contains(err.Error(), pw[i:i+4]) {
					t.Errorf("the error shows part of the password (%q): %v", pw[i:i+4], err)
				}
			}
		})
	}
}
