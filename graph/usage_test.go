package graph_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"sessiongraph/internal/agnotest"
	"sessiongraph/models"
)

const usageQuery = `query($g: [UsageDimension!]!, $tz: String, $first: Int, $after: String, $f: SessionFilter, $rf: RunsFilter) {
  usage(groupBy: $g, timeZone: $tz, first: $first, after: $after, filter: $f, runFilter: $rf) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node {
      key { period userId sessionType componentId model modelProvider status }
      sessions runs errorRuns inputTokens outputTokens totalTokens cost durationSeconds } }
  }
}`

// usageBucket is a bucket as the test computes it, and as the API answers it.
type usageBucket struct {
	Key             map[string]any `json:"key"`
	Sessions        int            `json:"sessions"`
	Runs            int            `json:"runs"`
	ErrorRuns       int            `json:"errorRuns"`
	InputTokens     int            `json:"inputTokens"`
	OutputTokens    int            `json:"outputTokens"`
	TotalTokens     int            `json:"totalTokens"`
	Cost            *float64       `json:"cost"`
	DurationSeconds *float64       `json:"durationSeconds"`
}

// usageRows generates sessions whose runs cover what usage must count:
// agent, team (with member runs stored as runs of their own and nested
// copies in member_responses) and workflow sessions (whose runs' tokens are
// their steps', with nested copies in step_executor_runs), runs with and
// without cost, failed runs, a status outside Agno's enum, counters that
// are not numbers, missing metrics, sessions without a user, and times
// across both DST changes of 2026 and a month's end.
func usageRows() []models.SessionRow {
	rng := rand.New(rand.NewPCG(15, 15))
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).Unix()
	users := []any{"alice", "bob", "carol", nil}
	models3 := [][2]string{{"gpt-4o", "OpenAI"}, {"claude-sonnet", "Anthropic"}, {"gpt-4o-mini", "OpenAI"}}
	statuses := []string{"COMPLETED", "COMPLETED", "COMPLETED", "ERROR", "CANCELLED", "RUNNING"}
	var rows []models.SessionRow
	runN := 0
	metrics := func(withCost bool) map[string]any {
		in, out := rng.IntN(900)+10, rng.IntN(300)+5
		m := map[string]any{"input_tokens": in, "output_tokens": out, "total_tokens": in + out, "duration": float64(rng.IntN(9000)) / 1000}
		if withCost {
			m["cost"] = float64(in+out) * 0.00001
		}
		return m
	}
	run := func(sessionID string, created int64, extra map[string]any) map[string]any {
		runN++
		mc := models3[rng.IntN(len(models3))]
		r := map[string]any{"run_id": fmt.Sprintf("run-%03d", runN), "session_id": sessionID, "created_at": created,
			"status": statuses[rng.IntN(len(statuses))], "model": mc[0], "model_provider": mc[1], "metrics": metrics(rng.IntN(2) == 0),
			"messages": []any{map[string]any{"role": "user", "content": "hello"}, map[string]any{"role": "assistant", "content": "hi"}}}
		for k, v := range extra {
			r[k] = v
		}
		return r
	}
	for i := range 36 {
		id := fmt.Sprintf("usage-%02d", i)
		created := start + int64(rng.IntN(61*24))*3600 + int64(rng.IntN(3600))
		row := models.SessionRow{SessionID: id, CreatedAt: created, SessionData: json.RawMessage(`{}`)}
		if u, ok := users[i%len(users)].(string); ok {
			row.UserID = &u
		}
		var runs []map[string]any
		at := func(k int) int64 { return created + int64(k)*int64(rng.IntN(20000)+60) }
		switch i % 3 {
		case 0:
			row.SessionType = "agent"
			agent := []string{"support-agent", "notes-agent"}[i%2]
			row.AgentID = &agent
			for k := range rng.IntN(4) + 1 {
				runs = append(runs, run(id, at(k), map[string]any{"agent_id": agent}))
			}
		case 1:
			row.SessionType = "team"
			team := "research-team"
			row.TeamID = &team
			for k := range rng.IntN(3) + 1 {
				leader := run(id, at(k), map[string]any{"team_id": team})
				var copies []any
				for j := range 2 {
					member := run(id, at(k)+int64(j), map[string]any{"agent_id": []string{"researcher", "writer"}[j], "parent_run_id": leader["run_id"]})
					runs = append(runs, member)
					copies = append(copies, member) // also nested in the leader: never counted twice
				}
				leader["member_responses"] = copies
				runs = append(runs, leader)
			}
		default:
			row.SessionType = "workflow"
			wf := "report-pipeline"
			row.WorkflowID = &wf
			for k := range rng.IntN(3) + 1 {
				steps := map[string]any{}
				var executed []any
				for j, name := range []string{"gather", "write"} {
					m := metrics(j == 0)
					delete(m, "duration")
					steps[name] = map[string]any{"step_name": name, "metrics": m}
					executed = append(executed, run(id, at(k), map[string]any{"agent_id": name + "-agent"}))
				}
				runs = append(runs, run(id, at(k), map[string]any{"workflow_id": wf, "model": nil, "model_provider": nil,
					"metrics": map[string]any{"steps": steps, "duration": 1.5}, "step_executor_runs": executed}))
			}
		}
		switch i {
		case 4:
			runs[0]["status"] = "WEIRD" // not a RunStatus: its key's status is an error, its tokens still count
		case 6:
			runs[0]["metrics"].(map[string]any)["input_tokens"] = "12" // not a number: counts as nothing
		case 8:
			delete(runs[0], "metrics")
		case 13:
			runs[0]["metrics"] = nil
		case 9, 15:
			// A session continued weeks after it started: its newest run is
			// found by a time filter that its creation time is before.
			runs = append(runs, run(id, created+23*86400, map[string]any{"agent_id": *row.AgentID}))
		}
		// Agno writes updated_at with every save of the session, so it is at
		// least its newest run's created_at; some legacy rows have none.
		if i%5 != 2 {
			newest := created
			for _, r := range runs {
				newest = max(newest, r["created_at"].(int64))
			}
			updated := newest + int64(rng.IntN(600))
			row.UpdatedAt = &updated
		}
		row.Runs, _ = json.Marshal(runs)
		rows = append(rows, row)
	}
	return rows
}

