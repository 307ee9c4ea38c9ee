package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

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
	// peer is the matching request to a peer server (PostGraphile, see
	// peerQueries), sent with the same variables; "" when it has none.
	peer string
}

// dataset is what the scenarios need to know about the tables.
type dataset struct {
	sessions int64
	ids      []string // random existing session ids, for (b); the long session is not among them
	page     int      // the deep page (c) reads, 1-based
	cursor   string   // the cursor that starts it; "" for page 1
	// runsTable: the database keeps runs in Agno 3's runs table (else in
	// Agno 2's runs column of the sessions table).
	runsTable bool
	// longSession is the session with the most runs, for (f), and longRuns
	// how many it has.
	longSession string
	longRuns    int64
	// runsPage is the deep page of allRuns (g) reads, runsCursor the cursor
	// that starts it; both zero without a runs table.
	runsPage   int
	runsCursor string
	// newest is the creation time of the newest run (epoch seconds), the
	// end of the 30 days usage (u) reads.
	newest int64
}

// tables names the tables inspect reads (sanitized identifiers).
type tables struct {
	sessions string
	runs     string // "" without a runs table
}

// inspect reads the row count, finds the long session, picks session ids
// and builds the cursors of the deep pages.
func inspect(ctx context.Context, pool *pgxpool.Pool, t tables, page, runsPage, nIDs int) (dataset, error) {
	d := dataset{runsTable: t.runs != ""}
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM "+t.sessions).Scan(&d.sessions); err != nil {
		return d, fmt.Errorf("counting sessions: %w", err)
	}
	if d.sessions < pageSize {
		return d, fmt.Errorf("%s holds %d sessions; generate some first (sgbench gen)", t.sessions, d.sessions)
	}
	var err error
	if d.longSession, d.longRuns, err = longestSession(ctx, pool, t); err != nil {
		return d, err
	}
	sample, err := sampleSessions(ctx, pool, t.sessions, nIDs, d.longSession)
	if err != nil {
		return d, err
	}
	for _, row := range sample {
		d.ids = append(d.ids, row.SessionID)
	}
	// The deep page, or the last full page of a smaller table.
	if d.page = min(page, int(d.sessions/pageSize)); d.page > 1 {
		var createdAt int64
		var id string
		// The last row of the page before: the order of the default sessions
		// connection, session_id compared byte-wise as the server does.
		err = pool.QueryRow(ctx, `SELECT created_at, session_id FROM `+t.sessions+
			` ORDER BY created_at DESC, session_id COLLATE "C" DESC OFFSET $1 LIMIT 1`, (d.page-1)*pageSize-1).Scan(&createdAt, &id)
		if err != nil {
			return d, fmt.Errorf("finding the cursor of page %d: %w", d.page, err)
		}
		d.cursor = models.SessionCursor{Order: models.DefaultSessionOrder, Int: createdAt, SessionID: id}.Encode()
	}
	d.page = max(d.page, 1)
	if err := pool.QueryRow(ctx, "SELECT COALESCE(max(created_at), 0) FROM "+t.sessions).Scan(&d.newest); err != nil {
		return d, fmt.Errorf("finding the newest session: %w", err)
	}
	if !d.runsTable {
		return d, nil
	}
	if err := pool.QueryRow(ctx, "SELECT COALESCE(max(created_at), 0) FROM "+t.runs).Scan(&d.newest); err != nil {
		return d, fmt.Errorf("finding the newest run: %w", err)
	}
	var runs int64
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM "+t.runs).Scan(&runs); err != nil {
		return d, fmt.Errorf("counting runs: %w", err)
	}
	if d.runsPage = min(runsPage, int(runs/pageSize)); d.runsPage > 1 {
		var k models.RunKey
		// allRuns' default order: created_at, then run_id byte-wise, newest first.
		err = pool.QueryRow(ctx, `SELECT created_at, run_id FROM `+t.runs+
			` ORDER BY created_at DESC, run_id COLLATE "C" DESC OFFSET $1 LIMIT 1`, (d.runsPage-1)*pageSize-1).Scan(&k.CreatedAt, &k.RunID)
		if err != nil {
			return d, fmt.Errorf("finding the cursor of allRuns page %d: %w", d.runsPage, err)
		}
		d.runsCursor = k.Encode(models.DefaultRunOrder)
	}
	d.runsPage = max(d.runsPage, 1)
	return d, nil
}

// longestSession returns the session with the most runs and their number:
// in the runs table, or, in Agno 2's layout, the one whose runs column is
// stored in the most bytes (pg_column_size reads no value).
func longestSession(ctx context.Context, pool *pgxpool.Pool, t tables) (string, int64, error) {
	query := "SELECT session_id, count(*) FROM " + t.runs + " GROUP BY session_id ORDER BY count(*) DESC, session_id LIMIT 1"
	if t.runs == "" {
		query = "SELECT session_id, CASE WHEN jsonb_typeof(runs) = 'array' THEN jsonb_array_length(runs) ELSE 0 END FROM " + t.sessions +
			" ORDER BY pg_column_size(runs) DESC NULLS LAST, session_id LIMIT 1"
	}
	var id string
	var n int64
	err := pool.QueryRow(ctx, query).Scan(&id, &n)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", 0, nil
	}
	if err != nil {
		return "", 0, fmt.Errorf("finding the session with the most runs: %w", err)
	}
	return id, n, nil
}

