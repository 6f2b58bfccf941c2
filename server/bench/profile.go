package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/profiler"
	"github.com/chromedp/chromedp"
)

// startProfile starts V8's sampling profiler on the page's main thread (1 ms
// samples).
func startProfile(ctx context.Context) error {
	return chromedp.Do(ctx, func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := cdp.Call(ctx, t, profiler.Enable, cdp.Empty{}); err != nil {
			return chromedp.Void{}, err
		}
		if _, err := cdp.Call(ctx, t, profiler.SetSamplingInterval, profiler.SetSamplingIntervalParams{Interval: 1000}); err != nil {
			return chromedp.Void{}, err
		}
		_, err := cdp.Call(ctx, t, profiler.Start, cdp.Empty{})
		return chromedp.Void{}, err
	})
}

func stopProfile(ctx context.Context) (*profiler.Profile, error) {
	return chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) (*profiler.Profile, error) {
		r, err := cdp.Call(ctx, t, profiler.Stop, cdp.Empty{})
		if err != nil {
			return nil, err
		}
		return r.Profile, nil
	})
}

// keepProfile writes p to dir (nothing when dir is "") as what.cpuprofile,
// the JSON DevTools' Performance panel opens.
func keepProfile(dir, what string, p *profiler.Profile) error {
	if dir == "" || p == nil {
		return nil
	}
	j, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	name := strings.Map(func(r rune) rune {
		if r == ' ' || r == '/' {
			return '-'
		}
		return r
	}, what)
	return os.WriteFile(filepath.Join(dir, name+".cpuprofile"), j, 0o644)
}

// where names the part of the page a profile node's own time belongs to.
func where(cf string, url string) string {
	switch cf {
	case "(idle)":
		return "idle"
	case "(program)":
		return "the browser's own work on the thread (program)"
	case "(garbage collector)":
		return "JS garbage collector"
	case "(root)":
		return "idle"
	}
	base := path.Base(url)
	switch {
	case strings.HasSuffix(base, ".wasm"):
		return "Go (" + base + ")"
	case base == "wasm_exec.js":
		return "Go↔JS glue (wasm_exec.js)"
	case url == "":
		return "native functions"
	default:
		return base
	}
}

// summarizeProfile tells where the main thread's time went: by part, and
// the functions that took most of it.
func summarizeProfile(p *profiler.Profile) string {
	if p == nil || len(p.Samples) == 0 {
		return "no samples"
	}
	nodes := map[int64]*profiler.ProfileNode{}
	for _, n := range p.Nodes {
		nodes[n.ID] = n
	}
	parts := map[string]int64{}
	funcs := map[string]int64{}
	var total int64
	for i, id := range p.Samples {
		var d int64
		if i < len(p.TimeDeltas) {
			d = p.TimeDeltas[i]
		}
		n := nodes[id]
		if n == nil || n.CallFrame == nil {
			continue
		}
		w := where(n.CallFrame.FunctionName, n.CallFrame.URL)
		parts[w] += d
		total += d
		if w != "idle" {
			funcs[frameName(n)] += d
		}
	}
	if total <= 0 {
		return "no samples"
	}
	out := fmt.Sprintf("%.1f s sampled: ", float64(total)/1e6)
	out += topShares(parts, total, 8)
	out += "; busiest functions: " + topShares(funcs, total, 6)
	// Go's own functions, by package, where the wasm keeps its names.
	gopkgs := map[string]int64{}
	for i, id := range p.Samples {
		n := nodes[id]
		if n == nil || n.CallFrame == nil || !strings.HasSuffix(n.CallFrame.URL, ".wasm") || i >= len(p.TimeDeltas) {
			continue
		}
		if strings.HasPrefix(n.CallFrame.FunctionName, "wasm-function[") {
			continue // a wasm built with -s keeps no names
		}
		gopkgs[goPackage(n.CallFrame.FunctionName)] += p.TimeDeltas[i]
	}
	if len(gopkgs) > 1 {
		out += "; Go by package: " + topShares(gopkgs, total, 8)
		out += "; altiup's functions with what they call: " + altiupShares(p, 8)
	}
	return out
}

// frameName is a profile node's function and the file it is in.
func frameName(n *profiler.ProfileNode) string {
	s := n.CallFrame.FunctionName
	if s == "" {
		s = "(anonymous)"
	}
	if n.CallFrame.URL != "" {
		s += " (" + path.Base(n.CallFrame.URL) + ")"
	}
	return s
}

func topShares(m map[string]int64, total int64, n int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if m[a] != m[b] {
			return int(m[b] - m[a])
		}
		return strings.Compare(a, b)
	})
	var parts []string
	for _, k := range keys[:min(n, len(keys))] {
		share := float64(m[k]) / float64(total) * 100
		if share < 0.5 {
			break
		}
		parts = append(parts, fmt.Sprintf("%s %.0f%%", k, share))
	}
	return strings.Join(parts, ", ")
}

