package models

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// RunRow is one row of Agno 3's runs table (agno_runs): a run's JSON
// (run_data, the shape of one element of Agno 2's runs array) and the
// columns Agno copies out of it to index it.
type RunRow struct {
	RunID     string
	SessionID string
	// RunType is "agent", "team" or "workflow".
	RunType     string
	AgentID     *string
	TeamID      *string
	WorkflowID  *string
	UserID      *string // the session's owner, not run_data.user_id
	ParentRunID *string
	Status      *string
	RunIndex    *int64
	RunData     json.RawMessage
	CreatedAt   int64
	UpdatedAt   *int64
}

// RunType is Agno 3's get_run_type for a stored run: agent when it names an
// agent, team when it names a team, workflow otherwise.
func runType(doc object) string {
	switch {
	case doc.text("agent_id") != "" || doc.text("agent_name") != "":
		return "agent"
	case doc.text("team_id") != "" || doc.text("team_name") != "":
		return "team"
	}
	return "workflow"
}

// RunRowsOf splits a session's runs array into runs-table rows as Agno 3's
// v3.0.0 migration does: one row per run object with a run_id, run_index
// its position in the array, user_id the session's owner, created_at the
// run's (else the session's), updated_at the session's.
func RunRowsOf(row SessionRow) ([]RunRow, error) {
	docs, raws, err := decodeObjects(row.Runs, false)
	if err != nil {
		return nil, fmt.Errorf("runs of session %q: %w", row.SessionID, err)
	}
	out := make([]RunRow, 0, len(docs))
	for i, doc := range docs {
		id := doc.text("run_id")
		if doc.absent() || id == "" {
			continue
		}
		index := int64(i)
		created := row.CreatedAt
		if c := doc.float("created_at"); c != nil {
			created = int64(*c)
		}
		updated := row.UpdatedAt
		if updated == nil {
			updated = &created
		}
		out = append(out, RunRow{
			RunID: id, SessionID: row.SessionID, RunType: runType(doc),
			AgentID: doc.str("agent_id"), TeamID: doc.str("team_id"), WorkflowID: doc.str("workflow_id"),
			UserID: row.UserID, ParentRunID: doc.str("parent_run_id"), Status: doc.str("status"),
			RunIndex: &index, RunData: raws[i], CreatedAt: created, UpdatedAt: updated,
		})
	}
	return out, nil
}

// TableRun is a run read from the runs table, for MergeRuns.
type TableRun struct {
	RunID   string
	RunType string
	Data    json.RawMessage // run_data
}

// MergeRuns builds a session's runs array as Agno 3 reads it
// (merge_runs_table_with_legacy_blob): when the legacy runs column holds
// runs, they come first in their order, each replaced by the table's copy
// when the table has its run_id (runs without a run_id, or that are not
// objects, are dropped); the runs only in the table follow in table order.
// Workflow sessions keep only workflow runs (a step's agent or team run
// can share the workflow's session id; Agno's WorkflowSession skips them).
// legacyValid says the legacy column is known to be valid JSON (jsonb).
//
// What Agno 3 skips of the legacy column (a value it cannot parse, elements
// that are not objects) is skipped here too, and reported as DATA_CORRUPT.
func MergeRuns(sessionID string, legacy json.RawMessage, legacyValid bool, table []TableRun, workflow bool) (json.RawMessage, error) {
	var docs []object
	var raws []json.RawMessage
	var legacyErr error
	if !isAbsent(legacy) {
		var err error
		if docs, raws, err = decodeObjects(legacy, legacyValid); err != nil {
			docs, raws = nil, nil // Agno 3 ignores a legacy value it cannot parse
			legacyErr = corrupt(err, "runs of session %q cannot be read", sessionID)
		}
	}
	keep := func(typ string, doc object) bool {
		if !workflow {
			return true
		}
		if typ == "" {
			typ = runType(doc)
		}
		return typ == "workflow"
	}
	var b bytes.Buffer
	b.Grow(len(legacy) + 2)
	b.WriteByte('[')
	add := func(raw json.RawMessage) {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		b.Write(raw)
	}
	if len(docs) == 0 {
		for _, r := range table {
			if keep(r.RunType, object{}) {
				add(r.Data)
			}
		}
		b.WriteByte(']')
		return b.Bytes(), legacyErr
	}
	byID := make(map[string]int, len(table))
	for i, r := range table {
		byID[r.RunID] = i
	}
	inLegacy := make(map[string]bool, len(docs))
	for i, doc := range docs {
		id := doc.text("run_id")
		if doc.absent() && legacyErr == nil {
			legacyErr = corrupt(errNotObject, "run %d of session %q cannot be read", i, sessionID)
		}
		if doc.absent() || id == "" {
			continue
		}
		inLegacy[id] = true
		if j, ok := byID[id]; ok {
			if keep(table[j].RunType, object{}) {
				add(table[j].Data)
			}
		} else if keep("", doc) {
			add(raws[i])
		}
	}
	for _, r := range table {
		if !inLegacy[r.RunID] && keep(r.RunType, object{}) {
			add(r.Data)
		}
	}
	b.WriteByte(']')
	return b.Bytes(), legacyErr
}

// HasLegacyRuns reports whether a legacy runs column holds runs for Agno 3
// to merge: anything but SQL NULL, JSON null and an empty array.
func HasLegacyRuns(legacy json.RawMessage) bool {
	t := bytes.TrimSpace(legacy)
	if isAbsent(t) || len(t) == 0 {
		return false
	}
	if t[0] == '[' {
		return len(bytes.TrimSpace(t[1:])) > 0 && bytes.TrimSpace(t[1:])[0] != ']'
	}
	return true
}

// NeedsDerivedName reports whether the row's name is derived from its runs:
// session_data (which must have been read) has no string session_name.
func (r *SessionRow) NeedsDerivedName() bool {
	d, err := r.sessionDataObject()
	return err != nil || d.str("session_name") == nil
}

func (r *SessionRow) sessionDataObject() (object, error) {
	if r.ValidJSON {
		return nestedObject(r.SessionData)
	}
	return decodeObject(r.SessionData)
}

// RunsArray is the runs array of Agno 2's runs column holding runs.
func RunsArray(runs []RunRow) json.RawMessage {
	docs := make([]json.RawMessage, len(runs))
	for i, r := range runs {
		docs[i] = r.RunData
	}
	return JSONArray(docs)
}

// JSONArray joins JSON documents into an array.
func JSONArray(docs []json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, d := range docs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(d)
	}
	b.WriteByte(']')
	return b.Bytes()
}
