package models_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"sessiongraph/models"
)

var sessionOrders = func() []models.SessionOrder {
	var orders []models.SessionOrder
	for _, f := range models.AllSessionOrderField {
		for _, d := range models.AllOrderDirection {
			orders = append(orders, models.SessionOrder{Field: f, Direction: d})
		}
	}
	return orders
}()

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// abbrev shortens fuzz inputs, which run to 100 kB, for failure messages.
var abbrev = models.Abbrev

// FuzzSessionCursor checks that every cursor Encode makes decodes to itself in
// its own order and fails in every other, and that DecodeSessionCursor of any
// text either fails with BAD_USER_INPUT or returns a cursor of that order that
// encodes and decodes to itself.
func FuzzSessionCursor(f *testing.F) {
	for _, seed := range []struct {
		orderIndex uint8
		key        int64
		name, id   string
		s          string
	}{
		{0, 1757346730, "", "s-100", models.SessionCursor{Order: models.DefaultSessionOrder, Int: 1757346730, SessionID: "s-100"}.Encode()},
		{4, 0, "order 981 help", "s-100", models.SessionCursor{Order: sessionOrders[4], Str: "order 981 help", SessionID: "s-100"}.Encode()},
		{1, -1 << 63, "", "", b64(`{"c":"sessions","o":"CREATED_AT:DESC","k":9223372036854775808,"id":"x"}`)},
		{2, 1<<63 - 1, "", "\x00", b64(`{"c":"sessions","o":"UPDATED_AT:ASC","k":1.5,"id":"x"}`)},
		{5, 0, strings.Repeat("日", 512), "s", b64(`{"c":"sessions","o":"NAME:DESC","k":null,"id":null}`)},
		{4, 0, strings.Repeat("<", 512), "s", b64(`{"c":"sessions","o":"NAME:ASC","k":7,"id":"x"}`)},
		{3, 0, "\x00\x01", strings.Repeat("x", 100_000), b64(`{"c":"runs","o":"CREATED_AT:ASC","k":1,"id":"x"}`)},
		{0, 0, "", "", b64(`{"c":"sessions","o":"CREATED_AT:DESC","k":1,"id":"x","c":"runs"}`)},
		{0, 0, "", "", b64(`{"c":"sessions","o":"CREATED_AT:DESC","k":"1","id":"x"}`)},
		{0, 0, "", "", b64(`{"c":"sessions","o":"CREATED_AT:DESC"}`)},
		{0, 0, "", "", b64(`null`)},
		{0, 0, "", "", b64(`"eyJjIjoic2Vzc2lvbnMifQ"`)},
		{0, 0, "", "", "eyJjIjoic2Vzc2lvbnMifQ=="},
		{0, 0, "", "", "!!!not base64"},
		{0, 0, "", "", ""},
		{0, 0, "", "", strings.Repeat("A", 100_000)},
	} {
		f.Add(seed.orderIndex, seed.key, seed.name, seed.id, seed.s)
	}
	f.Fuzz(func(t *testing.T, orderIndex uint8, key int64, name, id, s string) {
		c := models.SessionCursor{Order: sessionOrders[int(orderIndex)%len(sessionOrders)], SessionID: id}
		if c.Order.Field == models.SessionOrderFieldName {
			c.Str = name
		} else {
			c.Int = key
		}
		// Stored text is valid UTF-8 (PostgreSQL text, Python str).
		// Keys within what a cursor may carry (an id of at most MaxIDLength,
		// a name of a few kB) round-trip; longer ones may be refused.
		if utf8.ValidString(c.Str) && utf8.ValidString(c.SessionID) && len(c.SessionID) <= models.MaxIDLength && len(c.Str) <= 4096 {
			enc := c.Encode()
			for _, order := range sessionOrders {
				got, err := models.DecodeSessionCursor(enc, order)
				switch {
				case order == c.Order && (err != nil || got != c):
					t.Errorf("DecodeSessionCursor(Encode of %s) = %s, %v", abbrev(c), abbrev(got), err)
				case order != c.Order && models.ErrorCode(err) != models.BadUserInput:
					t.Errorf("a cursor for %v decoded in order %v: %s, %v", c.Order, order, abbrev(got), err)
				}
			}
		}

		decodedIn := 0
		for _, order := range sessionOrders {
			got, err := models.DecodeSessionCursor(s, order)
			if err != nil {
				if code := models.ErrorCode(err); code != models.BadUserInput {
					t.Errorf("DecodeSessionCursor(%s, %v) failed with code %s: %v", abbrev(s), order, code, err)
				}
				if got != (models.SessionCursor{}) {
					t.Errorf("DecodeSessionCursor(%s, %v) failed but returned %s", abbrev(s), order, abbrev(got))
				}
				continue
			}
			decodedIn++
			if got.Order != order {
				t.Errorf("DecodeSessionCursor(%s, %v) = %s of another order", abbrev(s), order, abbrev(got))
			}
			if again, err := models.DecodeSessionCursor(got.Encode(), order); err != nil || again != got {
				t.Errorf("DecodeSessionCursor(%s) = %s, but its Encode decodes as %s, %v", abbrev(s), abbrev(got), abbrev(again), err)
			}
		}
		if decodedIn > 1 {
			t.Errorf("DecodeSessionCursor(%s) succeeded in %d orders", abbrev(s), decodedIn)
		}
	})
}

