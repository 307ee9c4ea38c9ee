package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTick is the unit of utime and stime in /proc/PID/stat (USER_HZ,
// 100 on every Linux architecture Go supports).
const clockTick = 10 * time.Millisecond

// memory is a process's memory as /proc/PID/status reports it.
type memory struct {
	rssKB, hwmKB int64 // VmRSS, VmHWM (peak RSS)
	threads      int
}

func readMemory(pid int) (memory, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, err
	}
	var m memory
	for line := range strings.Lines(string(data)) {
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 10, 64)
		switch key {
		case "VmRSS":
			m.rssKB = n
		case "VmHWM":
			m.hwmKB = n
		case "Threads":
			m.threads = int(n)
		}
	}
	return m, nil
}

func (m memory) String() string {
	return fmt.Sprintf("RSS %.1f MB (peak %.1f MB), %d threads", float64(m.rssKB)/1024, float64(m.hwmKB)/1024, m.threads)
}

// processCPU returns the CPU time (user + system) a process has used.
func processCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	st, err := parseStat(data)
	return st.cpu, err
}

// procStat is what sgbench reads from a /proc/PID/stat line.
type procStat struct {
	comm     string
	ppid     int
	cpu      time.Duration // utime + stime
	children time.Duration // cutime + cstime: children that exited and were waited for
}

func parseStat(data []byte) (procStat, error) {
	open, end := bytes.IndexByte(data, '('), bytes.LastIndexByte(data, ')')
	if open < 0 || end < open {
		return procStat{}, fmt.Errorf("unexpected /proc stat line")
	}
	// After "(comm)": state is field 3, ppid 4, utime 14, stime 15, cutime 16, cstime 17.
	fields := strings.Fields(string(data[end+1:]))
	if len(fields) < 15 {
		return procStat{}, fmt.Errorf("unexpected /proc stat line")
	}
	n := func(i int) int64 { v, _ := strconv.ParseInt(fields[i-3], 10, 64); return v }
	return procStat{comm: string(data[open+1 : end]), ppid: int(n(4)),
		cpu: time.Duration(n(14)+n(15)) * clockTick, children: time.Duration(n(16)+n(17)) * clockTick}, nil
}

// commandCPU sums the CPU time of processes named comm (e.g. postgres):
// the live ones, and those that exited, as counted in the CPU time of the
// waited-for children of the topmost one (the postmaster). With root > 0
// only root and its descendants count (one PostgreSQL cluster of several
// on the machine).
func commandCPU(comm string, root int) time.Duration {
	paths, _ := filepath.Glob("/proc/[0-9]*/stat")
	stats := map[int]procStat{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
		if st, err := parseStat(data); err == nil && st.comm == comm {
			stats[pid] = st
		}
	}
	var total time.Duration
	for pid, st := range stats {
		if root > 0 && pid != root && st.ppid != root {
			continue
		}
		total += st.cpu
		if _, childOfSame := stats[st.ppid]; !childOfSame {
			total += st.children
		}
	}
	return total
}

// parentPID returns the parent of a process (0 when it cannot be read):
// the postmaster of a PostgreSQL backend.
func parentPID(pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	st, err := parseStat(data)
	if err != nil {
		return 0
	}
	return st.ppid
}

// selfCPU returns the CPU time this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuMeter measures the cores the server, PostgreSQL and sgbench itself
// keep busy during a phase.
type cpuMeter struct {
	serverPID, postmaster  int
	server, postgres, self time.Duration
	start                  time.Time
}

// startCPU starts measuring the server (serverPID, when positive), the
// PostgreSQL cluster of postmaster (every postgres process when 0) and sgbench.
func startCPU(serverPID, postmaster int) *cpuMeter {
	m := &cpuMeter{serverPID: serverPID, postmaster: postmaster, postgres: commandCPU("postgres", postmaster), self: selfCPU(), start: time.Now()}
	if serverPID > 0 {
		m.server, _ = processCPU(serverPID)
	}
	return m
}

// cores returns the average cores used since start: server (-1 without a
// PID), PostgreSQL, sgbench.
func (m *cpuMeter) cores() (server, postgres, self float64) {
	wall := time.Since(m.start).Seconds()
	server = -1
	if m.serverPID > 0 {
		if cpu, err := processCPU(m.serverPID); err == nil {
			server = (cpu - m.server).Seconds() / wall
		}
	}
	return server, (commandCPU("postgres", m.postmaster) - m.postgres).Seconds() / wall, (selfCPU() - m.self).Seconds() / wall
}
