package db

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestCountCache(t *testing.T) {
	ctx := context.Background()
	clock := time.Unix(1000, 0)
	var mu sync.Mutex
	calls, value := 0, 10
	compute := func(context.Context) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		return value, nil
	}
	set := func(v int) { mu.Lock(); value = v; mu.Unlock() }
	c := &countCache{ttl: time.Second, now: func() time.Time { return clock }}

	if n, _ := c.count(ctx, "q", compute); n != 10 || calls != 1 {
		t.Fatalf("first count = %d after %d queries", n, calls)
	}
	set(11)
	clock = clock.Add(900 * time.Millisecond)
	if n, _ := c.count(ctx, "q", compute); n != 10 || calls != 1 {
		t.Errorf("a fresh answer was not reused: %d after %d queries", n, calls)
	}
	clock = clock.Add(2 * time.Second) // stale but within 4×ttl: served, refreshed in the background
	if n, _ := c.count(ctx, "q", compute); n != 10 {
		t.Errorf("a stale answer was not served while refreshing: %d", n)
	}
	for deadline := time.Now().Add(5 * time.Second); ; {
		c.mu.Lock()
		e := c.items["q"]
		c.mu.Unlock()
		if e.n == 11 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the background refresh never stored its answer")
		}
		time.Sleep(time.Millisecond)
	}
	set(12)
	c.invalidate()
	if n, _ := c.count(ctx, "q", compute); n != 12 {
		t.Errorf("after a write of ours the count is %d, want 12", n)
	}
	set(13)
	clock = clock.Add(10 * time.Second) // older than 4×ttl: counted again before answering
	if n, _ := c.count(ctx, "q", compute); n != 13 {
		t.Errorf("a too old answer was served: %d", n)
	}
	if n, _ := c.count(ctx, "other", compute); n != 13 {
		t.Errorf("another query shared an answer: %d", n)
	}
	boom := errors.New("boom")
	if _, err := c.count(ctx, "failing", func(context.Context) (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Errorf("a failed count returned %v", err)
	}

	exact := &countCache{}
	before := calls
	exact.count(ctx, "q", compute)
	exact.count(ctx, "q", compute)
	if calls != before+2 {
		t.Errorf("with ttl 0 two asks ran %d queries", calls-before)
	}
}
