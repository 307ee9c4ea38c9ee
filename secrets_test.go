package main

import (
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"sessiongraph/internal/testpg"
)

// The secrets TestSecretsNeverReachTheOutput gives the server: strings that
// nothing else prints, so that a grep of the test output for them finds
// nothing unless one leaked.
const (
	testSecurityKey = "sgtest-security-key-Vb7qN3xZ"
	testJWTSecret   = "sgtest-jwt-secret-Lm4Rt8Wk-0123456789abcdef"
	testShortJWT    = "sgtest-short-jwt-Pq2sX6"
	testDBPassword  = "sgtest-db-password-Hc5Yd9Jf"
)

var testSecrets = map[string]string{
	"the security key": testSecurityKey, "the JWT secret": testJWTSecret,
	"the short JWT secret": testShortJWT, "the database password": testDBPassword,
}

// withoutSecrets is s with every test secret replaced by ***, for failure
// messages.
func withoutSecrets(s string) string {
	for _, secret := range testSecrets {
		s = strings.ReplaceAll(s, secret, "***")
	}
	return s
}

// TestSecretsNeverReachTheOutput runs the binary with secrets in the
// environment, and again in the files the _FILE variables name, through
// --help, command-line errors, bad database URLs, a failed start and
// normal ones, and fails if a secret appears in what it writes. Its own
// messages never show one.
func TestSecretsNeverReachTheOutput(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "sessiongraph")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	unreachable := "postgres://sg:" + testDBPassword + "@127.0.0.1:1/agno?connect_timeout=2"
	pg, err := url.Parse(testpg.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	pg.User = url.UserPassword(pg.User.Username(), testDBPassword) // trust authentication ignores it
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()

	cases := []struct {
		name string
		args []string
		db   string // DATABASE_URL; unreachable when ""
		jwt  string // SESSIONGRAPH_JWT_SECRET; testJWTSecret when ""
		// serve: the server starts; it is stopped by SIGTERM once it serves.
		serve bool
		want  []string // what the output shows when the case went as meant
	}{
		{name: "--help", args: []string{"--help"}, want: []string{"--security-key string"}},
		{name: "an unknown flag", args: []string{"--bogus"}, want: []string{"flag provided but not defined: -bogus"}},
		{name: "an unknown flag given a secret", args: []string{"--securty-key=" + testSecurityKey}, want: []string{"not defined: -securty-key"}},
		{name: "bad flag syntax around a secret", args: []string{"---security-key=" + testSecurityKey}, want: []string{"bad flag syntax"}},
		{name: "a secret left as an argument", args: []string{"--security-key=", testSecurityKey}, want: []string{"unexpected argument"}},
		{name: "a short --jwt-secret", args: []string{"--jwt-secret", testShortJWT}, want: []string{"HS256 needs at least 32"}},
		{name: "a short JWT secret", jwt: testShortJWT, want: []string{"HS256 needs at least 32"}},
		{name: "a --db URL without a host", args: []string{"--db", "postgres://u:" + testDBPassword + "@/db"}, want: []string{"invalid value for --db", "names no host"}},
		{name: "a database URL without a host", db: "postgres://u:" + testDBPassword + "@/db", want: []string{"names no host"}},
		{name: "a database URL of an unknown scheme", db: "mysql://u:" + testDBPassword + "@h/db", want: []string{"not supported"}},
		{name: "a database URL with a malformed port", db: "postgres://u:" + testDBPassword + "@h:port/db", want: []string{"invalid port"}},
		{name: "a database URL without a scheme", db: "u:" + testDBPassword + "@h", want: []string{"no scheme"}},
		{name: "a database URL with a bad escape in its password", db: "postgres://u:" + testDBPassword + "%zz@h/db", want: []string{"percent-encode"}},
		{name: "a port in use", args: []string{"--addr", busy.Addr().String()}, want: []string{"configuration", "xxxxx", "cannot listen"}},
		{name: "an unreachable database", serve: true, want: []string{"configuration", "security-key", "[set]", "xxxxx", "database not ready"}},
		{name: "a normal start", db: pg.String(), serve: true, want: []string{"configuration", "security-key", "[set]", "xxxxx"}},
	}
	for _, source := range []string{"environment", "files"} {
		for _, c := range cases {
			t.Run(source+"/"+c.name, func(t *testing.T) {
				secrets := map[string]string{"OS_SECURITY_KEY": testSecurityKey, "SESSIONGRAPH_JWT_SECRET": testJWTSecret, "DATABASE_URL": unreachable}
				if c.db != "" {
					secrets["DATABASE_URL"] = c.db
				}
				if c.jwt != "" {
					secrets["SESSIONGRAPH_JWT_SECRET"] = c.jwt
				}
				dir := t.TempDir()
				environ := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TMPDIR=" + dir}
				for name, v := range secrets {
					if source == "files" {
						file := filepath.Join(dir, name)
						if err := os.WriteFile(file, []byte(v+"\n"), 0o600); err != nil {
							t.Fatal(err)
						}
						name, v = name+"_FILE", file
					}
					environ = append(environ, name+"="+v)
				}
				if source == "files" {
					environ = append(environ, "SESSIONGRAPH_LOG_FORMAT=json")
				}
				args := c.args
				if c.serve {
					args = append(args, "--addr", freeAddr(t))
				}
				out := runBinary(t, bin, dir, environ, args, c.serve)
				for what, secret := range testSecrets {
					if strings.Contains(out, secret) {
						t.Errorf("%s appears in the output (shown as ***):\n%s", what, withoutSecrets(out))
					}
				}
				for _, want := range c.want {
					if !strings.Contains(out, want) {
						t.Errorf("the output lacks %q:\n%s", want, withoutSecrets(out))
					}
				}
			})
		}
	}
}

// runBinary runs bin in dir with the environment and args and returns its
// output (stdout and stderr). When serve is set the server must start: once
// it logs that it is serving, and has answered a request with the security
// key, it is stopped with SIGTERM.
func runBinary(t *testing.T, bin, dir string, environ, args []string, serve bool) string {
	t.Helper()
	var out lockedBuffer
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, environ, &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if serve {
		addr := args[len(args)-1]
		for deadline := time.Now().Add(30 * time.Second); !logsServing(out.String()); time.Sleep(20 * time.Millisecond) {
			select {
			case err := <-done:
				t.Fatalf("the server exited (%v) before serving:\n%s", err, withoutSecrets(out.String()))
			default:
			}
			if time.Now().After(deadline) {
				_ = cmd.Process.Kill()
				t.Fatalf("the server did not serve within 30s:\n%s", withoutSecrets(out.String()))
			}
		}
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+testSecurityKey)
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
		if err != nil {
			t.Errorf("a request with the security key: %v", err)
		} else if resp.Body.Close(); resp.StatusCode != http.StatusOK {
			t.Errorf("a request with the security key: %s", resp.Status)
		}
		_ = cmd.Process.Signal(syscall.SIGTERM)
	}
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Errorf("the server did not exit within 15s")
	}
	return out.String()
}

// logsServing reports whether the server logged its "serving" line, in
// either log format, once it listens.
func logsServing(out string) bool {
	return strings.Contains(out, "msg=serving ") || strings.Contains(out, `"msg":"serving"`)
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
