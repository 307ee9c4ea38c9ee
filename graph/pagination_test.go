package graph_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"sessiongraph/models"
)

func TestSessionOrders(t *testing.T) {
	bs := fixtureBackends(t)
	rows := fixtureRows(t)
	const q = `query($o: SessionOrder) { sessions(first: 100, orderBy: $o) { nodes { sessionId } } }`
	for _, o := range allSessionOrders {
		t.Run(fmt.Sprintf("%s orders by the key with ties on sessionId in the same direction", o), func(t *testing.T) {
			eachBackend(t, bs, func(t *testing.T, b servedBackend) {
				data := mustQuery(t, b.h, q, map[string]any{"o": o.arg()})
				wantEqual(t, "order", stringsAt(t, data, "sessionId", "sessions", "nodes"), fixtureOrder(rows, o))
			})
		})
	}
	// The same orders, written out by hand, so that a mistake shared by the
	// fixture model above and the server cannot pass unnoticed.
	spelled := []struct {
		name  string
		order sessionOrder
		want  []string
	}{
		{"CREATED_AT ASC breaks the tie of s-400, s-401 and s-402 on sessionId ascending", sessionOrder{"CREATED_AT", "ASC"},
			[]string{"s-500", "s-100", "s-101", "s-102", "s-103", "s-104", "s-200", "s-300", "s-301", "s-302", "s-400", "s-401", "s-402", "s-403"}},
		{"CREATED_AT DESC breaks the tie of s-400, s-401 and s-402 on sessionId descending", sessionOrder{"CREATED_AT", "DESC"},
			[]string{"s-403", "s-402", "s-401", "s-400", "s-302", "s-301", "s-300", "s-200", "s-104", "s-103", "s-102", "s-101", "s-100", "s-500"}},
		{"UPDATED_AT ASC falls back to created_at for null updated_at", sessionOrder{"UPDATED_AT", "ASC"},
			[]string{"s-500", "s-100", "s-101", "s-102", "s-103", "s-104", "s-200", "s-300", "s-301", "s-302", "s-400", "s-402", "s-401", "s-403"}},
		{"NAME ASC puts sessions without a stored name first and compares lower-cased names byte-wise", sessionOrder{"NAME", "ASC"},
			[]string{"s-101", "s-102", "s-104", "s-200", "s-300", "s-301", "s-302", "s-401", "s-400", "s-402", "s-403", "s-103", "s-500", "s-100"}},
		{"NAME DESC is the exact reverse of NAME ASC", sessionOrder{"NAME", "DESC"},
			[]string{"s-100", "s-500", "s-103", "s-403", "s-402", "s-400", "s-401", "s-302", "s-301", "s-300", "s-200", "s-104", "s-102", "s-101"}},
	}
	for _, c := range spelled {
		t.Run(c.name, func(t *testing.T) {
			wantEqual(t, "fixture model", fixtureOrder(rows, c.order), c.want)
			eachBackend(t, bs, func(t *testing.T, b servedBackend) {
				data := mustQuery(t, b.h, q, map[string]any{"o": c.order.arg()})
				wantEqual(t, "order", stringsAt(t, data, "sessionId", "sessions", "nodes"), c.want)
			})
		})
	}
	t.Run("the default order is CREATED_AT DESC", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			data := mustQuery(t, b.h, `{ sessions(first: 100) { nodes { sessionId } } }`, nil)
			wantEqual(t, "order", stringsAt(t, data, "sessionId", "sessions", "nodes"), fixtureOrder(rows, sessionOrder{"CREATED_AT", "DESC"}))
		})
	})
	t.Run("an explicit null orderBy is CREATED_AT DESC", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			data := mustQuery(t, b.h, `{ sessions(first: 100, orderBy: null) { nodes { sessionId } } }`, nil)
			wantEqual(t, "order", stringsAt(t, data, "sessionId", "sessions", "nodes"), fixtureOrder(rows, sessionOrder{"CREATED_AT", "DESC"}))
		})
	})
	t.Run("NAME ignores derived names", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			data := mustQuery(t, b.h, `{ sessions(first: 3, orderBy: {field: NAME, direction: ASC}) { nodes { sessionId name nameIsDerived } } }`, nil)
			// s-101's derived name "I need a refund…" would sort after "alpha…" if derived names counted.
			wantEqual(t, "first", jsonAt(data, "sessions", "nodes", 0), map[string]any{
				"sessionId": "s-101", "name": "I need a refund for order 1001", "nameIsDerived": true})
		})
	})
}

