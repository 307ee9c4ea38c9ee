package models

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"time"
)

// RunsFilter says which runs allRuns returns; filters combine with AND.
type RunsFilter struct {
	SessionType   *SessionType `json:"sessionType"`
	ComponentID   *string      `json:"componentId"`
	UserID        *string      `json:"userId"`
	Status        []RunStatus  `json:"status"`
	TopLevel      *bool        `json:"topLevel"`
	CreatedAfter  *time.Time   `json:"createdAfter"`
	CreatedBefore *time.Time   `json:"createdBefore"`
}

// RunOrderField is what runs across sessions are ordered by.
type RunOrderField string

// RunOrderFieldCreatedAt orders runs by created_at, ties by run_id.
const RunOrderFieldCreatedAt RunOrderField = "CREATED_AT"

// IsValid reports whether the field is one of the schema's.
func (f RunOrderField) IsValid() bool { return f == RunOrderFieldCreatedAt }

// RunOrder is an order of runs across sessions.
type RunOrder struct {
	Field     RunOrderField  `json:"field"`
	Direction OrderDirection `json:"direction"`
}

// DefaultRunOrder is allRuns' order: newest first.
var DefaultRunOrder = RunOrder{Field: RunOrderFieldCreatedAt, Direction: OrderDirectionDesc}

// RunKey is a keyset position in an order of runs: created_at and run_id.
type RunKey struct {
	CreatedAt int64
	RunID     string
}

type runKeyJSON struct {
	C  string `json:"c"`
	O  string `json:"o"`
	K  int64  `json:"k"`
	ID string `json:"id"`
}

// Encode returns the opaque cursor of k in order.
func (k RunKey) Encode(order RunOrder) string {
	b, _ := json.Marshal(runKeyJSON{C: "allRuns", O: string(order.Field) + "_" + string(order.Direction), K: k.CreatedAt, ID: k.RunID})
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeRunKey decodes a cursor made by allRuns in the given order;
// BAD_USER_INPUT when it is malformed or made for another connection or order.
func DecodeRunKey(s string, order RunOrder) (RunKey, error) {
	var raw runKeyJSON
	if err := decodeCursorJSON(s, &raw); err != nil || raw.C != "allRuns" {
		return RunKey{}, Errorf(BadUserInput, "%q is not an allRuns cursor", truncate(s, 64))
	}
	if want := string(order.Field) + "_" + string(order.Direction); raw.O != want {
		return RunKey{}, Errorf(BadUserInput, "the cursor was made for orderBy %s, not %s", raw.O, want)
	}
	return RunKey{CreatedAt: raw.K, RunID: raw.ID}, nil
}

// StoredRun is one run read across sessions: its session and its JSON.
type StoredRun struct {
	SessionID string
	Index     int // run_index (or the position in the legacy runs column)
	Data      json.RawMessage
	Key       RunKey
}

// RunPage is one page of runs across sessions and the rows of their sessions.
type RunPage struct {
	Runs            []StoredRun
	Sessions        map[string]SessionRow
	HasNextPage     bool
	HasPreviousPage bool
}

// NewRunsConnection turns a page of runs across sessions of database dbID
// into a connection; count counts every matching run, only when selected.
// A run whose JSON cannot be read is left out and reported in the error.
func NewRunsConnection(dbID string, order RunOrder, page RunPage, count func(context.Context) (int, error)) (*RunConnection, error) {
	sessions := map[string]*SessionCore{}
	runs := make([]*RunCore, 0, len(page.Runs))
	keys := make([]RunKey, 0, len(page.Runs))
	var firstErr error
	for _, sr := range page.Runs {
		s := sessions[sr.SessionID]
		if s == nil {
			row, ok := page.Sessions[sr.SessionID]
			if !ok { // deleted between the two statements
				row = SessionRow{SessionID: sr.SessionID, Loaded: &SessionColumns{}}
			}
			s = NewSession(dbID, row).Core()
			sessions[sr.SessionID] = s
		}
		r, err := newRunCore(s, sr.Data, sr.Index)
		if err != nil {
			if firstErr == nil {
				firstErr = corrupt(err, "run %q of session %q cannot be read", sr.Key.RunID, sr.SessionID)
			}
			continue
		}
		runs = append(runs, r)
		keys = append(keys, sr.Key)
	}
	conn := newRunConnection(runs, 0, page.HasNextPage, page.HasPreviousPage)
	conn.count = count
	conn.PageInfo.cursors.encode = func(i int) string { return keys[i].Encode(order) }
	for i := range conn.Edges {
		conn.Edges[i].cursors = conn.PageInfo.cursors
	}
	return conn, firstErr
}
