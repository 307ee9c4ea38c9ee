package graph_test

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"sessiongraph/internal/agnotest"
	"sessiongraph/models"
)

// facetValue is one FacetValue as the API answers it.
type facetValue struct {
	Value       string  `json:"value"`
	SessionType *string `json:"sessionType"`
	Count       int     `json:"count"`
}

// facetKey is a counted value and its session type ("" for none).
type facetKey struct{ value, typ string }

// rankFacet orders counted values as facets do: most frequent first, ties
// by value byte-wise, then by session type; at most first of them.
func rankFacet(counts map[facetKey]int, first int) []facetValue {
	out := []facetValue{}
	for k, n := range counts {
		v := facetValue{Value: k.value, Count: n}
		if k.typ != "" {
			v.SessionType = ptrTo(k.typ)
		}
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b facetValue) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Value, b.Value),
			strings.Compare(*cmp.Or(a.SessionType, ptrTo("")), *cmp.Or(b.SessionType, ptrTo(""))))
	})
	return out[:min(first, len(out))]
}

// wantFacets computes the three facets from the decoded rows: users and
// components count sessions; models count the stored runs (every object of
// a runs array with a run_id; nested copies are parts of their run).
func wantFacets(t *testing.T, rows []models.SessionRow, first int) map[string][]facetValue {
	t.Helper()
	users, components, modelCounts := map[facetKey]int{}, map[facetKey]int{}, map[facetKey]int{}
	for _, r := range rows {
		if r.UserID != nil {
			users[facetKey{*r.UserID, ""}]++
		}
		typ := r.EffectiveType()
		component := map[models.SessionType]*string{models.SessionTypeAgent: r.AgentID, models.SessionTypeTeam: r.TeamID, models.SessionTypeWorkflow: r.WorkflowID}[typ]
		if component != nil {
			components[facetKey{*component, string(typ)}]++
		}
		var runs []any
		_ = json.Unmarshal(r.Runs, &runs)
		for _, run := range runs {
			doc, _ := run.(map[string]any)
			_, hasID := doc["run_id"].(string)
			if model, ok := doc["model"].(string); ok && hasID {
				modelCounts[facetKey{model, ""}]++
			}
		}
	}
	return map[string][]facetValue{"users": rankFacet(users, first), "components": rankFacet(components, first), "models": rankFacet(modelCounts, first)}
}

const facetsQuery = `query($f: SessionFilter, $n: Int) { facets(filter: $f) {
	users(first: $n) { value sessionType count } components(first: $n) { value sessionType count } models(first: $n) { value sessionType count } } }`

func TestFacetsAgreeWithTheDecodedRows(t *testing.T) {
	rows := append(fixtureRows(t), searchRows(t)...)
	bs := serveBackends(append(agnotest.EveryLayout(t, rows), agnotest.AnalyticsTables(t, rows)...))
	cases := []struct {
		name   string
		filter map[string]any
		keep   func(models.SessionRow) bool
	}{
		{"every session", nil, func(models.SessionRow) bool { return true }},
		{"one user's sessions", map[string]any{"userId": "u-7"}, func(r models.SessionRow) bool { return r.UserID != nil && *r.UserID == "u-7" }},
		{"team sessions", map[string]any{"type": "TEAM"}, func(r models.SessionRow) bool { return r.EffectiveType() == models.SessionTypeTeam }},
		{"sessions created in a window", map[string]any{"createdAfter": rfc3339(1757370000), "createdBefore": rfc3339(1760000045)},
			func(r models.SessionRow) bool { return r.CreatedAt >= 1757370000 && r.CreatedAt <= 1760000045 }},
		{"sessions found by textContains", map[string]any{"textContains": "the"}, nil},
	}
	for _, c := range cases {
		kept := textMatches(t, rows, "")
		if c.keep == nil {
			kept = textMatches(t, rows, c.filter["textContains"].(string))
		} else {
			kept = slices.DeleteFunc(kept, func(r models.SessionRow) bool { return !c.keep(r) })
		}
		for _, first := range []int{100, 2, 0} {
			want := wantFacets(t, kept, first)
			t.Run(c.name+", first "+jsonText(first), func(t *testing.T) {
				eachBackend(t, bs, func(t *testing.T, b servedBackend) {
					var got struct{ Facets map[string][]facetValue }
					query(t, b.h, facetsQuery, map[string]any{"f": c.filter, "n": first}).decode(t, &got)
					for _, field := range []string{"users", "components", "models"} {
						wantEqual(t, field, got.Facets[field], want[field])
					}
				})
			})
		}
	}
}

