package config_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"sessiongraph/auth"
	"sessiongraph/config"
	"sessiongraph/graph"
	"sessiongraph/httpserver"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// load is config.Load with the environment vars, failing the test on an error.
func load(t *testing.T, args []string, vars map[string]string) config.Config {
	t.Helper()
	c, err := config.Load(args, env(vars), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// dbs is c.DBs as ID=URL strings, URLs revealed.
func dbs(c config.Config) []string {
	var out []string
	for _, d := range c.DBs {
		out = append(out, d.ID+"="+d.URL.Reveal())
	}
	return out
}

func TestLoad(t *testing.T) {
	t.Run("defaults to Agno's SQLite file on loopback", func(t *testing.T) {
		c := load(t, nil, nil)
		if c.Addr != "127.0.0.1:8080" || !slices.Equal(dbs(c), []string{"default=agno.db"}) {
			t.Errorf("addr %s, dbs %v", c.Addr, dbs(c))
		}
		if c.DBSchema != "ai" || c.SessionTable != "agno_sessions" {
			t.Errorf("schema/table = %s/%s", c.DBSchema, c.SessionTable)
		}
	})
	t.Run("environment variables are the fallback of flags", func(t *testing.T) {
		c := load(t, nil, map[string]string{"SESSIONGRAPH_ADDR": ":9999", "DATABASE_URL": "postgresql+psycopg://ai:ai@localhost:5532/ai"})
		if c.Addr != ":9999" || !slices.Equal(dbs(c), []string{"default=postgresql+psycopg://ai:ai@localhost:5532/ai"}) {
			t.Errorf("addr %s, dbs %v", c.Addr, dbs(c))
		}
		c = load(t, []string{"--addr", ":1", "--db", "x.db"}, map[string]string{"SESSIONGRAPH_ADDR": ":9999", "DATABASE_URL": "y.db"})
		if c.Addr != ":1" || !slices.Equal(dbs(c), []string{"default=x.db"}) {
			t.Errorf("flags did not win over the environment: addr %s, dbs %v", c.Addr, dbs(c))
		}
	})
	t.Run("an empty variable counts as unset", func(t *testing.T) {
		if c := load(t, nil, map[string]string{"SESSIONGRAPH_ADDR": "", "SESSIONGRAPH_MAX_DEPTH": ""}); c.Addr != "127.0.0.1:8080" || c.MaxDepth != graph.DefaultMaxDepth {
			t.Errorf("addr %s, max depth %d", c.Addr, c.MaxDepth)
		}
	})
	t.Run("a flag given twice keeps its last value", func(t *testing.T) {
		if c := load(t, []string{"--addr", ":1", "--addr=:2"}, nil); c.Addr != ":2" {
			t.Errorf("addr %s", c.Addr)
		}
	})
	t.Run("repeated --db takes ID=URL and names the others", func(t *testing.T) {
		c := load(t, []string{"--db", "main.db", "--db", "prod=postgres://h/db?sslmode=disable", "--db", "sqlite:///b.db"}, nil)
		want := []string{"default=main.db", "prod=postgres://h/db?sslmode=disable", "db3=sqlite:///b.db"}
		if !slices.Equal(dbs(c), want) {
			t.Errorf("dbs = %v, want %v", dbs(c), want)
		}
	})
	t.Run("DATABASE_URL holds one database, commas and all", func(t *testing.T) {
		c := load(t, nil, map[string]string{"DATABASE_URL": "pg=postgres://h1,h2/db"})
		if !slices.Equal(dbs(c), []string{"pg=postgres://h1,h2/db"}) {
			t.Errorf("dbs = %v", dbs(c))
		}
	})
	t.Run("--demo serves no configured database", func(t *testing.T) {
		if c := load(t, []string{"--demo"}, nil); !c.Demo || len(c.DBs) != 0 {
			t.Errorf("demo %v, dbs %v", c.Demo, dbs(c))
		}
	})
	t.Run("--jwt-public-key's file is read", func(t *testing.T) {
		// An RSA key of 2048 bits, as auth requires.
		pem := "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u\n+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyeh\nkd3qqGElvW/VDL5AaWTg0nLVkjRo9z+40RQzuVaE8AkAFmxZzow3x+VJYKdjykkJ\n0iT9wCS0DRTXu269V264Vf/3jvredZiKRkgwlL9xNAwxXFg0x/XFw005UWVRIkdg\ncKWTjpBP2dPwVZ4WWC+9aGVd+Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbc\nmwIDAQAB\n-----END PUBLIC KEY-----\n"
		file := filepath.Join(t.TempDir(), "key.pem")
		if err := os.WriteFile(file, []byte(pem), 0o600); err != nil {
			t.Fatal(err)
		}
		c := load(t, nil, map[string]string{"SESSIONGRAPH_JWT_PUBLIC_KEY": file})
		if string(c.JWTPublicKeyPEM) != pem {
			t.Errorf("JWTPublicKeyPEM = %q", c.JWTPublicKeyPEM)
		}
		if a, err := c.Authenticator(); a == nil || err != nil {
			t.Errorf("Authenticator() = %v, %v", a, err)
		}
	})
	for _, c := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"an unknown flag is refused", []string{"--nope"}, nil, "flag provided but not defined"},
		{"an unsupported URL is refused", []string{"--db", "mysql://h/db"}, nil, "not supported"},
		{"an id given twice is refused", []string{"--db", "a=x.db", "--db", "a=y.db"}, nil, "given twice"},
		{"--demo never serves another database", []string{"--demo", "--db", "x.db"}, nil, "--demo"},
		{"--demo never serves DATABASE_URL", []string{"--demo"}, map[string]string{"DATABASE_URL": "x.db"}, "--demo"},
		{"a stray argument is refused", []string{"serve"}, nil, "unexpected argument"},
		{"a malformed bool is refused", []string{"--no-playground=maybe"}, nil, "--no-playground"},
		{"a missing --jwt-public-key file is refused", []string{"--jwt-public-key", "/nonexistent/key.pem"}, nil, "--jwt-public-key: open /nonexistent/key.pem"},
		{"an audience without a JWT key is refused", nil, map[string]string{"SESSIONGRAPH_JWT_AUDIENCE": "a"}, "need --jwt-secret or --jwt-public-key"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := config.Load(c.args, env(c.env), io.Discard)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to mention %q", err, c.want)
			}
		})
	}
}

