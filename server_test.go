package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sessiongraph/internal/testpg"
)

func TestMain(m *testing.M) { testpg.Main(m) }

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestParseConfig(t *testing.T) {
	t.Run("defaults to Agno's SQLite file on loopback", func(t *testing.T) {
		cfg, err := parseConfig(nil, env(nil), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.addr != "127.0.0.1:8080" || len(cfg.dbs) != 1 || cfg.dbs[0] != (dbSpec{"default", "agno.db"}) {
			t.Errorf("config = %+v", cfg)
		}
		if cfg.schema != "ai" || cfg.table != "agno_sessions" {
			t.Errorf("schema/table = %s/%s", cfg.schema, cfg.table)
		}
	})
	t.Run("environment variables are the fallback of flags", func(t *testing.T) {
		cfg, err := parseConfig(nil, env(map[string]string{"SESSIONGRAPH_ADDR": ":9999", "DATABASE_URL": "postgresql+psycopg://ai:ai@localhost:5532/ai"}), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.addr != ":9999" || cfg.dbs[0].url != "postgresql+psycopg://ai:ai@localhost:5532/ai" {
			t.Errorf("config = %+v", cfg)
		}
		cfg, _ = parseConfig([]string{"--addr", ":1", "--db", "x.db"}, env(map[string]string{"SESSIONGRAPH_ADDR": ":9999", "DATABASE_URL": "y.db"}), io.Discard)
		if cfg.addr != ":1" || len(cfg.dbs) != 1 || cfg.dbs[0].url != "x.db" {
			t.Errorf("flags did not win over the environment: %+v", cfg)
		}
	})
	t.Run("repeated --db takes ID=URL and names the others", func(t *testing.T) {
		cfg, err := parseConfig([]string{"--db", "main.db", "--db", "prod=postgres://h/db?sslmode=disable", "--db", "sqlite:///b.db"}, env(nil), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		want := []dbSpec{{"default", "main.db"}, {"prod", "postgres://h/db?sslmode=disable"}, {"db3", "sqlite:///b.db"}}
		for i, w := range want {
			if cfg.dbs[i] != w {
				t.Errorf("db %d = %+v, want %+v", i, cfg.dbs[i], w)
			}
		}
	})
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"an unknown flag is refused", []string{"--nope"}, "flag provided but not defined"},
		{"an unsupported URL is refused", []string{"--db", "mysql://h/db"}, "not supported"},
		{"an id given twice is refused", []string{"--db", "a=x.db", "--db", "a=y.db"}, "given twice"},
		{"--demo never serves another database", []string{"--demo", "--db", "x.db"}, "--demo"},
		{"a stray argument is refused", []string{"serve"}, "unexpected argument"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseConfig(c.args, env(nil), io.Discard)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to mention %q", err, c.want)
			}
		})
	}
}

func TestRunFailsWithOneLineWhenTheDatabaseIsUnreachable(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	start := time.Now()
	err := run(context.Background(), []string{"--db", "postgres://u@" + addr + "/agno?connect_timeout=2"}, env(nil), io.Discard)
	if err == nil || strings.Contains(err.Error(), "\n") {
		t.Fatalf("err = %v, want one line", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v to give up", d)
	}
}

func TestDemoServesSessions(t *testing.T) {
	cfg, err := parseConfig([]string{"--demo"}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a, err := newApp(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	srv := httptest.NewServer(a.handler)
	defer srv.Close()

	body := `{"query":"{ sessions(first: 5) { totalCount nodes { __typename name runs(first: 2) { nodes { runId } } } } }"}`
	resp, err := http.Post(srv.URL+"/graphql", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			Sessions struct {
				TotalCount int
				Nodes      []struct{ Typename, Name string }
			}
		}
		Errors []any
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if len(out.Errors) > 0 || out.Data.Sessions.TotalCount < 100 || len(out.Data.Sessions.Nodes) != 5 {
		t.Fatalf("demo answer: %+v", out)
	}
	for _, n := range out.Data.Sessions.Nodes {
		if n.Name == "" {
			t.Errorf("a demo session has no name: %+v", n)
		}
	}
	for path, want := range map[string]int{"/livez": 200, "/readyz": 200, "/": 200} {
		r, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, r.StatusCode, want)
		}
	}
}

func TestServeOnSQLiteAndPostgresAndShutDownGracefully(t *testing.T) {
	pg := testpg.NewDatabase(t)
	file := filepath.Join(t.TempDir(), "agno.db")
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--addr", addr, "--db", "sqlite:///" + file, "--db", "pg=" + pg}, env(nil), io.Discard)
	}()

	var resp *http.Response
	var err error
	for range 100 {
		if resp, err = http.Post("http://"+addr+"/graphql", "application/json",
			bytes.NewReader([]byte(`{"query":"{ databases { id dialect sessionTable } }"}`))); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := `{"data":{"databases":[{"id":"default","dialect":"sqlite","sessionTable":"agno_sessions"},{"id":"pg","dialect":"postgres","sessionTable":"ai.agno_sessions"}]}}`
	if string(got) != want {
		t.Errorf("databases = %s", got)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run returned %v after SIGTERM-like cancel", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("server did not stop")
	}
}

func TestMigrateIndexesCreatesThemOnce(t *testing.T) {
	file := filepath.Join(t.TempDir(), "agno.db")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"migrate-indexes", "--db", file}, env(nil), &out); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "created in"); n != 10 {
		t.Errorf("first run created %d indexes:\n%s", n, out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"migrate-indexes", "--db", file}, env(nil), &out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "created in") || strings.Count(out.String(), "exists") != 10 {
		t.Errorf("second run:\n%s", out.String())
	}
}
