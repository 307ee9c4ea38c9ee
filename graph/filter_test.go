package graph_test

import (
	"testing"
	"time"
)

func TestSessionFilters(t *testing.T) {
	bs := fixtureBackends(t)
	at := func(sec int64, offset time.Duration) string {
		return time.Unix(sec, 0).Add(offset).UTC().Format(time.RFC3339Nano)
	}
	all := sortedCopy(func() []string {
		var ids []string
		for _, r := range fixtureRows(t) {
			ids = append(ids, r.SessionID)
		}
		return ids
	}())
	cases := []struct {
		name   string
		filter map[string]any
		want   []string // any order
	}{
		{"no filter lists every session", nil, all},
		{"an empty filter lists every session", map[string]any{}, all},
		{"type AGENT lists the agent sessions, the legacy row with an empty session_type included", map[string]any{"type": "AGENT"},
			[]string{"s-100", "s-101", "s-102", "s-103", "s-104", "s-400", "s-401", "s-402", "s-500"}},
		{"type TEAM lists the team sessions", map[string]any{"type": "TEAM"}, []string{"s-200", "s-403"}},
		{"type WORKFLOW lists the workflow sessions", map[string]any{"type": "WORKFLOW"}, []string{"s-300", "s-301", "s-302"}},
		{"componentId without type matches agent_id", map[string]any{"componentId": "support"}, []string{"s-100", "s-101"}},
		{"componentId without type matches team_id", map[string]any{"componentId": "research-team"}, []string{"s-200"}},
		{"componentId without type matches workflow_id", map[string]any{"componentId": "blog"}, []string{"s-300", "s-301"}},
		{"componentId without type matches any of the three columns", map[string]any{"componentId": "notes"},
			[]string{"s-400", "s-401", "s-402", "s-403"}},
		{"componentId with type AGENT matches only agent_id", map[string]any{"componentId": "notes", "type": "AGENT"},
			[]string{"s-400", "s-401", "s-402"}},
		{"componentId with type TEAM matches only team_id", map[string]any{"componentId": "notes", "type": "TEAM"}, []string{"s-403"}},
		{"componentId with type WORKFLOW matches only workflow_id", map[string]any{"componentId": "blog", "type": "WORKFLOW"}, []string{"s-300", "s-301"}},
		{"componentId of another type's column matches nothing", map[string]any{"componentId": "blog", "type": "AGENT"}, []string{}},
		{"componentId matches exactly, not as a prefix", map[string]any{"componentId": "blo"}, []string{}},
		{"componentId matches case-sensitively", map[string]any{"componentId": "Support"}, []string{}},
		{"userId matches exactly", map[string]any{"userId": "u-8"}, []string{"s-101", "s-301", "s-302"}},
		{"userId of nobody matches nothing", map[string]any{"userId": "u-"}, []string{}},
		{"nameContains ignores ASCII case", map[string]any{"nameContains": "ALPHA"}, []string{"s-400", "s-401"}},
		{"nameContains matches a substring anywhere", map[string]any{"nameContains": "981 HE"}, []string{"s-100"}},
		{"nameContains treats _ literally", map[string]any{"nameContains": "alpha_1"}, []string{"s-400"}},
		{"nameContains treats a lone _ literally", map[string]any{"nameContains": "_"}, []string{"s-400"}},
		{"nameContains treats % literally", map[string]any{"nameContains": "100%"}, []string{"s-400"}},
		{"nameContains treats a lone % literally", map[string]any{"nameContains": "%"}, []string{"s-400"}},
		{"nameContains with a space does not match an underscore", map[string]any{"nameContains": "alpha 1"}, []string{"s-401"}},
		{"nameContains matches non-ASCII text", map[string]any{"nameContains": "日本 🎉"}, []string{"s-103"}},
		{"nameContains does not fold the case of non-ASCII letters", map[string]any{"nameContains": "café ü"}, []string{}},
		{"nameContains matches accented text with ASCII case ignored", map[string]any{"nameContains": "CAFé Ünïcode"}, []string{"s-103"}},
		{"nameContains never matches a derived name", map[string]any{"nameContains": "refund"}, []string{}},
		{"nameContains never matches a derived team name", map[string]any{"nameContains": "new in go"}, []string{}},
		{"nameContains never matches a derived workflow name", map[string]any{"nameContains": "New BlogGenerator"}, []string{}},
		{"nameContains never matches other keys of session_data", map[string]any{"nameContains": "session_state"}, []string{}},
		{"nameContains never matches values of session_state", map[string]any{"nameContains": "981\""}, []string{}},
		{"nameContains of the empty string filters nothing", map[string]any{"nameContains": ""}, all},
		{"createdAfter is inclusive at the exact second", map[string]any{"createdAfter": rfc3339(1757600000)},
			[]string{"s-400", "s-401", "s-402", "s-403"}},
		{"createdAfter a fractional second excludes that second", map[string]any{"createdAfter": at(1757600000, 500*time.Millisecond)},
			[]string{"s-403"}},
		{"createdAfter accepts another offset", map[string]any{"createdAfter": time.Unix(1757600000, 0).In(time.FixedZone("", 2*3600)).Format(time.RFC3339)},
			[]string{"s-400", "s-401", "s-402", "s-403"}},
		{"createdBefore is inclusive at the exact second", map[string]any{"createdBefore": rfc3339(1757350000)},
			[]string{"s-100", "s-101", "s-500"}},
		{"createdBefore a fractional second includes that second", map[string]any{"createdBefore": at(1757350000, 500*time.Millisecond)},
			[]string{"s-100", "s-101", "s-500"}},
		{"createdBefore just under a second excludes that second", map[string]any{"createdBefore": at(1757350000, -500*time.Millisecond)},
			[]string{"s-100", "s-500"}},
		{"createdAfter and createdBefore at the same second select that second", map[string]any{"createdAfter": rfc3339(1757600000), "createdBefore": rfc3339(1757600000)},
			[]string{"s-400", "s-401", "s-402"}},
		{"a createdAfter far in the past keeps every session", map[string]any{"createdAfter": "0001-01-01T00:00:00Z"}, all},
		{"a createdBefore far in the future keeps every session", map[string]any{"createdBefore": "9999-12-31T23:59:59Z"}, all},
		{"a createdBefore before the epoch keeps nothing", map[string]any{"createdBefore": "1969-12-31T23:59:59Z"}, []string{}},
		{"updatedAfter uses created_at when updated_at is null", map[string]any{"updatedAfter": rfc3339(1757600200)}, []string{"s-403"}},
		{"updatedAfter is inclusive at the exact second", map[string]any{"updatedAfter": rfc3339(1757600100)}, []string{"s-401", "s-403"}},
		{"updatedBefore and updatedAfter at created_at find a row with null updated_at", map[string]any{"updatedAfter": rfc3339(1757350000), "updatedBefore": rfc3339(1757350000)},
			[]string{"s-101"}},
		{"updatedBefore is inclusive at the exact second", map[string]any{"updatedBefore": rfc3339(1757346800)}, []string{"s-100", "s-500"}},
		{"updatedBefore a nanosecond under a second excludes that second", map[string]any{"updatedBefore": at(1757346800, -1)}, []string{"s-500"}},
		{"updatedAfter excludes rows updated earlier although created at the same time", map[string]any{"updatedAfter": rfc3339(1757600050), "createdBefore": rfc3339(1757600000)},
			[]string{"s-401", "s-402"}},
		{"type and userId combine with AND", map[string]any{"type": "WORKFLOW", "userId": "u-8"}, []string{"s-301", "s-302"}},
		{"userId and nameContains combine with AND", map[string]any{"userId": "u-9", "nameContains": "banana"}, []string{"s-402", "s-403"}},
		{"type, userId and nameContains combine with AND", map[string]any{"type": "TEAM", "userId": "u-9", "nameContains": "banana"}, []string{"s-403"}},
		{"componentId and a time window combine with AND", map[string]any{"componentId": "research", "createdAfter": rfc3339(1757370000), "updatedBefore": rfc3339(1757380020)},
			[]string{"s-103", "s-104"}},
		{"contradictory filters match nothing", map[string]any{"type": "TEAM", "componentId": "support"}, []string{}},
	}
	const q = `query($f: SessionFilter) {
		all: sessions(first: 100, filter: $f) { totalCount nodes { sessionId type } }
		one: sessions(first: 1, filter: $f) { totalCount pageInfo { hasNextPage } }
	}`
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eachBackend(t, bs, func(t *testing.T, b servedBackend) {
				data := mustQuery(t, b.h, q, map[string]any{"f": c.filter})
				got := stringsAt(t, data, "sessionId", "all", "nodes")
				wantEqual(t, "sessions", sortedCopy(got), c.want)
				wantEqual(t, "totalCount", jsonAt(data, "all", "totalCount"), len(c.want))
				wantEqual(t, "totalCount of a one-item page", jsonAt(data, "one", "totalCount"), len(c.want))
				wantEqual(t, "hasNextPage of a one-item page", jsonAt(data, "one", "pageInfo", "hasNextPage"), len(c.want) > 1)
				if typ, ok := c.filter["type"]; ok {
					for _, n := range listAt(t, data, "all", "nodes") {
						if jsonAt(n, "type") != typ {
							t.Errorf("%v has type %v, filtered on %v", jsonAt(n, "sessionId"), jsonAt(n, "type"), typ)
						}
					}
				}
			})
		})
	}
	bad := []struct {
		name   string
		filter map[string]any
	}{
		{"a createdAfter that is not RFC 3339 is BAD_USER_INPUT", map[string]any{"createdAfter": "yesterday"}},
		{"an updatedBefore without an offset is BAD_USER_INPUT", map[string]any{"updatedBefore": "2025-09-11T14:13:20"}},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			eachBackend(t, bs, func(t *testing.T, b servedBackend) {
				resp := query(t, b.h, `query($f: SessionFilter) { sessions(filter: $f) { totalCount } }`, map[string]any{"f": c.filter})
				wantCodes(t, resp, "BAD_USER_INPUT")
			})
		})
	}
}
