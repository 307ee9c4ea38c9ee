package models

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// Node is an object with a global id.
type Node interface {
	IsNode()
	GetID() string
}

// Session is an agent, team or workflow session.
type Session interface {
	Node
	IsSession()
	// Core returns what all session types share.
	Core() *SessionCore
}

// SessionCore holds one stored row and decodes its JSON columns lazily, each
// at most once; a column that fails to decode fails only the fields using it.
type SessionCore struct {
	dbID string
	row  SessionRow
	typ  SessionType

	dataOnce sync.Once
	data     object
	dataErr  error

	runsOnce sync.Once
	runs     []*runCore
	runsErr  error

	nameRunsOnce sync.Once
	nameRuns     []*runCore

	nameOnce    sync.Once
	name        string
	nameDerived bool
}

// AgentSession is a session with session_type "agent".
type AgentSession struct{ *SessionCore }

// TeamSession is a session with session_type "team".
type TeamSession struct{ *SessionCore }

// WorkflowSession is a session with session_type "workflow".
type WorkflowSession struct{ *SessionCore }

// IsNode marks a Node.
func (AgentSession) IsNode() {}

// IsSession marks a Session.
func (AgentSession) IsSession() {}

// IsNode marks a Node.
func (TeamSession) IsNode() {}

// IsSession marks a Session.
func (TeamSession) IsSession() {}

// IsNode marks a Node.
func (WorkflowSession) IsNode() {}

// IsSession marks a Session.
func (WorkflowSession) IsSession() {}

// NewSession turns a stored row of database dbID into the session of its type.
func NewSession(dbID string, row SessionRow) Session {
	core := &SessionCore{dbID: dbID, row: row, typ: row.EffectiveType()}
	return core.typed()
}

// typed returns the session as its type.
func (s *SessionCore) typed() Session {
	switch s.typ {
	case SessionTypeTeam:
		return &TeamSession{s}
	case SessionTypeWorkflow:
		return &WorkflowSession{s}
	}
	return &AgentSession{s}
}

// Core returns the shared session state.
func (s *SessionCore) Core() *SessionCore { return s }

// Row returns the stored row.
func (s *SessionCore) Row() *SessionRow { return &s.row }

// DBID returns the id of the database the session was read from.
func (s *SessionCore) DBID() string { return s.dbID }

// typeName is the GraphQL type name of the session.
func (s *SessionCore) typeName() string {
	switch s.typ {
	case SessionTypeTeam:
		return "TeamSession"
	case SessionTypeWorkflow:
		return "WorkflowSession"
	}
	return "AgentSession"
}

// GetID returns the global id.
func (s *SessionCore) GetID() string { return s.ID() }

// ID returns the global id.
func (s *SessionCore) ID() string {
	return GlobalID{TypeName: s.typeName(), DBID: s.dbID, SessionID: s.row.SessionID}.String()
}

// SessionID returns session_id.
func (s *SessionCore) SessionID() string { return s.row.SessionID }

// Type returns the session's type.
func (s *SessionCore) Type() SessionType { return s.typ }

// UserID returns user_id.
func (s *SessionCore) UserID() *string { return s.row.UserID }

// AgentID returns agent_id.
func (s *SessionCore) AgentID() *string { return s.row.AgentID }

// TeamID returns team_id.
func (s *SessionCore) TeamID() *string { return s.row.TeamID }

// WorkflowID returns workflow_id.
func (s *SessionCore) WorkflowID() *string { return s.row.WorkflowID }

// ComponentID returns the component id column matching the type.
func (s *SessionCore) ComponentID() *string {
	switch s.typ {
	case SessionTypeTeam:
		return s.row.TeamID
	case SessionTypeWorkflow:
		return s.row.WorkflowID
	}
	return s.row.AgentID
}

// CreatedAt returns created_at.
func (s *SessionCore) CreatedAt() time.Time { return fromEpoch(s.row.CreatedAt) }

// UpdatedAt returns updated_at, or created_at when it is null or 0 (as Agno's detail view does).
func (s *SessionCore) UpdatedAt() time.Time {
	if s.row.UpdatedAt == nil || *s.row.UpdatedAt == 0 {
		return s.CreatedAt()
	}
	return fromEpoch(*s.row.UpdatedAt)
}

