package models

import (
	"hash/fnv"
	"sync/atomic"
	"time"
)

// SessionEvent is what a sessionEvents subscription delivers: a session
// created, updated (renamed, a run added or changed) or deleted. A
// subscription that must end (its token expired) delivers a last event
// carrying the reason, which its first field resolved reports.
type SessionEvent struct {
	kind      ChangeKind
	sessionID string
	session   Session
	at        time.Time
	cursor    string
	end       *terminal
}

// NewSessionEvent returns an event about sessionID; session is the session
// as it is now, nil when it was deleted or not asked for.
func NewSessionEvent(kind ChangeKind, sessionID string, session Session, at time.Time, cursor string) *SessionEvent {
	return &SessionEvent{kind: kind, sessionID: sessionID, session: session, at: at, cursor: cursor}
}

// NewEndingSessionEvent returns the last event of a subscription ended by err.
func NewEndingSessionEvent(err error) *SessionEvent {
	return &SessionEvent{end: &terminal{err: err}}
}

// Kind is what happened.
func (e *SessionEvent) Kind() (ChangeKind, error) { return e.kind, e.end.report() }

// SessionID is the session's id.
func (e *SessionEvent) SessionID() (string, error) { return e.sessionID, e.end.report() }

// Session is the session as it is now; nil when it was deleted.
func (e *SessionEvent) Session() (Session, error) { return e.session, e.end.report() }

// At is when the change was written (the row's updated_at, else
// created_at), or when the deletion was seen.
func (e *SessionEvent) At() (time.Time, error) { return e.at, e.end.report() }

// Cursor resumes the subscription after this event.
func (e *SessionEvent) Cursor() (string, error) { return e.cursor, e.end.report() }

// RunEvent is what a runEvents subscription delivers: a run of the
// subscribed session created or updated, or the session deleted (runId "").
type RunEvent struct {
	kind      ChangeKind
	runID     string
	sessionID string
	run       Run
	at        time.Time
	cursor    string
	end       *terminal
}

// NewRunEvent returns an event about runID of sessionID; run is the run as
// it is now, nil when its session was deleted.
func NewRunEvent(kind ChangeKind, sessionID, runID string, run Run, at time.Time, cursor string) *RunEvent {
	return &RunEvent{kind: kind, runID: runID, sessionID: sessionID, run: run, at: at, cursor: cursor}
}

// NewEndingRunEvent returns the last event of a subscription ended by err.
func NewEndingRunEvent(err error) *RunEvent {
	return &RunEvent{end: &terminal{err: err}}
}

// Kind is what happened.
func (e *RunEvent) Kind() (ChangeKind, error) { return e.kind, e.end.report() }

// RunID is the run's id ("" when the session was deleted).
func (e *RunEvent) RunID() (string, error) { return e.runID, e.end.report() }

// SessionID is the run's session's id.
func (e *RunEvent) SessionID() (string, error) { return e.sessionID, e.end.report() }

// Run is the run as it is now; nil when its session was deleted.
func (e *RunEvent) Run() (Run, error) { return e.run, e.end.report() }

// At is when the change was written or the deletion seen.
func (e *RunEvent) At() (time.Time, error) { return e.at, e.end.report() }

// Cursor resumes the subscription after this event.
func (e *RunEvent) Cursor() (string, error) { return e.cursor, e.end.report() }

// terminal is why a subscription ends; the first field resolved reports
// it, so that the response carries the reason once (the event, non-null,
// is then null as a whole).
type terminal struct {
	err      error
	reported atomic.Bool
}

func (t *terminal) report() error {
	if t == nil || t.reported.Swap(true) {
		return nil
	}
	return t.err
}

// RunFingerprint identifies a run's stored state: it changes when the run's
// stored JSON does. A live transcript compares fingerprints to tell which
// runs of a session changed.
func RunFingerprint(r Run) uint64 {
	h := fnv.New64a()
	_, _ = h.Write(r.Core().raw)
	return h.Sum64()
}
