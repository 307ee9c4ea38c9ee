package main

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// result is what one measured phase saw.
type result struct {
	requests int             // completed without error
	errors   int             // failed
	firstErr error           // the first failure
	elapsed  time.Duration   // from the first start to the last completion
	lat      []time.Duration // latencies of the completed requests, sorted
}

// rate is completed requests per second.
func (r result) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.requests) / r.elapsed.Seconds()
}

// percentile returns the nearest-rank p-th percentile (0 < p ≤ 100) of the latencies.
func (r result) percentile(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	k := int(math.Ceil(p/100*float64(len(r.lat)))) - 1
	return r.lat[min(max(k, 0), len(r.lat)-1)]
}

// drive runs do from concurrency workers until duration has passed or
// maxRequests (when > 0) have started; requests in flight at the deadline
// finish and count. Worker w draws its random choices from a stream seeded
// with (seed, w), so two phases with the same seed make the same choices.
func drive(ctx context.Context, concurrency int, duration time.Duration, maxRequests int, seed uint64,
	do func(ctx context.Context, r *rand.Rand) error) result {
	var (
		started  atomic.Int64
		mu       sync.Mutex
		res      result
		wg       sync.WaitGroup
		deadline = time.Now().Add(duration)
		begin    = time.Now()
	)
	for w := range concurrency {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(seed, uint64(w)))
			lat := make([]time.Duration, 0, 1024)
			var errs int
			var firstErr error
			for ctx.Err() == nil && time.Now().Before(deadline) {
				if maxRequests > 0 && started.Add(1) > int64(maxRequests) {
					break
				}
				t0 := time.Now()
				err := do(ctx, r)
				d := time.Since(t0)
				if err != nil {
					if ctx.Err() != nil {
						break
					}
					errs++
					if firstErr == nil {
						firstErr = err
					}
					continue
				}
				lat = append(lat, d)
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			res.errors += errs
			if res.firstErr == nil {
				res.firstErr = firstErr
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed = time.Since(begin)
	res.requests = len(res.lat)
	slices.Sort(res.lat)
	return res
}