func TestFacetsFirstOutOfRangeIsBadUserInput(t *testing.T) {
	b := serveBackends(agnotest.Backends(t, searchRows(t))[:1])[0]
	for _, n := range []int{-1, 1001} {
		resp := query(t, b.h, `query($n: Int) { facets { users(first: $n) { value } } }`, map[string]any{"n": n})
		wantCodes(t, resp, "BAD_USER_INPUT")
	}
	resp := query(t, b.h, `{ facets(dbId: "nope") { users { value } } }`, nil)
	wantCodes(t, resp, "NOT_FOUND")
	var ok struct{ Facets map[string][]facetValue }
	query(t, b.h, `{ facets { users(first: 1000) { value } } }`, nil).decode(t, &ok)
}

func TestFacetsShowOnlyTheCallersSessions(t *testing.T) {
	rows := append(fixtureRows(t), searchRows(t)...)
	var own []models.SessionRow
	for _, r := range rows {
		if r.UserID != nil && *r.UserID == "u-7" {
			own = append(own, r)
		}
	}
	want := wantFacets(t, own, 100)
	eachBackend(t, serveBackends(append(agnotest.EveryLayout(t, rows), agnotest.AnalyticsTables(t, rows)...)), func(t *testing.T, b servedBackend) {
		h := withAuth(t, b.h)
		for _, filter := range []map[string]any{nil, {"userId": "u-2"}} {
			var got struct{ Facets map[string][]facetValue }
			queryAs(t, h, token(t, "u-7", nil), facetsQuery, map[string]any{"f": filter, "n": 100}).decode(t, &got)
			for _, field := range []string{"users", "components", "models"} {
				w := want[field]
				if filter != nil {
					w = []facetValue{} // another user's sessions are absent
				}
				wantEqual(t, field, got.Facets[field], w)
			}
		}
	})
}

func TestFacetsOnRealAgnoDatabases(t *testing.T) {
	for _, fixture := range agnotest.RealAgnoFixtures {
		t.Run(fixture, func(t *testing.T) {
			eachBackend(t, serveBackends([]agnotest.Backend{
				{Name: "sqlite", Store: agnotest.OpenRealAgnoSQLite(t, fixture)},
				{Name: "postgres", Store: agnotest.OpenRealAgnoPostgres(t, fixture)},
			}), func(t *testing.T, b servedBackend) {
				// The oracle counts what the API lists: sessions, and every stored run (allRuns).
				data := mustQuery(t, b.h, `{ sessions(first: 100) { totalCount nodes { type userId componentId } }
					allRuns(first: 100) { totalCount nodes { model } } }`, nil)
				if jsonAt(data, "sessions", "totalCount").(float64) > 100 || jsonAt(data, "allRuns", "totalCount").(float64) > 100 {
					t.Fatal("the oracle reads 100 sessions and 100 runs")
				}
				users, components, modelCounts := map[facetKey]int{}, map[facetKey]int{}, map[facetKey]int{}
				for _, n := range listAt(t, data, "sessions", "nodes") {
					if u, ok := jsonAt(n, "userId").(string); ok {
						users[facetKey{u, ""}]++
					}
					if c, ok := jsonAt(n, "componentId").(string); ok {
						components[facetKey{c, jsonAt(n, "type").(string)}]++
					}
				}
				for _, n := range listAt(t, data, "allRuns", "nodes") {
					if m, ok := jsonAt(n, "model").(string); ok {
						modelCounts[facetKey{m, ""}]++
					}
				}
				var got struct{ Facets map[string][]facetValue }
				query(t, b.h, facetsQuery, map[string]any{"n": 100}).decode(t, &got)
				wantEqual(t, "users", got.Facets["users"], rankFacet(users, 100))
				wantEqual(t, "components", got.Facets["components"], rankFacet(components, 100))
				wantEqual(t, "models", got.Facets["models"], rankFacet(modelCounts, 100))
				if len(got.Facets["models"]) == 0 || len(got.Facets["users"]) == 0 {
					t.Error("no models or users: the comparison proves little")
				}
			})
		})
	}
}