// runsRow is a session of runs with the given run ids; "#" stands for an
// element that is not an object (corrupt), at its position in the array.
func runsRow(sessionID string, runIDs []string) models.SessionRow {
	elems := make([]any, len(runIDs))
	for i, id := range runIDs {
		if id == "#" {
			elems[i] = "not a run"
			continue
		}
		elems[i] = map[string]any{"run_id": id, "agent_id": "support", "status": "COMPLETED", "created_at": 1757346730 + i}
	}
	runs, _ := json.Marshal(elems)
	return models.SessionRow{SessionID: sessionID, SessionType: "agent", Runs: runs, CreatedAt: 1757346730}
}

// objectIndexes returns the array indexes of the runs that are objects.
func objectIndexes(runIDs []string) []int {
	var out []int
	for i, id := range runIDs {
		if id != "#" {
			out = append(out, i)
		}
	}
	return out
}

func runIndexes(runs []models.Run) []int {
	out := make([]int, len(runs))
	for i, r := range runs {
		out[i] = r.Core().Index()
	}
	return out
}

// FuzzRunCursor checks that paging a session's runs with the cursors it
// hands out, forwards with first/after and backwards with last/before,
// visits every readable run once in stored order (whatever the run ids),
// that a cursor of another session's runs is BAD_USER_INPUT, and that any
// text as after or before either fails with BAD_USER_INPUT or gives a page
// that is a contiguous stretch of the runs.
func FuzzRunCursor(f *testing.F) {
	for _, seed := range []struct {
		dbID, sessionID, runIDs string
		pageSize                uint8
		cursor                  string
	}{
		{"default", "s-100", "r-a1,r-a2,r-a3", 1, b64(`{"c":"runs","db":"default","s":"s-100","i":1,"id":"r-a2"}`)},
		{"default", "s-100", "r-a1,#,r-a3,,r-a5", 2, b64(`{"c":"runs","db":"default","s":"s-100","i":1,"id":""}`)},
		{"default", "s-100", "r-a1,r-a1,r-a1", 1, b64(`{"c":"runs","db":"default","s":"s-100","i":2,"id":"r-a1"}`)},
		{"default", "s-100", "x,,,x", 1, b64(`{"c":"runs","db":"default","s":"s-100","i":-5,"id":"nope"}`)},
		{"db", "s", "a,b", 3, b64(`{"c":"runs","db":"db","s":"s","i":9223372036854775807}`)},
		{"db", "s", "a,b", 3, b64(`{"c":"runs","db":"db","s":"s","i":1e30}`)},
		{"db", "s", "a,b", 3, b64(`{"c":"runs","db":"other","s":"s","i":0}`)},
		{"db", "s", "a,b", 3, b64(`{"c":"sessions","o":"CREATED_AT:DESC","k":1,"id":"s"}`)},
		{"db", "s", "a,b", 3, b64(`[]`)},
		{"", "", "", 0, ""},
		{"\x00", "\xff", "\x00,\x00", 0, "\x00"},
		{"db", "s", strings.Repeat("r,", 50), 7, strings.Repeat("A", 100_000)},
	} {
		f.Add(seed.dbID, seed.sessionID, seed.runIDs, seed.pageSize, seed.cursor)
	}
	f.Fuzz(func(t *testing.T, dbID, sessionID, runIDList string, pageSize uint8, cursor string) {
		runIDs := strings.Split(runIDList, ",")
		if len(runIDs) > 64 {
			runIDs = runIDs[:64]
		}
		// Stored keys are valid UTF-8 (PostgreSQL text, Python str).
		dbID, sessionID = strings.ToValidUTF8(dbID, "\uFFFD"), strings.ToValidUTF8(sessionID, "\uFFFD")
		n := 1 + int(pageSize)%4
		s := models.NewSession(dbID, runsRow(sessionID, runIDs)).Core()
		want := objectIndexes(runIDs)

		var forward []int
		var after *string
		for range len(runIDs) + 1 {
			conn, err := s.RunConnection(models.PageArgs{First: &n, After: after}, nil)
			if conn == nil {
				t.Fatalf("first %d after %s: %v", n, abbrev(after), err)
			}
			forward = append(forward, runIndexes(conn.Nodes)...)
			if !conn.PageInfo.HasNextPage {
				break
			}
			after = conn.PageInfo.EndCursor()
		}
		if !slices.Equal(forward, want) {
			t.Errorf("paging forward by %d through runs %s visited %s, want %s", n, abbrev(runIDs), abbrev(forward), abbrev(want))
		}

		var backward []int
		var before *string
		for range len(runIDs) + 1 {
			conn, err := s.RunConnection(models.PageArgs{Last: &n, Before: before}, nil)
			if conn == nil {
				t.Fatalf("last %d before %s: %v", n, abbrev(before), err)
			}
			backward = append(runIndexes(conn.Nodes), backward...)
			if !conn.PageInfo.HasPreviousPage {
				break
			}
			before = conn.PageInfo.StartCursor()
		}
		if !slices.Equal(backward, want) {
			t.Errorf("paging backward by %d through runs %s visited %s, want %s", n, abbrev(runIDs), abbrev(backward), abbrev(want))
		}

		if all, _ := s.RunConnection(models.PageArgs{First: &n}, nil); all.PageInfo.EndCursor() != nil {
			other := models.NewSession(dbID, runsRow(sessionID+"'", runIDs)).Core()
			if _, err := other.RunConnection(models.PageArgs{After: all.PageInfo.EndCursor()}, nil); models.ErrorCode(err) != models.BadUserInput {
				t.Errorf("a cursor of session %s used on another session: %v", abbrev(sessionID), err)
			}
		}

		for _, args := range []models.PageArgs{{After: &cursor}, {Before: &cursor}, {After: &cursor, Before: &cursor}} {
			conn, err := s.RunConnection(args, nil)
			if conn == nil {
				if code := models.ErrorCode(err); code != models.BadUserInput {
					t.Errorf("cursor %s failed with code %s: %v", abbrev(cursor), code, err)
				}
				continue
			}
			if err != nil && models.ErrorCode(err) != models.DataCorrupt {
				t.Errorf("cursor %s: %v", abbrev(cursor), err)
			}
			got := runIndexes(conn.Nodes)
			if len(got) > 0 {
				at := slices.Index(want, got[0])
				if at < 0 || at+len(got) > len(want) || !slices.Equal(want[at:at+len(got)], got) {
					t.Errorf("cursor %s gave runs %s, not a stretch of %s", abbrev(cursor), abbrev(got), abbrev(want))
				}
			}
			if total, _ := conn.TotalCount(context.Background()); total != len(want) {
				t.Errorf("cursor %s: totalCount %d, want %d", abbrev(cursor), total, len(want))
			}
		}
	})
}
