package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// serverProbe reads the server's memory (from /proc, with its PID) and its
// goroutines (from its Prometheus /metrics when that reports go_goroutines).
type serverProbe struct {
	client  *graphQLClient
	metrics string // the /metrics URL; "" when the server has none
	pid     int    // 0 when unknown
}

// newServerProbe looks once whether the server has /metrics, so that
// before and after come from the same source.
func newServerProbe(ctx context.Context, client *graphQLClient, metricsURL string, pid int) *serverProbe {
	p := &serverProbe{client: client, pid: pid}
	if _, err := p.goroutines(ctx, metricsURL); err == nil {
		p.metrics = metricsURL
	}
	return p
}

// source says where the goroutine figure comes from.
func (p *serverProbe) source() string {
	switch {
	case p.metrics != "":
		return "goroutines: go_goroutines of " + p.metrics
	case p.pid > 0:
		return "goroutines: unknown, the server has no /metrics with go_goroutines; its OS threads (/proc/PID/status) instead"
	}
	return "goroutines: unknown, the server has no /metrics with go_goroutines and no --server-pid was given"
}

// serverState is the server's memory and goroutines at one moment.
type serverState struct {
	mem        *memory // nil without --server-pid
	goroutines int     // -1 without /metrics
}

func (p *serverProbe) read(ctx context.Context) (serverState, error) {
	s := serverState{goroutines: -1}
	if p.pid > 0 {
		m, err := readMemory(p.pid)
		if err != nil {
			return s, fmt.Errorf("--server-pid: %w", err)
		}
		s.mem = &m
	}
	if p.metrics != "" {
		n, err := p.goroutines(ctx, p.metrics)
		if err != nil {
			return s, err
		}
		s.goroutines = n
	}
	return s, nil
}

// goroutines reads go_goroutines from a Prometheus text exposition.
func (p *serverProbe) goroutines(ctx context.Context, url string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	status, body, err := p.client.get(ctx, url)
	if err != nil {
		return 0, err
	}
	if status != http.StatusOK {
		return 0, fmt.Errorf("%s: status %d", url, status)
	}
	n, ok, err := promSum(body, "go_goroutines")
	switch {
	case err != nil:
		return 0, fmt.Errorf("%s: %w", url, err)
	case !ok:
		return 0, fmt.Errorf("%s has no go_goroutines", url)
	}
	return int(n), nil
}

// promSum sums the samples of metric name, whatever their labels, in a
// Prometheus text exposition; ok is false when it has none (a vector whose
// label values were never used is not exposed).
func promSum(body []byte, name string) (sum float64, ok bool, err error) {
	for line := range strings.Lines(string(body)) {
		// "name 42" or "name{label="x"} 42", possibly with a timestamp.
		fields := strings.Fields(line)
		if len(fields) < 2 || (fields[0] != name && !strings.HasPrefix(fields[0], name+"{")) {
			continue
		}
		v, err := strconv.ParseFloat(fields[1], 64)
		if err != nil {
			return 0, false, fmt.Errorf("%s %q", name, fields[1])
		}
		sum, ok = sum+v, true
	}
	return sum, ok, nil
}

func (s serverState) String() string {
	parts := []string{"memory unknown (no --server-pid)"}
	if s.mem != nil {
		parts[0] = s.mem.String()
	}
	if s.goroutines >= 0 {
		parts = append(parts, fmt.Sprintf("%d goroutines", s.goroutines))
	}
	return strings.Join(parts, ", ")
}

// soakReport is what sgbench soak measured.
type soakReport struct {
	cfg                  soakConfig
	warmup, elapsed      time.Duration
	warmupKinds, kinds   []kindSummary
	warmupErrors, errors []errorSummary
	start, before, after serverState // idle, after the warm-up and a settle, after the load and a settle
	goroutineSource      string
	// serverCores, selfCores: average CPU cores the server (-1 without
	// --server-pid) and sgbench used during the load.
	serverCores, selfCores float64
}

// countRequests returns the requests sent and those that failed.
func countRequests(kinds []kindSummary) (total, failed int) {
	for _, k := range kinds {
		total += k.requests
		failed += k.errors
	}
	return total, failed
}

// growth is the server's RSS after the load and a settle over its RSS
// before the load; 0 when unknown.
func (r *soakReport) growth() float64 {
	if r.before.mem == nil || r.after.mem == nil || r.before.mem.rssKB == 0 {
		return 0
	}
	return float64(r.after.mem.rssKB) / float64(r.before.mem.rssKB)
}