// goPackage is the package of a Go function name as the wasm names it
// (e.g. "crypto/sha1.blockGeneric" → "crypto/sha1", "runtime.mallocgc" →
// "runtime"); a name that is not Go's is kept whole.
func goPackage(fn string) string {
	slash := strings.LastIndexByte(fn, '/')
	if dot := strings.IndexByte(fn[slash+1:], '.'); dot > 0 {
		return fn[:slash+1+dot]
	}
	return fn
}

// longestStretches finds the n longest runs of samples in which the main
// thread never went idle, which is what long tasks are made of, and tells
// what ran in each: the JS entry points (the frame called by the event
// loop) and the busiest functions. It is how the main-thread figure says
// where its long tasks go.
func longestStretches(p *profiler.Profile, n int) string {
	if p == nil || len(p.Samples) == 0 {
		return "no samples"
	}
	nodes, parent := indexNodes(p)
	idle := func(id int64) bool {
		n := nodes[id]
		return n == nil || n.CallFrame == nil || where(n.CallFrame.FunctionName, n.CallFrame.URL) == "idle"
	}
	// entry is the outermost frame of a sample below (root).
	entry := func(id int64) string {
		for {
			pid, ok := parent[id]
			if !ok || nodes[pid] == nil || nodes[pid].CallFrame.FunctionName == "(root)" {
				return frameName(nodes[id])
			}
			id = pid
		}
	}
	type stretch struct {
		from, to int // samples from+1..to; a sample's delta is the time since the one before
		length   int64
	}
	var all []stretch
	start := -1
	var run int64
	for i, id := range p.Samples {
		if idle(id) {
			if start >= 0 && run > 0 {
				all = append(all, stretch{start, i - 1, run})
			}
			start, run = -1, 0
			continue
		}
		if start < 0 {
			start, run = i, 0
		} else if i < len(p.TimeDeltas) {
			run += p.TimeDeltas[i]
		}
	}
	if start >= 0 && run > 0 {
		all = append(all, stretch{start, len(p.Samples) - 1, run})
	}
	if len(all) == 0 {
		return "no busy stretch"
	}
	slices.SortFunc(all, func(a, b stretch) int { return int(b.length - a.length) })
	var out []string
	for _, st := range all[:min(n, len(all))] {
		entries := map[string]int64{}
		funcs := map[string]int64{}
		var total int64
		for i := st.from + 1; i <= st.to && i < len(p.TimeDeltas); i++ {
			d := p.TimeDeltas[i]
			id := p.Samples[i]
			entries[entry(id)] += d
			funcs[frameName(nodes[id])] += d
			total += d
		}
		line := fmt.Sprintf("%.0f ms without going idle, entered from %s; busiest functions: %s",
			float64(st.length)/1e3, topShares(entries, total, 3), topShares(funcs, total, 5))
		if own := altiupSharesIn(p, 5, st.from+1, st.to); own != "" {
			line += "; altiup's functions with what they call: " + own
		}
		out = append(out, line)
	}
	return strings.Join(out, " — ")
}

// altiupShares is the share of the thread's time spent in each of
// altiup's own Go functions, callees included (the functions that make a
// native call such as slice or fetch show what they cost with it). It is
// how a native function's self time is traced back to the Go that called
// it; empty when the wasm keeps no names.
func altiupShares(p *profiler.Profile, n int) string {
	return altiupSharesIn(p, n, 0, len(p.Samples)-1)
}

// altiupSharesIn is altiupShares over samples from..to.
func altiupSharesIn(p *profiler.Profile, n, from, to int) string {
	nodes, parent := indexNodes(p)
	own := func(name string) bool {
		return strings.HasPrefix(name, "altiup_wasm_") || strings.HasPrefix(name, "main.")
	}
	incl := map[string]int64{}
	var total int64
	for i := max(from, 0); i <= to && i < len(p.Samples) && i < len(p.TimeDeltas); i++ {
		id, d := p.Samples[i], p.TimeDeltas[i]
		total += d
		seen := map[string]bool{}
		for cur, ok := id, true; ok; cur, ok = parent[cur] {
			nd := nodes[cur]
			if nd == nil || nd.CallFrame == nil {
				break
			}
			if name := nd.CallFrame.FunctionName; own(name) && !seen[name] {
				seen[name] = true
				incl[name] += d
			}
		}
	}
	if total <= 0 {
		return ""
	}
	return topShares(incl, total, n)
}

// indexNodes maps a profile's nodes by id, and each node to its parent.
func indexNodes(p *profiler.Profile) (nodes map[int64]*profiler.ProfileNode, parent map[int64]int64) {
	nodes, parent = map[int64]*profiler.ProfileNode{}, map[int64]int64{}
	for _, n := range p.Nodes {
		nodes[n.ID] = n
		for _, c := range n.Children {
			parent[c] = n.ID
		}
	}
	return nodes, parent
}