func TestLoadGraphQLSettings(t *testing.T) {
	t.Run("defaults are the handler's safe defaults, with GraphiQL and no CORS", func(t *testing.T) {
		c := load(t, nil, nil)
		if c.MaxDepth != graph.DefaultMaxDepth || c.MaxAliases != graph.DefaultMaxAliases || c.MaxComplexity != graph.DefaultComplexityLimit ||
			c.RequestTimeout != httpserver.DefaultRequestTimeout || c.NoIntrospection || c.NoPlayground || c.CORSOrigins != nil {
			t.Errorf("config = %+v", c)
		}
	})
	vars := map[string]string{
		"SESSIONGRAPH_MAX_DEPTH": "7", "SESSIONGRAPH_MAX_ALIASES": "8", "SESSIONGRAPH_MAX_COMPLEXITY": "900",
		"SESSIONGRAPH_REQUEST_TIMEOUT": "5s", "SESSIONGRAPH_NO_INTROSPECTION": "true", "SESSIONGRAPH_NO_PLAYGROUND": "1",
		"SESSIONGRAPH_CORS_ORIGINS": "https://a.example, https://*.b.example",
	}
	t.Run("environment variables are the fallback of flags", func(t *testing.T) {
		c := load(t, nil, vars)
		if c.MaxDepth != 7 || c.MaxAliases != 8 || c.MaxComplexity != 900 || c.RequestTimeout != 5*time.Second ||
			!c.NoIntrospection || !c.NoPlayground || !slices.Equal(c.CORSOrigins, []string{"https://a.example", "https://*.b.example"}) {
			t.Errorf("config = %+v", c)
		}
	})
	t.Run("flags win over the environment, repeated --cors-origin over the whole list", func(t *testing.T) {
		c := load(t, []string{"--max-depth", "9", "--no-introspection=false", "--cors-origin", "http://localhost:5173", "--cors-origin", "*"}, vars)
		if c.MaxDepth != 9 || c.MaxAliases != 8 || c.NoIntrospection || !slices.Equal(c.CORSOrigins, []string{"http://localhost:5173", "*"}) {
			t.Errorf("config = %+v", c)
		}
	})
	for _, c := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"a zero depth is refused", []string{"--max-depth", "0"}, nil, "must be positive"},
		{"a negative complexity is refused", []string{"--max-complexity", "-1"}, nil, "must be positive"},
		{"a zero request timeout is refused", []string{"--request-timeout", "0s"}, nil, "must be positive"},
		{"a malformed environment value names its variable", nil, map[string]string{"SESSIONGRAPH_MAX_ALIASES": "lots"}, "SESSIONGRAPH_MAX_ALIASES"},
		{"an origin with a path is refused", []string{"--cors-origin", "https://a.example/"}, nil, "not * or scheme://host"},
		{"an origin without a scheme is refused", nil, map[string]string{"SESSIONGRAPH_CORS_ORIGINS": "a.example"}, "SESSIONGRAPH_CORS_ORIGINS"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := config.Load(c.args, env(c.env), io.Discard)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to mention %q", err, c.want)
			}
		})
	}
}

