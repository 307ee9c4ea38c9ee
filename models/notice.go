package models

// ChangeNotice is what sessiongraph's optional NOTIFY trigger on PostgreSQL
// tells of one write to the sessions table or to Agno 3's runs table, the
// moment it commits (see db.Store.ListenChanges). It names the row; what
// the row now holds is read from the change feed (db.Store.Changes), except
// for a deleted row, which the feed never sees: a deleted session's notice
// carries the scalar columns a subscriber's filter needs.
//
// Anyone who may connect to the database may send a notice on the channel
// too: a notice is a hint, and a delete is confirmed (db.Store.Existing)
// before it is announced.
type ChangeNotice struct {
	// Resync is true when the notice cannot name what changed: listening
	// has (re)started, and writes before that went unnoticed (Op is empty);
	// or the trigger left the ids out of a payload too long for PostgreSQL
	// (Op and Run say what was written, SessionID and RunID may be empty).
	// The watcher then checks every session it watches and reads the feed.
	Resync bool
	// Run is true for a row of the runs table, false for a session row.
	Run bool
	// Op is CREATED for an INSERT, UPDATED for an UPDATE (Agno's upserts of
	// an existing row included) and DELETED for a DELETE.
	Op ChangeKind
	// SessionID is the session's id, or the run's session's.
	SessionID string
	// RunID is the run's id; empty for a session.
	RunID string
	// UserID is the owner a deleted row named (a session's user_id, or a
	// run row's copy of its session's); nil for other writes or no owner.
	UserID *string
	// Session holds the scalar columns of a deleted session row (Loaded
	// says no JSON column was read); nil otherwise.
	Session *SessionRow
}
