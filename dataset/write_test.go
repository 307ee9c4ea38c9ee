package dataset_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

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

var (
	exact     = dataset.Exact{Sessions: 40, Runs: 5, Messages: 6, Seed: 8}
	realistic = dataset.Realistic(3, 60, time.Date(2025, 11, 20, 12, 0, 0, 0, time.UTC))
)

func TestInsert(t *testing.T) {
	for _, c := range []struct {
		name    string
		url     func(t *testing.T) string
		layout  db.Layout
		enc     db.SQLiteEncoding
		profile dataset.Profile
	}{
		{"exact sessions into SQLite in Agno 3's layout", sqliteFile, db.LayoutV3, db.DoubleEncoded, exact},
		{"exact sessions into SQLite in Agno 2's layout", sqliteFile, db.LayoutV2, db.PlainJSON, exact},
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

func TestCopyInto(t *testing.T) {
	for _, layout := range []db.Layout{db.LayoutV3, db.LayoutV2} {
		t.Run("exact sessions copied in layout "+string(layout)+" read back as generated", func(t *testing.T) {
			url := testpg.NewDatabase(t)
			target := dataset.CopyTarget{URL: url, Layout: layout}
			report, err := dataset.CopyInto(t.Context(), target, exact)
			if err != nil {
				t.Fatal(err)
			}
			sessions := dataset.Generate(exact)
			runs := 0
			for _, s := range sessions {
				runs += len(s.Runs)
			}
			if layout == db.LayoutV2 {
				runs = 0
			}
			if report.Sessions != exact.Sessions || report.Runs != runs || report.JSONBytes == 0 || report.SessionsBytes == 0 || (runs > 0) != (report.RunsBytes > 0) {
				t.Errorf("report %+v, want %d sessions and %d runs", report, exact.Sessions, runs)
			}
			store, err := db.Open(t.Context(), db.Options{URL: url})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = store.Close() })
			checkStored(t, store, sessions, layout)

			if _, err := dataset.CopyInto(t.Context(), target, exact); err == nil || !strings.Contains(err.Error(), "already holds rows") {
				t.Errorf("copying into filled tables: %v, want a refusal", err)
			}
			target.Replace = true
			if again, err := dataset.CopyInto(t.Context(), target, exact); err != nil || again.Sessions != report.Sessions || again.Runs != report.Runs {
				t.Errorf("copying again with Replace: %+v, %v", again, err)
			}
			if count(t, url, "ai.agno_sessions") != exact.Sessions {
				t.Error("Replace did not empty the sessions table first")
			}
			other := db.LayoutV2
			if layout == db.LayoutV2 {
				other = db.LayoutV3
			}
			target.Layout = other
			if _, err := dataset.CopyInto(t.Context(), target, exact); err == nil || !strings.Contains(err.Error(), "layout") {
				t.Errorf("copying in layout %s into tables of layout %s: %v, want a refusal", other, layout, err)
			}
		})
	}
}

func sqliteFile(t *testing.T) string { return filepath.Join(t.TempDir(), "agno.db") }

func postgresDatabase(t *testing.T) string { return testpg.NewDatabase(t) }

func count(t *testing.T, url, table string) int {
	target, err := db.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(t.Context(), target.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

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