func TestLoadTelemetrySettings(t *testing.T) {
	t.Run("metrics are on, logs text at info by default", func(t *testing.T) {
		c := load(t, nil, nil)
		if c.NoMetrics || len(c.MetricsOperations) != 0 || c.LogFormat != "text" || c.LogLevel != "info" {
			t.Errorf("config = %+v", c)
		}
	})
	t.Run("the environment names the metrics operations and turns metrics off", func(t *testing.T) {
		c := load(t, nil, map[string]string{"SESSIONGRAPH_METRICS_OPERATIONS": "sessionsPage, sessionTree", "SESSIONGRAPH_NO_METRICS": "true"})
		if !slices.Equal(c.MetricsOperations, []string{"sessionsPage", "sessionTree"}) || !c.NoMetrics {
			t.Errorf("config = %+v", c)
		}
		c = load(t, []string{"--metrics-operation", "a", "--metrics-operation", "b"}, map[string]string{"SESSIONGRAPH_METRICS_OPERATIONS": "c"})
		if !slices.Equal(c.MetricsOperations, []string{"a", "b"}) {
			t.Errorf("flags did not win over the environment: %v", c.MetricsOperations)
		}
	})
	t.Run("a log level is read as slog reads it", func(t *testing.T) {
		if c := load(t, []string{"--log-level", "WARN"}, nil); c.LogLevel != "WARN" {
			t.Errorf("log level %q", c.LogLevel)
		}
	})
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"an unknown log format is refused", []string{"--log-format", "xml"}, "not text or json"},
		{"an unknown log level is refused", []string{"--log-level", "loud"}, "not debug, info, warn or error"},
		{"a metrics operation that is no GraphQL name is refused", []string{"--metrics-operation", "a b"}, "not a GraphQL operation name"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := config.Load(c.args, env(nil), io.Discard)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to mention %q", err, c.want)
			}
		})
	}
}

func TestLoadDeploymentSettings(t *testing.T) {
	t.Run("the settings a container sets by environment reach the configuration", func(t *testing.T) {
		c := load(t, nil, map[string]string{"SESSIONGRAPH_DB_MAX_CONNS": "7", "SESSIONGRAPH_DB_STATEMENT_TIMEOUT": "5s",
			"SESSIONGRAPH_COUNT_CACHE_TTL": "0", "SESSIONGRAPH_SHUTDOWN_GRACE": "25s"})
		if c.DBMaxConns != 7 || c.DBStatementTimeout != 5*time.Second || c.CountCacheTTL != 0 || c.ShutdownGrace != 25*time.Second {
			t.Errorf("config = %+v", c)
		}
	})
	t.Run("a malformed number is refused", func(t *testing.T) {
		if _, err := config.Load(nil, env(map[string]string{"SESSIONGRAPH_DB_MAX_CONNS": "many"}), io.Discard); err == nil {
			t.Error("SESSIONGRAPH_DB_MAX_CONNS=many was accepted")
		}
	})
}

