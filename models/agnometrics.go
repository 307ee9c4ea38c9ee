package models

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// MetricsRow is a row of Agno's daily metrics table (agno_metrics), which
// Agno's calculate_metrics fills from the sessions: Agno 3 keeps one row per
// user and day ("" for sessions without a user), Agno 2.9 one row per day
// for everyone (its table has no user_id column).
type MetricsRow struct {
	ID                    string
	AgentRunsCount        int64
	TeamRunsCount         int64
	WorkflowRunsCount     int64
	AgentSessionsCount    int64
	TeamSessionsCount     int64
	WorkflowSessionsCount int64
	UsersCount            int64
	TokenMetrics          json.RawMessage // an object of token counters
	ModelMetrics          json.RawMessage // an array of {model_id, model_provider, count}
	Date                  string          // YYYY-MM-DD
	AggregationPeriod     string
	// UserID is user_id; nil when the table has no such column (Agno 2.9).
	UserID    *string
	CreatedAt int64
	UpdatedAt *int64
	Completed bool
}

// legacy reports whether r holds every user's traffic of its day (Agno's
// is_legacy_metric): a 2.9 row, or one Agno 3's migration stamped with the
// unowned "" while it counted users. A real unowned row counts no user.
func (r *MetricsRow) legacy() bool {
	return r.UserID == nil || (*r.UserID == "" && r.UsersCount > 0)
}

// AgnoDailyMetrics is one day of Agno's metrics as AgentOS's GET /metrics
// answers it: one user's row, or a day's rows added up.
type AgnoDailyMetrics struct {
	Date                  time.Time
	UserID                *string
	AggregationPeriod     string
	AgentRunsCount        int
	TeamRunsCount         int
	WorkflowRunsCount     int
	AgentSessionsCount    int
	TeamSessionsCount     int
	WorkflowSessionsCount int
	UsersCount            int
	Completed             bool

	id           string
	createdAt    int64
	updatedAt    *int64
	tokens       *orderedCounts
	tokenMetrics JSON
	modelMetrics JSON
	err          error // a stored JSON column that could not be read
}

// AgentOSMetrics answers as AgentOS's GET /metrics does for rows read for
// owner (nil: every row, an unscoped read). An unscoped read collapses the
// rows of each day into one (aggregate_metrics_by_date): counters and token
// counters added up, model counts merged per model and provider, the
// earliest created_at and the latest updated_at, id "<day>_<period>"; a
// 2.9-era row that held every user's day is dropped where per-user rows of
// that day exist, so no day counts twice. A read of one owner keeps that
// owner's rows with id "<day>_<owner>_<period>"; for the unowned "" bucket
// the 2.9-era rows are dropped. Rows whose date is not a day are skipped, as
// Agno skips them. rows come oldest day first; so does the answer.
func AgentOSMetrics(rows []MetricsRow, owner *string) []*AgnoDailyMetrics {
	out := []*AgnoDailyMetrics{}
	if owner != nil {
		for i := range rows {
			r := &rows[i]
			day, err := time.Parse(time.DateOnly, r.Date)
			if err != nil || (*owner == "" && r.legacy()) {
				continue
			}
			m := newDailyMetrics(r, day, r.Date+"_"+*owner+"_"+period(r))
			if *owner != "" {
				m.UserID = owner
			}
			m.tokenMetrics, m.modelMetrics = storedJSON(r.TokenMetrics, m), storedJSON(r.ModelMetrics, m)
			out = append(out, m)
		}
		return out
	}
	perUser := map[string]bool{}
	for i := range rows {
		if !rows[i].legacy() {
			perUser[rows[i].Date+"\x00"+period(&rows[i])] = true
		}
	}
	byDay := map[string]*AgnoDailyMetrics{}
	modelsOf := map[*AgnoDailyMetrics]*modelCounts{}
	for i := range rows {
		r := &rows[i]
		key := r.Date + "\x00" + period(r)
		day, err := time.Parse(time.DateOnly, r.Date)
		if err != nil || (r.legacy() && perUser[key]) {
			continue
		}
		m, ok := byDay[key]
		if !ok {
			m = newDailyMetrics(r, day, r.Date+"_"+period(r))
			m.tokens, modelsOf[m] = &orderedCounts{}, &modelCounts{}
			byDay[key] = m
			out = append(out, m)
		} else {
			m.add(r)
		}
		if err := m.tokens.add(r.TokenMetrics); err != nil {
			m.err = corrupt(err, "token_metrics of metrics row %q cannot be read", r.ID)
		}
		if err := modelsOf[m].add(r.ModelMetrics); err != nil {
			m.err = corrupt(err, "model_metrics of metrics row %q cannot be read", r.ID)
		}
	}
	for _, m := range out {
		m.tokenMetrics, m.modelMetrics = m.tokens.json(), modelsOf[m].json()
	}
	return out
}

