package models

import (
	"encoding/json"
	"slices"
)

// RunsRequest is what one runs(...) connection asks for, when it can be
// answered by a window of the runs read in the database: first or last n
// runs matching a filter, no cursors.
type RunsRequest struct {
	First  *int
	Last   *int
	Filter *RunFilter
}

// NewRunsRequest returns the request for args, or nil when they cannot be
// answered by a window (cursors, or invalid arguments left to RunConnection to report).
func NewRunsRequest(args PageArgs, filter *RunFilter) *RunsRequest {
	if args.After != nil || args.Before != nil {
		return nil
	}
	if _, _, err := args.Window(); err != nil {
		return nil
	}
	return &RunsRequest{First: args.First, Last: args.Last, Filter: filter}
}

// Limit returns how many runs the window holds and whether they are the last ones.
func (q *RunsRequest) Limit() (n int, fromEnd bool) {
	n, fromEnd, _ = PageArgs{First: q.First, Last: q.Last}.Window()
	return n, fromEnd
}

// Same reports whether q asks for the same runs as other.
func (q *RunsRequest) Same(other *RunsRequest) bool {
	if q == nil || other == nil {
		return q == other
	}
	n1, end1 := q.Limit()
	n2, end2 := other.Limit()
	return n1 == n2 && end1 == end2 && sameFilter(q.Filter, other.Filter)
}

func sameFilter(a, b *RunFilter) bool {
	if a == nil || b == nil {
		return (a == nil || a.empty()) && (b == nil || b.empty())
	}
	sameTime := func(x, y *int64) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return slices.Equal(a.Status, b.Status) && (a.Status == nil) == (b.Status == nil) &&
		sameTime(a.CreatedAfterEpoch(), b.CreatedAfterEpoch()) && sameTime(a.CreatedBeforeEpoch(), b.CreatedBeforeEpoch()) &&
		(a.TopLevel == nil) == (b.TopLevel == nil) && (a.TopLevel == nil || *a.TopLevel == *b.TopLevel)
}

func (f *RunFilter) empty() bool {
	return f.Status == nil && f.CreatedAfter == nil && f.CreatedBefore == nil && f.TopLevel == nil
}

// CreatedAfterEpoch is the inclusive lower bound in epoch seconds, nil when none.
func (f *RunFilter) CreatedAfterEpoch() *int64 {
	if f == nil || f.CreatedAfter == nil {
		return nil
	}
	s := EpochSecondsAtOrAfter(*f.CreatedAfter)
	return &s
}

// CreatedBeforeEpoch is the inclusive upper bound in epoch seconds, nil when none.
func (f *RunFilter) CreatedBeforeEpoch() *int64 {
	if f == nil || f.CreatedBefore == nil {
		return nil
	}
	s := EpochSecondsAtOrBefore(*f.CreatedBefore)
	return &s
}

// runsWindow is what the Store returns for a RunsRequest (see db): the type
// of the runs column, how many runs match, how many elements are not
// objects, and up to n+1 matching runs with their indexes, in stored order.
type runsWindow struct {
	Type  *string              `json:"type"`
	Total int                  `json:"total"`
	Bad   int                  `json:"bad"`
	Items [][2]json.RawMessage `json:"items"`
}

// windowConnection answers a run connection from the window the Store read.
func (s *SessionCore) windowConnection(q *RunsRequest) (*RunConnection, error) {
	var w runsWindow
	if err := json.Unmarshal(s.row.RunsWindow, &w); err != nil {
		return nil, &Error{Code: Internal, Message: "internal error", Err: err}
	}
	var readErr error
	if w.Type != nil && *w.Type != "array" && *w.Type != "null" {
		return emptyRunConnection(), corrupt(errNotArray, "runs of session %q cannot be read", s.row.SessionID)
	}
	if w.Bad > 0 {
		readErr = corrupt(errNotObject, "%d runs of session %q cannot be read", w.Bad, s.row.SessionID)
	}
	runs := make([]*RunCore, 0, len(w.Items))
	for _, item := range w.Items {
		var index int
		if err := json.Unmarshal(item[0], &index); err != nil {
			return nil, &Error{Code: Internal, Message: "internal error", Err: err}
		}
		r, err := newRunCore(s, item[1], index)
		if err != nil {
			continue
		}
		runs = append(runs, r)
	}
	limit, fromEnd := q.Limit()
	page, hasNext, hasPrev := runs, false, false
	if len(runs) > limit {
		if fromEnd {
			page, hasPrev = runs[len(runs)-limit:], true
		} else {
			page, hasNext = runs[:limit], true
		}
	}
	return newRunConnection(page, w.Total, hasNext, hasPrev), readErr
}

func emptyRunConnection() *RunConnection { return newRunConnection(nil, 0, false, false) }
