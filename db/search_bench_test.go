package db_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"sessiongraph/dataset"
	"sessiongraph/db"
	"sessiongraph/internal/agnotest"
	"sessiongraph/models"
)

// BenchmarkAgnoRunWritesWithSearchIndexes measures what migrate-indexes'
// indexes for textContains and facets cost Agno's writes: Agno 3's upsert
// of a new run (realistic runs of the dataset package, each in a
// transaction of its own) with Agno's own indexes only, then with the
// runs' model index, then with the trigram index of the messages as well.
// docs/performance.md has the numbers.
func BenchmarkAgnoRunWritesWithSearchIndexes(b *testing.B) {
	s := agnotest.OpenPostgres(b, agnotest.V3)
	var runs []models.RunRow
	for _, row := range dataset.Rows(dataset.Realistic(5, 200, time.Unix(1760000000, 0))) {
		rr, err := models.RunRowsOf(row)
		if err != nil {
			b.Fatal(err)
		}
		runs = append(runs, rr...)
	}
	w := newAgnoWriter(b, s)
	const sessions = 100
	for i := range sessions {
		w.upsertSession(fmt.Sprintf("s%d", i), "u", t0)
	}
	n := 0
	write := func() {
		n++
		r := runs[n%len(runs)]
		w.exec("INSERT INTO "+w.runs+" AS t (run_id, session_id, run_type, agent_id, user_id, status, run_index, run_data, created_at, updated_at) "+
			"VALUES ($1, $2, 'agent', 'agent-1', 'u', 'COMPLETED', 0, CAST($3 AS jsonb), $4, $4) ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, "+
			"run_data = excluded.run_data, user_id = excluded.user_id, updated_at = excluded.updated_at, run_index = COALESCE(t.run_index, excluded.run_index)",
			fmt.Sprintf("r%d", n), fmt.Sprintf("s%d", n%sessions), string(r.RunData), t0+int64(n))
	}
	for _, with := range []string{"Agno's indexes", "and the model index", "and the trigram index"} {
		switch with {
		case "and the model index":
			createIndexes(b, s, "sg_agno_runs_model")
		case "and the trigram index":
			createIndexes(b, s, "sg_agno_runs_model", "sg_agno_runs_messages_trgm")
		}
		b.Run(with, func(b *testing.B) {
			for b.Loop() {
				write()
			}
		})
	}
}

// createIndexes creates, of the recommended indexes, only those named.
func createIndexes(b *testing.B, s *db.Store, names ...string) {
	b.Helper()
	if err := s.CreateIndexes(ctx, func(db.Index, time.Duration, bool) {}); err != nil {
		b.Fatal(err)
	}
	conn, _ := s.GORM().DB()
	for _, ix := range s.RecommendedIndexes() {
		if !slices.Contains(names, ix.Name) {
			if _, err := conn.ExecContext(ctx, "DROP INDEX IF EXISTS ai."+ix.Name); err != nil {
				b.Fatal(err)
			}
		}
	}
}
