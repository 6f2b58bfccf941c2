package main

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"
)

// samples are the figures of one measurement over its repeats, and the
// errors of the runs that could not be measured.
type samples struct {
	vals []float64
	errs []string
}

func (s *samples) add(v float64, err error) {
	if err != nil {
		s.errs = append(s.errs, err.Error())
		return
	}
	s.vals = append(s.vals, v)
}

func (s *samples) ok() bool { return len(s.vals) > 0 }

var nan = math.NaN()

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	c := slices.Clone(v)
	slices.Sort(c)
	if n := len(c); n%2 == 1 {
		return c[n/2]
	} else {
		return (c[n/2-1] + c[n/2]) / 2
	}
}

func (s *samples) median() float64 { return median(s.vals) }

// spread formats the median with the range of the repeats.
func (s *samples) spread(format func(float64) string) string {
	if !s.ok() {
		return "—"
	}
	m := format(s.median())
	lo, hi := format(slices.Min(s.vals)), format(slices.Max(s.vals))
	if len(s.vals) < 2 || lo == hi {
		return m
	}
	return fmt.Sprintf("%s (%s–%s)", m, lo, hi)
}

// firstErr is the most common reason a run failed, with how many did.
func (s *samples) firstErr() string {
	if len(s.errs) == 0 {
		return ""
	}
	return fmt.Sprintf("%d of %d runs failed: %s", len(s.errs), len(s.errs)+len(s.vals), s.errs[0])
}

func fmtSeconds(ms float64) string {
	switch {
	case ms >= 10000:
		return fmt.Sprintf("%.1f s", ms/1000)
	case ms >= 1000:
		return fmt.Sprintf("%.2f s", ms/1000)
	default:
		return fmt.Sprintf("%.0f ms", ms)
	}
}

func fmtMS(ms float64) string { return fmt.Sprintf("%.0f ms", ms) }

func fmtMiB(b float64) string { return fmt.Sprintf("%.1f MiB", b/mib) }

func fmtMB(b float64) string { return fmt.Sprintf("%.2f MB", b/1e6) }

func fmtRate(mbps float64) string { return fmt.Sprintf("%.0f MB/s", mbps) }

// target is a figure's goal: the measured value (or ratio) at most or at
// least limit.
type target struct {
	text    string
	limit   float64
	atLeast bool
	ratio   bool // compares the ratio, not the measured value
}

// row is one line of the table; load marks a figure taken on a busy
// machine.
type row struct {
	figure, measured, baseline, ratio, target, verdict, load string
}

// verdict says whether v meets t, and by how much it misses.
func verdict(v float64, t target) string {
	if math.IsNaN(v) {
		return "not measured"
	}
	if t.atLeast {
		if v >= t.limit {
			return "met"
		}
		return fmt.Sprintf("missed by %.0f%%", (t.limit-v)/t.limit*100)
	}
	if math.IsInf(t.limit, 1) {
		return "reported"
	}
	if v <= t.limit {
		return "met"
	}
	return fmt.Sprintf("missed by %.0f%%", (v-t.limit)/t.limit*100)
}

// env is what the figures were measured on.
type env struct {
	date, cpu, chromium, goVersion string
	cores                          int
}

func readEnv(chromiumVersion string) env {
	e := env{date: time.Now().UTC().Format("2006-01-02 15:04 MST"), cores: runtime.NumCPU(), chromium: chromiumVersion}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				e.cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	if e.cpu == "" {
		e.cpu = runtime.GOARCH
	}
	if out, err := exec.Command("go", "env", "GOVERSION").Output(); err == nil {
		e.goVersion = strings.TrimSpace(string(out))
	} else {
		e.goVersion = runtime.Version()
	}
	return e
}

// markdown renders the table.
func markdown(rows []row) string {
	var b strings.Builder
	b.WriteString("| figure | measured | baseline | ratio | target | result |\n|---|---|---|---|---|---|\n")
	for _, r := range rows {
		v := r.verdict
		if r.load != "" {
			v += " · " + r.load
		}
		cells := []string{r.figure, r.measured, r.baseline, r.ratio, r.target, v}
		for i, c := range cells {
			if c == "" {
				c = "—"
			}
			c = strings.Join(strings.Fields(c), " ")
			cells[i] = strings.ReplaceAll(c, "|", "\\|")
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	return b.String()
}

// report is the whole Markdown document: where and how it was measured, the
// table, and the notes.
func (b *bench) report(took time.Duration) string {
	o := b.o
	var s strings.Builder
	s.WriteString("# altiup benchmarks\n\n")
	s.WriteString(busyWarning(b.rows))
	s.WriteString("Made by `./build.sh bench` (`go run ./server/bench`): headless Chromium against the sandbox on loopback, every figure the median of the runs with their range in brackets, every ratio against a baseline measured in the same run. A benchmark, not a test: a missed target is a line of this table.\n\n")
	fmt.Fprintf(&s, "- date: %s\n- CPU: %s, %d cores\n- browser: %s\n- Go: %s\n", b.env.date, b.env.cpu, b.env.cores, b.env.chromium, b.env.goVersion)
	s.WriteString(loadHeader(b.loads))
	fmt.Fprintf(&s, "- settings: scale %.3g, %d runs each, %d files at once, large files %d MiB, small files %d KB; took %s\n\n",
		o.scale, o.repeats, o.concurrency, o.fileMiB, o.smallKB, took.Round(time.Second))
	s.WriteString(markdown(b.rows))
	if len(b.notes) > 0 {
		s.WriteString("\nNotes:\n\n")
		for _, n := range b.notes {
			s.WriteString("- " + n + "\n")
		}
	}
	s.WriteString("\nBaselines: *plain fetch PUT* sends the same files with `fetch` to URLs signed before the clock starts (S3: presigned by the sandbox; OSS: signed with the STS, as the uploader does), at the same concurrency, with no hashing and no API calls; *ali-oss put* is the npm package's browser bundle with the STS of uploadImageOSS; the *crypto-js uploader* does the documented flow one file at a time, reading each file whole. Upload caps are DevTools network conditions on the tab.\n")
	return s.String()
}

// busyWarning says loudly, before anything else, that figures were taken
// under load; "" when none was.
func busyWarning(rows []row) string {
	marked := 0
	for _, r := range rows {
		if r.load != "" {
			marked++
		}
	}
	if marked == 0 {
		return ""
	}
	return fmt.Sprintf("**⚠ TAKEN ON A BUSY MACHINE: %d of %d figures were measured while the load was above %.1f (marked ⚠ in the table). Other work took cores from the browser: those figures are not this machine's own; do not compare them with a quiet run.**\n\n", marked, len(rows), busyLoad)
}

// loadHeader says how busy the machine was in each group.
func loadHeader(loads []groupLoad) string {
	var s strings.Builder
	parts := make([]string, len(loads))
	for i, l := range loads {
		parts[i] = l.String()
	}
	fmt.Fprintf(&s, "- load: the 1-minute load average as each group started (a group waits for it to fall to %.1f, for a while), and the peaks while it ran (the load average counts the benchmark's own browser; other work is the cores every other process used): %s\n", busyLoad, strings.Join(parts, "; "))
	return s.String()
}