func TestLoadAuthentication(t *testing.T) {
	t.Run("with no credential the server is open", func(t *testing.T) {
		if a, err := load(t, nil, nil).Authenticator(); a != nil || err != nil {
			t.Errorf("Authenticator() = %v, %v", a, err)
		}
	})
	t.Run("OS_SECURITY_KEY requires the key", func(t *testing.T) {
		c := load(t, nil, map[string]string{"OS_SECURITY_KEY": "k-env"})
		a, err := c.Authenticator()
		if err != nil || a == nil {
			t.Fatalf("Authenticator() = %v, %v", a, err)
		}
		if _, err := a.Authenticate("k-env"); err != nil {
			t.Errorf("the key is refused: %v", err)
		}
		if _, err := a.Authenticate(""); !errors.Is(err, auth.ErrMissingToken) {
			t.Errorf("no token: %v", err)
		}
	})
	t.Run("a short --jwt-secret is refused", func(t *testing.T) {
		if _, err := config.Load([]string{"--jwt-secret", "short"}, env(nil), io.Discard); err == nil {
			t.Error("a 5-byte --jwt-secret was accepted")
		}
	})
}

// TestSecretFiles: a secret's variable X may instead be X_FILE, the path of a
// file holding it, as container platforms mount secrets.
func TestSecretFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	key := write("key", "k-file\n")
	t.Run("each secret is read from its file, without the line ending", func(t *testing.T) {
		c := load(t, nil, map[string]string{
			"OS_SECURITY_KEY_FILE":         key,
			"SESSIONGRAPH_JWT_SECRET_FILE": write("jwt", "0123456789abcdef0123456789abcdef\r\n"),
			"DATABASE_URL_FILE":            write("db", "pg=postgres://u:pw@h/db\n"),
		})
		if c.SecurityKey.Reveal() != "k-file" || c.JWTSecret.Reveal() != "0123456789abcdef0123456789abcdef" || !slices.Equal(dbs(c), []string{"pg=postgres://u:pw@h/db"}) {
			t.Errorf("security key %q, JWT secret %q, dbs %v", c.SecurityKey.Reveal(), c.JWTSecret.Reveal(), dbs(c))
		}
	})
	t.Run("the flag wins over the file", func(t *testing.T) {
		if c := load(t, []string{"--security-key", "k-flag"}, map[string]string{"OS_SECURITY_KEY_FILE": key}); c.SecurityKey.Reveal() != "k-flag" {
			t.Errorf("security key %q", c.SecurityKey.Reveal())
		}
	})
	t.Run("only the last line ending is dropped", func(t *testing.T) {
		if c := load(t, nil, map[string]string{"OS_SECURITY_KEY_FILE": write("key2", " k \n\n")}); c.SecurityKey.Reveal() != " k \n" {
			t.Errorf("security key %q", c.SecurityKey.Reveal())
		}
	})
	for _, c := range []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"a variable and its file are not both accepted", map[string]string{"OS_SECURITY_KEY": "k", "OS_SECURITY_KEY_FILE": key},
			[]string{"OS_SECURITY_KEY and OS_SECURITY_KEY_FILE are both set"}},
		{"a missing file names its variable and path", map[string]string{"DATABASE_URL_FILE": filepath.Join(dir, "missing")},
			[]string{"DATABASE_URL_FILE", filepath.Join(dir, "missing")}},
		{"an empty file is refused, not read as unset", map[string]string{"SESSIONGRAPH_JWT_SECRET_FILE": write("empty", "\n")},
			[]string{"SESSIONGRAPH_JWT_SECRET_FILE", "is empty"}},
		{"a bad URL in a file names the file's variable", map[string]string{"DATABASE_URL_FILE": write("bad", "mysql://h/db")},
			[]string{"DATABASE_URL_FILE", "not supported"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := config.Load(nil, env(c.env), io.Discard)
			for _, want := range c.want {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("err = %v, want it to mention %q", err, want)
				}
			}
		})
	}
}

