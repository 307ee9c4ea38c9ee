package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"sessiongraph/bench"
	"sessiongraph/models"
)

const pageSize = 20

// scenario is one GraphQL request shape measured against its raw SQL baseline.
type scenario struct {
	key, title string
	query      string
	// variables draws the variables of one request from a worker's random
	// stream; nil for a query without variables. Both phases seed the
	// streams alike, so they send the same requests in the same order.
	variables func(r *rand.Rand) map[string]any
	// substitute, when set, names the variable whose captured value is
	// replaced in the baseline's statement arguments (the session id of (b)).
	substitute string
}

// dataset is what the scenarios need to know about the table.
type dataset struct {
	sessions int64
	ids      []string // random existing session ids, for (b)
	page     int      // the deep page (c) reads, 1-based
	cursor   string   // the cursor that starts it; "" for page 1
}

// inspect reads the row count, picks session ids and builds the cursor of the deep page.
func inspect(ctx context.Context, pool *pgxpool.Pool, schema, table string, page, nIDs int) (dataset, error) {
	from := pgx.Identifier{schema, table}.Sanitize()
	var d dataset
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM "+from).Scan(&d.sessions); err != nil {
		return d, fmt.Errorf("counting sessions: %w", err)
	}
	if d.sessions < pageSize {
		return d, fmt.Errorf("%s holds %d sessions; generate some first (sgbench gen)", from, d.sessions)
	}
	sample, err := sampleSessions(ctx, pool, from, nIDs)
	if err != nil {
		return d, err
	}
	for _, row := range sample {
		d.ids = append(d.ids, row.SessionID)
	}
	// The deep page, or the last full page of a smaller table.
	d.page = min(page, int(d.sessions/pageSize))
	if d.page <= 1 {
		d.page = 1
		return d, nil
	}
	var createdAt int64
	var id string
	// The last row of the page before: the order of the default sessions
	// connection, session_id compared byte-wise as the server does.
	err = pool.QueryRow(ctx, `SELECT created_at, session_id FROM `+from+
		` ORDER BY created_at DESC, session_id COLLATE "C" DESC OFFSET $1 LIMIT 1`, (d.page-1)*pageSize-1).Scan(&createdAt, &id)
	if err != nil {
		return d, fmt.Errorf("finding the cursor of page %d: %w", d.page, err)
	}
	d.cursor = models.SessionCursor{Order: models.DefaultSessionOrder, Int: createdAt, SessionID: id}.Encode()
	return d, nil
}

// sampleSessions picks n random sessions of the table from (a sanitized
// identifier), with the columns that decide their type. The sample is the
// same for the same table contents.
func sampleSessions(ctx context.Context, pool *pgxpool.Pool, from string, n int) ([]models.SessionRow, error) {
	rows, err := pool.Query(ctx, "SELECT session_id, session_type, agent_id, team_id, workflow_id FROM "+from+" ORDER BY md5(session_id) LIMIT $1", n)
	if err != nil {
		return nil, fmt.Errorf("picking session ids: %w", err)
	}
	sample, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (models.SessionRow, error) {
		var r models.SessionRow
		var typ *string
		err := row.Scan(&r.SessionID, &typ, &r.AgentID, &r.TeamID, &r.WorkflowID)
		if typ != nil {
			r.SessionType = *typ
		}
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("picking session ids: %w", err)
	}
	return sample, nil
}

// scenarios returns the scenarios by key: a, b, c (deep page), c1 (page 1, for c's ratio), d.
func (d dataset) scenarios() map[string]*scenario {
	return map[string]*scenario{
		"a": {key: "a", title: "20 newest + totalCount", query: bench.QueryNewest},
		"b": {key: "b", title: "one session, full tree", query: bench.QueryTree, substitute: "id",
			variables: func(r *rand.Rand) map[string]any { return map[string]any{"id": d.ids[r.IntN(len(d.ids))]} }},
		"c": {key: "c", title: fmt.Sprintf("page %d (keyset)", d.page), query: bench.QueryPage,
			variables: func(*rand.Rand) map[string]any { return map[string]any{"after": nullable(d.cursor)} }},
		"c1": {key: "c1", title: "page 1 (for c)", query: bench.QueryPage,
			variables: func(*rand.Rand) map[string]any { return map[string]any{"after": nil} }},
		"d": {key: "d", title: "20 sessions × 5 runs × msgs", query: bench.QueryNested},
	}
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// body encodes a GraphQL-over-HTTP request of the scenario.
func (s *scenario) body(vars map[string]any) []byte { return graphQLBody(s.query, vars) }

// graphQLBody encodes a GraphQL-over-HTTP request.
func graphQLBody(query string, vars map[string]any) []byte {
	b, _ := json.Marshal(struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables,omitempty"`
	}{query, vars})
	return b
}
