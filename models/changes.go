package models

import (
	"cmp"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"hash/fnv"
	"slices"
	"strings"
)

// Change is a row of the sessions table or of Agno 3's runs table that a
// change feed read (see db.Store.Changes): written since the feed's cursor,
// in the state it has now. Several writes of a row between two reads are one
// change. A DELETED change is made by whoever saw the session disappear (see
// db.Store.Existing).
type Change struct {
	Kind ChangeKind
	// Session is the session row's scalar columns (no JSON column is read,
	// as Loaded says) for a change of the sessions table; nil for a run.
	Session *SessionRow
	// Run is the run row's columns but run_data for a change of the runs
	// table; its UserID is the owner its session row names, not the runs
	// table's copy. nil for a session.
	Run *RunRow
	// At is the row's timestamp, COALESCE(updated_at, created_at) in epoch
	// seconds: the feed's order.
	At int64
	// Version changes whenever the row is written (see ChangeCursor).
	Version uint32
	// Cursor resumes the feed after this change (see ChangeCursor.Encode).
	Cursor string
}

// SessionID is the changed session's id, or the changed run's session's.
func (c *Change) SessionID() string {
	if c.Run != nil {
		return c.Run.SessionID
	}
	return c.Session.SessionID
}

// UserID is the owner of the changed session (of a run's session): only
// that user, and callers who see every session, may see the change.
func (c *Change) UserID() *string {
	if c.Run != nil {
		return c.Run.UserID
	}
	return c.Session.UserID
}

// rowID is the changed row's key: its run id or session id.
func (c *Change) rowID() string {
	if c.Run != nil {
		return c.Run.RunID
	}
	return c.Session.SessionID
}

func (c *Change) createdAt() int64 {
	if c.Run != nil {
		return c.Run.CreatedAt
	}
	return c.Session.CreatedAt
}

// compareChanges orders changes as the feed delivers them: by timestamp,
// a session before a run at the same second (Agno writes the session row
// first), then by id byte-wise.
func compareChanges(a, b *Change) int {
	if a.At != b.At {
		return cmp.Compare(a.At, b.At)
	}
	if (a.Run == nil) != (b.Run == nil) {
		if a.Run == nil {
			return -1
		}
		return 1
	}
	return strings.Compare(a.rowID(), b.rowID())
}

// sortedChanges returns a sorted copy of one table's changes.
func sortedChanges(changes []Change) []Change {
	return slices.SortedFunc(slices.Values(changes), func(a, b Change) int { return compareChanges(&a, &b) })
}

// FeedConfig bounds a change feed (see ChangeCursor).
type FeedConfig struct {
	// Window is how many seconds behind the newest timestamp delivered each
	// read looks again, for rows committed after a newer one was read.
	Window int64
	// MaxSeen is the most rows per table a cursor remembers delivering.
	MaxSeen int
}

// The defaults of FeedConfig. Agno inserts a new session with the time its
// first run started (updated_at = created_at), seconds before the insert
// commits: the window covers first runs up to that long. Each read reads
// again the rows the cursor remembers, also when nothing is written: the
// memory bounds that cost (a window of 10 s is whole up to 25 writes a
// second in each table).
const (
	DefaultFeedWindow  = 10
	DefaultFeedMaxSeen = 256
)

// MaxCursorSeen is the most remembered rows per table an encoded cursor
// keeps (see ChangeCursor.Encode), which bounds its length.
const MaxCursorSeen = 32

