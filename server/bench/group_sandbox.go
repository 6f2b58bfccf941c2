package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// groupSandbox runs the sandbox package's hasImage benchmark on every core.
func (b *bench) groupSandbox(ctx context.Context) {
	r := row{figure: "sandbox: hasImage requests per second (go test -bench, " + strconv.Itoa(runtime.NumCPU()) + " cores)", target: "≥ 5,000/s"}
	rate, err := b.hasImageBench(ctx)
	if err != nil {
		r.verdict = "not measured: " + err.Error()
	} else {
		r.measured = fmt.Sprintf("%.0f/s", rate)
		r.verdict = verdict(rate, target{limit: 5000, atLeast: true})
	}
	b.addRow(r)
}

func (b *bench) hasImageBench(ctx context.Context) (float64, error) {
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "^BenchmarkHasImage$",
		"-benchtime", b.o.benchtime, "-count", strconv.Itoa(b.o.repeats), "-cpu", strconv.Itoa(runtime.NumCPU()), "./server/sandbox")
	cmd.Dir = b.root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("go test: %v: %s", err, lastLines(out.String(), 5))
	}
	var s samples
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		if v, ok := parseBenchMetric(sc.Text(), "BenchmarkHasImage", "req/s"); ok {
			s.add(v, nil)
		}
	}
	if !s.ok() {
		return 0, fmt.Errorf("no req/s figure in the output: %s", lastLines(out.String(), 5))
	}
	return s.median(), nil
}

// parseBenchMetric reads the value of unit from a go test -bench line of the
// named benchmark ("BenchmarkX-2  100  123 ns/op  4567 req/s").
func parseBenchMetric(line, name, unit string) (float64, bool) {
	f := strings.Fields(line)
	if len(f) < 4 || (f[0] != name && !strings.HasPrefix(f[0], name+"-")) {
		return 0, false
	}
	for i := 3; i < len(f); i++ {
		if f[i] == unit {
			v, err := strconv.ParseFloat(f[i-1], 64)
			return v, err == nil
		}
	}
	return 0, false
}
