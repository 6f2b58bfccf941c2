package main

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseLoadAvg(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
	}{
		{"1.26 1.31 2.09 3/812 12345\n", 1.26},
		{"0.00 0.01 0.05 1/100 1", 0},
		{"", math.NaN()},
		{"busy 1 1", math.NaN()},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got := parseLoadAvg(tc.in)
			if got != tc.want && !(math.IsNaN(got) && math.IsNaN(tc.want)) {
				t.Errorf("%v, want %v", got, tc.want)
			}
		})
	}
}

func TestLoadMark(t *testing.T) {
	for _, tc := range []struct {
		load float64
		want string
	}{
		{0.4, ""},
		{1.0, ""},
		{1.04, "⚠ load 1.0"},
		{3.17, "⚠ load 3.2"},
		{math.NaN(), ""},
	} {
		if got := loadMark(tc.load); got != tc.want {
			t.Errorf("loadMark(%v) = %q, want %q", tc.load, got, tc.want)
		}
	}
}

func TestSettle(t *testing.T) {
	for _, tc := range []struct {
		name  string
		loads []float64
		limit time.Duration
		want  float64
		reads int
	}{
		{"quiet", []float64{0.5}, time.Minute, 0.5, 1},
		{"settles", []float64{2.5, 1.8, 0.9, 0.1}, time.Minute, 0.9, 3},
		{"no wait asked", []float64{2.5, 0.1}, 0, 2.5, 1},
		{"never settles", []float64{3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3}, 20 * time.Millisecond, 3, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			i := 0
			read := func() float64 {
				v := tc.loads[min(i, len(tc.loads)-1)]
				i++
				return v
			}
			var said []string
			got := settle(context.Background(), tc.limit, time.Millisecond, read, func(f string, a ...any) { said = append(said, f) })
			if got != tc.want {
				t.Errorf("settled at %v, want %v", got, tc.want)
			}
			if tc.reads >= 0 && i != tc.reads {
				t.Errorf("read the load %d times, want %d", i, tc.reads)
			}
			if waited := tc.loads[0] > busyLoad && tc.limit > 0; waited != (len(said) > 0) {
				t.Errorf("said %q", said)
			}
		})
	}
}

func TestParseBusyTicks(t *testing.T) {
	stat := "cpu  100 5 30 1000 50 7 3 2 9 0\ncpu0 50 2 15 500 25 3 1 1 0 0\n"
	// user nice system irq softirq steal, without idle and iowait.
	if got := parseBusyTicks(stat); got != 100+5+30+7+3+2 {
		t.Errorf("%d", got)
	}
	if got := parseBusyTicks("intr 1 2 3"); got != 0 {
		t.Errorf("not a cpu line: %d", got)
	}
}

func TestParseProcStatAndTree(t *testing.T) {
	p, ok := parseProcStat("42 (chrome (renderer)) S 7 42 42 0 -1 4194560 1 2 3 4 150 50 10 5 20 0")
	if !ok || p.ppid != 7 || p.ticks != 215 {
		t.Fatalf("%+v %v", p, ok)
	}
	if _, ok := parseProcStat("garbage"); ok {
		t.Error("garbage parsed")
	}
	procs := map[int]proc{
		1:  {ppid: 0, ticks: 1000}, // not ours
		7:  {ppid: 1, ticks: 10},   // the benchmark
		8:  {ppid: 7, ticks: 20},   // its browser
		9:  {ppid: 8, ticks: 30},   // a renderer
		10: {ppid: 1, ticks: 500},  // someone else's build
	}
	if got := treeTicks(procs, 7); got != 60 {
		t.Errorf("tree of 7: %d", got)
	}
}

func TestOthersLoad(t *testing.T) {
	t0 := time.Unix(100, 0)
	a := cpuSnapshot{at: t0, busy: 1000, ours: 400}
	for _, tc := range []struct {
		b    cpuSnapshot
		want float64
	}{
		// 10 s: 1500 ticks busy, 500 of them ours: 1000 ticks = 10 s = 1 core.
		{cpuSnapshot{at: t0.Add(10 * time.Second), busy: 2500, ours: 900}, 1},
		// Only the benchmark ran.
		{cpuSnapshot{at: t0.Add(10 * time.Second), busy: 2000, ours: 1400}, 0},
		// A child reaped between the reads may count twice: never below 0.
		{cpuSnapshot{at: t0.Add(10 * time.Second), busy: 1100, ours: 700}, 0},
	} {
		if got := othersLoad(a, tc.b); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("othersLoad = %v, want %v", got, tc.want)
		}
	}
	if !math.IsNaN(othersLoad(a, a)) {
		t.Error("no time passed, yet a load")
	}
}

func TestLoadInTheTable(t *testing.T) {
	rows := []row{
		{figure: "quiet", measured: "1 s", verdict: "met"},
		{figure: "busy", measured: "2 s", verdict: "missed by 5%", load: loadMark(3.2)},
	}
	md := markdown(rows)
	if !strings.Contains(md, "| quiet | 1 s | — | — | — | met |") || !strings.Contains(md, "| busy | 2 s | — | — | — | missed by 5% · ⚠ load 3.2 |") {
		t.Errorf("table:\n%s", md)
	}
	loads := []groupLoad{{group: "hash", before: 0.4, during: 2.1, others: 0.2}, {group: "link", before: 3.2, during: 4, others: 2.5}}
	if w := busyWarning(rows); !strings.Contains(w, "⚠ TAKEN ON A BUSY MACHINE: 1 of 2 figures") {
		t.Errorf("warning: %q", w)
	}
	if w := busyWarning(rows[:1]); w != "" {
		t.Errorf("a quiet run called busy: %q", w)
	}
	if h := loadHeader(loads); !strings.Contains(h, "hash 0.40 (during: load average up to 2.10, other work up to 0.20 cores); link 3.20 (during: load average up to 4.00, other work up to 2.50 cores)") {
		t.Errorf("header:\n%s", h)
	}
	if w := (groupLoad{before: 0.3, others: 1.7}).worst(); w != 1.7 {
		t.Errorf("worst: %v", w)
	}
	if w := (groupLoad{before: math.NaN(), others: math.NaN()}).worst(); w != 0 {
		t.Errorf("worst of unknowns: %v", w)
	}
}
