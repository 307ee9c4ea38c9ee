package models

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// TraceRow is a row of Agno's traces table (agno_traces), as Agno's
// tracing exporter writes it: one per OpenTelemetry trace, its context
// (run, session, user, component) taken from the root span, its times ISO
// 8601 strings (Python's isoformat, e.g. 2025-11-06T10:00:00.123456+00:00).
type TraceRow struct {
	TraceID    string
	Name       string
	Status     string
	StartTime  string
	EndTime    string
	DurationMs int64
	RunID      *string
	SessionID  *string
	UserID     *string
	AgentID    *string
	TeamID     *string
	WorkflowID *string
	CreatedAt  string
}

// SpanRow is a row of Agno's spans table (agno_spans).
type SpanRow struct {
	SpanID        string
	TraceID       string
	ParentSpanID  *string
	Name          string
	SpanKind      string
	StatusCode    string
	StatusMessage *string
	StartTime     string
	EndTime       string
	DurationMs    int64
	// Attributes is the stored JSON object (SQL NULL is nil).
	Attributes json.RawMessage
	CreatedAt  string
}

// Trace is a trace Agno recorded, its spans arranged as a tree.
type Trace struct {
	row      TraceRow
	roots    []*Span
	rootsErr error
}

// Span is a span of a trace with the spans whose parent it is.
type Span struct {
	row      SpanRow
	start    time.Time // zero when start_time cannot be read
	children []*Span
}

// NewTrace arranges the spans of a trace as a tree. Its roots are the spans
// without a parent and those whose parent is not in the trace (Agno exports
// a trace's spans in batches, so a parent can be missing); each span's
// children and the roots are oldest first. Spans that no root reaches — a
// cycle of parents or a span that is its own parent, which only corrupt
// rows make — are left out, and Roots reports them as DATA_CORRUPT.
func NewTrace(row TraceRow, spanRows []SpanRow) *Trace {
	t := &Trace{row: row}
	spans := make(map[string]*Span, len(spanRows))
	for _, r := range spanRows {
		s := &Span{row: r}
		if t := parseISOTime(r.StartTime); t != nil {
			s.start = *t
		}
		spans[r.SpanID] = s
	}
	for _, r := range spanRows {
		s := spans[r.SpanID]
		parent, ok := (*Span)(nil), false
		if r.ParentSpanID != nil && *r.ParentSpanID != "" {
			parent, ok = spans[*r.ParentSpanID]
		}
		if ok {
			parent.children = append(parent.children, s)
		} else {
			t.roots = append(t.roots, s)
		}
	}
	reached := make(map[string]bool, len(spans))
	var arrange func(level []*Span)
	arrange = func(level []*Span) {
		slices.SortFunc(level, func(a, b *Span) int {
			return cmp.Or(a.start.Compare(b.start), strings.Compare(a.row.SpanID, b.row.SpanID))
		})
		for _, s := range level {
			reached[s.row.SpanID] = true
			arrange(s.children) // a span has one parent, so a root's subtree holds no cycle
		}
	}
	arrange(t.roots)
	if len(reached) < len(spans) {
		var lost []string
		for id := range spans {
			if !reached[id] {
				lost = append(lost, id)
			}
		}
		slices.Sort(lost)
		t.rootsErr = corrupt(nil, "spans %s of trace %q are their own ancestors (a cycle of parent_span_id) and are left out",
			strings.Join(lost, ", "), row.TraceID)
	}
	return t
}

// Row returns the stored row.
func (t *Trace) Row() TraceRow { return t.row }

// TraceID returns trace_id.
func (t *Trace) TraceID() string { return t.row.TraceID }

// Name returns name.
func (t *Trace) Name() *string { return &t.row.Name }

// Status returns status (OK, ERROR or UNSET).
func (t *Trace) Status() *string { return &t.row.Status }

// StartTime returns start_time; DATA_CORRUPT when it is not an ISO time.
func (t *Trace) StartTime() (*time.Time, error) {
	return storedTime(t.row.StartTime, "start_time of trace", t.row.TraceID)
}

// EndTime returns end_time; DATA_CORRUPT when it is not an ISO time.
func (t *Trace) EndTime() (*time.Time, error) {
	return storedTime(t.row.EndTime, "end_time of trace", t.row.TraceID)
}

// DurationMs returns duration_ms.
func (t *Trace) DurationMs() *float64 { d := float64(t.row.DurationMs); return &d }

// RunID returns run_id.
func (t *Trace) RunID() *string { return t.row.RunID }

// SessionID returns session_id.
func (t *Trace) SessionID() *string { return t.row.SessionID }

// Roots returns the root spans, and DATA_CORRUPT when spans were left out
// of the tree (the tree is still returned).
func (t *Trace) Roots() ([]*Span, error) { return nonNil(t.roots), t.rootsErr }

// SpanID returns span_id.
func (s *Span) SpanID() string { return s.row.SpanID }

// ParentSpanID returns parent_span_id.
func (s *Span) ParentSpanID() *string { return s.row.ParentSpanID }

// Name returns name.
func (s *Span) Name() string { return s.row.Name }

// Kind returns span_kind (INTERNAL, SERVER, CLIENT, PRODUCER, CONSUMER).
func (s *Span) Kind() *string { return &s.row.SpanKind }

// StatusCode returns status_code (OK, ERROR or UNSET).
func (s *Span) StatusCode() *string { return &s.row.StatusCode }

// StatusMessage returns status_message.
func (s *Span) StatusMessage() *string { return s.row.StatusMessage }

// StartTime returns start_time; DATA_CORRUPT when it is not an ISO time.
func (s *Span) StartTime() (*time.Time, error) {
	return storedTime(s.row.StartTime, "start_time of span", s.row.SpanID)
}

// EndTime returns end_time; DATA_CORRUPT when it is not an ISO time.
func (s *Span) EndTime() (*time.Time, error) {
	return storedTime(s.row.EndTime, "end_time of span", s.row.SpanID)
}

// DurationMs returns duration_ms.
func (s *Span) DurationMs() *float64 { d := float64(s.row.DurationMs); return &d }

// Attributes returns the attributes object; DATA_CORRUPT when it is not JSON.
func (s *Span) Attributes() (JSON, error) {
	if isAbsent(s.row.Attributes) {
		return nil, nil
	}
	if !json.Valid(s.row.Attributes) {
		return nil, corrupt(errInvalid, "attributes of span %q cannot be read", s.row.SpanID)
	}
	return JSON(s.row.Attributes), nil
}

// Children returns the spans whose parent this is, oldest first.
func (s *Span) Children() []*Span { return nonNil(s.children) }

// nonNil returns spans, empty rather than nil (a non-null GraphQL list).
func nonNil(spans []*Span) []*Span {
	if spans == nil {
		return []*Span{}
	}
	return spans
}

// storedTime reads one of Agno's ISO time columns.
func storedTime(v, what, id string) (*time.Time, error) {
	t := parseISOTime(v)
	if t == nil {
		return nil, corrupt(nil, "%s %q cannot be read: %q is not an ISO 8601 time", what, id, v)
	}
	return t, nil
}