// TestSecretsAreNeverShown: a secret's value, however it is given, appears
// in no --help, error, dump of the effective settings or printed Config.
func TestSecretsAreNeverShown(t *testing.T) {
	const (
		key  = "Key-Wq3vX9z"
		jwt  = "Jwt-Rt5nB2m" // too short for HS256: an error
		pass = "Pass-Hy6cL4k"
	)
	secrets := []string{key, jwt, pass}
	dir := t.TempDir()
	file := func(content string) string {
		f, err := os.CreateTemp(dir, "secret")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString(content + "\n"); err != nil {
			t.Fatal(err)
		}
		return f.Name()
	}
	for _, c := range []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"--help with secrets in the environment", []string{"--help"}, map[string]string{"OS_SECURITY_KEY": key, "SESSIONGRAPH_JWT_SECRET": jwt, "DATABASE_URL": "postgres://u:" + pass + "@h/db"}},
		{"an unknown flag with secrets in the environment", []string{"--bogus"}, map[string]string{"OS_SECURITY_KEY": key, "DATABASE_URL": "postgres://u:" + pass + "@h/db"}},
		{"an unknown flag given a secret", []string{"--securty-key=" + key}, nil},
		{"bad flag syntax around a secret", []string{"---security-key=" + key}, nil},
		{"a secret left as an argument", []string{"--security-key=", key}, nil},
		{"a short JWT secret by flag", []string{"--jwt-secret", jwt}, nil},
		{"a short JWT secret by variable", nil, map[string]string{"SESSIONGRAPH_JWT_SECRET": jwt}},
		{"a short JWT secret in a file", nil, map[string]string{"SESSIONGRAPH_JWT_SECRET_FILE": file(jwt)}},
		{"a URL without a host by flag", []string{"--db", "postgres://u:" + pass + "@/db"}, nil},
		{"a URL without a host by variable", nil, map[string]string{"DATABASE_URL": "postgres://u:" + pass + "@/db"}},
		{"a URL with a malformed port in a file", nil, map[string]string{"DATABASE_URL_FILE": file("postgres://u:" + pass + "@h:port/db")}},
		{"a URL of an unsupported scheme", []string{"--db", "mysql://u:" + pass + "@h/db"}, nil},
		{"a URL without a scheme", []string{"--db=id=u:" + pass + "@h"}, nil},
		{"a good URL beside a bad setting", []string{"--max-depth", "0"}, map[string]string{"DATABASE_URL": "postgres://u:" + pass + "@h/db", "OS_SECURITY_KEY": key}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			_, err := config.Load(c.args, env(c.env), &out)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			shown := out.String() + "\n" + err.Error()
			for _, s := range secrets {
				if strings.Contains(shown, s) {
					t.Errorf("a secret is shown:\n%s", strings.ReplaceAll(shown, s, "***"))
				}
			}
		})
	}

	c := load(t, []string{"--db", "postgres://u:" + pass + "@h/db", "--db", "local=x.db"}, map[string]string{
		"OS_SECURITY_KEY_FILE": file(key), "SESSIONGRAPH_JWT_SECRET": jwt + strings.Repeat("x", 32)})
	var logged bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&logged, nil), slog.NewJSONHandler(&logged, nil)} {
		slog.New(h).LogAttrs(t.Context(), slog.LevelInfo, "configuration", c.LogAttrs()...)
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		fmt.Fprintf(&logged, format+"\n", c)
	}
	for _, s := range secrets {
		if strings.Contains(logged.String(), s) {
			t.Errorf("a secret is shown:\n%s", strings.ReplaceAll(logged.String(), s, "***"))
		}
	}
	for _, want := range []string{`security-key=[set]`, `"jwt-secret":"[set]"`, `db="[default=postgres://u:xxxxx@h/db local=x.db]"`, `"db":["default=postgres://u:xxxxx@h/db","local=x.db"]`} {
		if !strings.Contains(logged.String(), want) {
			t.Errorf("the dump lacks %s:\n%s", want, logged.String())
		}
	}
}