// ChangeCursor is a position in a database's change feed: how far the feed
// has read the sessions table and the runs table. Each table is read in the
// order of its rows' timestamp (COALESCE(updated_at, created_at), epoch
// seconds by the writer's clock) and id. A plain keyset, (timestamp, id)
// after the last row read, would miss a row written in a second already
// read (writes share seconds) with a smaller id or written again, and a row
// committed after a newer one was read. So every
// read looks again at the Window seconds behind the newest timestamp
// delivered, and skips the rows the cursor remembers delivering in the state
// they have: the same id, timestamp and version (which changes on every
// write, see db.Store.Changes), so that a row written twice in one second,
// such as a run changing status, is delivered twice.
//
// The cursor remembers at most MaxSeen rows per table. When more were
// delivered within the window it gives up its oldest seconds (within one
// second, the ids already read), and a row committed late there is missed.
// Also missed: a row whose timestamp, when it commits, is more than Window
// seconds older than the newest one delivered — written by a writer whose
// clock lags, by a transaction that commits long after it took its
// timestamp, or a session Agno inserts with the time its first run started
// when that run outlasted the window while other writes moved the feed on
// (on Agno 3 the run's own row, written with the time it was saved, tells
// of it). Deletions are never in the feed (see db.Store.Existing).
//
// The zero ChangeCursor is before every row; db.Store.ChangeCursorNow is
// after them. A ChangeCursor is a value: Advance returns a new one.
type ChangeCursor struct {
	sessions, runs feedPosition
}

// feedPosition is how far a feed has read one table.
type feedPosition struct {
	// since: rows whose timestamp is older are behind the position, never
	// read again.
	since int64
	// after, when not empty: the rows of second since whose id sorts at or
	// before it are behind too. Only a cursor in memory has it (it names a
	// row; Encode leaves it out).
	after string
	// high and last are the newest (timestamp, id) delivered; last only in
	// memory.
	high int64
	last string
	// seen are the rows delivered that are not behind, oldest delivery first.
	seen []seenRow
}

// seenRow is a row as it was delivered.
type seenRow struct {
	at      int64
	id      uint64 // idHash of the row's id
	version uint32
}

// idHash is what a cursor keeps of an id: never the id, which may be another
// user's.
func idHash(id string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(id))
	return h.Sum64()
}

// from is the oldest timestamp the next read looks at.
func (p *feedPosition) from(window int64) int64 { return max(p.since, p.high-window) }

// FeedRange is what a read of one table returns: the rows whose timestamp
// is at least From (of those at From, when AfterID is not empty, only the
// ones whose id sorts after it byte-wise), the first Limit of them in
// (timestamp, id) order.
type FeedRange struct {
	From    int64
	AfterID string
	Limit   int
}

// Ranges returns what to read of the sessions table and of the runs table
// for a batch of at most limit changes after c: enough rows that, after the
// ones c delivered are skipped, limit+1 are left when there are that many.
func (c ChangeCursor) Ranges(cfg FeedConfig, limit int) (sessions, runs FeedRange) {
	return c.sessions.rangeOf(cfg, limit), c.runs.rangeOf(cfg, limit)
}

func (p *feedPosition) rangeOf(cfg FeedConfig, limit int) FeedRange {
	r := FeedRange{From: p.from(cfg.Window), Limit: limit + 1}
	if r.From == p.since {
		r.AfterID = p.after
	}
	for _, s := range p.seen {
		if s.at >= r.From {
			r.Limit++
		}
	}
	return r
}

// FeedRead is what reading the Ranges returned: each table's rows (in any
// order), with Kind and Cursor unset. RunsTable says whether the database
// has a runs table.
type FeedRead struct {
	Sessions, Runs []Change
	RunsTable      bool
}

// ChangeBatch is what a change feed returns for one read.
type ChangeBatch struct {
	// Changes are the changes after the cursor, oldest first (see
	// compareChanges), each with its kind and the cursor after it.
	Changes []Change
	// Next is the cursor after Changes.
	Next ChangeCursor
	// More is true when more changes were waiting than the batch holds:
	// read again from Next without waiting.
	More bool
}

// behind reports whether ch is outside what the position reads from from on.
func (p *feedPosition) behind(ch *Change, from int64) bool {
	return ch.At < from || (ch.At == p.since && p.after != "" && ch.rowID() <= p.after)
}

