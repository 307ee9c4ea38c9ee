package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"sessiongraph/db"
	"sessiongraph/internal/agnotest"
	"sessiongraph/models"
)

// servedBackend is one fixture-loaded store with the handler serving it.
type servedBackend struct {
	name  string
	store *db.Store
	h     http.Handler
}

// fixtureBackends loads testdata/sessions.json into the three backends, in
// Agno 2's layout, Agno 3's and their mix (see agnotest.EveryLayout).
func fixtureBackends(t *testing.T) []servedBackend {
	t.Helper()
	return serveBackends(agnotest.EveryLayout(t, fixtureRows(t)))
}

// legacyBackends loads testdata/sessions.json into the three backends in
// Agno 2's layout only, for tests of the runs column itself.
func legacyBackends(t *testing.T) []servedBackend {
	t.Helper()
	return serveBackends(agnotest.Backends(t, fixtureRows(t)))
}

func serveBackends(bs []agnotest.Backend) []servedBackend {
	out := make([]servedBackend, len(bs))
	for i, b := range bs {
		out[i] = servedBackend{name: b.Name, store: b.Store, h: newHandler(b.Store)}
	}
	return out
}

// eachBackend runs f as a subtest per backend.
func eachBackend(t *testing.T, bs []servedBackend, f func(t *testing.T, b servedBackend)) {
	t.Helper()
	for _, b := range bs {
		t.Run(b.name, func(t *testing.T) { f(t, b) })
	}
}

// fixtureRows returns the fixture rows (a fresh copy on each call).
func fixtureRows(t *testing.T) []models.SessionRow {
	t.Helper()
	return agnotest.LoadRows(t, "sessions.json")
}

// fixtureRow returns the fixture row with id.
func fixtureRow(t *testing.T, id string) models.SessionRow {
	t.Helper()
	for _, r := range fixtureRows(t) {
		if r.SessionID == id {
			return r
		}
	}
	t.Fatalf("no fixture row %q", id)
	return models.SessionRow{}
}

