package dataset_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"sessiongraph/bench"
	"sessiongraph/dataset"
	"sessiongraph/db"
	"sessiongraph/graph"
	"sessiongraph/httpserver"
	"sessiongraph/internal/agnotest"
	"sessiongraph/internal/testpg"
	"sessiongraph/models"
)

func TestMain(m *testing.M) { testpg.Main(m) }

var realistic = dataset.Realistic(3, 60, time.Date(2025, 11, 20, 12, 0, 0, 0, time.UTC))

func TestInsert(t *testing.T) {
	for _, c := range []struct {
		name    string
		url     func(t *testing.T) string
		layout  db.Layout
		enc     db.SQLiteEncoding
		profile dataset.Profile
	}{
		{"realistic sessions into SQLite in Agno 3's layout", sqliteFile, db.LayoutV3, db.PlainJSON, realistic},
		{"realistic sessions into SQLite in Agno 2's layout", sqliteFile, db.LayoutV2, db.DoubleEncoded, realistic},
		{"realistic sessions into PostgreSQL in Agno 3's layout", postgresDatabase, db.LayoutV3, db.PlainJSON, realistic},
	} {
		t.Run(c.name+" read back as generated", func(t *testing.T) {
			store, err := db.Open(t.Context(), db.Options{URL: c.url(t), CreateLayout: c.layout})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = store.Close() })
			sessions := dataset.Generate(c.profile)
			if err := dataset.Insert(t.Context(), store, sessions, c.enc); err != nil {
				t.Fatal(err)
			}
			checkStored(t, store, sessions, c.layout)
		})
	}
}

func sqliteFile(t *testing.T) string { return filepath.Join(t.TempDir(), "agno.db") }

func postgresDatabase(t *testing.T) string { return testpg.NewDatabase(t) }

// checkStored checks that the store has the layout and reads every session
// back with the runs it was generated with, and that the server answers the
// benchmark's requests over them without errors.
func checkStored(t *testing.T, store *db.Store, sessions []dataset.Session, layout db.Layout) {
	t.Helper()
	d := store.Describe()
	if (d.RunsTable != nil) != (layout == db.LayoutV3) || d.LegacyRunsColumn != (layout == db.LayoutV2) {
		t.Fatalf("the database's layout %+v is not %s", d, layout)
	}
	for _, s := range sessions {
		row, err := store.GetSession(t.Context(), s.Row.SessionID, nil, models.AllColumns)
		if err != nil || row == nil {
			t.Fatalf("session %s: %v, %v", s.Row.SessionID, row, err)
		}
		if got, want := decode(t, row.Runs), decode(t, s.Row.Runs); !reflect.DeepEqual(got, want) && !(want == nil && reflect.DeepEqual(got, []any{})) {
			t.Fatalf("session %s reads back other runs:\n got  %.300v\n want %.300v", s.Row.SessionID, got, want)
		}
	}
	handler := agnotest.Serve(graph.Options{}, httpserver.Options{}, store)
	bodies := [][]byte{requestBody(t, bench.QueryNewest, nil), requestBody(t, bench.QueryNested, nil),
		requestBody(t, bench.QueryPage, map[string]any{"after": nil})}
	for _, s := range sessions[:10] {
		bodies = append(bodies, requestBody(t, bench.QueryTree, map[string]any{"id": s.Row.SessionID}))
	}
	for _, body := range bodies {
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, req)
		if w.Code != http.StatusOK || bytes.Contains(w.Body.Bytes(), []byte(`"errors":`)) || bytes.Contains(w.Body.Bytes(), []byte(`"session":null`)) {
			t.Fatalf("%s\nstatus %d: %.500s", body, w.Code, w.Body.Bytes())
		}
	}
}

// decode parses a runs column; SQL NULL and JSON null are nil.
func decode(t *testing.T, doc json.RawMessage) any {
	t.Helper()
	var v any
	if doc != nil {
		if err := json.Unmarshal(doc, &v); err != nil {
			t.Fatal(err)
		}
	}
	return v
}

func requestBody(tb testing.TB, query string, vars map[string]any) []byte {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		tb.Fatal(err)
	}
	return body
}