// sessionPageQuery reads one page of sessions with everything pagination needs.
const sessionPageQuery = `query($first: Int, $after: String, $last: Int, $before: String, $o: SessionOrder, $f: SessionFilter) {
	sessions(first: $first, after: $after, last: $last, before: $before, orderBy: $o, filter: $f) {
		edges { cursor node { sessionId } }
		pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
		totalCount
	}
}`

// connPage is one page of a connection.
type connPage struct {
	ids, cursors           []string
	hasNext, hasPrev       bool
	startCursor, endCursor any
	totalCount             float64
}

func readSessionPage(t *testing.T, h http.Handler, vars map[string]any) connPage {
	t.Helper()
	data := mustQuery(t, h, sessionPageQuery, vars)
	return connPageOf(t, jsonAt(data, "sessions"), "sessionId")
}

// connPageOf decodes a connection whose edges' nodes have the key field.
func connPageOf(t *testing.T, conn any, key string) connPage {
	t.Helper()
	p := connPage{ids: []string{}, cursors: []string{}}
	for _, e := range listAt(t, conn, "edges") {
		id, _ := jsonAt(e, "node", key).(string)
		cursor, _ := jsonAt(e, "cursor").(string)
		p.ids, p.cursors = append(p.ids, id), append(p.cursors, cursor)
	}
	p.hasNext, _ = jsonAt(conn, "pageInfo", "hasNextPage").(bool)
	p.hasPrev, _ = jsonAt(conn, "pageInfo", "hasPreviousPage").(bool)
	p.startCursor, p.endCursor = jsonAt(conn, "pageInfo", "startCursor"), jsonAt(conn, "pageInfo", "endCursor")
	p.totalCount, _ = jsonAt(conn, "totalCount").(float64)
	return p
}

// checkCursors fails unless startCursor and endCursor are the first and last edge's cursors (null when empty).
func (p connPage) checkCursors(t *testing.T) {
	t.Helper()
	if len(p.cursors) == 0 {
		if p.startCursor != nil || p.endCursor != nil {
			t.Errorf("empty page has startCursor %v, endCursor %v; want null", p.startCursor, p.endCursor)
		}
		return
	}
	if p.startCursor != p.cursors[0] || p.endCursor != p.cursors[len(p.cursors)-1] {
		t.Errorf("startCursor/endCursor %v/%v are not the first/last edge cursors %v", p.startCursor, p.endCursor, p.cursors)
	}
}

// walkSessionsForward pages with first: size and after until hasNextPage is false,
// checking each page against want, and returns the ids seen.
func walkSessionsForward(t *testing.T, h http.Handler, size int, vars map[string]any, want []string) []string {
	t.Helper()
	var seen []string
	var after any
	for i := 0; ; i++ {
		if i > len(want)+1 {
			t.Fatalf("no end after %d pages; seen %v", i, seen)
		}
		v := map[string]any{"first": size, "after": after}
		for k, x := range vars {
			v[k] = x
		}
		p := readSessionPage(t, h, v)
		p.checkCursors(t)
		if wantLen := min(size, len(want)-len(seen)); len(p.ids) != wantLen {
			t.Errorf("page %d has %d items; want %d", i, len(p.ids), wantLen)
		}
		seen = append(seen, p.ids...)
		if wantNext := len(seen) < len(want); p.hasNext != wantNext {
			t.Errorf("page %d (%v) hasNextPage = %v, want %v", i, p.ids, p.hasNext, wantNext)
		}
		if i == 0 && p.hasPrev {
			t.Errorf("the first page has hasPreviousPage = true")
		}
		if !p.hasNext || len(p.ids) == 0 {
			break
		}
		after = p.endCursor
	}
	return seen
}

// walkSessionsBackward pages with last: size and before until hasPreviousPage is
// false, and returns the ids seen in order.
func walkSessionsBackward(t *testing.T, h http.Handler, size int, vars map[string]any, want []string) []string {
	t.Helper()
	var seen []string
	var before any
	for i := 0; ; i++ {
		if i > len(want)+1 {
			t.Fatalf("no start after %d pages; seen %v", i, seen)
		}
		v := map[string]any{"last": size, "before": before}
		for k, x := range vars {
			v[k] = x
		}
		p := readSessionPage(t, h, v)
		p.checkCursors(t)
		if wantLen := min(size, len(want)-len(seen)); len(p.ids) != wantLen {
			t.Errorf("page %d from the end has %d items; want %d", i, len(p.ids), wantLen)
		}
		seen = append(slices.Clone(p.ids), seen...)
		if wantPrev := len(seen) < len(want); p.hasPrev != wantPrev {
			t.Errorf("page %d from the end (%v) hasPreviousPage = %v, want %v", i, p.ids, p.hasPrev, wantPrev)
		}
		if i == 0 && p.hasNext {
			t.Errorf("the last page has hasNextPage = true")
		}
		if !p.hasPrev || len(p.ids) == 0 {
			break
		}
		before = p.startCursor
	}
	return seen
}