// usageExpected computes the buckets from the rows' decoded runs, in the
// API's order: each stored run once (the elements of a runs array),
// bucketed by its own created_at, its tokens its metrics' counters or its
// steps' sums.
func usageExpected(t *testing.T, rows []models.SessionRow, groupBy []string, zone string, keep func(row models.SessionRow, run map[string]any) bool) []usageBucket {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	type acc struct {
		b        usageBucket
		sessions map[string]bool
		sortKey  []any
	}
	buckets := map[string]*acc{}
	for _, row := range rows {
		var runs []map[string]any
		if err := json.Unmarshal(row.Runs, &runs); err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			if keep != nil && !keep(row, r) {
				continue
			}
			key := map[string]any{"period": nil, "userId": nil, "sessionType": nil, "componentId": nil, "model": nil, "modelProvider": nil, "status": nil}
			var sortKey []any
			for _, d := range groupBy {
				var v any
				switch d {
				case "HOUR", "DAY", "WEEK", "MONTH":
					p := periodStart(time.Unix(int64(r["created_at"].(float64)), 0).In(loc), d)
					v = p.Unix()
					key["period"] = p.UTC().Format(time.RFC3339)
				case "USER":
					if row.UserID != nil {
						v = *row.UserID
					}
					key["userId"] = v
				case "SESSION_TYPE":
					v = row.SessionType
					key["sessionType"] = strings.ToUpper(row.SessionType)
				case "COMPONENT":
					for _, k := range []string{"agent_id", "team_id", "workflow_id"} {
						if s, ok := r[k].(string); ok && s != "" {
							v = s
							break
						}
					}
					key["componentId"] = v
				case "MODEL", "MODEL_PROVIDER", "STATUS":
					field := map[string]string{"MODEL": "model", "MODEL_PROVIDER": "model_provider", "STATUS": "status"}[d]
					if s, ok := r[field].(string); ok {
						v = s
					}
					out := map[string]string{"MODEL": "model", "MODEL_PROVIDER": "modelProvider", "STATUS": "status"}[d]
					key[out] = v
					if d == "STATUS" && v != nil && !models.RunStatus(v.(string)).IsValid() {
						key[out] = nil // reported as an error on the field
					}
				}
				sortKey = append(sortKey, v)
			}
			id := jsonText(sortKey)
			a := buckets[id]
			if a == nil {
				a = &acc{b: usageBucket{Key: key}, sessions: map[string]bool{}, sortKey: sortKey}
				buckets[id] = a
			}
			a.sessions[row.SessionID] = true
			a.b.Runs++
			if r["status"] == "ERROR" {
				a.b.ErrorRuns++
			}
			m, _ := r["metrics"].(map[string]any)
			counter := func(name string) *float64 {
				if v, ok := m[name].(float64); ok {
					return &v
				}
				steps, _ := m["steps"].(map[string]any)
				var sum *float64
				for _, st := range steps {
					sm, _ := st.(map[string]any)["metrics"].(map[string]any)
					if v, ok := sm[name].(float64); ok {
						if sum == nil {
							sum = new(float64)
						}
						*sum += v
					}
				}
				return sum
			}
			add := func(dst *int, name string) {
				if v := counter(name); v != nil {
					*dst += int(*v)
				}
			}
			add(&a.b.InputTokens, "input_tokens")
			add(&a.b.OutputTokens, "output_tokens")
			add(&a.b.TotalTokens, "total_tokens")
			for name, dst := range map[string]**float64{"cost": &a.b.Cost, "duration": &a.b.DurationSeconds} {
				v := counter(name)
				if name == "duration" {
					v = nil
					if d, ok := m["duration"].(float64); ok {
						v = &d
					}
				}
				if v != nil {
					if *dst == nil {
						*dst = new(float64)
					}
					**dst += *v
				}
			}
		}
	}
	out := make([]*acc, 0, len(buckets))
	for _, a := range buckets {
		a.b.Sessions = len(a.sessions)
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return compareKeys(out[i].sortKey, out[j].sortKey) < 0 })
	res := make([]usageBucket, len(out))
	for i, a := range out {
		res[i] = a.b
	}
	if len(groupBy) == 0 && len(res) == 0 {
		res = []usageBucket{{Key: map[string]any{"period": nil, "userId": nil, "sessionType": nil, "componentId": nil, "model": nil, "modelProvider": nil, "status": nil}}}
	}
	return res
}

