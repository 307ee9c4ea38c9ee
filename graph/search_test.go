package graph_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"sessiongraph/internal/agnotest"
	"sessiongraph/models"
)

// searchRows returns testdata/search.json: sessions whose messages hold
// Unicode, escapes, LIKE wildcards, list-of-parts contents, step runs,
// nested member copies and roles that are not searched.
func searchRows(t *testing.T) []models.SessionRow {
	t.Helper()
	return agnotest.LoadRows(t, "search.json")
}

// searchedTexts are the texts textContains looks in, computed from the
// decoded runs: the content (a string, or the string parts and text parts
// of a list) of each user and assistant message of each run and of the runs
// in its step_executor_runs.
func searchedTexts(t *testing.T, r models.SessionRow) []string {
	t.Helper()
	var runs []any
	if len(r.Runs) > 0 {
		if err := json.Unmarshal(r.Runs, &runs); err != nil {
			t.Fatal(err)
		}
	}
	var out []string
	addMessages := func(v any) {
		msgs, _ := v.([]any)
		for _, m := range msgs {
			msg, _ := m.(map[string]any)
			if role := msg["role"]; role != "user" && role != "assistant" {
				continue
			}
			switch c := msg["content"].(type) {
			case string:
				out = append(out, c)
			case []any:
				for _, p := range c {
					switch part := p.(type) {
					case string:
						out = append(out, part)
					case map[string]any:
						if text, ok := part["text"].(string); ok && part["type"] == "text" {
							out = append(out, text)
						}
					}
				}
			}
		}
	}
	for _, run := range runs {
		doc, _ := run.(map[string]any)
		addMessages(doc["messages"])
		steps, _ := doc["step_executor_runs"].([]any)
		for _, st := range steps {
			if step, ok := st.(map[string]any); ok {
				addMessages(step["messages"])
			}
		}
	}
	return out
}

// textMatches returns the rows with a searched text containing needle, case
// folded by Unicode's simple mapping ("" matches every row).
func textMatches(t *testing.T, rows []models.SessionRow, needle string) []models.SessionRow {
	t.Helper()
	var out []models.SessionRow
	for _, r := range rows {
		if needle == "" || slices.ContainsFunc(searchedTexts(t, r), func(s string) bool {
			return strings.Contains(strings.ToLower(s), strings.ToLower(needle))
		}) {
			out = append(out, r)
		}
	}
	return out
}

func sessionIDs(rows []models.SessionRow) []string {
	ids := []string{}
	for _, r := range rows {
		ids = append(ids, r.SessionID)
	}
	return ids
}

// searchNeedles are looked for in both fixtures, each checked against textMatches.
var searchNeedles = []string{
	"café", "CAFÉ", "Où EST", "ünïcödé", "ÜNÏCÖDÉ", "ΟΔΟΣ", "οδοσ", "οδος", "istanbul",
	"100%", "%", "50%off", "_", "sure_thing", "sure thing", "a_b", "a%b",
	`\`, `back\slash`, `"quotes"`, `"`, "it's", "'", "line1\nline2", "tab\there",
	"ZEBRA", "giraffe", "kangaroo", "image_url", "wombat", "parts say", "platypus", "member koala",
	"onlynested", "owls", "capital role", "ferret", "otter", "hello", "text", "type", "content",
	"order", "981", "e", "zz-nothing-matches",
}

func TestTextContainsAgreesWithTheDecodedRuns(t *testing.T) {
	for _, fixture := range []string{"search.json", "sessions.json"} {
		t.Run(fixture, func(t *testing.T) {
			rows := agnotest.LoadRows(t, fixture)
			bs := serveBackends(agnotest.EveryLayout(t, rows))
			for _, needle := range searchNeedles {
				want := sortedCopy(sessionIDs(textMatches(t, rows, needle)))
				eachBackend(t, bs, func(t *testing.T, b servedBackend) {
					data := mustQuery(t, b.h, `query($f: SessionFilter) { sessions(first: 100, filter: $f) { totalCount nodes { sessionId } } }`,
						map[string]any{"f": map[string]any{"textContains": needle}})
					wantEqual(t, "sessions with "+jsonText(needle), sortedCopy(stringsAt(t, data, "sessionId", "sessions", "nodes")), want)
					wantEqual(t, "totalCount with "+jsonText(needle), jsonAt(data, "sessions", "totalCount"), len(want))
				})
			}
		})
	}
}

