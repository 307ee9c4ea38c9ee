// Package dataset generates Agno session data: agno_sessions rows of agent,
// team and workflow sessions, with their runs both as Agno 2 keeps them
// (the sessions table's runs column) and as Agno 3 does (rows of its runs
// table), every document built by models in Agno's stored shapes. One
// generator, two profiles:
//
//   - Realistic is the dataset `sessiongraph --demo` serves and the docs
//     and tests query: canned but realistic conversations, tool calls,
//     metrics, and the odd corners real tables have (failed, cancelled and
//     paused runs, SQL NULL next to JSON null, legacy rows without updated_at).
//   - Exact is benchmark data of exact sizes: sessions × runs per session ×
//     messages per run, the same conversations without the rarities, built
//     session by session so that CopyInto can stream millions of them.
//
// Insert writes sessions through a db.Store, into whichever layout its
// database has; CopyInto loads a profile into PostgreSQL with COPY, in
// either layout.
package dataset

import (
	"math/rand/v2"
	"runtime"
	"sync"

	"sessiongraph/models"
)

// Session is one generated session.
type Session struct {
	// Row is the agno_sessions row; Row.Runs is the runs column as Agno 2
	// writes it (nil is SQL NULL).
	Row models.SessionRow
	// Runs are the same runs as rows of Agno 3's runs table, in order (team
	// members' runs are rows of their own); their run_data are views of
	// Row.Runs.
	Runs []models.RunRow
}

// Profile is a dataset: a number of sessions, each the same whenever it is asked for.
type Profile interface {
	// Len is the number of sessions.
	Len() int
	// Session returns session i, 0 ≤ i < Len(). Sessions may be built in
	// any order and concurrently.
	Session(i int) Session
}

// Generate returns every session of p, in order.
func Generate(p Profile) []Session {
	out := make([]Session, max(p.Len(), 0))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(out)/50))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(out); i += workers {
				out[i] = p.Session(i)
			}
		})
	}
	wg.Wait()
	return out
}

// Rows returns the sessions of p as Agno 2 stores them: one agno_sessions
// row each, the runs in its runs column (db.Store.InsertRows moves them to
// the runs table of a database that has one).
func Rows(p Profile) []models.SessionRow {
	sessions := Generate(p)
	rows := make([]models.SessionRow, len(sessions))
	for i, s := range sessions {
		rows[i] = s.Row
	}
	return rows
}

// splitmix is SplitMix64's finaliser; it turns nearby seeds into unrelated streams.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// sessionRand is the random stream of session i of a seed: every session
// has its own, so its content does not depend on the sessions before it.
func sessionRand(seed int64, i int) *rand.Rand {
	return rand.New(rand.NewPCG(splitmix(uint64(seed)), splitmix(uint64(seed)^uint64(i+1)*0x9e3779b97f4a7c15)))
}

// indexHash hashes a seed, a session index and a stream number: draws that
// must be known without building the session (its created_at).
func indexHash(seed int64, i int, stream uint64) uint64 {
	return splitmix(splitmix(uint64(seed)) ^ uint64(i+1)*0xbf58476d1ce4e5b9 ^ (stream+1)*0x94d049bb133111eb)
}

// formatUUID formats 128 random bits as a version 4 UUID (Agno's ids are str(uuid4())).
func formatUUID(hi, lo uint64) string {
	const hexDigits = "0123456789abcdef"
	hi = hi&^(0xf<<12) | 0x4<<12       // version 4
	lo = lo&^(0x3<<62) | uint64(2)<<62 // RFC 4122 variant
	var out [36]byte
	pos := 0
	for i := range 32 {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			out[pos] = '-'
			pos++
		}
		word, shift := hi, 60-4*i
		if i >= 16 {
			word, shift = lo, 60-4*(i-16)
		}
		out[pos] = hexDigits[(word>>shift)&0xf]
		pos++
	}
	return string(out[:])
}

func pickIndex(r *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.IntN(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func pickWeighted[T any](r *rand.Rand, items []T, weight func(T) int) T {
	weights := make([]int, len(items))
	for i, it := range items {
		weights[i] = weight(it)
	}
	return items[pickIndex(r, weights)]
}

func pick[T any](r *rand.Rand, items []T) T {
	return items[r.IntN(len(items))]
}

func ptr[T any](v T) *T { return &v }
