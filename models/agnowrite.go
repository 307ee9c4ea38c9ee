package models

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// What Agno's REST writes store (POST /sessions, PATCH /sessions/{id}): the
// row of a new session and the documents a PATCH puts in place, each JSON
// document in the form Python's json.dumps prints, so that a SQLite column
// holds the very bytes Agno would write.

// NewSessionID returns a new session id as Agno makes one: str(uuid.uuid4()).
func NewSessionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])  // never fails (crypto/rand)
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// jsonNull is a JSON column holding null: what Agno writes for a Python None.
var jsonNull = json.RawMessage("null")

// jsonEmptyObject is what Agno's WorkflowSession writes for a missing session_data, workflow_data or metadata.
var jsonEmptyObject = json.RawMessage("{}")

// Row returns the row Agno's POST /sessions stores for the input, with the
// session id, user id and (checked) name the caller settled on and created_at
// = updated_at = now. Like Agno it sets the component id of the input's type
// only; leaves session_data null for an agent or team session without name
// or state, and stores {} for a workflow session's missing session_data,
// workflow_data and metadata; writes JSON null into the JSON columns its
// session class has (runs, summary, agent_data or team_data) and leaves the
// other kinds' columns SQL NULL. BAD_USER_INPUT when sessionState or
// metadata is not a JSON object.
func (in *CreateSessionInput) Row(sessionID string, userID, name *string, now int64) (SessionRow, error) {
	state, err := objectDocument("sessionState", in.SessionState)
	if err != nil {
		return SessionRow{}, err
	}
	metadata, err := objectDocument("metadata", in.Metadata)
	if err != nil {
		return SessionRow{}, err
	}
	typ := SessionTypeAgent
	if in.Type != nil {
		typ = *in.Type
	}
	row := SessionRow{SessionID: sessionID, SessionType: typ.Stored(), UserID: userID,
		Runs: jsonNull, Summary: jsonNull, CreatedAt: now, UpdatedAt: &now}
	empty := jsonNull
	switch typ {
	case SessionTypeTeam:
		row.TeamID, row.TeamData = in.TeamID, jsonNull
	case SessionTypeWorkflow:
		row.WorkflowID, row.WorkflowData = in.WorkflowID, jsonEmptyObject
		empty = jsonEmptyObject
	default:
		row.AgentID, row.AgentData = in.AgentID, jsonNull
	}
	// Agno builds session_data with only the keys given.
	row.SessionData, row.Metadata = empty, empty
	if state != nil || name != nil {
		row.SessionData = pythonDumps((&SessionDataDoc{State: state, Name: name}).AppendJSON(nil))
	}
	if metadata != nil {
		row.Metadata = metadata
	}
	return row, nil
}

// SessionEdit is what an update changes in a session, as Agno's PATCH
// /sessions/{id} changes it: a key of session_data or a whole column set to
// a new value (documents in json.dumps form) or cleared; anything else is
// left as it is. Agno's PATCH cannot clear; updateSession clears on null.
type SessionEdit struct {
	// Name sets session_data.session_name (the Store trims and checks it);
	// ClearName removes the key, so that the name is derived again.
	Name      *string
	ClearName bool
	// State replaces session_data.session_state; ClearState removes the key.
	State      json.RawMessage
	ClearState bool
	// Metadata replaces the metadata column; ClearMetadata stores what Agno
	// stores for none (JSON null, {} in a workflow session).
	Metadata      json.RawMessage
	ClearMetadata bool
	// Summary replaces the summary column; ClearSummary stores JSON null.
	// Neither touches a workflow session, which has no summary in Agno.
	Summary      json.RawMessage
	ClearSummary bool
}

