package models

import (
	"fmt"
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

// windowConnection answers a run connection from the window the Store read
// (see db): {"type": the runs column's JSON type, "total": matching runs,
// "bad": elements that are not objects, "items": up to n+1 matching runs as
// [index, run], in stored order}.
func (s *SessionCore) windowConnection(q *RunsRequest) (*RunConnection, error) {
	w, err := nestedObject(s.row.RunsWindow)
	if err != nil || w.absent() {
		return nil, &Error{Code: Internal, Message: "internal error", Err: fmt.Errorf("runs window of %q: %v", s.row.SessionID, err)}
	}
	if t := w.text("type"); t != "" && t != "array" && t != "null" {
		return emptyRunConnection(), corrupt(errNotArray, "runs of session %q cannot be read", s.row.SessionID)
	}
	var readErr error
	if bad := w.int("bad"); bad != nil && *bad > 0 {
		readErr = corrupt(errNotObject, "%d runs of session %q cannot be read", *bad, s.row.SessionID)
	}
	items, _ := w.array("items")
	runs := make([]*RunCore, 0, len(items))
	for _, item := range items {
		pair, _ := nestedArray(item)
		if len(pair) != 2 {
			continue
		}
		index, err := strconv.Atoi(string(pair[0]))
		if err != nil {
			continue
		}
		if r, err := newRunCore(s, pair[1], index); err == nil {
			runs = append(runs, r)
		}
	}
	total := 0
	if t := w.int("total"); t != nil {
		total = *t
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
	more := len(runs) > limit || total > len(page)+bad(w)
	hasNext, hasPrev := more && !fromEnd, more && fromEnd
	return newRunConnection(page, total, hasNext, hasPrev), readErr
}

// bad is the window's count of elements that are not runs.
func bad(w object) int {
	if b := w.int("bad"); b != nil {
		return *b
	}
	return 0
}

func emptyRunConnection() *RunConnection { return newRunConnection(nil, 0, false, false) }
