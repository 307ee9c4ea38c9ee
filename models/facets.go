package models

import "sync"

// MaxFacetValues bounds a facet's first: a drop-down longer than this
// wants a search box instead.
const MaxFacetValues = 1000

// Facets carries what the facet fields count: the sessions matching Filter
// in the database DBID, and the answers read for the selected fields at once.
type Facets struct {
	Filter *SessionFilter
	DBID   *string

	mu      sync.Mutex
	answers map[FacetKey]facetAnswer
}

// FacetValue is one value of a facet and how often it occurs.
type FacetValue struct {
	Value       string       `json:"value"`
	SessionType *SessionType `json:"sessionType"`
	Count       int          `json:"count"`
}

// FacetKey names one facet field's answer: the field ("users",
// "components", "models") and its first.
type FacetKey struct {
	Field string
	First int
}

type facetAnswer struct {
	values []*FacetValue
	err    error
}

// Prefetched returns the answer read for key before the fields resolved,
// ok false when none was.
func (f *Facets) Prefetched(key FacetKey) (values []*FacetValue, err error, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.answers[key]
	return a.values, a.err, ok
}

// SetPrefetched keeps the answer read for key; safe for concurrent use.
func (f *Facets) SetPrefetched(key FacetKey, values []*FacetValue, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.answers == nil {
		f.answers = map[FacetKey]facetAnswer{}
	}
	f.answers[key] = facetAnswer{values, err}
}
