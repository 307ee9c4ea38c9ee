package models

import "encoding/json"

// RunsBuilder collects a session's runs, in order, in both of Agno's
// layouts at once: the runs array of Agno 2's runs column, and the rows of
// Agno 3's runs table, whose run_data are views of the array's elements.
type RunsBuilder struct {
	owner *string
	buf   []byte
	rows  []RunRow
	spans [][2]int // each row's run_data in buf
}

// NewRunsBuilder starts the runs of a session owned by owner (the runs
// table's user_id is the session's owner, whatever the run says).
func NewRunsBuilder(owner *string) *RunsBuilder {
	return &RunsBuilder{owner: owner, buf: []byte{'['}}
}

// add appends one run's JSON and its row: run_index its position, the
// indexed columns copied out of the run as Agno 3 copies them.
func (b *RunsBuilder) add(row RunRow, write func(*docWriter), updatedAt int64) {
	if len(b.rows) > 0 {
		b.buf = append(b.buf, ',')
	}
	start := len(b.buf)
	w := docWriter{b: b.buf}
	write(&w)
	b.buf = w.b
	index := int64(len(b.rows))
	row.UserID, row.RunIndex, row.UpdatedAt = b.owner, &index, &updatedAt
	b.rows = append(b.rows, row)
	b.spans = append(b.spans, [2]int{start, len(b.buf)})
}

// AddAgentRun adds an agent run (or a team member's run, which Agno 3 keeps
// as a row of its own with parent_run_id); updatedAt is when it was last saved.
func (b *RunsBuilder) AddAgentRun(r *AgentRunDoc, updatedAt int64) {
	b.add(RunRow{RunID: r.RunID, SessionID: r.SessionID, RunType: "agent", AgentID: optional(r.AgentID),
		WorkflowID: optional(r.WorkflowID), ParentRunID: optional(r.ParentRunID), Status: optional(r.Status),
		CreatedAt: r.CreatedAt}, r.write, updatedAt)
}

// AddTeamRun adds a team run; its members' runs are added on their own.
func (b *RunsBuilder) AddTeamRun(r *TeamRunDoc, updatedAt int64) {
	b.add(RunRow{RunID: r.RunID, SessionID: r.SessionID, RunType: "team", TeamID: optional(r.TeamID),
		Status: optional(r.Status), CreatedAt: r.CreatedAt}, r.write, updatedAt)
}

// AddWorkflowRun adds a workflow run; its step runs stay nested in it.
func (b *RunsBuilder) AddWorkflowRun(r *WorkflowRunDoc, updatedAt int64) {
	b.add(RunRow{RunID: r.RunID, SessionID: r.SessionID, RunType: "workflow", WorkflowID: optional(r.WorkflowID),
		Status: optional(r.Status), CreatedAt: r.CreatedAt}, r.write, updatedAt)
}

// Len is the number of runs added.
func (b *RunsBuilder) Len() int { return len(b.rows) }

// Finish returns the runs array and the runs-table rows; the builder must
// not be used afterwards.
func (b *RunsBuilder) Finish() (json.RawMessage, []RunRow) {
	b.buf = append(b.buf, ']')
	for i, s := range b.spans {
		b.rows[i].RunData = b.buf[s[0]:s[1]:s[1]]
	}
	return b.buf, b.rows
}

// optional is nil for "", as Agno leaves a column NULL for a key the run lacks.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