func TestTextContainsExamples(t *testing.T) {
	bs := serveBackends(agnotest.EveryLayout(t, searchRows(t)))
	cases := []struct {
		name, needle string
		want         []string
	}{
		{"accented text stored \\u-escaped is found", "café", []string{"q-1"}},
		{"non-ASCII letters match in any case", "üNÏCÖDÉ ANSWER", []string{"q-1"}},
		{"Greek capitals match their simple lower case", "οδοσ", []string{"q-2"}},
		{"a final sigma is another letter than σ", "οδος", []string{}},
		{"a dotted capital I folds to i", "istanbul", []string{"q-2"}},
		{"% matches literally", "100%", []string{"q-1"}},
		{"_ matches literally", "a_b", []string{"q-5"}},
		{"_ matches no other character", "sure thing", []string{}},
		{"a backslash matches literally", `back\slash`, []string{"q-1"}},
		{"double quotes match literally", `"quotes"`, []string{"q-1"}},
		{"a newline matches literally", "line1\nline2", []string{"q-2"}},
		{"text parts of a list content are searched", "parts say", []string{"q-2"}},
		{"string parts of a list content are searched", "wombat", []string{"q-2"}},
		{"other parts of a list content are not", "kangaroo", []string{}},
		{"system messages are not searched", "zebra", []string{}},
		{"tool messages are not searched", "giraffe", []string{}},
		{"a role is matched exactly", "capital role", []string{}},
		{"a message without content does not hide the next", "50%off", []string{"q-5"}},
		{"the messages of a workflow's step runs are searched", "platypus", []string{"q-3"}},
		{"a member run is searched as a run", "member koala", []string{"q-4"}},
		{"member copies nested in a team run are not", "onlynested", []string{}},
		{"messages that are not a list hold nothing", "ferret", []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eachBackend(t, bs, func(t *testing.T, b servedBackend) {
				data := mustQuery(t, b.h, `query($f: SessionFilter) { sessions(first: 100, filter: $f) { nodes { sessionId } } }`,
					map[string]any{"f": map[string]any{"textContains": c.needle}})
				wantEqual(t, "sessions", sortedCopy(stringsAt(t, data, "sessionId", "sessions", "nodes")), c.want)
			})
		})
	}
}

func TestTextContainsCombinesWithFiltersOrdersAndPages(t *testing.T) {
	rows := append(fixtureRows(t), searchRows(t)...)
	bs := serveBackends(agnotest.EveryLayout(t, rows))
	filters := []struct {
		name   string
		filter map[string]any
		keep   func(models.SessionRow) bool
	}{
		{"alone", map[string]any{}, func(models.SessionRow) bool { return true }},
		{"with userId", map[string]any{"userId": "u-2"}, func(r models.SessionRow) bool { return r.UserID != nil && *r.UserID == "u-2" }},
		{"with type", map[string]any{"type": "WORKFLOW"}, func(r models.SessionRow) bool { return r.EffectiveType() == models.SessionTypeWorkflow }},
		{"with nameContains", map[string]any{"nameContains": "search"}, func(r models.SessionRow) bool {
			n := fixtureStoredName(r)
			return n != nil && strings.Contains(strings.ToLower(*n), "search")
		}},
		{"with createdAfter", map[string]any{"createdAfter": rfc3339(1760000010)}, func(r models.SessionRow) bool { return r.CreatedAt >= 1760000010 }},
	}
	for _, needle := range []string{"e", "the", "order"} {
		for _, f := range filters {
			var kept []models.SessionRow
			for _, r := range textMatches(t, rows, needle) {
				if f.keep(r) {
					kept = append(kept, r)
				}
			}
			filter := map[string]any{"textContains": needle}
			for k, v := range f.filter {
				filter[k] = v
			}
			for _, o := range allSessionOrders {
				want := fixtureOrder(kept, o)
				t.Run(jsonText(needle)+" "+f.name+" by "+o.String(), func(t *testing.T) {
					eachBackend(t, bs, func(t *testing.T, b servedBackend) {
						got := []string{}
						vars := map[string]any{"f": filter, "o": o.arg()}
						for page := 0; ; page++ {
							data := mustQuery(t, b.h, `query($f: SessionFilter, $o: SessionOrder, $after: String) {
								sessions(first: 3, after: $after, filter: $f, orderBy: $o) { totalCount nodes { sessionId } pageInfo { hasNextPage endCursor } } }`, vars)
							got = append(got, stringsAt(t, data, "sessionId", "sessions", "nodes")...)
							wantEqual(t, "totalCount", jsonAt(data, "sessions", "totalCount"), len(want))
							if jsonAt(data, "sessions", "pageInfo", "hasNextPage") != true || page > len(want) {
								break
							}
							vars["after"] = jsonAt(data, "sessions", "pageInfo", "endCursor")
						}
						wantEqual(t, "pages", got, want)
					})
				})
			}
		}
	}
}

