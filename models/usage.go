package models

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"time"

	// Zone rules built into the binary: usage's time zones (and SQLite's
	// periods, computed in Go) work on a machine or image without
	// /usr/share/zoneinfo, as the static binary is meant to run.
	_ "time/tzdata"
)

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

// Bounds of a usage page: buckets are cheap to ship, and a dashboard's
// chart wants a whole series in one request.
const (
	DefaultUsagePageSize = 100
	MaxUsagePageSize     = 1000
)

// IsPeriod reports whether d buckets by time.
func (d UsageDimension) IsPeriod() bool {
	return d == UsageDimensionHour || d == UsageDimensionDay || d == UsageDimensionWeek || d == UsageDimensionMonth
}

// UsageQuery is a validated usage request.
type UsageQuery struct {
	GroupBy   []UsageDimension
	Filter    *SessionFilter
	RunFilter *RunsFilter
	// TimeZone is an IANA zone name that Go's time zone database knows.
	TimeZone string
	Limit    int
	// After is the key of the bucket to continue after; nil from the start.
	After []any
}

// NewUsageQuery validates usage's arguments: each dimension once, at most
// one period, a known time zone, a page size within bounds and a cursor
// made for the same dimensions. BAD_USER_INPUT otherwise.
func NewUsageQuery(groupBy []UsageDimension, filter *SessionFilter, runFilter *RunsFilter, timeZone string, first *int, after *string) (UsageQuery, error) {
	q := UsageQuery{GroupBy: groupBy, Filter: filter, RunFilter: runFilter, TimeZone: timeZone, Limit: DefaultUsagePageSize}
	seen := map[UsageDimension]bool{}
	periods := 0
	for _, d := range groupBy {
		if seen[d] {
			return UsageQuery{}, Errorf(BadUserInput, "groupBy names %s twice", d)
		}
		seen[d] = true
		if d.IsPeriod() {
			periods++
		}
	}
	if periods > 1 {
		return UsageQuery{}, Errorf(BadUserInput, "groupBy may name one of HOUR, DAY, WEEK and MONTH, not several")
	}
	if err := CheckTimeZone(timeZone); err != nil {
		return UsageQuery{}, err
	}
	if first != nil {
		if err := CheckPageSizeUpTo("first", int64(*first), MaxUsagePageSize); err != nil {
			return UsageQuery{}, err
		}
		q.Limit = *first
	}
	if after != nil {
		k, err := decodeUsageCursor(*after, groupBy)
		if err != nil {
			return UsageQuery{}, err
		}
		q.After = k
	}
	return q, nil
}

// CheckTimeZone accepts IANA zone names ("UTC", "Europe/Paris"), the names
// both databases' zone rules know; BAD_USER_INPUT for anything else,
// including "" and "Local" (the server's zone, which a client cannot know).
func CheckTimeZone(name string) error {
	if name == "" || name == "Local" || len(name) > 64 {
		return Errorf(BadUserInput, "timeZone must be an IANA time zone name such as \"UTC\" or \"Europe/Paris\", got %q", truncate(name, 64))
	}
	if _, err := TimeZone(name); err != nil {
		return Errorf(BadUserInput, "timeZone %q is not a known IANA time zone", truncate(name, 64))
	}
	return nil
}

var timeZones sync.Map // zone name → *time.Location

// TimeZone is time.LoadLocation remembered: loading reads and parses the
// zone's rules each time, and usage needs them on every request (and on
// SQLite for every run).
func TimeZone(name string) (*time.Location, error) {
	if loc, ok := timeZones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	timeZones.Store(name, loc)
	return loc, nil
}

// UsageRow is one bucket as the Store read it: its key, one value per
// dimension grouped by (nil, an int64 period start in epoch seconds, or a
// string), and its sums.
type UsageRow struct {
	Key    []any
	Bucket UsageBucket
}

// UsagePage is a page of buckets, with how many there are in all.
type UsagePage struct {
	Rows        []UsageRow
	Total       int
	HasNextPage bool
}

