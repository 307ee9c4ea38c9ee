package models

import "time"

// UsageBucket is what the counted runs of one key add up to (API.md
// "Which runs count").
type UsageBucket struct {
	Key             *UsageKey `json:"key"`
	Sessions        int       `json:"sessions"`
	Runs            int       `json:"runs"`
	ErrorRuns       int       `json:"errorRuns"`
	InputTokens     int       `json:"inputTokens"`
	OutputTokens    int       `json:"outputTokens"`
	TotalTokens     int       `json:"totalTokens"`
	Cost            *float64  `json:"cost"`
	DurationSeconds *float64  `json:"durationSeconds"`
}

// UsageKey is a bucket's key: the value of each dimension grouped by, nil
// for the others.
type UsageKey struct {
	Period        *time.Time   `json:"period"`
	UserID        *string      `json:"userId"`
	SessionType   *SessionType `json:"sessionType"`
	ComponentID   *string      `json:"componentId"`
	Model         *string      `json:"model"`
	ModelProvider *string      `json:"modelProvider"`
	// RawStatus is the run's stored status, as stored.
	RawStatus *string `json:"-"`
}

// Status returns the key's run status; a value outside the enum is an
// error on this field only.
func (k *UsageKey) Status() (*RunStatus, error) {
	if k.RawStatus == nil {
		return nil, nil
	}
	st := RunStatus(*k.RawStatus)
	if !st.IsValid() {
		return nil, Errorf(DataCorrupt, "runs have an unknown status %q", truncate(*k.RawStatus, 64))
	}
	return &st, nil
}

// UsageEdge is a bucket and its cursor.
type UsageEdge struct {
	Node    *UsageBucket `json:"node"`
	cursors *cursors
	i       int
}

// Cursor is the position of the edge's bucket.
func (e *UsageEdge) Cursor() string { return *e.cursors.at(e.i) }

// UsageConnection is a page of usage buckets.
type UsageConnection struct {
	Edges      []*UsageEdge   `json:"edges"`
	Nodes      []*UsageBucket `json:"nodes"`
	PageInfo   *PageInfo      `json:"pageInfo"`
	TotalCount int            `json:"totalCount"`
}

// Facets carries what the facet fields count: the sessions matching Filter
// in the database DBID.
type Facets struct {
	Filter *SessionFilter
	DBID   *string
}

// FacetValue is one value of a facet and how often it occurs.
type FacetValue struct {
	Value       string       `json:"value"`
	SessionType *SessionType `json:"sessionType"`
	Count       int          `json:"count"`
}