// compareKeys orders keys as the API does: each value ascending, nulls
// first, text byte-wise.
func compareKeys(a, b []any) int {
	for i := range a {
		switch {
		case a[i] == nil && b[i] == nil:
			continue
		case a[i] == nil:
			return -1
		case b[i] == nil:
			return 1
		}
		var c int
		switch x := a[i].(type) {
		case int64:
			c = compareInt64(x, b[i].(int64))
		case string:
			c = strings.Compare(x, b[i].(string))
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// periodStart truncates t (in its zone) to the start of its hour, day, ISO
// week or month, by the calendar.
func periodStart(t time.Time, unit string) time.Time {
	switch unit {
	case "HOUR":
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), 0, 0, 0, t.Location())
	case "WEEK":
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
		for day.Weekday() != time.Monday {
			day = day.AddDate(0, 0, -1)
		}
		return day
	case "MONTH":
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location())
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

// usagePages reads every page of a usage query, first buckets at a time,
// checking the page info and totalCount on each.
func usagePages(t *testing.T, h http.Handler, vars map[string]any, first int, wantErrors bool) []usageBucket {
	t.Helper()
	var all []usageBucket
	total := -1
	var after any
	for page := 0; ; page++ {
		v := map[string]any{"first": first, "after": after}
		for k, x := range vars {
			v[k] = x
		}
		resp := query(t, h, usageQuery, v)
		for _, e := range resp.Errors {
			if c := e.Extensions["code"]; !wantErrors || c != "DATA_CORRUPT" {
				t.Fatalf("unexpected error: %+v", e)
			}
		}
		var data struct {
			Usage struct {
				TotalCount int
				PageInfo   struct {
					HasNextPage, HasPreviousPage bool
					EndCursor                    *string
				}
				Edges []struct {
					Cursor string
					Node   usageBucket
				}
			}
		}
		if err := json.Unmarshal(resp.Data, &data); err != nil {
			t.Fatal(err)
		}
		u := data.Usage
		if total >= 0 && u.TotalCount != total {
			t.Fatalf("totalCount changed from %d to %d on page %d", total, u.TotalCount, page)
		}
		total = u.TotalCount
		if u.PageInfo.HasPreviousPage != (page > 0) {
			t.Errorf("page %d: hasPreviousPage = %v", page, u.PageInfo.HasPreviousPage)
		}
		for _, e := range u.Edges {
			all = append(all, e.Node)
		}
		if !u.PageInfo.HasNextPage {
			break
		}
		if len(u.Edges) != first || page > 1000 {
			t.Fatalf("page %d has %d buckets of %d and says more follow", page, len(u.Edges), first)
		}
		after = u.Edges[len(u.Edges)-1].Cursor
	}
	if total != len(all) {
		t.Errorf("totalCount = %d, but the pages hold %d buckets", total, len(all))
	}
	return all
}

// wantBuckets compares buckets, the float sums within rounding (the
// databases add in their own order).
func wantBuckets(t *testing.T, what string, got, want []usageBucket) {
	t.Helper()
	near := func(a, b *float64) bool {
		if a == nil || b == nil {
			return a == b
		}
		return math.Abs(*a-*b) <= 1e-9*math.Max(1, math.Abs(*b))
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d buckets, want %d\n got  %s\n want %s", what, len(got), len(want), jsonText(got), jsonText(want))
		return
	}
	for i := range got {
		g, w := got[i], want[i]
		if !near(g.Cost, w.Cost) || !near(g.DurationSeconds, w.DurationSeconds) {
			t.Errorf("%s: bucket %d %s: cost %s duration %s, want %s %s", what, i, jsonText(w.Key), jsonText(g.Cost), jsonText(g.DurationSeconds), jsonText(w.Cost), jsonText(w.DurationSeconds))
		}
		g.Cost, g.DurationSeconds, w.Cost, w.DurationSeconds = nil, nil, nil, nil
		if jsonText(g) != jsonText(w) {
			t.Errorf("%s: bucket %d:\n got  %s\n want %s", what, i, jsonText(g), jsonText(w))
		}
	}
}

// TestUsageAgreesWithTheDecodedRuns checks every dimension, alone and
// combined, in three time zones, with filters on sessions and runs, on
// every backend and runs layout, against the buckets computed here from
// the runs the rows hold, paging three buckets at a time.
func TestUsageAgreesWithTheDecodedRuns(t *testing.T) {
	rows := usageRows()
	groupings := [][]string{
		{}, {"HOUR"}, {"DAY"}, {"WEEK"}, {"MONTH"}, {"USER"}, {"SESSION_TYPE"}, {"COMPONENT"}, {"MODEL"}, {"MODEL_PROVIDER"}, {"STATUS"},
		{"DAY", "COMPONENT"}, {"USER", "MONTH", "STATUS"}, {"MODEL_PROVIDER", "MODEL", "WEEK", "SESSION_TYPE"},
	}
	zones := []string{"UTC", "America/New_York", "Asia/Kolkata"}
	marchEnd := time.Date(2026, 3, 31, 23, 59, 59, 0, time.UTC)
	marchTwentieth := time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)
	filters := []struct {
		name string
		f    map[string]any
		rf   map[string]any
		keep func(models.SessionRow, map[string]any) bool
	}{
		{name: "team sessions", f: map[string]any{"type": "TEAM"}, keep: func(r models.SessionRow, _ map[string]any) bool { return r.SessionType == "team" }},
		{name: "bob's", f: map[string]any{"userId": "bob"}, keep: func(r models.SessionRow, _ map[string]any) bool { return r.UserID != nil && *r.UserID == "bob" }},
		{name: "top-level failed runs", rf: map[string]any{"topLevel": true, "status": []string{"ERROR"}}, keep: func(_ models.SessionRow, run map[string]any) bool {
			return run["parent_run_id"] == nil && run["status"] == "ERROR"
		}},
		{name: "runs created since 20 March (sessions written before are not read)", rf: map[string]any{"createdAfter": marchTwentieth.Format(time.RFC3339)},
			keep: func(_ models.SessionRow, run map[string]any) bool {
				return int64(run["created_at"].(float64)) >= marchTwentieth.Unix()
			}},
		{name: "runs of researcher created in March", rf: map[string]any{"componentId": "researcher", "createdBefore": marchEnd.Format(time.RFC3339)}, keep: func(_ models.SessionRow, run map[string]any) bool {
			return (run["agent_id"] == "researcher" || run["team_id"] == "researcher" || run["workflow_id"] == "researcher") && int64(run["created_at"].(float64)) <= marchEnd.Unix()
		}},
	}
	stores := append(agnotest.EveryLayout(t, rows), agnotest.AnalyticsTables(t, rows)...)
	eachBackend(t, serveBackends(stores), func(t *testing.T, b servedBackend) {
		for _, g := range groupings {
			for _, zone := range zones {
				if len(g) == 0 && zone != "UTC" {
					continue
				}
				want := usageExpected(t, rows, g, zone, nil)
				got := usagePages(t, b.h, map[string]any{"g": g, "tz": zone}, 3, slices.Contains(g, "STATUS"))
				wantBuckets(t, fmt.Sprintf("%v in %s", g, zone), got, want)
			}
		}
		for _, f := range filters {
			g := []string{"DAY", "USER"}
			want := usageExpected(t, rows, g, "UTC", f.keep)
			got := usagePages(t, b.h, map[string]any{"g": g, "f": f.f, "rf": f.rf}, 50, false)
			wantBuckets(t, f.name, got, want)
		}
	})
}

// TestUsageAgreesWithAgnosSessionMetrics checks, on every database real
// Agno wrote (both backends, every layout), that the tokens of each
// session type's runs add up to what Agno itself stored as those sessions'
// session_metrics, and that the runs and sessions counted are the stored ones.
func TestUsageAgreesWithAgnosSessionMetrics(t *testing.T) {
	const sessionsQuery = `{ sessions(first: 100) { totalCount nodes { sessionId type metrics { inputTokens outputTokens totalTokens } runs(first: 1) { totalCount } } } }`
	for _, fixture := range agnotest.RealAgnoFixtures {
		for _, backend := range []string{"sqlite", "postgres"} {
			t.Run(fixture+"/"+backend, func(t *testing.T) {
				store := agnotest.OpenRealAgnoSQLite
				if backend == "postgres" {
					store = agnotest.OpenRealAgnoPostgres
				}
				h := newHandler(store(t, fixture))
				var data struct {
					Sessions struct {
						Nodes []struct {
							SessionID, Type string
							Metrics         *struct{ InputTokens, OutputTokens, TotalTokens *int }
							Runs            struct{ TotalCount int }
						}
					}
				}
				query(t, h, sessionsQuery, nil).decode(t, &data)
				want := map[string]*usageBucket{}
				for _, s := range data.Sessions.Nodes {
					w := want[s.Type]
					if w == nil {
						w = &usageBucket{Key: map[string]any{"sessionType": s.Type}}
						want[s.Type] = w
					}
					w.Sessions++
					w.Runs += s.Runs.TotalCount
					if s.Metrics == nil {
						t.Fatalf("session %s has no session_metrics", s.SessionID)
					}
					for dst, v := range map[*int]*int{&w.InputTokens: s.Metrics.InputTokens, &w.OutputTokens: s.Metrics.OutputTokens, &w.TotalTokens: s.Metrics.TotalTokens} {
						if v != nil {
							*dst += *v
						}
					}
				}
				got := usagePages(t, h, map[string]any{"g": []string{"SESSION_TYPE"}}, 10, false)
				if len(got) != len(want) {
					t.Fatalf("%d session types, want %d: %s", len(got), len(want), jsonText(got))
				}
				for _, g := range got {
					w := want[g.Key["sessionType"].(string)]
					if g.Sessions != w.Sessions || g.Runs != w.Runs || g.InputTokens != w.InputTokens || g.OutputTokens != w.OutputTokens || g.TotalTokens != w.TotalTokens {
						t.Errorf("%s: usage counts %d sessions, %d runs, tokens %d/%d/%d; Agno stored %d sessions, %d runs, session_metrics %d/%d/%d",
							g.Key["sessionType"], g.Sessions, g.Runs, g.InputTokens, g.OutputTokens, g.TotalTokens,
							w.Sessions, w.Runs, w.InputTokens, w.OutputTokens, w.TotalTokens)
					}
				}
			})
		}
	}
}

// TestUsageRefusesBadArguments checks each argument's validation.
func TestUsageRefusesBadArguments(t *testing.T) {
	b := serveBackends(agnotest.Backends(t, usageRows()))[0]
	other := query(t, b.h, usageQuery, map[string]any{"g": []string{"DAY"}, "first": 1})
	var data struct {
		Usage struct{ PageInfo struct{ EndCursor string } }
	}
	other.decode(t, &data)
	for _, c := range []struct {
		name string
		vars map[string]any
	}{
		{"a dimension twice", map[string]any{"g": []string{"USER", "USER"}}},
		{"two periods", map[string]any{"g": []string{"DAY", "MONTH"}}},
		{"an unknown time zone", map[string]any{"g": []string{"DAY"}, "tz": "Mars/Olympus_Mons"}},
		{"the server's local zone", map[string]any{"g": []string{"DAY"}, "tz": "Local"}},
		{"an empty time zone", map[string]any{"g": []string{"DAY"}, "tz": ""}},
		{"too large a page", map[string]any{"g": []string{"DAY"}, "first": 1001}},
		{"a negative page", map[string]any{"g": []string{"DAY"}, "first": -1}},
		{"a cursor of other dimensions", map[string]any{"g": []string{"WEEK"}, "after": data.Usage.PageInfo.EndCursor}},
		{"a sessions cursor", map[string]any{"g": []string{"DAY"}, "after": "eyJjIjoic2Vzc2lvbnMifQ"}},
		{"not a cursor", map[string]any{"g": []string{"DAY"}, "after": "%%%"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantCodes(t, query(t, b.h, usageQuery, c.vars), "BAD_USER_INPUT")
		})
	}
}

// TestUsageSeesOnlyTheCallersSessions checks that a user restricted to
// their own sessions gets buckets of their runs only, whatever they filter on.
func TestUsageSeesOnlyTheCallersSessions(t *testing.T) {
	rows := usageRows()
	for _, b := range serveBackends(append(agnotest.EveryLayout(t, rows), agnotest.AnalyticsTables(t, rows)...)) {
		t.Run(b.name, func(t *testing.T) {
			h := withAuth(t, b.h)
			alice := token(t, "alice", []string{"sessions:read"})
			mine := func(r models.SessionRow, _ map[string]any) bool { return r.UserID != nil && *r.UserID == "alice" }
			for _, vars := range []map[string]any{
				{"g": []string{"USER", "COMPONENT"}},
				{"g": []string{"USER"}, "f": map[string]any{"userId": "bob"}},
				{"g": []string{"USER"}, "rf": map[string]any{"userId": "bob"}},
			} {
				resp := queryAs(t, h, alice, usageQuery, vars)
				var data struct {
					Usage struct{ Edges []struct{ Node usageBucket } }
				}
				resp.decode(t, &data)
				var got []usageBucket
				for _, e := range data.Usage.Edges {
					got = append(got, e.Node)
				}
				keep := mine
				if vars["f"] != nil || vars["rf"] != nil {
					keep = func(models.SessionRow, map[string]any) bool { return false }
				}
				want := usageExpected(t, rows, vars["g"].([]string), "UTC", keep)
				wantBuckets(t, jsonText(vars), got, want)
			}
		})
	}
}
