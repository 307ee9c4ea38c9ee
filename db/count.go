package db

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// countCache keeps recent totalCount answers, because counting a large
// filtered table costs tens of milliseconds at a million rows while a
// dashboard asks for the same count on every page. An answer is served
// fresh for ttl; up to 4×ttl it is served while one background query
// refreshes it; older, the request counts itself. Concurrent counts of the
// same query share one statement. Writes made through this Store discard
// every answer; Agno's own writes show after at most 4×ttl. ttl 0 counts
// every time.
type countCache struct {
	ttl   time.Duration
	mu    sync.Mutex
	gen   uint64 // bumped by our writes; answers of older generations are discarded
	items map[string]countEntry
	group singleflight.Group
	now   func() time.Time // time.Now; tests set their own clock
}

func (c *countCache) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

type countEntry struct {
	n          int
	at         time.Time
	gen        uint64
	refreshing bool
}

// maxCountEntries bounds the cache: past it, it starts over.
const maxCountEntries = 1000

// count returns the cached answer for key, or runs compute.
func (c *countCache) count(ctx context.Context, key string, compute func(context.Context) (int, error)) (int, error) {
	if c.ttl <= 0 {
		return compute(ctx)
	}
	now := c.clock()
	c.mu.Lock()
	e, ok := c.items[key]
	ok = ok && e.gen == c.gen
	switch {
	case ok && now.Sub(e.at) < c.ttl:
		c.mu.Unlock()
		return e.n, nil
	case ok && now.Sub(e.at) < 4*c.ttl:
		if !e.refreshing {
			e.refreshing = true
			c.items[key] = e
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				_, _ = c.refresh(ctx, key, compute)
			}()
		}
		c.mu.Unlock()
		return e.n, nil
	}
	c.mu.Unlock()
	return c.refresh(ctx, key, compute)
}

// refresh counts once for all concurrent askers and stores the answer.
func (c *countCache) refresh(ctx context.Context, key string, compute func(context.Context) (int, error)) (int, error) {
	c.mu.Lock()
	gen := c.gen
	c.mu.Unlock()
	v, err, _ := c.group.Do(fmt.Sprint(gen, key), func() (any, error) {
		n, err := compute(ctx)
		c.mu.Lock()
		defer c.mu.Unlock()
		if err != nil {
			if e, ok := c.items[key]; ok {
				e.refreshing = false
				c.items[key] = e
			}
			return 0, err
		}
		if c.items == nil || len(c.items) >= maxCountEntries {
			c.items = map[string]countEntry{}
		}
		if gen == c.gen {
			c.items[key] = countEntry{n: n, at: c.clock(), gen: gen}
		}
		return n, nil
	})
	if err != nil {
		return 0, err
	}
	return v.(int), nil
}

// invalidate discards every answer; called after each write of ours.
func (c *countCache) invalidate() {
	c.mu.Lock()
	c.gen++
	c.items = nil
	c.mu.Unlock()
}