func TestSessionPagination(t *testing.T) {
	bs := fixtureBackends(t)
	rows := fixtureRows(t)
	for _, o := range allSessionOrders {
		want := fixtureOrder(rows, o)
		t.Run(fmt.Sprintf("first 2 with after walks %s to the end", o), func(t *testing.T) {
			eachBackend(t, bs, func(t *testing.T, b servedBackend) {
				got := walkSessionsForward(t, b.h, 2, map[string]any{"o": o.arg()}, want)
				wantEqual(t, "walk", got, want)
			})
		})
		t.Run(fmt.Sprintf("last 2 with before walks %s to the start", o), func(t *testing.T) {
			eachBackend(t, bs, func(t *testing.T, b servedBackend) {
				got := walkSessionsBackward(t, b.h, 2, map[string]any{"o": o.arg()}, want)
				wantEqual(t, "walk", got, want)
			})
		})
	}
	t.Run("first 3 with after walks a filtered NAME order to the end", func(t *testing.T) {
		o := sessionOrder{"NAME", "DESC"}
		var u9 []models.SessionRow
		for _, r := range rows {
			if r.UserID != nil && *r.UserID == "u-9" {
				u9 = append(u9, r)
			}
		}
		want := fixtureOrder(u9, o)
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			vars := map[string]any{"o": o.arg(), "f": map[string]any{"userId": "u-9"}}
			wantEqual(t, "walk", walkSessionsForward(t, b.h, 3, vars, want), want)
			wantEqual(t, "walk back", walkSessionsBackward(t, b.h, 3, vars, want), want)
		})
	})
	t.Run("after and before together select the sessions between them", func(t *testing.T) {
		o := sessionOrder{"UPDATED_AT", "DESC"}
		want := fixtureOrder(rows, o)
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			all := readSessionPage(t, b.h, map[string]any{"first": 100, "o": o.arg()})
			p := readSessionPage(t, b.h, map[string]any{"first": 100, "after": all.cursors[2], "before": all.cursors[9], "o": o.arg()})
			wantEqual(t, "between", p.ids, want[3:9])
			p = readSessionPage(t, b.h, map[string]any{"last": 2, "after": all.cursors[2], "before": all.cursors[9], "o": o.arg()})
			wantEqual(t, "last 2 between", p.ids, want[7:9])
			if !p.hasPrev {
				t.Errorf("last 2 between has hasPreviousPage = false")
			}
		})
	})
	t.Run("the cursor of the last session gives an empty page after it", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			all := readSessionPage(t, b.h, map[string]any{"first": 100})
			p := readSessionPage(t, b.h, map[string]any{"first": 2, "after": all.cursors[len(all.cursors)-1]})
			if len(p.ids) != 0 || p.hasNext {
				t.Errorf("page after the end = %v (hasNextPage %v), want empty and false", p.ids, p.hasNext)
			}
			p.checkCursors(t)
		})
	})
	t.Run("first 0 returns no sessions but knows there are more", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			p := readSessionPage(t, b.h, map[string]any{"first": 0})
			if len(p.ids) != 0 {
				t.Errorf("first 0 returned %v", p.ids)
			}
			p.checkCursors(t)
			if !p.hasNext {
				t.Errorf("first 0 has hasNextPage = false although %d sessions exist", len(rows))
			}
			wantEqual(t, "totalCount", p.totalCount, len(rows))
		})
	})
	t.Run("last 0 returns no sessions but knows there are more", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			p := readSessionPage(t, b.h, map[string]any{"last": 0})
			if len(p.ids) != 0 {
				t.Errorf("last 0 returned %v", p.ids)
			}
			p.checkCursors(t)
			if !p.hasPrev {
				t.Errorf("last 0 has hasPreviousPage = false although %d sessions exist", len(rows))
			}
		})
	})
	t.Run("first 100 and last 100 are accepted", func(t *testing.T) {
		eachBackend(t, bs, func(t *testing.T, b servedBackend) {
			wantEqual(t, "first 100", len(readSessionPage(t, b.h, map[string]any{"first": 100}).ids), len(rows))
			wantEqual(t, "last 100", len(readSessionPage(t, b.h, map[string]any{"last": 100}).ids), len(rows))
		})
	})
}

