package models

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
)

// Page sizes of connections (API.md "Connections").
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
	// MaxIDLength bounds the session, run, user and component ids that
	// arguments may carry (bytes). Agno's ids are UUIDs or short names; a
	// longer argument is refused as BAD_USER_INPUT before anything runs.
	MaxIDLength = 4096
	// maxCursorLength bounds a cursor: it holds a session id (at most
	// MaxIDLength) and a stored name, which Agno does not bound but which is
	// far shorter than this in practice.
	maxCursorLength = 64 << 10
)

// CheckCursor reports whether s can be a cursor of this server (any
// connection): bounded, base64url, a JSON object. Which connection and
// order it belongs to is checked where it is used.
func CheckCursor(s string) error {
	var v map[string]any
	if err := decodeCursorJSON(s, &v); err != nil {
		return Errorf(BadUserInput, "%q is not a cursor", truncate(s, 64))
	}
	return nil
}

// PageArgs are a connection's Relay arguments.
type PageArgs struct {
	First  *int
	After  *string
	Last   *int
	Before *string
}

// Window validates the arguments and returns how many items to return and
// whether to take them from the end (last) rather than the start.
func (p PageArgs) Window() (limit int, fromEnd bool, err error) {
	if p.First != nil && p.Last != nil {
		return 0, false, Errorf(BadUserInput, "pass first or last, not both")
	}
	for name, v := range map[string]*int{"first": p.First, "last": p.Last} {
		if v != nil {
			if err := CheckPageSize(name, int64(*v)); err != nil {
				return 0, false, err
			}
		}
	}
	switch {
	case p.Last != nil:
		return *p.Last, true, nil
	case p.First != nil:
		return *p.First, false, nil
	}
	return DefaultPageSize, false, nil
}

// PageInfo tells where a page is (Relay).
type PageInfo struct {
	HasNextPage     bool `json:"hasNextPage"`
	HasPreviousPage bool `json:"hasPreviousPage"`
	cursors         *cursors
}

// StartCursor is the cursor of the page's first element; nil for an empty page.
func (p *PageInfo) StartCursor() *string { return p.cursors.at(0) }

// EndCursor is the cursor of the page's last element; nil for an empty page.
func (p *PageInfo) EndCursor() *string {
	if p.cursors == nil {
		return nil
	}
	return p.cursors.at(p.cursors.n - 1)
}

// cursors are the cursors of a page's elements, each encoded the first time
// it is asked for: a page whose cursors are not selected encodes none.
type cursors struct {
	n      int
	encode func(i int) string
	mu     sync.Mutex
	done   []*string
}

// at returns the cursor of element i; nil when there is no such element.
func (c *cursors) at(i int) *string {
	if c == nil || i < 0 || i >= c.n {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		c.done = make([]*string, c.n)
	}
	if c.done[i] == nil {
		s := c.encode(i)
		c.done[i] = &s
	}
	return c.done[i]
}

// SessionCursor is a keyset position in a session ordering: the order key of
// a row (Int for time orders, Str for text orders) and its session_id.
type SessionCursor struct {
	Order     SessionOrder
	Int       int64
	Str       string
	SessionID string
}

type sessionCursorJSON struct {
	C  string          `json:"c"`
	O  string          `json:"o"`
	K  json.RawMessage `json:"k"`
	ID string          `json:"id"`
}

func orderTag(o SessionOrder) string { return string(o.Field) + ":" + string(o.Direction) }