// sampleSessions picks n random sessions of the table from (a sanitized
// identifier), with the columns that decide their type, leaving out the
// session except (when not empty). The sample is the same for the same
// table contents.
func sampleSessions(ctx context.Context, pool *pgxpool.Pool, from string, n int, except string) ([]models.SessionRow, error) {
	rows, err := pool.Query(ctx, "SELECT session_id, session_type, agent_id, team_id, workflow_id FROM "+from+
		" WHERE session_id <> $2 ORDER BY md5(session_id) LIMIT $1", n, except)
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

// scenarioKeys are the scenarios in the order they run; c and g bring
// their page 1 (c1, g1) along.
var scenarioKeys = []string{"a", "b", "c", "c1", "d", "e", "f", "g", "g1", "h", "i", "j", "k", "u"}

// searchWords are what scenario i looks for: words of the generated
// conversations, each in a share of the sessions.
var searchWords = []string{"refund", "invoice", "delivery", "password", "translate", "revenue"}

// scenarios returns the scenarios by key: a, b, c (deep page), c1 (page 1,
// for c's ratio), d, e, f, g (a deep page of allRuns) and g1 (its page 1).
// f needs a session with at least 5 runs, g and g1 a runs table; without,
// they are missing.
func (d dataset) scenarios() map[string]*scenario {
	tree := peerGetSession
	if !d.runsTable {
		tree = peerGetSession2
	}
	id := func(ids []string) func(r *rand.Rand) map[string]any {
		return func(r *rand.Rand) map[string]any { return map[string]any{"id": ids[r.IntN(len(ids))]} }
	}
	out := map[string]*scenario{
		"a": {key: "a", title: "20 newest + totalCount", query: bench.QueryNewest, peer: peerListSessions},
		"b": {key: "b", title: "one session, full tree", query: bench.QueryTree, substitute: "id", variables: id(d.ids), peer: tree},
		"c": {key: "c", title: fmt.Sprintf("page %d (keyset)", d.page), query: bench.QueryPage,
			variables: func(*rand.Rand) map[string]any { return map[string]any{"after": nullable(d.cursor)} }},
		"c1": {key: "c1", title: "page 1 (for c)", query: bench.QueryPage,
			variables: func(*rand.Rand) map[string]any { return map[string]any{"after": nil} }},
		"d": {key: "d", title: "20 sessions × 5 runs × msgs", query: bench.QueryNested},
		"e": {key: "e", title: "allRuns, 20 newest ERROR", query: bench.QueryErrorRuns},
		"k": {key: "k", title: "20 sessions × last 3 runs' status", query: bench.QueryRunStatuses},
		// An order number: a handful of sessions hold each.
		"h": {key: "h", title: "textContains an order number + totalCount", query: bench.QueryTextSearch,
			variables: func(r *rand.Rand) map[string]any {
				return map[string]any{"text": fmt.Sprintf("order #%d", 10000+r.IntN(90000))}
			}},
		"i": {key: "i", title: "textContains a common word + totalCount", query: bench.QueryTextSearch,
			variables: func(r *rand.Rand) map[string]any {
				return map[string]any{"text": searchWords[r.IntN(len(searchWords))]}
			}},
		"j": {key: "j", title: "facets: users, components, models", query: bench.QueryFacets},
		"u": {key: "u", title: "usage, day × component, 30 days", query: bench.QueryUsageDaily,
			variables: func(*rand.Rand) map[string]any {
				return map[string]any{"since": time.Unix(d.newest-30*24*3600, 0).UTC().Format(time.RFC3339)}
			}},
	}
	if d.longRuns >= 5 {
		f := &scenario{key: "f", title: fmt.Sprintf("last 5 of %d runs", d.longRuns), query: bench.QueryLastRuns, variables: id([]string{d.longSession})}
		if d.runsTable {
			f.peer = peerLastRuns
		}
		out["f"] = f
	}
	if d.runsTable {
		out["g"] = &scenario{key: "g", title: fmt.Sprintf("allRuns page %d (keyset)", d.runsPage), query: bench.QueryRunsPage,
			variables: func(*rand.Rand) map[string]any { return map[string]any{"after": nullable(d.runsCursor)} }}
		out["g1"] = &scenario{key: "g1", title: "allRuns page 1 (for g)", query: bench.QueryRunsPage,
			variables: func(*rand.Rand) map[string]any { return map[string]any{"after": nil} }}
	}
	return out
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// body encodes a GraphQL-over-HTTP request of the scenario.
func (s *scenario) body(vars map[string]any) []byte { return graphQLBody(s.query, vars) }

// peerBody encodes the matching request to the peer.
func (s *scenario) peerBody(vars map[string]any) []byte { return graphQLBody(s.peer, vars) }

// graphQLBody encodes a GraphQL-over-HTTP request.
func graphQLBody(query string, vars map[string]any) []byte {
	b, _ := json.Marshal(struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables,omitempty"`
	}{query, vars})
	return b
}