func TestSessionPaginationErrors(t *testing.T) {
	bs := fixtureBackends(t)
	eachBackend(t, bs, func(t *testing.T, b servedBackend) {
		desc := readSessionPage(t, b.h, map[string]any{"first": 2})
		nameAsc := readSessionPage(t, b.h, map[string]any{"first": 2, "o": map[string]any{"field": "NAME", "direction": "ASC"}})
		runCursor := jsonAt(mustQuery(t, b.h, `{ runs(sessionId: "s-100") { edges { cursor } } }`, nil), "runs", "edges", 0, "cursor")
		cases := []struct {
			name string
			vars map[string]any
		}{
			{"first -1 is BAD_USER_INPUT", map[string]any{"first": -1}},
			{"first 101 is BAD_USER_INPUT", map[string]any{"first": 101}},
			{"last -1 is BAD_USER_INPUT", map[string]any{"last": -1}},
			{"last 101 is BAD_USER_INPUT", map[string]any{"last": 101}},
			{"first and last together are BAD_USER_INPUT", map[string]any{"first": 2, "last": 2}},
			{"first 0 and last 0 together are BAD_USER_INPUT", map[string]any{"first": 0, "last": 0}},
			{"a malformed after cursor is BAD_USER_INPUT", map[string]any{"first": 2, "after": "not-a-cursor"}},
			{"a malformed before cursor is BAD_USER_INPUT", map[string]any{"last": 2, "before": "%%%"}},
			{"an empty cursor is BAD_USER_INPUT", map[string]any{"first": 2, "after": ""}},
			{"a cursor with its last character cut is BAD_USER_INPUT", map[string]any{"first": 2, "after": desc.cursors[1][:len(desc.cursors[1])-1]}},
			{"a CREATED_AT DESC cursor used with CREATED_AT ASC is BAD_USER_INPUT", map[string]any{"first": 2, "after": desc.cursors[1],
				"o": map[string]any{"field": "CREATED_AT", "direction": "ASC"}}},
			{"a CREATED_AT DESC cursor used with UPDATED_AT DESC is BAD_USER_INPUT", map[string]any{"first": 2, "after": desc.cursors[1],
				"o": map[string]any{"field": "UPDATED_AT", "direction": "DESC"}}},
			{"a NAME ASC cursor used with the default order is BAD_USER_INPUT", map[string]any{"first": 2, "before": nameAsc.cursors[1]}},
			{"a run cursor used on sessions is BAD_USER_INPUT", map[string]any{"first": 2, "after": runCursor}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				resp := query(t, b.h, sessionPageQuery, c.vars)
				wantCodes(t, resp, "BAD_USER_INPUT")
				wantEqual(t, "data", decodeAny(t, resp.Data), nil)
			})
		}
		t.Run("a session cursor used on runs is BAD_USER_INPUT", func(t *testing.T) {
			for _, q := range []string{
				`query($c: String) { runs(sessionId: "s-100", after: $c) { totalCount } }`,
				`query($c: String) { session(sessionId: "s-100") { runs(before: $c) { totalCount } } }`,
			} {
				wantCodes(t, query(t, b.h, q, map[string]any{"c": desc.cursors[0]}), "BAD_USER_INPUT")
			}
		})
	})
}

