package main

import (
	"log/slog"
	"runtime/debug"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// defaultGCPercent is the garbage collector's target (GOGC) when the
// environment sets none. A request keeps almost nothing of what it
// allocates, so the live heap is small and, at Go's default of 100, the
// collector runs many times a second under load for a tenth of the CPU;
// 300 buys that back for a peak RSS that stays well within a pod's budget,
// where 400 did not (docs/performance.md, "collector target").
const defaultGCPercent = 300

// tuneGC sets the collector's target to defaultGCPercent unless GOGC is
// set, and, unless GOMEMLIMIT is set, a soft memory limit of 90% of the
// container's (cgroup) memory limit when there is one, so that a request
// holding a large live heap makes the collector work harder before the
// kernel's OOM killer would step in, whatever GOGC allows.
func tuneGC(getenv func(string) string, logger *slog.Logger) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		// Set reads GOMEMLIMIT and AUTOMEMLIMIT itself, logs what it sets
		// and leaves the limit alone where there is none.
		_, _ = memlimit.Set(memlimit.WithProvider(memlimit.FromCgroup), memlimit.WithLogger(logger))
	}
}