// LastActivityAt is the latest of updated_at, created_at and the times the
// session's runs were created or updated in Agno 3's runs table (Agno 2
// wrote the session row with every run, so its updated_at tells).
func (s *SessionCore) LastActivityAt() (time.Time, error) {
	if !s.row.loaded().LastActivity {
		return time.Time{}, s.notRead("last activity")
	}
	at := s.UpdatedAt()
	if c := s.CreatedAt(); c.After(at) {
		at = c
	}
	if s.row.LastRunAt != nil {
		if r := fromEpoch(*s.row.LastRunAt); r.After(at) {
			at = r
		}
	}
	return at, nil
}

// notRead reports a column a field needs but the request did not read: a
// bug in projection, never the client's fault.
func (s *SessionCore) notRead(column string) error {
	return &Error{Code: Internal, Message: "internal error",
		Err: fmt.Errorf("column %s of session %q was not read", column, s.row.SessionID)}
}

// column returns a JSON column, or an error when it was not read.
func (s *SessionCore) column(raw json.RawMessage, read bool, name string) (json.RawMessage, error) {
	if !read {
		return nil, s.notRead(name)
	}
	return raw, nil
}

// columnObject reads a JSON column as an object, validating it unless the
// backend guarantees valid JSON.
func (s *SessionCore) columnObject(raw json.RawMessage) (object, error) {
	if s.row.ValidJSON {
		return nestedObject(raw)
	}
	return decodeObject(raw)
}

// sessionData decodes session_data once: whole, or (SessionName) an object
// of its session_name alone, which only StoredName may read.
func (s *SessionCore) sessionData() (object, error) {
	s.dataOnce.Do(func() {
		if read := s.row.loaded(); !read.SessionData && !read.SessionName {
			s.dataErr = s.notRead("session_data")
			return
		}
		s.data, s.dataErr = s.columnObject(s.row.SessionData)
		if s.dataErr != nil {
			s.dataErr = corrupt(s.dataErr, "session_data of session %q cannot be read", s.row.SessionID)
		}
	})
	return s.data, s.dataErr
}

// wholeSessionData is sessionData when the whole column was read.
func (s *SessionCore) wholeSessionData() (object, error) {
	if !s.row.loaded().SessionData {
		return object{}, s.notRead("session_data")
	}
	return s.sessionData()
}

// Data returns the whole session_data object.
func (s *SessionCore) Data() (JSON, error) {
	if _, err := s.wholeSessionData(); err != nil || isAbsent(s.row.SessionData) {
		return nil, err
	}
	return JSON(s.row.SessionData), nil
}

// State returns session_data.session_state.
func (s *SessionCore) State() (JSON, error) {
	d, err := s.wholeSessionData()
	return d.raw("session_state"), err
}

// Metrics returns session_data.session_metrics, typed.
func (s *SessionCore) Metrics() (*SessionMetrics, error) {
	d, err := s.wholeSessionData()
	return newSessionMetrics(d.value("session_metrics")), err
}

// TotalTokens returns session_data.session_metrics.total_tokens.
func (s *SessionCore) TotalTokens() (*int, error) {
	d, err := s.wholeSessionData()
	return d.object("session_metrics").int("total_tokens"), err
}

// Metadata returns the metadata column (Agno writes an object).
func (s *SessionCore) Metadata() (JSON, error) {
	raw, err := s.column(s.row.Metadata, s.row.loaded().Metadata, "metadata")
	if err != nil {
		return nil, err
	}
	if _, err := s.columnObject(raw); err != nil {
		return nil, corrupt(err, "metadata of session %q cannot be read", s.row.SessionID)
	}
	if isAbsent(raw) {
		return nil, nil
	}
	return JSON(raw), nil
}

// Agent returns agent_data, typed.
func (s *SessionCore) Agent() (*ComponentInfo, error) {
	raw, err := s.column(s.row.AgentData, s.row.loaded().AgentData, "agent_data")
	if err != nil {
		return nil, err
	}
	info, err := newComponentInfo(raw, "agent_id")
	if err != nil {
		return nil, corrupt(err, "agent_data of session %q cannot be read", s.row.SessionID)
	}
	return info, nil
}

// Team returns team_data, typed.
func (s *SessionCore) Team() (*ComponentInfo, error) {
	raw, err := s.column(s.row.TeamData, s.row.loaded().TeamData, "team_data")
	if err != nil {
		return nil, err
	}
	info, err := newComponentInfo(raw, "team_id")
	if err != nil {
		return nil, corrupt(err, "team_data of session %q cannot be read", s.row.SessionID)
	}
	return info, nil
}

