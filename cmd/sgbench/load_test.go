package main

import (
	"reflect"
	"testing"
	"time"
)

// TestRounds checks how the rounds of a phase are summed up: the rate is
// the median of the rounds' rates, percentiles are over every latency of
// every round, and ratios pair the rounds in order.
func TestRounds(t *testing.T) {
	phase := func(requests int, elapsed time.Duration, lat ...time.Duration) phaseResult {
		return phaseResult{result: result{requests: requests, elapsed: elapsed, lat: lat}, postgresCores: float64(requests) / 100}
	}
	server := rounds{
		phase(100, time.Second, 3*time.Millisecond, 9*time.Millisecond),
		phase(300, time.Second, time.Millisecond),
		phase(200, time.Second, 5*time.Millisecond),
	}
	if got := server.rate(); got != 200 {
		t.Errorf("rate = %v, want the median round's 200", got)
	}
	m := server.merged()
	if want := []time.Duration{time.Millisecond, 3 * time.Millisecond, 5 * time.Millisecond, 9 * time.Millisecond}; !reflect.DeepEqual(m.lat, want) {
		t.Errorf("merged latencies %v, want %v", m.lat, want)
	}
	if m.requests != 600 || m.postgresCores != 2 {
		t.Errorf("merged: %d requests, %v PostgreSQL cores; want 600 and the median 2", m.requests, m.postgresCores)
	}
	peer := rounds{phase(50, time.Second), phase(100, time.Second)}
	if got, want := server.ratios(peer), []float64{2, 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("ratios = %v, want %v (the rounds paired in order, the third without a partner)", got, want)
	}
	if got := (rounds{phase(1, time.Second), phase(3, time.Second)}).rate(); got != 2 {
		t.Errorf("the rate of two rounds = %v, want their mean 2", got)
	}
}
