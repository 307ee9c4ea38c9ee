package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"

	"sessiongraph/db"
	"sessiongraph/graph"
	"sessiongraph/httpserver"
)

// statement is one SQL statement the server ran, with its arguments.
type statement struct {
	sql  string
	args []any
}

// recorder collects the statements a Store runs (see db.Store.OnStatement).
type recorder struct {
	mu    sync.Mutex
	stmts []statement
}

func (r *recorder) record(_ context.Context, st db.Statement) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stmts = append(r.stmts, statement{sql: st.SQL, args: slices.Clone(st.Args)})
}

func (r *recorder) take() []statement {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.stmts
	r.stmts = nil
	return out
}

// capturer serves GraphQL requests in-process, on a Store of the benchmark
// database, to learn which SQL the server runs for each scenario.
type capturer struct {
	store   *db.Store
	rec     *recorder
	handler http.Handler
}

func newCapturer(ctx context.Context, opts db.Options) (*capturer, error) {
	store, err := db.Open(ctx, opts)
	if err != nil {
		return nil, err
	}
	rec := &recorder{}
	if err := store.OnStatement("sgbench:record", rec.record); err != nil {
		_ = store.Close()
		return nil, err
	}
	rec.take() // whatever opening the store ran
	// Warnings only: a line per captured operation would drown the report.
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	web := httpserver.New(httpserver.Options{Logger: logger})
	handler := web.Wrap(web.GraphQL(graph.NewServer(&graph.Resolver{Stores: []*db.Store{store}}, graph.Options{Logger: logger})))
	return &capturer{store: store, rec: rec, handler: handler}, nil
}

func (c *capturer) Close() error { return c.store.Close() }

// capture serves a request twice and returns the statements of the second,
// warm one: what the server runs in steady state, after per-process caches
// (such as a totalCount cache) are filled. cold is what the first request
// ran; when the warm request ran no SQL at all, the cold statements are used.
func (c *capturer) capture(ctx context.Context, body []byte) (warm, cold []statement, err error) {
	if cold, err = c.serve(ctx, body); err != nil {
		return nil, nil, err
	}
	if len(cold) == 0 {
		return nil, nil, fmt.Errorf("the request ran no SQL")
	}
	if warm, err = c.serve(ctx, body); err != nil {
		return nil, nil, err
	}
	if len(warm) == 0 {
		warm = cold
	}
	return warm, cold, nil
}

// serve serves one request in-process and returns the statements it ran.
func (c *capturer) serve(ctx context.Context, body []byte) ([]statement, error) {
	c.rec.take()
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	c.handler.ServeHTTP(w, req)
	if err := checkResponse(w.Code, w.Body.Bytes()); err != nil {
		return nil, fmt.Errorf("serving the request in-process: %w", err)
	}
	return c.rec.take(), nil
}

// replay runs the statements one after the other as a driver must: every
// row read, every column copied into its own []byte. When from is not empty,
// a string argument equal to it is replaced by to (the session id the
// statements were captured with by the one of this request). It returns
// the bytes read.
func replay(ctx context.Context, pool *pgxpool.Pool, stmts []statement, from, to string) (int, error) {
	n := 0
	var row [][]byte
	for _, st := range stmts {
		rows, err := pool.Query(ctx, st.sql, swapArg(st.args, from, to)...)
		if err != nil {
			return n, err
		}
		for rows.Next() {
			row = row[:0]
			for _, v := range rows.RawValues() {
				row = append(row, bytes.Clone(v))
				n += len(v)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return n, err
		}
	}
	return n, nil
}

// swapArg returns args with each string argument equal to from replaced
// by to (args itself when from is "").
func swapArg(args []any, from, to string) []any {
	if from == "" {
		return args
	}
	args = slices.Clone(args)
	for i, a := range args {
		if s, ok := a.(string); ok && s == from {
			args[i] = to
		}
	}
	return args
}

// checkResponse accepts a 200 answer without GraphQL errors.
func checkResponse(status int, body []byte) error {
	if status != http.StatusOK {
		return fmt.Errorf("status %d: %.300s", status, body)
	}
	if bytes.Contains(body, []byte(`"errors":`)) {
		return fmt.Errorf("GraphQL errors: %.300s", body)
	}
	return nil
}