// Advance returns the changes of read that c has not delivered, at most
// limit of them, each with its kind and cursor, and the cursor after them.
// Rows outside c's Ranges are ignored.
//
// The kind is CREATED for a row c has not delivered and whose created_at
// is within the range read (so c cannot have seen it before); UPDATED
// otherwise. Timestamps cannot tell more: Agno writes a run's row first
// when the run ends, with the time it started as created_at, so a run that
// outlasts the window (while other writes move the feed on) comes as
// UPDATED. Subscribers treat both kinds as "this row is now so".
func (c ChangeCursor) Advance(read FeedRead, cfg FeedConfig, limit int) ChangeBatch {
	next := c.clone()
	var merged []Change
	more := false
	for _, t := range []struct {
		pos  *feedPosition
		rows []Change
	}{{&next.sessions, read.Sessions}, {&next.runs, read.Runs}} {
		from := t.pos.from(cfg.Window)
		seen := make(map[uint64]seenRow, len(t.pos.seen))
		for _, s := range t.pos.seen {
			seen[s.id] = s
		}
		var fresh []Change
		for _, ch := range sortedChanges(t.rows) {
			prev, known := seen[idHash(ch.rowID())]
			if t.pos.behind(&ch, from) || (known && prev.at == ch.At && prev.version == ch.Version) {
				continue
			}
			ch.Kind = ChangeKindUpdated
			if !known && ch.createdAt() >= from {
				ch.Kind = ChangeKindCreated
			}
			fresh = append(fresh, ch)
		}
		if len(fresh) > limit {
			fresh, more = fresh[:limit], true
		}
		merged = append(merged, fresh...)
	}
	slices.SortStableFunc(merged, func(a, b Change) int { return compareChanges(&a, &b) })
	// Past the last row kept of a table cut above come rows of it not read
	// yet; but the limit rows kept come before, so the other table's rows
	// there are cut here and the batches keep the order.
	if len(merged) > limit {
		merged, more = merged[:limit], true
	}
	for i := range merged {
		ch := &merged[i]
		pos := &next.sessions
		if ch.Run != nil {
			pos = &next.runs
		}
		pos.deliver(ch)
		next.settle(cfg, read.RunsTable)
		ch.Cursor = next.Encode()
	}
	next.settle(cfg, read.RunsTable)
	return ChangeBatch{Changes: merged, Next: next, More: more}
}

func (c ChangeCursor) clone() ChangeCursor {
	c.sessions.seen = slices.Clone(c.sessions.seen)
	c.runs.seen = slices.Clone(c.runs.seen)
	return c
}

// deliver remembers ch as delivered, in place of any earlier state of its row.
func (p *feedPosition) deliver(ch *Change) {
	id := idHash(ch.rowID())
	p.seen = slices.DeleteFunc(p.seen, func(s seenRow) bool { return s.id == id })
	p.seen = append(p.seen, seenRow{at: ch.At, id: id, version: ch.Version})
	if ch.At > p.high || (ch.At == p.high && ch.rowID() > p.last) {
		p.high, p.last = ch.At, ch.rowID()
	}
}

// settle moves c's positions past what they need not read again: rows
// older than the window, and the oldest remembered rows past MaxSeen.
// Without a runs table, the runs position keeps up with the sessions one,
// so that when Agno 3 creates the table its rows are read from then on
// (not the runs its migration copies in with their old timestamps).
func (c *ChangeCursor) settle(cfg FeedConfig, runsTable bool) {
	c.sessions.prune(cfg)
	if !runsTable {
		c.runs = feedPosition{since: max(c.runs.since, c.sessions.from(cfg.Window))}
	}
	c.runs.prune(cfg)
}

func (p *feedPosition) prune(cfg FeedConfig) {
	if low := p.high - cfg.Window; low > p.since {
		p.since, p.after = low, ""
	}
	p.seen = slices.DeleteFunc(p.seen, func(s seenRow) bool { return s.at < p.since })
	for len(p.seen) > cfg.MaxSeen {
		oldest := p.seen[0].at
		for _, s := range p.seen {
			oldest = min(oldest, s.at)
		}
		if oldest < p.high { // give up the oldest second
			p.since, p.after = oldest+1, ""
			p.seen = slices.DeleteFunc(p.seen, func(s seenRow) bool { return s.at < p.since })
			continue
		}
		// All in the newest second: what was read of it is behind.
		p.since, p.after, p.seen = p.high, p.last, nil
	}
}