func TestHelp(t *testing.T) {
	var out bytes.Buffer
	if _, err := config.Load([]string{"--help"}, env(map[string]string{"SESSIONGRAPH_ADDR": ":7777"}), &out); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	help := out.String()
	for _, want := range []string{"  --addr string\n", "(env SESSIONGRAPH_ADDR; default 127.0.0.1:8080)", "  --demo\n",
		"env OS_SECURITY_KEY, or OS_SECURITY_KEY_FILE", "--cors-origin string", "env SESSIONGRAPH_CORS_ORIGINS, comma-separated"} {
		if !strings.Contains(help, want) {
			t.Errorf("--help lacks %q:\n%s", want, help)
		}
	}
	if strings.Contains(help, ":7777") {
		t.Errorf("--help shows a value from the environment:\n%s", help)
	}
}

// TestEverySettingReachesItsField: each setting given a value by flag
// changes the dump of its own name (and so its own field) only.
func TestEverySettingReachesItsField(t *testing.T) {
	base := dump(load(t, nil, nil))
	samples := map[string]string{
		"addr": ":1", "shutdown-grace": "1m", "db": "x.db", "db-schema": "s", "session-table": "t", "runs-table": "r", "traces-table": "tt", "spans-table": "st", "metrics-table": "mt", "db-max-conns": "3",
		"db-statement-timeout": "1m", "count-cache-ttl": "1m", "demo": "true", "max-depth": "2", "max-aliases": "2",
		"max-complexity": "2", "request-timeout": "1m", "no-introspection": "true", "no-playground": "true",
		"live-interval": "2s", "max-subscriptions": "5", "max-subscriptions-per-connection": "2", "subscription-buffer": "9",
		"security-key": "k", "jwt-secret": "0123456789abcdef0123456789abcdef", "jwt-public-key": "", "jwt-audience": "", "jwt-issuer": "",
		"jwt-user-claim": "u", "jwt-scopes-claim": "s", "admin-scope": "a", "cors-origin": "*", "log-format": "json",
		"log-level": "warn", "no-metrics": "true", "metrics-operation": "op",
	}
	for name := range base {
		if _, ok := samples[name]; !ok {
			t.Errorf("no sample value for --%s", name)
		}
	}
	for name, v := range samples {
		if v == "" {
			continue // needs another setting or a file: TestLoad covers it
		}
		t.Run(name, func(t *testing.T) {
			got := dump(load(t, []string{"--" + name + "=" + v}, nil))
			for k := range base {
				changed := got[k] != base[k]
				// --demo also drops the default database.
				if changed != (k == name || (name == "demo" && k == "db")) {
					t.Errorf("--%s=%s: %s is %s, was %s", name, v, k, got[k], base[k])
				}
			}
		})
	}
}

func TestLogAttrsInJSON(t *testing.T) {
	var out bytes.Buffer
	slog.New(slog.NewJSONHandler(&out, nil)).LogAttrs(t.Context(), slog.LevelInfo, "configuration", load(t, nil, nil).LogAttrs()...)
	for _, want := range []string{`"addr":"127.0.0.1:8080"`, `"shutdown-grace":"10s"`, `"max-depth":15`, `"demo":false`, `"security-key":"[unset]"`, `"db":["default=agno.db"]`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the dump lacks %s:\n%s", want, out.String())
		}
	}
}

// dump is c.LogAttrs as text by key.
func dump(c config.Config) map[string]string {
	m := map[string]string{}
	for _, a := range c.LogAttrs() {
		m[a.Key] = a.Value.Resolve().String()
	}
	return m
}