func TestTextContainsOnRealAgnoDatabases(t *testing.T) {
	for _, fixture := range agnotest.RealAgnoFixtures {
		t.Run(fixture, func(t *testing.T) {
			stores := serveBackends([]agnotest.Backend{
				{Name: "sqlite", Store: agnotest.OpenRealAgnoSQLite(t, fixture)},
				{Name: "postgres", Store: agnotest.OpenRealAgnoPostgres(t, fixture)},
			})
			eachBackend(t, stores, func(t *testing.T, b servedBackend) {
				// The oracle reads every session's merged runs through the API.
				data := mustQuery(t, b.h, `{ sessions(first: 30) { totalCount nodes { sessionId runs(first: 50) { nodes { raw } } } } }`, nil)
				if n := jsonAt(data, "sessions", "totalCount").(float64); n > 30 {
					t.Fatalf("%v sessions, the oracle reads 30", n)
				}
				var rows []models.SessionRow
				for _, n := range listAt(t, data, "sessions", "nodes") {
					var runs []any
					for _, r := range listAt(t, n, "runs", "nodes") {
						runs = append(runs, jsonAt(r, "raw"))
					}
					raw, _ := json.Marshal(runs)
					rows = append(rows, models.SessionRow{SessionID: jsonAt(n, "sessionId").(string), Runs: raw})
				}
				found := 0
				for _, needle := range []string{"weather", "PERTH", "24°c", "°", "hello", "the", "é", "zz-none", "get_weather"} {
					want := sortedCopy(sessionIDs(textMatches(t, rows, needle)))
					found += len(want)
					data := mustQuery(t, b.h, `query($f: SessionFilter) { sessions(first: 100, filter: $f) { totalCount nodes { sessionId } } }`,
						map[string]any{"f": map[string]any{"textContains": needle}})
					wantEqual(t, "sessions with "+needle, sortedCopy(stringsAt(t, data, "sessionId", "sessions", "nodes")), want)
					wantEqual(t, "totalCount with "+needle, jsonAt(data, "sessions", "totalCount"), len(want))
				}
				if found == 0 {
					t.Error("no needle matched anything: the comparison proves nothing")
				}
			})
		})
	}
}

func TestTextContainsReadsRunsAsAgno3MergesThem(t *testing.T) {
	legacy := `[{"run_id": "m-r1", "agent_id": "a", "messages": [{"role": "user", "content": "OLDCOPY of run 1"}]},
		{"agent_id": "a", "messages": [{"role": "user", "content": "NOID run"}]},
		{"run_id": "m-r2", "agent_id": "a", "messages": [{"role": "user", "content": "LEGACYONLY run 2"}]}]`
	rows := []models.SessionRow{
		{SessionID: "m-1", SessionType: "agent", AgentID: ptrTo("a"), CreatedAt: 1760000000, Runs: rawJSON(legacy)},
		{SessionID: "m-2", SessionType: "workflow", WorkflowID: ptrTo("w"), CreatedAt: 1760000001, Runs: rawJSON(`[]`)},
	}
	runs := []models.RunRow{
		{RunID: "m-r1", SessionID: "m-1", RunType: "agent", AgentID: ptrTo("a"), CreatedAt: 1760000000,
			RunData: rawJSON(`{"run_id": "m-r1", "agent_id": "a", "messages": [{"role": "user", "content": "NEWCOPY of run 1"}]}`)},
		{RunID: "m-r3", SessionID: "m-2", RunType: "agent", AgentID: ptrTo("a"), CreatedAt: 1760000001,
			RunData: rawJSON(`{"run_id": "m-r3", "agent_id": "a", "workflow_id": "w", "messages": [{"role": "user", "content": "STEPROW of a workflow"}]}`)},
	}
	cases := []struct {
		needle string
		want   []string
	}{
		{"newcopy", []string{"m-1"}},
		{"oldcopy", []string{}},
		{"legacyonly", []string{"m-1"}},
		{"noid", []string{}},
		{"steprow", []string{}},
	}
	eachBackend(t, legacyBackends(t), func(t *testing.T, b servedBackend) {
		insertRows(t, b, rows...)
		if err := b.store.CreateRunsTable(t.Context()); err != nil {
			t.Fatal(err)
		}
		if err := b.store.InsertRuns(t.Context(), runs); err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			data := mustQuery(t, b.h, `query($f: SessionFilter) { sessions(first: 100, filter: $f) { nodes { sessionId } } }`,
				map[string]any{"f": map[string]any{"textContains": c.needle}})
			wantEqual(t, c.needle, sortedCopy(stringsAt(t, data, "sessionId", "sessions", "nodes")), c.want)
		}
		// The runs the API serves are the ones searched.
		data := mustQuery(t, b.h, `{ a: session(sessionId: "m-1") { runs { nodes { messages { content } } } }
			b: session(sessionId: "m-2") { runs { totalCount } } }`, nil)
		wantEqual(t, "m-1's messages", jsonAt(data, "a", "runs", "nodes"),
			[]any{map[string]any{"messages": []any{map[string]any{"content": "NEWCOPY of run 1"}}},
				map[string]any{"messages": []any{map[string]any{"content": "LEGACYONLY run 2"}}}})
		wantEqual(t, "m-2's runs", jsonAt(data, "b", "runs", "totalCount"), 0)
	})
}

func TestTextContainsFiltersSessionsByID(t *testing.T) {
	rows := searchRows(t)
	ids := sessionIDs(rows)
	for _, b := range agnotest.EveryLayout(t, rows) {
		t.Run(b.Name, func(t *testing.T) {
			for _, needle := range []string{"café", "platypus", "zebra", ""} {
				got, err := b.Store.SessionsByID(t.Context(), ids, &models.SessionFilter{TextContains: &needle}, models.SessionColumns{})
				if err != nil {
					t.Fatal(err)
				}
				wantEqual(t, needle, sortedCopy(sessionIDs(got)), sortedCopy(sessionIDs(textMatches(t, rows, needle))))
			}
		})
	}
}