// NewUsageConnection turns a page of buckets into a connection.
func NewUsageConnection(q UsageQuery, page UsagePage) *UsageConnection {
	conn := &UsageConnection{
		Edges:      make([]*UsageEdge, len(page.Rows)),
		Nodes:      make([]*UsageBucket, len(page.Rows)),
		TotalCount: page.Total,
	}
	cs := &cursors{n: len(page.Rows), encode: func(i int) string { return encodeUsageCursor(q.GroupBy, page.Rows[i].Key) }}
	conn.PageInfo = &PageInfo{HasNextPage: page.HasNextPage, HasPreviousPage: q.After != nil, cursors: cs}
	for i, row := range page.Rows {
		b := row.Bucket
		b.Key = usageKey(q.GroupBy, row.Key)
		conn.Nodes[i] = &b
		conn.Edges[i] = &UsageEdge{Node: &b, cursors: cs, i: i}
	}
	return conn
}

// usageKey spreads a bucket's key values over the dimensions' fields.
func usageKey(groupBy []UsageDimension, values []any) *UsageKey {
	k := &UsageKey{}
	for i, d := range groupBy {
		if i >= len(values) || values[i] == nil {
			continue
		}
		if d.IsPeriod() {
			if sec, ok := values[i].(int64); ok {
				t := time.Unix(sec, 0).UTC()
				k.Period = &t
			}
			continue
		}
		s, ok := values[i].(string)
		if !ok {
			continue
		}
		switch d {
		case UsageDimensionUser:
			k.UserID = &s
		case UsageDimensionSessionType:
			t, _ := SessionTypeOfStored(s)
			k.SessionType = &t
		case UsageDimensionComponent:
			k.ComponentID = &s
		case UsageDimensionModel:
			k.Model = &s
		case UsageDimensionModelProvider:
			k.ModelProvider = &s
		case UsageDimensionStatus:
			k.RawStatus = &s
		}
	}
	return k
}

type usageCursorJSON struct {
	C string            `json:"c"`
	G string            `json:"g"`
	K []json.RawMessage `json:"k"`
}

func usageGroupTag(groupBy []UsageDimension) string {
	parts := make([]string, len(groupBy))
	for i, d := range groupBy {
		parts[i] = string(d)
	}
	return strings.Join(parts, ",")
}

func encodeUsageCursor(groupBy []UsageDimension, key []any) string {
	raw := usageCursorJSON{C: "usage", G: usageGroupTag(groupBy), K: make([]json.RawMessage, len(key))}
	for i, v := range key {
		raw.K[i], _ = json.Marshal(v)
	}
	b, _ := json.Marshal(raw)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeUsageCursor returns the key a usage cursor holds; BAD_USER_INPUT
// when it is malformed or was made for other dimensions.
func decodeUsageCursor(s string, groupBy []UsageDimension) ([]any, error) {
	var raw usageCursorJSON
	bad := Errorf(BadUserInput, "%q is not a usage cursor", truncate(s, 64))
	if err := decodeCursorJSON(s, &raw); err != nil || raw.C != "usage" {
		return nil, bad
	}
	if raw.G != usageGroupTag(groupBy) {
		return nil, Errorf(BadUserInput, "the cursor was made for groupBy [%s], not [%s]", truncate(raw.G, 200), usageGroupTag(groupBy))
	}
	if len(raw.K) != len(groupBy) {
		return nil, bad
	}
	key := make([]any, len(groupBy))
	for i, d := range groupBy {
		if string(raw.K[i]) == "null" {
			continue
		}
		var err error
		if d.IsPeriod() {
			var sec int64
			err = json.Unmarshal(raw.K[i], &sec)
			key[i] = sec
		} else {
			var str string
			err = json.Unmarshal(raw.K[i], &str)
			key[i] = str
		}
		if err != nil {
			return nil, bad
		}
	}
	return key, nil
}
