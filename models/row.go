package models

import (
	"encoding/json"
	"sync"
)

// SessionRow is one agno_sessions row in logical form. JSON columns hold the
// document: nil means SQL NULL, the literal null means JSON null (what Agno
// writes for a Python None; both read as absent), anything else the stored
// document. The Store undoes backend encodings (SQLite double encoding) before
// a row reaches this type, and applies them again on writes. A row's bytes
// are never modified once read: the strings models returns are views of them.
type SessionRow struct {
	SessionID    string
	SessionType  string
	AgentID      *string
	TeamID       *string
	WorkflowID   *string
	UserID       *string
	SessionData  json.RawMessage
	AgentData    json.RawMessage
	TeamData     json.RawMessage
	WorkflowData json.RawMessage
	Metadata     json.RawMessage
	Runs         json.RawMessage
	Summary      json.RawMessage
	CreatedAt    int64
	UpdatedAt    *int64

	// ValidJSON says the JSON columns are valid JSON by construction
	// (PostgreSQL jsonb), so reading them skips validation.
	ValidJSON bool
	// Loaded says which JSON columns were read; nil means all of them.
	Loaded *SessionColumns
	// RunsWindow, read instead of Runs, holds the runs one runs(...)
	// connection asks for, sliced in the database.
	RunsWindow *RunsWindow
	// NameRuns, read instead of Runs when only a name must be derived, holds
	// the runs (or their parts) that Agno's name derivation looks at.
	NameRuns json.RawMessage
	// NameMemo, when set with NameRuns, keeps the name derived from those
	// runs for every row that shares them (the Store's names cache), so
	// that it is derived once rather than on every read.
	NameMemo *NameMemo
	// RunsProblem is what was left out of Runs because it could not be
	// read when the Store put Runs together (from Agno 3's runs table and
	// the legacy column): reported with the runs, as corrupt data is.
	RunsProblem error
	// LastRunAt is the latest created_at or updated_at of the session's rows
	// in Agno 3's runs table (nil without any), read for LastActivity: Agno
	// 3 can change a run without writing the session row.
	LastRunAt *int64
	// NameVersions, read with NameVersions, is a JSON array of the first
	// runs of a session whose name is derived, each [run_id, run_type,
	// version], for the Store's names cache; null when none is derived.
	NameVersions json.RawMessage
}

// SessionColumns says which JSON columns of a session row to read; the
// scalar columns are always read. Reading only what a request selects keeps
// large columns (runs is often megabytes) off the wire.
type SessionColumns struct {
	SessionData bool
	// SessionName asks for session_data's session_name only (a name's, when
	// nothing else of session_data is selected): a backend that can reads
	// an object of that one key in place of a session_data that may hold
	// megabytes of session_state. With it alone, SessionData's readers but
	// the stored name report the column as not read.
	SessionName  bool
	AgentData    bool
	TeamData     bool
	WorkflowData bool
	Metadata     bool
	Summary      bool
	Runs         bool
	// NameRuns asks for what deriving a name needs when none is stored.
	NameRuns bool
	// RunsWindow asks for the runs of one runs(...) connection only; a
	// backend that cannot slice in the database reads Runs instead.
	RunsWindow *RunsRequest
	// LastActivity asks for when the session's runs in Agno 3's runs table
	// were last created or updated (see LastRunAt).
	LastActivity bool
	// NameVersions, a Store's own, asks the sessions statement for the row
	// versions of the first runs in Agno 3's runs table of the sessions
	// whose name is derived (see SessionRow.NameVersions), in place of name
	// runs.
	NameVersions bool
}

// AllColumns reads every column.
var AllColumns = SessionColumns{SessionData: true, AgentData: true, TeamData: true, WorkflowData: true,
	Metadata: true, Summary: true, Runs: true, NameRuns: true, LastActivity: true}

// loaded returns the columns that were read.
func (r *SessionRow) loaded() SessionColumns {
	if r.Loaded == nil {
		return AllColumns
	}
	return *r.Loaded
}

// EffectiveType is the row's session type: session_type when it is one of
// Agno's three values, else (legacy rows) derived from the component ids as
// Agno's REST layer does.
func (r *SessionRow) EffectiveType() SessionType {
	if t, ok := SessionTypeOfStored(r.SessionType); ok {
		return t
	}
	switch {
	case r.AgentID != nil && *r.AgentID != "":
		return SessionTypeAgent
	case r.TeamID != nil && *r.TeamID != "":
		return SessionTypeTeam
	case r.WorkflowID != nil && *r.WorkflowID != "":
		return SessionTypeWorkflow
	}
	return SessionTypeAgent
}

// NameMemo is a name derived from one set of name runs (SessionRow.NameRuns)
// for one session type, kept for the rows that read the same runs. Only what
// the runs decide is kept: a workflow session whose runs decide nothing
// falls back to its workflow_data, read from its own row every time.
type NameMemo struct {
	once     sync.Once
	name     string
	fromRuns bool
}

// derive returns the memo's name, computing it with from the first time.
func (m *NameMemo) derive(from func() (string, bool)) (string, bool) {
	m.once.Do(func() { m.name, m.fromRuns = from() })
	return m.name, m.fromRuns
}
