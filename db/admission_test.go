package db

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"sessiongraph/models"
)

// TestAdmissionIsFIFO: calls wait for a pool connection in the order they
// asked (database/sql alone would pick a random waiter), a call whose
// deadline passes while it waits fails with TIMEOUT and gives up its place,
// and the calls behind it still run.
func TestAdmissionIsFIFO(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Options{URL: filepath.Join(t.TempDir(), "agno.db"), MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Init(ctx); err != nil {
		t.Fatal(err)
	}
	release, err := s.enter(ctx)
	if err != nil {
		t.Fatal(err)
	}

	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := s.GetSession(short, "any", nil, models.SessionColumns{}); models.ErrorCode(err) != models.Timeout {
		t.Fatalf("a call waiting past its deadline: %v, want TIMEOUT", err)
	}

	const n = 5
	order := make(chan int, n)
	for i := range n {
		go func() {
			r, err := s.enter(ctx)
			if err != nil {
				t.Error(err)
				order <- -1
				return
			}
			order <- i
			r()
		}()
		time.Sleep(20 * time.Millisecond) // queue them one after another
	}
	release()
	for want := range n {
		select {
		case got := <-order:
			if got != want {
				t.Fatalf("admitted %d as the %dth: not in arrival order", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a waiting call was never admitted")
		}
	}
	if _, err := s.GetSession(ctx, "any", nil, models.SessionColumns{}); err != nil {
		t.Fatalf("after the queue drained: %v", err)
	}
}