// ChangeCursorAfter returns the cursor after every row of a database, given
// each table's newest rows (those within cfg.Window seconds of the newest,
// at most cfg.MaxSeen+1 of them), so that a feed started from it delivers
// only later writes, a later write in those seconds included.
func ChangeCursorAfter(newest FeedRead, cfg FeedConfig) ChangeCursor {
	var c ChangeCursor
	for _, t := range []struct {
		pos  *feedPosition
		rows []Change
	}{{&c.sessions, newest.Sessions}, {&c.runs, newest.Runs}} {
		rows := sortedChanges(t.rows)
		if n := len(rows) - cfg.MaxSeen; n > 0 {
			floor := rows[n-1]
			t.pos.since, t.pos.after = floor.At, floor.rowID()
			rows = rows[n:]
		}
		for i := range rows {
			t.pos.deliver(&rows[i])
		}
	}
	c.settle(cfg, newest.RunsTable)
	return c
}

// changeCursorJSON is an encoded ChangeCursor.
type changeCursorJSON struct {
	C string       `json:"c"`
	S positionJSON `json:"s"`
	R positionJSON `json:"r"`
}

// positionJSON is an encoded feedPosition: seen packs each remembered row
// as high-at (varint), the id's hash (8 bytes) and the version (4 bytes).
type positionJSON struct {
	Since int64  `json:"t"`
	High  int64  `json:"h"`
	Seen  []byte `json:"s,omitempty"`
}

// Encode returns the opaque cursor string a client resumes with. It keeps
// the MaxCursorSeen rows of each table delivered last (by hash, never by
// id) and not the id of the row where an over-full second stopped: a feed
// resumed from it may deliver again a change it delivered within the
// window, never miss one.
func (c ChangeCursor) Encode() string {
	b, _ := json.Marshal(changeCursorJSON{C: "changes", S: c.sessions.encode(), R: c.runs.encode()})
	return base64.RawURLEncoding.EncodeToString(b)
}

func (p *feedPosition) encode() positionJSON {
	seen := p.seen[max(0, len(p.seen)-MaxCursorSeen):]
	var b []byte
	for _, s := range seen {
		b = binary.AppendVarint(b, p.high-s.at)
		b = binary.BigEndian.AppendUint64(b, s.id)
		b = binary.BigEndian.AppendUint32(b, s.version)
	}
	return positionJSON{Since: p.since, High: p.high, Seen: b}
}

// DecodeChangeCursor decodes a cursor Encode made; BAD_USER_INPUT when it
// is malformed or made for something else.
func DecodeChangeCursor(s string) (ChangeCursor, error) {
	var raw changeCursorJSON
	bad := Errorf(BadUserInput, "%q is not a change cursor", truncate(s, 64))
	if err := decodeCursorJSON(s, &raw); err != nil || raw.C != "changes" {
		return ChangeCursor{}, bad
	}
	var c ChangeCursor
	var ok bool
	if c.sessions, ok = raw.S.decode(); !ok {
		return ChangeCursor{}, bad
	}
	if c.runs, ok = raw.R.decode(); !ok {
		return ChangeCursor{}, bad
	}
	return c, nil
}

func (j positionJSON) decode() (feedPosition, bool) {
	p := feedPosition{since: j.Since, high: j.High}
	for b := j.Seen; len(b) > 0; {
		back, n := binary.Varint(b)
		if n <= 0 || len(b) < n+12 || len(p.seen) == MaxCursorSeen {
			return feedPosition{}, false
		}
		s := seenRow{at: p.high - back, id: binary.BigEndian.Uint64(b[n:]), version: binary.BigEndian.Uint32(b[n+8:])}
		if s.at >= p.since {
			p.seen = append(p.seen, s)
		}
		b = b[n+12:]
	}
	return p, true
}
