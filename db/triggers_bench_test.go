package db_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"sessiongraph/db"
	"sessiongraph/internal/agnotest"
	"sessiongraph/models"
)

// BenchmarkAgnoWritesWithNotifyTriggers measures what the NOTIFY triggers
// cost Agno's writes: each of Agno's writes, in a transaction of its own as
// Agno commits them, on Agno 3's tables without the triggers, with them
// and nobody listening, and with them and a listener (ListenChanges), by
// one writer and by 8 at once. Point TEST_DATABASE_URL at a server with
// fsync on to see what commits cost: testpg's own runs with fsync off.
// docs/performance.md has the numbers.
func BenchmarkAgnoWritesWithNotifyTriggers(b *testing.B) {
	s := agnotest.OpenPostgres(b, agnotest.V3, func(o *db.Options) { o.MaxConns = 8 })
	w := newAgnoWriter(b, s)
	const sessions = 1000
	for i := range sessions {
		w.upsertSession(fmt.Sprintf("s%d", i), "u", t0)
	}
	var n atomic.Int64
	writes := []agnoWrite{
		{"upsert of a session", func(w *agnoWriter, i int64) { w.upsertSession(fmt.Sprintf("s%d", i%sessions), "u", t0+i) }},
		{"upsert of a new run", func(w *agnoWriter, i int64) {
			w.upsertRun(fmt.Sprintf("s%d", i%sessions), "u", fmt.Sprintf("r%d", i), "COMPLETED", t0+i)
		}},
		{"insert and delete of a session", func(w *agnoWriter, i int64) {
			id := fmt.Sprintf("d%d", i)
			w.upsertSession(id, "u", t0+i)
			w.deleteSession(id)
		}},
	}
	for _, triggers := range []string{"without triggers", "with triggers", "with triggers and a listener"} {
		if triggers != "without triggers" {
			install(b, s)
		}
		stopListening := func() {}
		if triggers == "with triggers and a listener" {
			lctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- s.ListenChanges(lctx, func(models.ChangeNotice) {}) }()
			stopListening = func() {
				cancel()
				if err := <-done; err != nil {
					b.Error(err)
				}
			}
		}
		benchWrites(b, w, triggers, writes, &n)
		stopListening()
	}
}

// agnoWrite is one of Agno's writes for a benchmark, i a number of its own.
type agnoWrite struct {
	name  string
	write func(w *agnoWriter, i int64)
}

// benchWrites runs each write by one writer and by 8 at once.
func benchWrites(b *testing.B, w *agnoWriter, config string, writes []agnoWrite, n *atomic.Int64) {
	for _, write := range writes {
		b.Run(write.name+"/"+config+"/1 writer", func(b *testing.B) {
			for b.Loop() {
				write.write(w, n.Add(1))
			}
		})
		b.Run(write.name+"/"+config+"/8 writers", func(b *testing.B) {
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					write.write(w, n.Add(1))
				}
			})
		})
	}
}

// BenchmarkAgnoWritesWithAnalyticsTables measures what the analytics
// tables' triggers (install-analytics-tables) cost Agno's writes: a session
// upsert (an update that changes no facet count), a new session (counted
// up, every writer on the same user's and agent's counts) and a new run of
// about 6 kB with its metrics (its usage row written), each in a
// transaction of its own, without and with the tables, by one writer and
// by 8 at once. TEST_DATABASE_URL as for BenchmarkAgnoWritesWithNotifyTriggers.
func BenchmarkAgnoWritesWithAnalyticsTables(b *testing.B) {
	// Two stores, one with the tables, each write measured on one then the
	// other, so that the machine's drift weighs on both alike.
	var writers [2]*agnoWriter
	for i := range writers {
		s := agnotest.OpenPostgres(b, agnotest.V3, func(o *db.Options) { o.MaxConns = 8 })
		if i == 1 {
			if _, err := s.InstallAnalyticsTables(ctx); err != nil {
				b.Fatal(err)
			}
		}
		writers[i] = newAgnoWriter(b, s)
	}
	const sessions = 1000
	for _, w := range writers {
		for i := range sessions {
			w.upsertSession(fmt.Sprintf("s%d", i), "u", t0)
		}
	}
	messages := make([]map[string]any, 6)
	for i := range messages {
		messages[i] = map[string]any{"role": []string{"system", "user", "assistant"}[i%3], "content": strings.Repeat("a sentence of a conversation ", 30)}
	}
	run := func(id string) string {
		doc, _ := json.Marshal(map[string]any{"run_id": id, "agent_id": "agent-1", "model": "gpt-4o", "model_provider": "OpenAI", "status": "COMPLETED",
			"input": map[string]any{"input_content": "a question"}, "content": strings.Repeat("an answer ", 60), "messages": messages,
			"metrics": map[string]any{"input_tokens": 812, "output_tokens": 233, "total_tokens": 1045, "cost": 0.0042, "duration": 2.7}})
		return string(doc)
	}
	var n atomic.Int64
	writes := []agnoWrite{
		{"upsert of a session", func(w *agnoWriter, i int64) { w.upsertSession(fmt.Sprintf("s%d", i%sessions), "u", t0+i) }},
		{"insert of a new session", func(w *agnoWriter, i int64) { w.upsertSession(fmt.Sprintf("n%d", i), "u", t0+i) }},
		{"upsert of a new run of 6 kB", func(w *agnoWriter, i int64) {
			id := fmt.Sprintf("r%d", i)
			w.exec("INSERT INTO "+w.runs+" AS t (run_id, session_id, run_type, agent_id, user_id, status, run_index, run_data, created_at, updated_at) "+
				"VALUES ($1, $2, 'agent', 'agent-1', 'u', 'COMPLETED', NULL, CAST($3 AS jsonb), $4, $4) ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, "+
				"run_data = excluded.run_data, updated_at = excluded.updated_at", id, fmt.Sprintf("s%d", i%sessions), run(id), t0+i)
		}},
	}
	for _, write := range writes {
		benchWrites(b, writers[0], "without analytics tables", []agnoWrite{write}, &n)
		benchWrites(b, writers[1], "with analytics tables", []agnoWrite{write}, &n)
	}
}
