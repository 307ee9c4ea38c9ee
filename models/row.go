package models

import "encoding/json"

// SessionRow is one agno_sessions row in logical form. JSON columns hold the
// document: nil means SQL NULL, the literal null means JSON null (what Agno
// writes for a Python None; both read as absent), anything else the stored
// document. The Store undoes backend encodings (SQLite double encoding) before
// a row reaches this type, and applies them again on writes.
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
}

// EffectiveType is the row's session type: session_type when it is one of
// Agno's three values, else (legacy rows) derived from the component ids as
// Agno's REST layer does.
func (r *SessionRow) EffectiveType() SessionType {
	switch r.SessionType {
	case "agent":
		return SessionTypeAgent
	case "team":
		return SessionTypeTeam
	case "workflow":
		return SessionTypeWorkflow
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
