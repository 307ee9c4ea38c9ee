package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sessiongraph/db"
	"sessiongraph/internal/agnotest"
	"sessiongraph/internal/testpg"
)

// served starts run with args on a free loopback port and returns its base
// URL and a stop function that cancels it (as SIGTERM does) and returns what
// run returned.
func served(t *testing.T, args ...string) (base string, stop func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"--addr", addr}, args...), env(nil), io.Discard) }()
	base = "http://" + addr
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(base + "/livez")
		if err == nil {
			resp.Body.Close()
			break
		}
		select {
		case err := <-done:
			t.Fatalf("server did not start: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not start listening: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	var once sync.Once
	var result error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case result = <-done:
			case <-time.After(30 * time.Second):
				result = fmt.Errorf("server did not stop")
			}
		})
		return result
	}
	t.Cleanup(func() { _ = stop() })
	return base, stop
}

// client bounds every request: a request that hangs fails the test.
var client = &http.Client{Timeout: 5 * time.Second}

// answer is a GraphQL response reduced to what the fault tests check.
type answer struct {
	status int
	data   json.RawMessage
	codes  []string
}

func post(base, query string) (answer, error) {
	body, _ := json.Marshal(map[string]any{"query": query})
	resp, err := client.Post(base+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	var out struct {
		Data   json.RawMessage
		Errors []struct{ Extensions struct{ Code string } }
	}
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &out); err != nil {
		return answer{status: resp.StatusCode}, fmt.Errorf("status %d, not JSON: %s", resp.StatusCode, raw)
	}
	a := answer{status: resp.StatusCode, data: out.Data}
	for _, e := range out.Errors {
		a.codes = append(a.codes, e.Extensions.Code)
	}
	return a, nil
}

func readyz(t *testing.T, base string) int {
	t.Helper()
	resp, err := client.Get(base + "/readyz")
	if err != nil {
		t.Fatalf("/readyz: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// eventually polls cond every 100 ms for up to 20 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("%s: not within 20 s", what)
}

const countQuery = `{ sessions(first: 5) { totalCount nodes { sessionId name } } }`

// TestStartsWithTheDatabaseDown: the server starts although PostgreSQL is
// down, answers /readyz 503 and queries UNAVAILABLE quickly, and serves as
// soon as PostgreSQL is up, creating Agno's table then.
func TestStartsWithTheDatabaseDown(t *testing.T) {
	pg := testpg.NewCluster(t)
	pg.Stop(t)
	base, stop := served(t, "--db", pg.URL("postgres")+"&connect_timeout=2", "--count-cache-ttl", "0")

	if got := readyz(t, base); got != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the database down = %d, want 503", got)
	}
	a, err := post(base, countQuery)
	if err != nil || len(a.codes) != 1 || a.codes[0] != "UNAVAILABLE" || a.status >= 500 {
		t.Errorf("query with the database down = %+v, %v; want UNAVAILABLE, not a 5xx", a, err)
	}

	pg.Start(t)
	eventually(t, "ready once PostgreSQL is up", func() bool { return readyz(t, base) == http.StatusOK })
	a, err = post(base, countQuery)
	if err != nil || len(a.codes) != 0 || !bytes.Contains(a.data, []byte(`"totalCount":0`)) {
		t.Errorf("query once PostgreSQL is up = %+v (%s), %v", a, a.data, err)
	}
	if err := stop(); err != nil {
		t.Errorf("run returned %v", err)
	}
}

// TestPostgresRestartUnderLoad: while clients query, PostgreSQL stops. Every
// request still gets an answer (none hangs, none is a 5xx, the failures are
// coded UNAVAILABLE or TIMEOUT), /readyz says 503, and once PostgreSQL is
// back the server serves again by itself.
func TestPostgresRestartUnderLoad(t *testing.T) {
	pg := testpg.NewCluster(t)
	url := pg.URL("postgres")
	store, err := db.Open(context.Background(), db.Options{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.InsertRows(context.Background(), agnotest.LoadRows(t, "sessions.json"), db.PlainJSON); err != nil {
		t.Fatal(err)
	}
	store.Close()
	base, stop := served(t, "--db", url+"&connect_timeout=2", "--count-cache-ttl", "0")

	var ok, failed atomic.Int64
	var mu sync.Mutex
	var problems []string
	problem := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		if len(problems) < 10 {
			problems = append(problems, s)
		}
	}
	loadCtx, endLoad := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for loadCtx.Err() == nil {
				a, err := post(base, countQuery)
				switch {
				case err != nil:
					problem("transport: " + err.Error())
				case a.status >= 500:
					problem(fmt.Sprintf("HTTP %d %v", a.status, a.codes))
				case len(a.codes) == 0:
					ok.Add(1)
				case a.codes[0] == "UNAVAILABLE" || a.codes[0] == "TIMEOUT":
					failed.Add(1)
				default:
					problem(fmt.Sprintf("unexpected codes %v", a.codes))
				}
			}
		}()
	}
	eventually(t, "queries succeed before the restart", func() bool { return ok.Load() > 20 })

	pg.Stop(t)
	eventually(t, "queries fail while PostgreSQL is down", func() bool { return failed.Load() > 20 })
	if got := readyz(t, base); got != http.StatusServiceUnavailable {
		t.Errorf("/readyz while PostgreSQL is down = %d, want 503", got)
	}
	pg.Start(t)
	okBefore := ok.Load()
	eventually(t, "queries succeed again after the restart", func() bool { return ok.Load() > okBefore+20 })
	if got := readyz(t, base); got != http.StatusOK {
		t.Errorf("/readyz after the restart = %d, want 200", got)
	}
	endLoad()
	wg.Wait()
	t.Logf("%d answered, %d failed with a code while PostgreSQL was down", ok.Load(), failed.Load())
	for _, p := range problems {
		t.Error(p)
	}
	if err := stop(); err != nil {
		t.Errorf("run returned %v", err)
	}
}

