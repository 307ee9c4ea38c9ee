package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// writeLog is one change the writer made.
type writeLog struct {
	session       int32 // sessionIndex's number of the session written
	create        bool  // a new session, else a run added
	start, commit time.Duration
}

// deliveries is what the subscriptions got of the writes. Every
// subscription must get one event per write: the writer changes a session
// again only after --update-after, so an event of a session read at t
// belongs to the session's last write begun before t.
type deliveries struct {
	expected   int // subscriptions × writes
	received   int // events of written sessions
	missing    int // (subscription, write) pairs without an event
	duplicates int // events beyond the first of a (subscription, write)
	early      int // events of a written session read before it was first written
	foreign    int // events of sessions sgbench did not write
	// lat is, for each (subscription, write) that got an event, the
	// first one's receipt − the write's commit, sorted.
	lat []time.Duration
	// span is from the first write's start to the last event's receipt.
	span time.Duration
}

// accountDeliveries matches the events of n subscriptions (their
// connections') to the writes.
func accountDeliveries(n int, writes []writeLog, conns []*subscriberConn) deliveries {
	d := deliveries{expected: n * len(writes)}
	var bySession [][]int32 // each session's writes, oldest first
	for i, w := range writes {
		for int(w.session) >= len(bySession) {
			bySession = append(bySession, nil)
		}
		bySession[w.session] = append(bySession[w.session], int32(i))
	}
	counts := make([]uint8, n*len(writes)) // per subscription, per write
	var last time.Duration
	for _, c := range conns {
		d.foreign += c.foreign
		for _, e := range c.events {
			var ws []int32
			if int(e.session) < len(bySession) {
				ws = bySession[e.session]
			}
			w := -1
			for _, i := range ws {
				if writes[i].start <= e.at {
					w = int(i)
				}
			}
			if w < 0 {
				d.early++
				continue
			}
			d.received++
			last = max(last, e.at)
			k := int(e.sub)*len(writes) + w
			if counts[k] == 0 {
				d.lat = append(d.lat, e.at-writes[w].commit)
			}
			if counts[k] < 255 {
				counts[k]++
			}
		}
	}
	for _, c := range counts {
		if c == 0 {
			d.missing++
		} else {
			d.duplicates += int(c) - 1
		}
	}
	slices.Sort(d.lat)
	if len(writes) > 0 && last > writes[0].start {
		d.span = last - writes[0].start
	}
	return d
}

// percentile is the nearest-rank p-th percentile of the latencies.
func (d deliveries) percentile(p float64) time.Duration { return result{lat: d.lat}.percentile(p) }

// rate is the events received per second, over span.
func (d deliveries) rate() float64 {
	if d.span <= 0 {
		return 0
	}
	return float64(d.received) / d.span.Seconds()
}

// phaseUsage is the CPU a phase took: average cores of the server (-1 without
// its PID), PostgreSQL (-1 on SQLite) and sgbench, over elapsed.
type phaseUsage struct {
	server, postgres, self float64
	elapsed                time.Duration
}

// subscribeReport is what sgbench subscribe measured.
type subscribeReport struct {
	cfg         subscribeConfig
	database    string // dialect and layout, for the header
	connections int
	// baseline is the server without subscribers, idle with them, opening
	// while they subscribed, writing during the writes.
	baseline, opening, idle, writing phaseUsage
	// Memory at the end of the baseline, once every subscription was open,
	// at the end of the idle phase, and after the writes; nil without the PID.
	memBaseline, memOpened, memIdle, memAfter *memory
	writes                                    []writeLog
	delivery                                  deliveries
	// serverEvents and serverEnded are the server's counts of events queued
	// and of subscriptions it ended during the writes (its /metrics).
	serverEvents, serverEnded float64
	// failed counts the results that were not events and the connections
	// that ended early; failures are the first of them.
	failed   int
	failures []string
}

// failures of the run: any subscription that did not get every write once.
func (r *subscribeReport) problems() []string {
	var out []string
	d := r.delivery
	switch {
	case d.expected > 0 && d.received == 0:
		out = append(out, "no event of a written session arrived: does the server serve --db first?")
	case d.missing > 0:
		out = append(out, fmt.Sprintf("%d events missing", d.missing))
	}
	if d.duplicates > 0 {
		out = append(out, fmt.Sprintf("%d duplicate events", d.duplicates))
	}
	if d.early > 0 {
		out = append(out, fmt.Sprintf("%d events before their session was written", d.early))
	}
	if r.failed > 0 {
		out = append(out, fmt.Sprintf("%d results that were not events or connections that ended", r.failed))
	}
	return out
}

