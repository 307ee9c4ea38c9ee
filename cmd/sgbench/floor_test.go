package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"sessiongraph/internal/testpg"
)

// TestFloor starts `sgbench floor` in-process on PostgreSQL, gives it a
// scenario whose statement takes a captured session id, and checks that a
// request runs the statement with the id of the request's variable, as the
// raw SQL phase does; that a malformed request is a 400; and that the floor
// stops with its context.
func TestFloor(t *testing.T) {
	dbURL := testpg.NewDatabase(t)
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- runFloor(ctx, []string{"--db", dbURL, "--concurrency", "2"}, pw, io.Discard) }()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	_, url, ok := strings.Cut(strings.TrimSpace(line), " on ")
	if !ok {
		t.Fatalf("first line %q names no address", line)
	}
	p := &floorProcess{url: url, client: newGraphQLClient(url+"/graphql", "", 2)}
	defer p.client.close()

	stmts := []statement{
		{sql: "SELECT $1::text || '/' || $2::int8::text, $3::text", args: []any{"captured", int64(7), "captured"}},
		{sql: "SELECT 'second'"},
	}
	if err := p.serve(ctx, stmts, "captured", "id"); err != nil {
		t.Fatal(err)
	}
	body, err := p.client.check(ctx, []byte(`{"query":"query($id: String!) { session(sessionId: $id) { name } }","variables":{"id":"asked"}}`))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Data struct{ Rows [][]string } `json:"data"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	want := [][]string{{"asked/7", "asked"}, {"second"}}
	if len(got.Data.Rows) != 2 || strings.Join(got.Data.Rows[0], ",") != strings.Join(want[0], ",") || strings.Join(got.Data.Rows[1], ",") != "second" {
		t.Errorf("rows %q, want %q", got.Data.Rows, want)
	}

	status, _, err := p.client.post(ctx, []byte(`{"query":`))
	if err != nil || status != http.StatusBadRequest {
		t.Errorf("a malformed request: status %d, %v; want 400", status, err)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("the floor stopped with %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the floor did not stop with its context")
	}
}
