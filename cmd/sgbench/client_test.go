package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestGraphQLClient checks the client's HTTP/1.1 against net/http's server:
// a body with a Content-Length and a chunked one are read whole, the bearer
// token and the request body arrive, connections are reused, an answer
// with "Connection: close" is not reused, and a request on an idle
// connection the server has closed is sent again on a new one.
func TestGraphQLClient(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/chunked":
			w.Write([]byte(strings.Repeat("x", 5000))) // over net/http's 2 kB: chunked
			w.(http.Flusher).Flush()
			w.Write([]byte("end"))
		case "/close":
			w.Header().Set("Connection", "close")
			w.Write([]byte("bye"))
		default:
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(r.Header.Get("Authorization") + "|" + string(body)))
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c := newGraphQLClient(srv.URL+"/graphql", "secret", 2)
	defer c.close()
	ctx := context.Background()

	status, b, err := c.post(ctx, []byte(`{"query":"{ a }"}`))
	if err != nil || status != 200 || string(b) != `Bearer secret|{"query":"{ a }"}` {
		t.Fatalf("post: %d %q %v", status, b, err)
	}
	status, b, err = c.get(ctx, srv.URL+"/chunked")
	if err != nil || status != 200 || string(b) != strings.Repeat("x", 5000)+"end" {
		t.Fatalf("chunked: %d, %d bytes, %v", status, len(b), err)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for two requests one after the other, want 1", n)
	}
	if _, b, err = c.get(ctx, srv.URL+"/close"); err != nil || string(b) != "bye" {
		t.Fatalf("close: %q %v", b, err)
	}
	if _, _, err = c.post(ctx, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("%d connections after an answer with Connection: close, want 2", n)
	}
	srv.CloseClientConnections() // as the server's IdleTimeout would
	if status, b, err = c.post(ctx, []byte(`{"again":1}`)); err != nil || status != 200 || string(b) != `Bearer secret|{"again":1}` {
		t.Fatalf("after the server closed the idle connection: %d %q %v", status, b, err)
	}
	if n := conns.Load(); n != 3 {
		t.Errorf("%d connections after the server closed the idle one, want 3", n)
	}
}

// TestGraphQLClientCancel checks that canceling a request's context ends
// the wait for an answer that does not come.
func TestGraphQLClientCancel(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	c := newGraphQLClient(srv.URL+"/graphql", "", 1)
	defer c.close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, _, err := c.post(ctx, []byte(`{}`)); done <- err }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Error("a canceled request without an answer returned no error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a canceled request still waits for its answer")
	}
}