// Workflow returns workflow_data, typed.
func (s *SessionCore) Workflow() (*WorkflowInfo, error) {
	raw, err := s.column(s.row.WorkflowData, s.row.loaded().WorkflowData, "workflow_data")
	if err != nil {
		return nil, err
	}
	info, err := newWorkflowInfo(raw)
	if err != nil {
		return nil, corrupt(err, "workflow_data of session %q cannot be read", s.row.SessionID)
	}
	return info, nil
}

// Summary returns the summary column, typed.
func (s *SessionCore) Summary() (*SessionSummary, error) {
	raw, err := s.column(s.row.Summary, s.row.loaded().Summary, "summary")
	if err != nil {
		return nil, err
	}
	sum, err := newSessionSummary(raw)
	if err != nil {
		return nil, corrupt(err, "summary of session %q cannot be read", s.row.SessionID)
	}
	return sum, nil
}

// Name returns the stored name, else the name Agno derives.
func (s *SessionCore) Name() string {
	s.deriveName()
	return s.name
}

// NameIsDerived reports whether no name is stored.
func (s *SessionCore) NameIsDerived() bool {
	s.deriveName()
	return s.nameDerived
}

// StoredName returns session_data.session_name when it is a string.
func (s *SessionCore) StoredName() *string {
	d, _ := s.sessionData()
	return d.str("session_name")
}

func (s *SessionCore) deriveName() {
	s.nameOnce.Do(func() {
		if n := s.StoredName(); n != nil {
			s.name = *n
			return
		}
		s.nameDerived = true
		s.name = deriveSessionName(s)
	})
}

// topLevelRuns decodes the runs column once. Elements that are not objects
// are skipped and reported in the error, which names the first problem.
func (s *SessionCore) topLevelRuns() ([]*runCore, error) {
	s.runsOnce.Do(func() {
		if !s.row.loaded().Runs {
			s.runsErr = s.notRead("runs")
			return
		}
		s.runs, s.runsErr = s.decodeRuns(s.row.Runs)
		if s.runsErr == nil {
			s.runsErr = s.row.RunsProblem
		}
	})
	return s.runs, s.runsErr
}

// decodeRuns decodes a runs array, skipping elements that are not objects
// (reported in the error, which names the first problem).
func (s *SessionCore) decodeRuns(column json.RawMessage) ([]*runCore, error) {
	docs, raws, err := decodeObjects(column, s.row.ValidJSON)
	if err != nil {
		return nil, corrupt(err, "runs of session %q cannot be read", s.row.SessionID)
	}
	runs := make([]*runCore, 0, len(docs))
	var firstErr error
	for i, doc := range docs {
		if doc.absent() {
			if firstErr == nil {
				firstErr = corrupt(errNotObject, "run %d of session %q cannot be read", i, s.row.SessionID)
			}
			continue
		}
		runs = append(runs, &RunCore{session: s, doc: doc, raw: raws[i], index: i})
	}
	return runs, firstErr
}

// runsForName returns the runs name derivation reads: all runs when they
// were read, else the slimmer NameRuns the Store read for that purpose.
func (s *SessionCore) runsForName() []*runCore {
	if s.row.loaded().Runs {
		runs, _ := s.topLevelRuns()
		return runs
	}
	s.nameRunsOnce.Do(func() { s.nameRuns, _ = s.decodeRuns(s.row.NameRuns) })
	return s.nameRuns
}

// Runs returns the top-level runs in stored order, skipping unreadable ones
// (reported in the error).
func (s *SessionCore) Runs() ([]Run, error) {
	runs, err := s.topLevelRuns()
	out := make([]Run, len(runs))
	for i, r := range runs {
		out[i] = r.typed()
	}
	return out, err
}

// FindRun returns the run with runID, searching the top-level runs and then
// the runs nested in them (member responses, step runs); nil when absent.
func (s *SessionCore) FindRun(runID string) Run {
	runs, _ := s.topLevelRuns()
	for _, r := range runs {
		if r.runID() == runID {
			return r.typed()
		}
	}
	for _, r := range runs {
		if found := r.findNested(runID); found != nil {
			return found.typed()
		}
	}
	return nil
}

// ChatHistory returns Agno's chat history: the messages of top-level runs
// (no parent_run_id) in stored order, without system, tool and history messages.
func (s *SessionCore) ChatHistory() ([]*Message, error) {
	runs, err := s.topLevelRuns()
	out := []*Message{}
	for _, r := range runs {
		if r.doc.text("parent_run_id") != "" {
			continue
		}
		msgs, _ := r.messages()
		for _, m := range msgs {
			if m.FromHistory() || m.Role() == "system" || m.Role() == "tool" {
				continue
			}
			out = append(out, m)
		}
	}
	return out, err
}