// TestShutdownDrainsInFlightRequests: a cancelled server (SIGTERM) lets a
// request in flight finish within the grace period, then run returns nil
// (exit 0); a request outliving the grace period does not keep it running.
func TestShutdownDrainsInFlightRequests(t *testing.T) {
	for _, c := range []struct {
		name      string
		grace     string
		holdLock  time.Duration
		wantWrite bool
	}{
		{"within the grace period", "10s", 500 * time.Millisecond, true},
		{"beyond the grace period", "300ms", 3 * time.Second, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "agno.db")
			store, err := db.Open(context.Background(), db.Options{URL: file})
			if err != nil {
				t.Fatal(err)
			}
			if err := store.InsertRows(context.Background(), agnotest.LoadRows(t, "sessions.json"), db.PlainJSON); err != nil {
				t.Fatal(err)
			}
			store.Close()
			base, stop := served(t, "--db", file, "--shutdown-grace", c.grace)

			// Another writer holds SQLite's write lock, so the rename waits for it (busy_timeout).
			lock, err := sql.Open("sqlite", file)
			if err != nil {
				t.Fatal(err)
			}
			defer lock.Close()
			conn, err := lock.Conn(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
				t.Fatal(err)
			}

			renamed := make(chan answer, 1)
			go func() {
				a, err := post(base, `mutation { renameSession(input: {sessionId: "s-100", name: "during shutdown"}) { session { name } } }`)
				if err != nil {
					a.codes = []string{"transport: " + err.Error()}
				}
				renamed <- a
			}()
			time.Sleep(200 * time.Millisecond) // the rename is waiting for the lock
			stopped := make(chan error, 1)
			var took time.Duration
			go func() {
				start := time.Now()
				err := stop()
				took = time.Since(start)
				stopped <- err
			}()
			time.Sleep(c.holdLock)
			if _, err := conn.ExecContext(context.Background(), "COMMIT"); err != nil {
				t.Fatal(err)
			}
			if err := <-stopped; err != nil {
				t.Errorf("run returned %v, want nil (exit 0)", err)
			}
			a := <-renamed
			if c.wantWrite {
				if a.status != http.StatusOK || len(a.codes) != 0 || !bytes.Contains(a.data, []byte("during shutdown")) {
					t.Errorf("in-flight rename = %+v (%s), want it answered", a, a.data)
				}
			} else if took > 2*time.Second || took >= c.holdLock {
				t.Errorf("run took %v to return with a 300ms grace period, the request holding on for %v", took, c.holdLock)
			}
		})
	}
}

// TestSecurityKey: with --security-key (or OS_SECURITY_KEY) every /graphql
// request needs the key as a bearer token: 401 and no data without it.
func TestSecurityKey(t *testing.T) {
	base, _ := served(t, "--demo", "--security-key", "s3cret-key")
	body := []byte(`{"query":"{ sessions(first: 1) { totalCount } }"}`)
	for _, c := range []struct {
		header string
		want   int
	}{{"", 401}, {"Bearer wrong", 401}, {"Bearer s3cret-key", 200}} {
		req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if c.header != "" {
			req.Header.Set("Authorization", c.header)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.want || (c.want == 401 && bytes.Contains(got, []byte("totalCount"))) {
			t.Errorf("Authorization %q: %d %s, want %d", c.header, resp.StatusCode, got, c.want)
		}
		if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("X-Request-Id") == "" {
			t.Errorf("Authorization %q: headers %v", c.header, resp.Header)
		}
	}
}