// Edit returns the changes the input asks for. BAD_USER_INPUT when
// sessionState or metadata is not a JSON object.
func (in *UpdateSessionInput) Edit() (SessionEdit, error) {
	var e SessionEdit
	if name, ok := in.SessionName.ValueOK(); ok {
		e.Name, e.ClearName = name, name == nil
	}
	var err error
	if state, ok := in.SessionState.ValueOK(); ok {
		if e.State, err = objectDocument("sessionState", state); err != nil {
			return SessionEdit{}, err
		}
		e.ClearState = state == nil
	}
	if metadata, ok := in.Metadata.ValueOK(); ok {
		if e.Metadata, err = objectDocument("metadata", metadata); err != nil {
			return SessionEdit{}, err
		}
		e.ClearMetadata = metadata == nil
	}
	if summary, ok := in.Summary.ValueOK(); ok {
		if summary != nil {
			e.Summary = summary.Document()
		}
		e.ClearSummary = summary == nil
	}
	return e, nil
}

// objectDocument returns doc in json.dumps form, nil for null;
// BAD_USER_INPUT unless it is a JSON object, as Agno's request models
// require of session_state and metadata.
func objectDocument(field string, doc JSON) (json.RawMessage, error) {
	if doc == nil {
		return nil, nil
	}
	if jsonKind(doc) != '{' {
		return nil, Errorf(BadUserInput, "%s must be a JSON object", field)
	}
	dumped, err := PythonJSONDumps(doc, 0)
	if err != nil {
		return nil, Errorf(BadUserInput, "%s cannot be stored: %v", field, err)
	}
	return json.RawMessage(dumped), nil
}

// Document returns the summary column Agno's SessionSummary.to_dict writes:
// {"summary", "topics", "updated_at"} in this order, each only when not
// null, updated_at as Python's datetime.isoformat() of the time given.
func (s *SessionSummaryInput) Document() json.RawMessage {
	doc := SessionSummaryDoc{Summary: s.Summary, Topics: s.Topics}
	if s.UpdatedAt != nil {
		doc.UpdatedAt = PythonISOFormat(*s.UpdatedAt)
	}
	return pythonDumps(doc.AppendJSON(nil))
}

// PythonISOFormat prints t as Python's datetime.isoformat() prints the
// datetime that datetime.fromisoformat() makes of t's RFC 3339 form: the
// local time in t's offset, microseconds only when not zero, the offset as
// +HH:MM (UTC, Z, as +00:00).
func PythonISOFormat(t time.Time) string {
	var b strings.Builder
	b.WriteString(t.Format("2006-01-02T15:04:05"))
	if us := t.Nanosecond() / 1000; us != 0 {
		fmt.Fprintf(&b, ".%06d", us)
	}
	_, offset := t.Zone()
	sign := '+'
	if offset < 0 {
		sign, offset = '-', -offset
	}
	fmt.Fprintf(&b, "%c%02d:%02d", sign, offset/3600, offset/60%60)
	if offset%60 != 0 {
		fmt.Fprintf(&b, ":%02d", offset%60)
	}
	return b.String()
}

// pythonDumps is a document this package wrote, as Python's json.dumps prints it.
func pythonDumps(doc []byte) json.RawMessage {
	dumped, _ := PythonJSONDumps(doc, 0) // never fails on a document docWriter wrote
	return json.RawMessage(dumped)
}

// postgresInvalid are the characters Agno's PostgreSQL backend strips from
// every string value of the JSON it writes, and from names it sets
// (agno.utils.string.sanitize_postgres_string).
var postgresInvalid = regexp.MustCompile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

// PostgresString strips what Agno's PostgreSQL backend strips from a string it stores.
func PostgresString(s string) string { return postgresInvalid.ReplaceAllString(s, "") }

// PostgresDocument strips what Agno's PostgreSQL backend strips from every
// string value (not the keys) of a JSON document it stores
// (sanitize_postgres_strings). Numbers are kept as written; key order is
// not kept, which jsonb does not keep either.
func PostgresDocument(doc json.RawMessage) (json.RawMessage, error) {
	if doc == nil {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, Errorf(BadUserInput, "a JSON value cannot be stored: %v", err)
	}
	out, err := json.Marshal(postgresStrings(v))
	if err != nil {
		return nil, Errorf(BadUserInput, "a JSON value cannot be stored: %v", err)
	}
	return out, nil
}

func postgresStrings(v any) any {
	switch x := v.(type) {
	case string:
		return PostgresString(x)
	case []any:
		for i := range x {
			x[i] = postgresStrings(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = postgresStrings(x[k])
		}
	}
	return v
}
