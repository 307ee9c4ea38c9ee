package bench_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"

	"sessiongraph/bench"
	"sessiongraph/dataset"
	"sessiongraph/db"
	"sessiongraph/graph"
	"sessiongraph/httpserver"
	"sessiongraph/internal/telemetry"
	"sessiongraph/internal/testpg"
	"sessiongraph/models"
)

func TestMain(m *testing.M) { testpg.Main(m) }

// fixture is the dataset every benchmark reads: 2,000 sessions of the
// issue's shape (5 runs of 6 messages, about 42 kB of runs per session).
var fixture = dataset.Exact{Sessions: 2000, Runs: 5, Messages: 6, Seed: 1}

// forEachBackend runs fn as sub-benchmarks on a SQLite file and on a
// PostgreSQL database, each loaded with the fixture in Agno 3's layout (the
// runs in the runs table; SQLite's session columns double-encoded, as Agno
// up to 2.9 and early 3.0 write them). Loading happens once per call; with
// b.Loop the sub-benchmarks' bodies run once too.
func forEachBackend(b *testing.B, fn func(b *testing.B, store *db.Store)) {
	b.Run("sqlite", func(b *testing.B) {
		store, err := db.Open(b.Context(), db.Options{URL: filepath.Join(b.TempDir(), "agno.db"), CreateLayout: db.LayoutV3})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = store.Close() })
		if err := dataset.Insert(b.Context(), store, dataset.Generate(fixture), db.DoubleEncoded); err != nil {
			b.Fatal(err)
		}
		fn(b, store)
	})
	b.Run("postgres", func(b *testing.B) {
		url := testpg.NewDatabase(b)
		if _, err := dataset.CopyInto(b.Context(), dataset.CopyTarget{URL: url, Layout: db.LayoutV3}, fixture); err != nil {
			b.Fatal(err)
		}
		store, err := db.Open(b.Context(), db.Options{URL: url})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = store.Close() })
		fn(b, store)
	})
}

// sessionIDs returns some session ids of the fixture, spread over it.
func sessionIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fixture.Session(i * fixture.Sessions / n).Row.SessionID
	}
	return ids
}

func BenchmarkListSessions(b *testing.B) {
	first := 20
	page := models.PageArgs{First: &first}
	forEachBackend(b, func(b *testing.B, store *db.Store) {
		b.Run("first 20, all columns", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := store.ListSessions(b.Context(), nil, models.DefaultSessionOrder, page, models.AllColumns); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("first 20, all columns, with count", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := store.ListSessions(b.Context(), nil, models.DefaultSessionOrder, page, models.AllColumns); err != nil {
					b.Fatal(err)
				}
				if _, err := store.CountSessions(b.Context(), nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

func BenchmarkGetSession(b *testing.B) {
	ids := sessionIDs(100)
	forEachBackend(b, func(b *testing.B, store *db.Store) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			row, err := store.GetSession(b.Context(), ids[i%len(ids)], nil, models.AllColumns)
			if err != nil || row == nil {
				b.Fatal(row, err)
			}
			i++
		}
	})
}

// BenchmarkUsage sums the fixture's 10,000 runs per day and component, as
// scenario u does, with and without the distinct sessions per bucket.
func BenchmarkUsage(b *testing.B) {
	q, err := models.NewUsageQuery([]models.UsageDimension{models.UsageDimensionDay, models.UsageDimensionComponent}, nil, nil, "Europe/Paris", nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	forEachBackend(b, func(b *testing.B, store *db.Store) {
		for _, sessions := range []bool{false, true} {
			b.Run(fmt.Sprintf("sessions %v", sessions), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := store.Usage(b.Context(), q, sessions); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
}

// BenchmarkHandler serves the scenarios through the real HTTP
// handler: a (20 newest with count), b (one session's run tree), d (20
// sessions with runs and messages).
func BenchmarkHandler(b *testing.B) {
	ids := sessionIDs(100)
	scenarios := []struct {
		name   string
		bodies [][]byte
	}{
		{"a newest 20 with totalCount", [][]byte{requestBody(b, bench.QueryNewest, nil)}},
		{"b one session tree", func() [][]byte {
			out := make([][]byte, len(ids))
			for i, id := range ids {
				out[i] = requestBody(b, bench.QueryTree, map[string]any{"id": id})
			}
			return out
		}()},
		{"d 20 sessions with runs and messages", [][]byte{requestBody(b, bench.QueryNested, nil)}},
	}
	forEachBackend(b, func(b *testing.B, store *db.Store) {
		// Observed as served: a JSON log line per operation (written
		// nowhere) and the operation metrics.
		reg := prometheus.NewRegistry()
		metrics, err := telemetry.NewOperationMetrics(reg)
		if err != nil {
			b.Fatal(err)
		}
		httpMetrics, err := httpserver.NewMetrics(reg)
		if err != nil {
			b.Fatal(err)
		}
		logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
		web := httpserver.New(httpserver.Options{Logger: logger, Metrics: httpMetrics})
		handler := web.Wrap(web.GraphQL(graph.NewServer(&graph.Resolver{Stores: []*db.Store{store}}, graph.Options{
			Logger: logger, Observers: []graphql.HandlerExtension{telemetry.OperationObserver(logger, metrics, nil)}})))
		for _, sc := range scenarios {
			b.Run(sc.name, func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				var bytesOut int
				cpu0 := processCPU()
				for b.Loop() {
					bytesOut += serve(b, handler, sc.bodies[i%len(sc.bodies)]).Len()
					i++
				}
				b.ReportMetric(float64(bytesOut)/float64(i), "resp-B/op")
				// CPU time of this process (the Go side: HTTP, GraphQL, JSON, the
				// driver; not PostgreSQL's), steadier than ns/op on a shared machine.
				b.ReportMetric(float64(processCPU()-cpu0)/float64(i), "cpu-ns/op")
			})
		}
	})
}

// serve posts a GraphQL request to the handler and returns the response
// body; it fails unless the answer is 200 without errors.
func serve(tb testing.TB, handler http.Handler, body []byte) *bytes.Buffer {
	req := httptest.NewRequestWithContext(tb.Context(), http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, req)
	if w.Code != http.StatusOK || bytes.Contains(w.Body.Bytes(), []byte(`"errors":`)) {
		tb.Fatalf("%s\nstatus %d: %.500s", body, w.Code, w.Body.Bytes())
	}
	return w.Body
}

func requestBody(tb testing.TB, query string, vars map[string]any) []byte {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		tb.Fatal(err)
	}
	return body
}

// processCPU returns the user and system CPU time this process has used, in ns.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
