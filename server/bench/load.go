package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// busyLoad is the load above which a figure is not this machine's own: on a
// quiet machine the benchmark's processes are the only work.
const busyLoad = 1.0

// loadAvg1 is the 1-minute load average (NaN when unknown).
func loadAvg1() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return nan
	}
	return parseLoadAvg(string(b))
}

func parseLoadAvg(s string) float64 {
	f := strings.Fields(s)
	if len(f) == 0 {
		return nan
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return nan
	}
	return v
}

// settle waits, up to limit, until the 1-minute load average is at most
// busyLoad, saying so; it returns the load it starts the group at. The
// previous group's own browser work lifts the average too: it decays in a
// minute or so.
func settle(ctx context.Context, limit time.Duration, every time.Duration, read func() float64, logf func(string, ...any)) float64 {
	l := read()
	if !(l > busyLoad) || limit <= 0 {
		return l
	}
	logf("load %.2f is above %.1f: waiting up to %v for the machine to settle", l, busyLoad, limit)
	deadline := time.Now().Add(limit)
	for l > busyLoad && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return l
		case <-time.After(every):
		}
		l = read()
	}
	if l > busyLoad {
		logf("load still %.2f after %v: measuring anyway, the figures will be marked", l, limit)
	} else {
		logf("load %.2f: going on", l)
	}
	return l
}

// loadMark is what a figure taken at load l carries in the table.
func loadMark(l float64) string {
	if !(l > busyLoad) {
		return ""
	}
	return fmt.Sprintf("⚠ load %.1f", l)
}

// cpuSnapshot is the machine's busy CPU time and the part of it spent by
// the benchmark's own processes (itself, its servers, its browser and their
// children, reaped ones included), in clock ticks.
type cpuSnapshot struct {
	at         time.Time
	busy, ours int64
}

// othersLoad is the cores other work used between two snapshots: what
// /proc/loadavg cannot tell, as it counts the benchmark's browser too.
func othersLoad(a, b cpuSnapshot) float64 {
	d := b.at.Sub(a.at).Seconds()
	if d <= 0 {
		return nan
	}
	v := float64((b.busy-a.busy)-(b.ours-a.ours)) / clockTicks / d
	return max(v, 0)
}

func takeCPUSnapshot(self int) cpuSnapshot {
	s := cpuSnapshot{at: time.Now()}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		s.busy = parseBusyTicks(string(b))
	}
	s.ours = treeTicks(readProcs(), self)
	return s
}

// parseBusyTicks sums the busy fields of /proc/stat's "cpu" line (all but
// idle and iowait; guest time is already in user).
func parseBusyTicks(stat string) int64 {
	line, _, _ := strings.Cut(stat, "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0
	}
	var sum int64
	for i, v := range f[1:min(len(f), 9)] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		sum += n
	}
	return sum
}

// proc is one process's parent and CPU ticks, its reaped children's included.
type proc struct {
	ppid  int
	ticks int64
}

func readProcs() map[int]proc {
	out := map[int]proc{}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return out
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		if p, ok := parseProcStat(string(b)); ok {
			out[pid] = p
		}
	}
	return out
}

// parseProcStat reads ppid and utime+stime+cutime+cstime from a
// /proc/<pid>/stat line.
func parseProcStat(stat string) (proc, bool) {
	f := statFields(stat)
	// From state (3): ppid(4) … utime(14) stime(15) cutime(16) cstime(17).
	if len(f) < 15 {
		return proc{}, false
	}
	ppid, err := strconv.Atoi(f[1])
	if err != nil {
		return proc{}, false
	}
	var t int64
	for _, v := range f[11:15] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return proc{}, false
		}
		t += n
	}
	return proc{ppid: ppid, ticks: t}, true
}

// treeTicks sums the ticks of root and its descendants.
func treeTicks(procs map[int]proc, root int) int64 {
	kids := map[int][]int{}
	for pid, p := range procs {
		kids[p.ppid] = append(kids[p.ppid], pid)
	}
	var sum int64
	stack := []int{root}
	for len(stack) > 0 {
		pid := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		sum += procs[pid].ticks
		stack = append(stack, kids[pid]...)
	}
	return sum
}

// loadWatch samples, while a group runs, the 1-minute load average and the
// cores other work takes; peak is the highest of the latter over windows of
// every.
type loadWatch struct {
	mu      sync.Mutex
	avgPeak float64
	others  float64
	stop    chan struct{}
	done    chan struct{}
}

func watchLoad(every time.Duration) *loadWatch {
	w := &loadWatch{stop: make(chan struct{}), done: make(chan struct{})}
	self := os.Getpid()
	go func() {
		defer close(w.done)
		t := time.NewTicker(every)
		defer t.Stop()
		last := takeCPUSnapshot(self)
		for stopped := false; !stopped; {
			// A last sample when stopped: a short group gets one too.
			select {
			case <-w.stop:
				stopped = true
			case <-t.C:
			}
			now := takeCPUSnapshot(self)
			o, l := othersLoad(last, now), loadAvg1()
			// A window under a second is too short to judge.
			long := now.at.Sub(last.at) >= time.Second
			last = now
			w.mu.Lock()
			if o > w.others && long {
				w.others = o
			}
			if l > w.avgPeak {
				w.avgPeak = l
			}
			w.mu.Unlock()
		}
	}()
	return w
}

// end stops the sampling and returns the peaks: of the load average (the
// benchmark's own work included) and of the cores other work took.
func (w *loadWatch) end() (avgPeak, others float64) {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.avgPeak, w.others
}

// groupLoad is the load a group ran under: the load average it started at
// and the peaks while it ran.
type groupLoad struct {
	group                  string
	before, during, others float64
}

// worst is the load a figure of the group is marked with: the load average
// at its start, or the cores other work took while it ran.
func (g groupLoad) worst() float64 { return max(nz(g.before), nz(g.others)) }

func (g groupLoad) String() string {
	return fmt.Sprintf("%s %s (during: load average up to %s, other work up to %s cores)", g.group, fmtLoad(g.before), fmtLoad(g.during), fmtLoad(g.others))
}

func fmtLoad(v float64) string {
	if v != v {
		return "unknown"
	}
	return fmt.Sprintf("%.2f", v)
}

func nz(v float64) float64 {
	if v != v {
		return 0
	}
	return v
}