func TestSessionCursorsAreStableUnderInserts(t *testing.T) {
	bs := fixtureBackends(t) // this test writes
	eachBackend(t, bs, func(t *testing.T, b servedBackend) {
		createdDesc := readSessionPage(t, b.h, map[string]any{"first": 2})
		wantEqual(t, "first page", createdDesc.ids, []string{"s-403", "s-402"})
		nameAsc := sessionOrder{"NAME", "ASC"}
		byName := readSessionPage(t, b.h, map[string]any{"first": 8, "o": nameAsc.arg()})
		wantEqual(t, "first page by name", byName.ids, []string{"s-101", "s-102", "s-104", "s-200", "s-300", "s-301", "s-302", "s-401"})
		insertRows(t, b,
			// Before both pages: newer than everything, and a name-less id that sorts first.
			models.SessionRow{SessionID: "s-000", SessionType: "agent", AgentID: ptrTo("x"), CreatedAt: 1757900000},
			// Inside the next pages: ties with s-400..s-402 on created_at, and a name between "alpha 1000 done" and "alpha_100% done".
			models.SessionRow{SessionID: "s-4005", SessionType: "agent", AgentID: ptrTo("x"), CreatedAt: 1757600000,
				SessionData: rawJSON(`{"session_name": "ALPHA 2"}`)},
		)
		next := readSessionPage(t, b.h, map[string]any{"first": 2, "after": createdDesc.endCursor})
		wantEqual(t, "next page by created_at", next.ids, []string{"s-401", "s-4005"})
		prev := readSessionPage(t, b.h, map[string]any{"last": 2, "before": createdDesc.startCursor})
		wantEqual(t, "page before the first one", prev.ids, []string{"s-000"})
		if prev.hasPrev {
			t.Errorf("page before the first one has hasPreviousPage = true")
		}
		nextByName := readSessionPage(t, b.h, map[string]any{"first": 2, "after": byName.endCursor, "o": nameAsc.arg()})
		wantEqual(t, "next page by name", nextByName.ids, []string{"s-4005", "s-400"})
		// The rows the cursors point at may go away too.
		mustQuery(t, b.h, deleteMany, map[string]any{"in": map[string]any{"sessionIds": []string{"s-402", "s-401"}}})
		afterDeleted := readSessionPage(t, b.h, map[string]any{"first": 2, "after": createdDesc.endCursor})
		wantEqual(t, "next page by created_at after deleting the cursor's row", afterDeleted.ids, []string{"s-4005", "s-400"})
		nextByName = readSessionPage(t, b.h, map[string]any{"first": 2, "after": byName.endCursor, "o": nameAsc.arg()})
		wantEqual(t, "next page by name after deleting the cursor's row", nextByName.ids, []string{"s-4005", "s-400"})
	})
}

func TestDefaultPageSize(t *testing.T) {
	bs := fixtureBackends(t) // this test writes
	eachBackend(t, bs, func(t *testing.T, b servedBackend) {
		var extra []models.SessionRow
		for i := range 10 {
			extra = append(extra, models.SessionRow{SessionID: fmt.Sprintf("p-%02d", i), SessionType: "agent", AgentID: ptrTo("x"), CreatedAt: 1758000000 + int64(i)})
		}
		var runs []string
		for i := range 25 {
			runs = append(runs, fmt.Sprintf(`{"run_id": "r-%02d", "agent_id": "x", "created_at": %d}`, i, 1758000000+i))
		}
		extra = append(extra, models.SessionRow{SessionID: "many-runs", SessionType: "agent", AgentID: ptrTo("x"), CreatedAt: 1,
			Runs: rawJSON("[" + strings.Join(runs, ", ") + "]")})
		insertRows(t, b, extra...)
		total := len(fixtureRows(t)) + len(extra)
		t.Run("sessions without first or last returns 20", func(t *testing.T) {
			p := readSessionPage(t, b.h, map[string]any{})
			wantEqual(t, "page size", len(p.ids), 20)
			wantEqual(t, "totalCount", p.totalCount, total)
			if !p.hasNext {
				t.Errorf("hasNextPage = false with %d sessions", total)
			}
		})
		t.Run("sessions with only after returns the next 20", func(t *testing.T) {
			first := readSessionPage(t, b.h, map[string]any{"first": 1})
			p := readSessionPage(t, b.h, map[string]any{"after": first.endCursor})
			wantEqual(t, "page size", len(p.ids), 20)
		})
		t.Run("runs without first or last returns 20", func(t *testing.T) {
			data := mustQuery(t, b.h, `{ runs(sessionId: "many-runs") { totalCount edges { cursor node { runId } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`, nil)
			p := connPageOf(t, data["runs"], "runId")
			wantEqual(t, "runs", p.ids, []string{"r-00", "r-01", "r-02", "r-03", "r-04", "r-05", "r-06", "r-07", "r-08", "r-09",
				"r-10", "r-11", "r-12", "r-13", "r-14", "r-15", "r-16", "r-17", "r-18", "r-19"})
			wantEqual(t, "totalCount", p.totalCount, 25)
			if !p.hasNext {
				t.Errorf("hasNextPage = false with 25 runs")
			}
		})
	})
}