// failures says why the soak failed; none when it passed.
func (r *soakReport) failures() []string {
	var out []string
	phases := []struct {
		name string
		errs []errorSummary
	}{{"warm-up", r.warmupErrors}, {"load", r.errors}}
	for _, p := range phases {
		for _, e := range p.errs {
			if e.fails() {
				out = append(out, fmt.Sprintf("%s: %d failed with %s", p.name, e.requests, strings.TrimSpace(e.class+" "+e.detail)))
			}
		}
	}
	if g := r.growth(); g > r.cfg.maxGrowth {
		out = append(out, fmt.Sprintf("the server's RSS grew %.2fx during the load, more than --max-growth %v", g, r.cfg.maxGrowth))
	}
	if total, _ := countRequests(r.kinds); total == 0 {
		out = append(out, "no request completed")
	}
	return out
}

func (r *soakReport) print(w io.Writer) {
	if r.cfg.warmup > 0 {
		total, failed := countRequests(r.warmupKinds)
		fmt.Fprintf(w, "warm-up: %d requests in %.1fs, %d failed (not in the table below)\n", total, r.warmup.Seconds(), failed)
		printErrors(w, "warm-up errors by class", r.warmupErrors)
	}
	total, failed := countRequests(r.kinds)
	secs := r.elapsed.Seconds()
	fmt.Fprintf(w, "load: %d requests in %.1fs = %.1f req/s; %d failed\n", total, secs, float64(total)/secs, failed)
	fmt.Fprintf(w, "%-36s %9s %9s %10s %10s %7s\n", "kind", "requests", "req/s", "p50", "p99", "errors")
	for _, k := range r.kinds {
		fmt.Fprintf(w, "%-36s %9d %9.1f %10s %10s %7d\n", k.kind.key+" "+k.kind.title, k.requests, float64(k.requests)/secs, ms(k.p50), ms(k.p99), k.errors)
	}
	fmt.Fprintln(w, "(p50, p99: nearest rank over the requests of the kind that succeeded)")
	printErrors(w, "errors by class", r.errors)
	fmt.Fprintf(w, "CPU during the load: server %s cores, sgbench %.2f cores\n", coresOrDash(r.serverCores), r.selfCores)
	before := "idle"
	if r.cfg.warmup > 0 {
		fmt.Fprintf(w, "server at the start (idle): %s\n", r.start)
		before = "after the warm-up + " + r.cfg.settle.String() + " settle"
	}
	fmt.Fprintf(w, "server before the load (%s): %s\n", before, r.before)
	fmt.Fprintf(w, "server after the load + %s settle: %s\n", r.cfg.settle, r.after)
	fmt.Fprintln(w, r.goroutineSource)
	if g := r.growth(); g > 0 {
		fmt.Fprintf(w, "RSS after the load / before it: %.2fx (--max-growth %v)", g, r.cfg.maxGrowth)
		if r.cfg.warmup > 0 && r.start.mem.rssKB > 0 {
			fmt.Fprintf(w, "; after the load / idle at the start: %.2fx", float64(r.after.mem.rssKB)/float64(r.start.mem.rssKB))
		}
		fmt.Fprintln(w)
	} else {
		fmt.Fprintln(w, "RSS growth not checked (no --server-pid)")
	}
	if failures := r.failures(); len(failures) > 0 {
		fmt.Fprintf(w, "FAIL: %s\n", strings.Join(failures, "; "))
	} else {
		fmt.Fprintln(w, "PASS: no transport error, 5xx or INTERNAL error; RSS within bounds")
	}
}

func printErrors(w io.Writer, title string, errs []errorSummary) {
	if len(errs) == 0 {
		fmt.Fprintf(w, "%s: none\n", title)
		return
	}
	fmt.Fprintf(w, "%s:\n", title)
	for _, e := range errs {
		var by []string
		for _, kind := range slices.Sorted(maps.Keys(e.byKind)) {
			by = append(by, fmt.Sprintf("%s %d", kind, e.byKind[kind]))
		}
		fmt.Fprintf(w, "  %-10s %-28s %7d  (%s) first: %s\n", e.class, e.detail, e.requests, strings.Join(by, ", "), oneLine(e.first))
	}
}