// fixtureJSON decodes a stored JSON document of the fixture into a generic value.
func fixtureJSON(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	if raw == nil {
		return nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// fixtureRun returns a run of a fixture session (top-level or nested) as a generic object.
func fixtureRun(t *testing.T, sessionID, runID string) map[string]any {
	t.Helper()
	runs, _ := fixtureJSON(t, fixtureRow(t, sessionID).Runs).([]any)
	var find func(list []any) map[string]any
	find = func(list []any) map[string]any {
		for _, r := range list {
			m, _ := r.(map[string]any)
			if m["run_id"] == runID {
				return m
			}
			for _, key := range []string{"member_responses", "step_executor_runs"} {
				if nested, ok := m[key].([]any); ok {
					if found := find(nested); found != nil {
						return found
					}
				}
			}
		}
		return nil
	}
	if r := find(runs); r != nil {
		return r
	}
	t.Fatalf("no run %q in fixture session %q", runID, sessionID)
	return nil
}

// rfc3339 renders epoch seconds as the API's DateTime.
func rfc3339(sec int64) string { return time.Unix(sec, 0).UTC().Format(time.RFC3339) }

// fixtureStoredName is session_data.session_name when it is a string.
func fixtureStoredName(r models.SessionRow) *string {
	var d map[string]json.RawMessage
	if json.Unmarshal(r.SessionData, &d) != nil {
		return nil
	}
	var s string
	if json.Unmarshal(d["session_name"], &s) != nil {
		return nil
	}
	return &s
}

// fixtureUpdatedKey is coalesce(updated_at, created_at).
func fixtureUpdatedKey(r models.SessionRow) int64 {
	if r.UpdatedAt != nil {
		return *r.UpdatedAt
	}
	return r.CreatedAt
}

// fixtureNameKey is the NAME order key: the stored name with ASCII A-Z lower-cased, "" when none.
func fixtureNameKey(r models.SessionRow) string {
	n := fixtureStoredName(r)
	if n == nil {
		return ""
	}
	return strings.Map(func(c rune) rune {
		if c >= 'A' && c <= 'Z' {
			return c + 'a' - 'A'
		}
		return c
	}, *n)
}

// sessionOrder is an orderBy argument and how the fixture model sorts by it.
type sessionOrder struct {
	field, direction string
}

func (o sessionOrder) arg() map[string]any {
	return map[string]any{"field": o.field, "direction": o.direction}
}

func (o sessionOrder) String() string { return o.field + " " + o.direction }

var allSessionOrders = []sessionOrder{
	{"CREATED_AT", "ASC"}, {"CREATED_AT", "DESC"},
	{"UPDATED_AT", "ASC"}, {"UPDATED_AT", "DESC"},
	{"NAME", "ASC"}, {"NAME", "DESC"},
	{"SESSION_ID", "ASC"}, {"SESSION_ID", "DESC"},
	{"USER_ID", "ASC"}, {"USER_ID", "DESC"},
}

// fixtureOrder sorts rows as the API orders them: by the order key, ties on
// session_id, both byte-wise in the order's direction.
func fixtureOrder(rows []models.SessionRow, o sessionOrder) []string {
	rows = slices.Clone(rows)
	slices.SortStableFunc(rows, func(a, b models.SessionRow) int {
		var c int
		switch o.field {
		case "CREATED_AT":
			c = compareInt64(a.CreatedAt, b.CreatedAt)
		case "UPDATED_AT":
			c = compareInt64(fixtureUpdatedKey(a), fixtureUpdatedKey(b))
		case "NAME":
			c = strings.Compare(fixtureNameKey(a), fixtureNameKey(b))
		case "USER_ID":
			c = strings.Compare(fixtureUserKey(a), fixtureUserKey(b))
		}
		if c == 0 {
			c = strings.Compare(a.SessionID, b.SessionID)
		}
		if o.direction == "DESC" {
			c = -c
		}
		return c
	})
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.SessionID
	}
	return ids
}

// fixtureUserKey is the USER_ID order key: user_id, "" when NULL.
func fixtureUserKey(r models.SessionRow) string {
	if r.UserID == nil {
		return ""
	}
	return *r.UserID
}

func compareInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// mustQuery POSTs a query and decodes the data generically, failing on any error.
func mustQuery(t *testing.T, h http.Handler, q string, vars map[string]any) map[string]any {
	t.Helper()
	resp := query(t, h, q, vars)
	var data map[string]any
	resp.decode(t, &data)
	return data
}

// jsonAt walks a decoded JSON value by object keys (string) and array indexes (int).
var jsonAt = agnotest.At

// listAt returns the array at path, failing when it is not one.
func listAt(t *testing.T, v any, path ...any) []any {
	t.Helper()
	a, ok := jsonAt(v, path...).([]any)
	if !ok {
		t.Fatalf("%v is not a list in %s", path, jsonText(v))
	}
	return a
}

// stringsAt returns the string field key of each object in the list at path.
func stringsAt(t *testing.T, v any, key string, path ...any) []string {
	t.Helper()
	items := listAt(t, v, path...)
	out := make([]string, len(items))
	for i, it := range items {
		s, _ := jsonAt(it, key).(string)
		out[i] = s
	}
	return out
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// wantEqual fails with both values as JSON when got != want (deep, on decoded JSON).
func wantEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(asDecodedJSON(got), asDecodedJSON(want)) {
		t.Errorf("%s:\n got  %s\n want %s", what, jsonText(got), jsonText(want))
	}
}

// asDecodedJSON round-trips v through JSON so that Go values compare as decoded JSON.
func asDecodedJSON(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// wantCodes fails unless the response has exactly these error codes.
func wantCodes(t *testing.T, resp gqlResponse, codes ...string) {
	t.Helper()
	if !slices.Equal(resp.codes(), codes) {
		t.Errorf("error codes = %v, want %v (errors: %+v)", resp.codes(), codes, resp.Errors)
	}
}

// pathText renders an error path like sessions.nodes.3.data.
func pathText(p []any) string {
	parts := make([]string, len(p))
	for i, x := range p {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ".")
}

// openSQLiteStore opens an empty SQLite store with the given database id.
func openSQLiteStore(t *testing.T, id string) *db.Store {
	t.Helper()
	s, err := db.Open(context.Background(), db.Options{ID: id, URL: filepath.Join(t.TempDir(), id+".db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// insertRows stores rows in b the way the fixture loader does for its backend.
func insertRows(t *testing.T, b servedBackend, rows ...models.SessionRow) {
	t.Helper()
	enc := db.DoubleEncoded
	if b.name == "sqlite plain" {
		enc = db.PlainJSON
	}
	if err := b.store.InsertRows(context.Background(), rows, enc); err != nil {
		t.Fatal(err)
	}
}

func ptrTo[T any](v T) *T { return &v }

// rawJSON builds a JSON column value.
func rawJSON(s string) json.RawMessage { return json.RawMessage(s) }

// listSessionIDs lists every session id through the API, in the default order.
func listSessionIDs(t *testing.T, h http.Handler) []string {
	t.Helper()
	data := mustQuery(t, h, `{ sessions(first: 100) { nodes { sessionId } } }`, nil)
	return stringsAt(t, data, "sessionId", "sessions", "nodes")
}

// sortedCopy returns a sorted copy.
func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// decodeAny decodes raw JSON generically; empty input is null.
func decodeAny(t *testing.T, raw []byte) any {
	t.Helper()
	if len(raw) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return v
}
