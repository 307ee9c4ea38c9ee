package models

import (
	"encoding/json"
	"slices"
	"strconv"
)

// RunsRequest is what one runs(...) connection asks for, when it can be
// answered by a window of the runs read in the database: first or last n
// runs matching a filter, no cursors.
type RunsRequest struct {
	First  *int
	Last   *int
	Filter *RunFilter
	// Count asks for the number of matching runs (totalCount); without it
	// a Store may count no further than whether more runs match than the
	// window holds.
	Count bool
	// Keys are the only run_data keys the connection's runs are read for
	// (RunDataKeys); nil: whole. A backend may read an object of those keys
	// in place of run_data.
	Keys []string
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

// RunsWindow is what a Store read for one runs(...) connection (For) in the
// database: up to n+1 of the matching runs, with their count.
type RunsWindow struct {
	For *RunsRequest
	// Total is the number of matching runs; without For.Count a Store may
	// count no further than past the window.
	Total int
	// Bad is the number of runs left out because they are not JSON objects:
	// reported as corrupt.
	Bad int
	// NotArray says the runs are stored as something other than a JSON
	// array (Agno 2's runs column), so none can be read.
	NotArray bool
	// Runs are the window's runs, in stored order.
	Runs []WindowRun
}

// WindowRun is one run of a RunsWindow: its index (the position its cursor
// carries) and the stored run object.
type WindowRun struct {
	Index int
	Data  json.RawMessage
}

// DecodeRunsWindow reads, for the connection q, a window a database built as
// one JSON object (valid JSON, such as jsonb's text): {"type": the runs
// column's JSON type, "total": matching runs, "bad": elements that are not
// objects, "items": matching runs as [index, run], in stored order}. Items
// of another shape are left out.
func DecodeRunsWindow(raw json.RawMessage, q *RunsRequest) (*RunsWindow, error) {
	members, ok := scanMembers(raw, false)
	if !ok {
		return nil, errNotObject
	}
	w := &RunsWindow{For: q}
	for _, m := range members {
		v := raw[m.start:m.end:m.end]
		switch m.key {
		case "type":
			t := unquote(v)
			w.NotArray = t != "array" && t != "null"
		case "total":
			w.Total, _ = strconv.Atoi(view(v))
		case "bad":
			w.Bad, _ = strconv.Atoi(view(v))
		case "items":
			items, ok := scanElements(v, false)
			if !ok {
				return nil, errNotArray
			}
			w.Runs = make([]WindowRun, 0, len(items.raws))
			for _, item := range items.raws {
				pair, ok := scanElements(item, false)
				if !ok || len(pair.raws) != 2 {
					continue
				}
				if index, err := strconv.Atoi(view(pair.raws[0])); err == nil {
					w.Runs = append(w.Runs, WindowRun{Index: index, Data: pair.raws[1]})
				}
			}
		}
	}
	return w, nil
}

// windowConnection answers a run connection from the window the Store read.
func (s *SessionCore) windowConnection(q *RunsRequest) (*RunConnection, error) {
	w := s.row.RunsWindow
	if w.NotArray {
		return emptyRunConnection(), corrupt(errNotArray, "runs of session %q cannot be read", s.row.SessionID)
	}
	var readErr error
	if w.Bad > 0 {
		readErr = corrupt(errNotObject, "%d runs of session %q cannot be read", w.Bad, s.row.SessionID)
	}
	runs := make([]*RunCore, 0, len(w.Runs))
	for _, wr := range w.Runs {
		if r, err := newRunCore(s, wr.Data, wr.Index); err == nil {
			runs = append(runs, r)
		}
	}
	limit, fromEnd := q.Limit()
	page := runs
	if len(runs) > limit {
		if fromEnd {
			page = runs[len(runs)-limit:]
		} else {
			page = runs[:limit]
		}
	}
	// Without cursors, there are more runs exactly when more match than
	// the page holds (a window may hold n+1 runs, or n and the count).
	more := len(runs) > limit || w.Total > len(page)+w.Bad
	hasNext, hasPrev := more && !fromEnd, more && fromEnd
	indexRuns(page)
	return newRunConnection(page, w.Total, hasNext, hasPrev), readErr
}

func emptyRunConnection() *RunConnection { return newRunConnection(nil, 0, false, false) }