// Encode returns the opaque cursor string.
func (c SessionCursor) Encode() string {
	var k []byte
	if c.Order.Field.IsText() {
		k, _ = json.Marshal(c.Str)
	} else {
		k = strconv.AppendInt(nil, c.Int, 10)
	}
	b, _ := json.Marshal(sessionCursorJSON{C: "sessions", O: orderTag(c.Order), K: k, ID: c.SessionID})
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeSessionCursor decodes a cursor made for sessions in the given order;
// BAD_USER_INPUT when it is malformed or made for another connection or order.
func DecodeSessionCursor(s string, order SessionOrder) (SessionCursor, error) {
	var raw sessionCursorJSON
	if err := decodeCursorJSON(s, &raw); err != nil || raw.C != "sessions" {
		return SessionCursor{}, Errorf(BadUserInput, "%q is not a sessions cursor", truncate(s, 64))
	}
	if raw.O != orderTag(order) {
		return SessionCursor{}, Errorf(BadUserInput, "the cursor was made for orderBy %s, not %s", raw.O, orderTag(order))
	}
	c := SessionCursor{Order: order, SessionID: raw.ID}
	var err error
	if order.Field.IsText() {
		err = json.Unmarshal(raw.K, &c.Str)
	} else {
		err = json.Unmarshal(raw.K, &c.Int)
	}
	if err != nil {
		return SessionCursor{}, Errorf(BadUserInput, "%q is not a sessions cursor", truncate(s, 64))
	}
	return c, nil
}

func decodeCursorJSON(s string, v any) error {
	if len(s) > maxCursorLength {
		return errNotObject
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// SessionPage is one page of session rows as the Store read it, with the
// order key of each row for its cursor.
type SessionPage struct {
	Rows            []SessionRow
	Keys            []SessionCursor
	HasNextPage     bool
	HasPreviousPage bool
}

// SessionConnection is a page of sessions (Relay).
type SessionConnection struct {
	Edges    []*SessionEdge `json:"edges"`
	Nodes    []Session      `json:"nodes"`
	PageInfo *PageInfo      `json:"pageInfo"`
	count    func(context.Context) (int, error)
}

// edgeCursor is the cursor of element i of a page, encoded when asked for.
type edgeCursor struct {
	cursors *cursors
	i       int
}

// Cursor is the edge's cursor.
func (e edgeCursor) Cursor() string { return *e.cursors.at(e.i) }

// SessionEdge is a session and its cursor.
type SessionEdge struct {
	Node Session `json:"node"`
	edgeCursor
}

// NewSessionConnection builds the connection for a page; count runs only
// when totalCount is asked for.
func NewSessionConnection(dbID string, page SessionPage, count func(context.Context) (int, error)) *SessionConnection {
	c := &SessionConnection{Edges: make([]*SessionEdge, len(page.Rows)), Nodes: make([]Session, len(page.Rows)), count: count}
	keys := page.Keys
	cursors := &cursors{n: len(page.Rows), encode: func(i int) string { return keys[i].Encode() }}
	edges := make([]SessionEdge, len(page.Rows))
	for i, row := range page.Rows {
		s := NewSession(dbID, row)
		c.Nodes[i] = s
		edges[i] = SessionEdge{Node: s, edgeCursor: edgeCursor{cursors, i}}
		c.Edges[i] = &edges[i]
	}
	c.PageInfo = &PageInfo{HasNextPage: page.HasNextPage, HasPreviousPage: page.HasPreviousPage, cursors: cursors}
	return c
}

// TotalCount counts all sessions matching the filter.
func (c *SessionConnection) TotalCount(ctx context.Context) (int, error) { return c.count(ctx) }

// RunConnection is a page of runs (Relay).
type RunConnection struct {
	Edges    []*RunEdge `json:"edges"`
	Nodes    []Run      `json:"nodes"`
	PageInfo *PageInfo  `json:"pageInfo"`
	total    int
	count    func(context.Context) (int, error) // when set, counts instead of total
}

// TotalCount is how many runs match: known with the page for a session's
// runs, counted when asked for across sessions.
func (c *RunConnection) TotalCount(ctx context.Context) (int, error) {
	if c.count != nil {
		return c.count(ctx)
	}
	return c.total, nil
}

// RunEdge is a run and its cursor.
type RunEdge struct {
	Node Run `json:"node"`
	edgeCursor
}

type runCursorJSON struct {
	C  string `json:"c"`
	DB string `json:"db"`
	S  string `json:"s"`
	I  int    `json:"i"`
	ID string `json:"id"`
}

func encodeRunCursor(r *RunCore) string {
	b, _ := json.Marshal(runCursorJSON{C: "runs", DB: r.session.dbID, S: r.session.row.SessionID, I: r.index, ID: r.runID()})
	return base64.RawURLEncoding.EncodeToString(b)
}

// runCursorIndex returns the runs-array index a cursor of session s points
// at: the run with the cursor's run id (stable, since Agno only appends or
// replaces runs in place), else the cursor's index. BAD_USER_INPUT when the
// cursor is malformed or was made for another session's runs.
func (s *SessionCore) runCursorIndex(cursor string, runs []*RunCore) (int, error) {
	var c runCursorJSON
	if err := decodeCursorJSON(cursor, &c); err != nil || c.C != "runs" {
		return 0, Errorf(BadUserInput, "%q is not a runs cursor", truncate(cursor, 64))
	}
	if c.DB != s.dbID || c.S != s.row.SessionID {
		return 0, Errorf(BadUserInput, "the cursor was made for the runs of another session")
	}
	// The cursor's index tells apart runs that share an id (corrupt rows).
	index, found := c.I, false
	for _, r := range runs {
		if c.ID != "" && r.runID() == c.ID && (!found || r.index == c.I) {
			index, found = r.index, true
		}
	}
	return index, nil
}

// matches reports whether the run passes the filter; runs without created_at
// pass the time bounds, as in Agno's REST API.
func (f *RunFilter) matches(r *RunCore) bool {
	if f == nil {
		return true
	}
	if f.TopLevel != nil && *f.TopLevel == (r.doc.text("parent_run_id") != "") {
		return false
	}
	if f.Status != nil {
		st := r.doc.str("status")
		if st == nil || !slices.Contains(f.Status, RunStatus(*st)) {
			return false
		}
	}
	if created := r.doc.float("created_at"); created != nil {
		if after := f.CreatedAfterEpoch(); after != nil && int64(*created) < *after {
			return false
		}
		if before := f.CreatedBeforeEpoch(); before != nil && int64(*created) > *before {
			return false
		}
	}
	return true
}

// RunConnection pages through the session's top-level runs in stored order.
// Unreadable runs are skipped and reported in the error next to a usable connection.
func (s *SessionCore) RunConnection(args PageArgs, filter *RunFilter) (*RunConnection, error) {
	limit, fromEnd, err := args.Window()
	if err != nil {
		return nil, err
	}
	if !s.row.loaded().Runs && s.row.RunsWindow != nil {
		if q := NewRunsRequest(args, filter); q.Same(s.row.RunsWindow.For) {
			return s.windowConnection(q)
		}
	}
	runs, readErr := s.topLevelRuns()
	lo, hi := -1, int(^uint(0)>>1)
	if args.After != nil {
		if lo, err = s.runCursorIndex(*args.After, runs); err != nil {
			return nil, err
		}
	}
	if args.Before != nil {
		if hi, err = s.runCursorIndex(*args.Before, runs); err != nil {
			return nil, err
		}
	}
	var matching, window []*RunCore
	for _, r := range runs {
		if filter.matches(r) {
			matching = append(matching, r)
			if r.index > lo && r.index < hi {
				window = append(window, r)
			}
		}
	}
	page := window
	hasNext, hasPrev := args.Before != nil, args.After != nil
	if fromEnd {
		if len(window) > limit {
			page, hasPrev = window[len(window)-limit:], true
		}
	} else if len(window) > limit {
		page, hasNext = window[:limit], true
	}
	return newRunConnection(page, len(matching), hasNext, hasPrev), readErr
}

func newRunConnection(page []*RunCore, total int, hasNext, hasPrev bool) *RunConnection {
	conn := &RunConnection{Edges: make([]*RunEdge, len(page)), Nodes: make([]Run, len(page)), total: total}
	cursors := &cursors{n: len(page), encode: func(i int) string { return encodeRunCursor(page[i]) }}
	edges := make([]RunEdge, len(page))
	for i, r := range page {
		conn.Nodes[i] = r.typed()
		edges[i] = RunEdge{Node: conn.Nodes[i], edgeCursor: edgeCursor{cursors, i}}
		conn.Edges[i] = &edges[i]
	}
	conn.PageInfo = &PageInfo{HasNextPage: hasNext, HasPreviousPage: hasPrev, cursors: cursors}
	return conn
}