// perThousand scales a difference to 1,000 subscribers.
func (r *subscribeReport) perThousand(delta float64) float64 {
	return delta / float64(r.cfg.subscribers) * 1000
}

func (r *subscribeReport) print(w io.Writer) {
	cfg := r.cfg
	fmt.Fprintf(w, "baseline, no subscriptions, %s: %s\n", cfg.idle, r.usageLine(r.baseline, r.memBaseline))
	fmt.Fprintf(w, "opened %d subscriptions on %d connections in %.1fs: %s\n", cfg.subscribers, r.connections,
		r.opening.elapsed.Seconds(), r.usageLine(r.opening, r.memOpened))
	fmt.Fprintf(w, "idle, %d subscriptions, %s: %s\n", cfg.subscribers, cfg.idle, r.usageLine(r.idle, r.memIdle))
	if r.idle.server >= 0 && r.memIdle != nil && r.memBaseline != nil {
		cpu := (r.idle.server - r.baseline.server) * 100
		rss := float64(r.memIdle.rssKB-r.memBaseline.rssKB) / 1024
		fmt.Fprintf(w, "  over the baseline: server %+.2f%% of a core, RSS %+.1f MB; per 1,000 idle subscriptions %+.2f%% and %+.1f MB\n",
			cpu, rss, r.perThousand(cpu), r.perThousand(rss))
		if cfg.subscribers < 1000 {
			fmt.Fprintln(w, "  (scaled up from fewer: what does not grow with subscriptions, such as the watcher's read every interval, is scaled too)")
		}
	} else {
		fmt.Fprintln(w, "  per 1,000 idle subscriptions: unknown without --server-pid")
	}
	creates := 0
	writeLat := make([]time.Duration, len(r.writes))
	for i, wr := range r.writes {
		if wr.create {
			creates++
		}
		writeLat[i] = wr.commit - wr.start
	}
	slices.Sort(writeLat)
	wl := result{lat: writeLat}
	fmt.Fprintf(w, "writes: %d in %s (%d sessions created, %d runs added); a write took p50 %s, max %s\n",
		len(r.writes), r.writing.elapsed.Round(100*time.Millisecond), creates, len(r.writes)-creates, ms(wl.percentile(50)), ms(wl.percentile(100)))
	fmt.Fprintf(w, "  during the writes: %s\n", r.usageLine(r.writing, r.memAfter))
	d := r.delivery
	fmt.Fprintf(w, "delivery: %d events expected (%d subscriptions × %d writes), %d received, %d missing, %d duplicates",
		d.expected, cfg.subscribers, len(r.writes), d.received, d.missing, d.duplicates)
	if d.early > 0 {
		fmt.Fprintf(w, ", %d before their session was written", d.early)
	}
	fmt.Fprintf(w, "; %d of other sessions; %.0f events/s\n", d.foreign, d.rate())
	fmt.Fprintf(w, "  latency (receipt − commit): p50 %s, p99 %s, max %s\n", ms(d.percentile(50)), ms(d.percentile(99)), ms(d.percentile(100)))
	if d.percentile(100) >= cfg.updateAfter {
		fmt.Fprintf(w, "  (the slowest event took --update-after or longer: it may have been taken for its session's next write)\n")
	}
	fmt.Fprintf(w, "  the server queued %.0f events and ended %.0f subscriptions meanwhile (its /metrics)\n", r.serverEvents, r.serverEnded)
	if r.failed > 0 {
		fmt.Fprintf(w, "not events: %d, the first: %s\n", r.failed, strings.Join(r.failures, "; "))
	}
	if p := r.problems(); len(p) > 0 {
		fmt.Fprintf(w, "FAIL: %s\n", strings.Join(p, "; "))
	} else {
		fmt.Fprintln(w, "PASS: every subscription got every write once")
	}
	fmt.Fprintln(w, "(CPU: average % of one core over the phase; p50, p99: nearest rank over every (subscription, write))")
}

// usageLine is a phase's CPU and the server's memory at its end.
func (r *subscribeReport) usageLine(u phaseUsage, m *memory) string {
	parts := []string{"server " + percentOrDash(u.server)}
	if u.postgres >= 0 {
		parts = append(parts, "PostgreSQL "+percentOrDash(u.postgres))
	}
	parts = append(parts, "sgbench "+percentOrDash(u.self))
	line := "CPU " + strings.Join(parts, ", ")
	if m != nil {
		line += "; server " + m.String()
	}
	return line
}

// percentOrDash formats cores as a percentage of one core; "-" when unknown.
func percentOrDash(cores float64) string {
	if cores < 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", cores*100)
}
