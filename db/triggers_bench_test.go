package db_test

import (
	"context"
	"fmt"
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
	writes := []struct {
		name  string
		write func(w *agnoWriter, i int64)
	}{
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
		for _, write := range writes {
			b.Run(write.name+"/"+triggers+"/1 writer", func(b *testing.B) {
				for b.Loop() {
					write.write(w, n.Add(1))
				}
			})
			b.Run(write.name+"/"+triggers+"/8 writers", func(b *testing.B) {
				b.SetParallelism(8)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						write.write(w, n.Add(1))
					}
				})
			})
		}
		stopListening()
	}
}