func period(r *MetricsRow) string {
	if r.AggregationPeriod == "" {
		return "daily" // Agno's bucket for a period-less row
	}
	return r.AggregationPeriod
}

func newDailyMetrics(r *MetricsRow, day time.Time, id string) *AgnoDailyMetrics {
	return &AgnoDailyMetrics{Date: day, AggregationPeriod: period(r), Completed: r.Completed, id: id,
		AgentRunsCount: int(r.AgentRunsCount), TeamRunsCount: int(r.TeamRunsCount), WorkflowRunsCount: int(r.WorkflowRunsCount),
		AgentSessionsCount: int(r.AgentSessionsCount), TeamSessionsCount: int(r.TeamSessionsCount),
		WorkflowSessionsCount: int(r.WorkflowSessionsCount), UsersCount: int(r.UsersCount),
		createdAt: r.CreatedAt, updatedAt: r.UpdatedAt}
}

// add adds r's counters to m: the day is complete when all its rows are.
func (m *AgnoDailyMetrics) add(r *MetricsRow) {
	m.AgentRunsCount += int(r.AgentRunsCount)
	m.TeamRunsCount += int(r.TeamRunsCount)
	m.WorkflowRunsCount += int(r.WorkflowRunsCount)
	m.AgentSessionsCount += int(r.AgentSessionsCount)
	m.TeamSessionsCount += int(r.TeamSessionsCount)
	m.WorkflowSessionsCount += int(r.WorkflowSessionsCount)
	m.UsersCount += int(r.UsersCount)
	m.Completed = m.Completed && r.Completed
	m.createdAt = min(m.createdAt, r.CreatedAt)
	if r.UpdatedAt != nil && (m.updatedAt == nil || *r.UpdatedAt > *m.updatedAt) {
		m.updatedAt = r.UpdatedAt
	}
}

// storedJSON passes a stored JSON column through, recording on m a value
// that is not JSON.
func storedJSON(raw json.RawMessage, m *AgnoDailyMetrics) JSON {
	if isAbsent(raw) {
		return nil
	}
	if !json.Valid(raw) {
		m.err = corrupt(errInvalid, "a JSON column of metrics row for %s cannot be read", m.id)
		return nil
	}
	return JSON(raw)
}

// TokenMetrics returns token_metrics; DATA_CORRUPT when a row's could not be read.
func (m *AgnoDailyMetrics) TokenMetrics() (JSON, error) { return m.tokenMetrics, m.err }

// ModelMetrics returns model_metrics; DATA_CORRUPT when a row's could not be read.
func (m *AgnoDailyMetrics) ModelMetrics() (JSON, error) { return m.modelMetrics, m.err }

// Raw returns the row as AgentOS's DayAggregatedMetrics serialises it: its
// keys in that model's order, times as UTC ISO strings, updated_at falling
// back to created_at, and {} / [] for a missing token_metrics / model_metrics.
func (m *AgnoDailyMetrics) Raw() JSON {
	var b bytes.Buffer
	field := func(key string, v any) {
		if b.Len() == 0 {
			b.WriteByte('{')
		} else {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(key)
		b.Write(k)
		b.WriteByte(':')
		switch v := v.(type) {
		case JSON:
			b.Write(v)
		default:
			enc, _ := json.Marshal(v)
			b.Write(enc)
		}
	}
	iso := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
	updated := m.createdAt
	if m.updatedAt != nil {
		updated = *m.updatedAt
	}
	tokens, models := m.tokenMetrics, m.modelMetrics
	if tokens == nil {
		tokens = JSON("{}")
	}
	if models == nil {
		models = JSON("[]")
	}
	field("id", m.id)
	field("agent_runs_count", m.AgentRunsCount)
	field("agent_sessions_count", m.AgentSessionsCount)
	field("team_runs_count", m.TeamRunsCount)
	field("team_sessions_count", m.TeamSessionsCount)
	field("workflow_runs_count", m.WorkflowRunsCount)
	field("workflow_sessions_count", m.WorkflowSessionsCount)
	field("users_count", m.UsersCount)
	field("token_metrics", tokens)
	field("model_metrics", models)
	field("date", iso(m.Date))
	field("created_at", iso(fromEpoch(m.createdAt)))
	field("updated_at", iso(fromEpoch(updated)))
	b.WriteByte('}')
	return JSON(b.Bytes())
}

// orderedCounts adds up objects of counters key by key, keys in the order
// first seen (as Python's dicts keep them); null counts as 0, and a value
// that is not a number is kept as first seen.
type orderedCounts struct {
	keys   []string
	values map[string]json.RawMessage
}

func (c *orderedCounts) add(raw json.RawMessage) error {
	if isAbsent(raw) {
		return nil
	}
	o, err := decodeObject(raw)
	if err != nil {
		return err
	}
	if c.values == nil {
		c.values = map[string]json.RawMessage{}
	}
	var members []struct {
		key   string
		value json.RawMessage
	}
	dec := json.NewDecoder(bytes.NewReader(o.b))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		return err
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return err
		}
		members = append(members, struct {
			key   string
			value json.RawMessage
		}{t.(string), v})
	}
	for _, mb := range members {
		prev, seen := c.values[mb.key]
		if !seen {
			c.keys = append(c.keys, mb.key)
			c.values[mb.key] = mb.value
			continue
		}
		c.values[mb.key] = addNumbers(prev, mb.value)
	}
	return nil
}

// addNumbers adds two JSON numbers (null is 0), integers exactly; a value
// that is not a number leaves a unchanged.
func addNumbers(a, b json.RawMessage) json.RawMessage {
	num := func(v json.RawMessage) (string, bool) {
		s := string(bytes.TrimSpace(v))
		if s == "null" {
			return "0", true
		}
		_, err := strconv.ParseFloat(s, 64)
		return s, err == nil
	}
	x, okA := num(a)
	y, okB := num(b)
	if !okA || !okB {
		return a
	}
	if i, err := strconv.ParseInt(x, 10, 64); err == nil {
		if j, err := strconv.ParseInt(y, 10, 64); err == nil {
			return json.RawMessage(strconv.FormatInt(i+j, 10))
		}
	}
	f, _ := strconv.ParseFloat(x, 64)
	g, _ := strconv.ParseFloat(y, 64)
	return json.RawMessage(strconv.FormatFloat(f+g, 'f', -1, 64))
}

func (c *orderedCounts) json() JSON {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range c.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		enc, _ := json.Marshal(k)
		b.Write(enc)
		b.WriteByte(':')
		b.Write(c.values[k])
	}
	b.WriteByte('}')
	return JSON(b.Bytes())
}

// modelCounts merges model_metrics arrays: one entry per (model_id,
// model_provider) in the order first seen, counts added up.
type modelCounts struct {
	entries []map[string]any
	index   map[string]map[string]any
}

func (c *modelCounts) add(raw json.RawMessage) error {
	if isAbsent(raw) || jsonKind(raw) == '{' { // {} is the column's default in Agno's schema
		return nil
	}
	var entries []map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&entries); err != nil {
		return err
	}
	if c.index == nil {
		c.index = map[string]map[string]any{}
	}
	for _, e := range entries {
		key := fmt.Sprintf("%v\x00%v", e["model_id"], e["model_provider"])
		prev, ok := c.index[key]
		if !ok {
			c.index[key] = e
			c.entries = append(c.entries, e)
			continue
		}
		a, _ := json.Marshal(prev["count"])
		b, _ := json.Marshal(e["count"])
		prev["count"] = json.RawMessage(addNumbers(a, b))
	}
	return nil
}

func (c *modelCounts) json() JSON {
	if c.entries == nil {
		return JSON("[]")
	}
	b, _ := json.Marshal(c.entries)
	return JSON(b)
}
