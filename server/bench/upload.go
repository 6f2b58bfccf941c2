package main

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"time"

	"github.com/chromedp/cdproto/profiler"
)

// uploadRun is one upload measured in the page.
type uploadRun struct {
	res      pageResult
	cpu      cpuAccount // by Chromium process kind, plus "server"
	idleJS   float64
	idleWasm float64
	rssIdle  int64
	rssPeak  int64
	profile  string // where the main thread's time went, with runOpts.profile
	raw      *profiler.Profile
	stretch  string // the longest times it was busy without a break, and on what
}

type runOpts struct {
	rate          float64 // upload cap, bytes/s (0: none)
	memory        bool    // sample memory while uploading
	firstByteOnly bool    // stop at the first byte sent
	profile       bool    // sample the page's main thread (see profileSummary)
}

var pageScripts = map[string][]string{
	"altiup":   {"altiup"},
	"fetch":    nil,
	"hashput":  nil,
	"ali-oss":  {"/npm/aliyun-oss-sdk.min.js"},
	"cryptojs": {"/npm/aliyun-oss-sdk.min.js", "/npm/crypto-js.js"},
}

// upload runs one upload of files by who ("altiup", "fetch", "hashput",
// "ali-oss" or "cryptojs") over cloud ("oss" or "s3") into a new project.
func (b *bench) upload(ctx context.Context, who, cloud string, files []string, ro runOpts) (*uploadRun, error) {
	if (who == "ali-oss" || who == "cryptojs") && b.npmErr != nil {
		return nil, b.npmErr
	}
	s, err := b.open(ctx, true, pageScripts[who], files, ro.rate)
	if err != nil {
		return nil, err
	}
	defer s.end()
	sb := s.sb
	pid, err := sb.newProject(ctx, "bench "+who)
	if err != nil {
		return nil, err
	}
	var expr string
	switch who {
	case "altiup":
		expr = jsCall("bench.altiup", map[string]any{"api": sb.api, "key": sb.key, "token": sb.token, "project": pid,
			"cloud": cloud, "concurrency": b.o.concurrency, "memory": ro.memory, "firstByteOnly": ro.firstByteOnly})
	case "fetch", "hashput":
		var items []putItem
		if cloud == "oss" {
			items, _, err = sb.ossPuts(ctx, pid, names(files))
		} else {
			items, err = sb.s3Puts(ctx, pid, names(files))
		}
		if err != nil {
			return nil, fmt.Errorf("sign the baseline's URLs: %w", err)
		}
		fn := "bench.fetchPut"
		if who == "hashput" {
			fn = "bench.hashThenPut"
		}
		expr = jsCall(fn, map[string]any{"items": items, "concurrency": b.o.concurrency, "memory": ro.memory})
	case "ali-oss":
		cred, err := sb.ossSTS(ctx, pid)
		if err != nil {
			return nil, err
		}
		expr = jsCall("bench.aliOSS", map[string]any{"sts": cred, "prefix": pid + "/", "concurrency": b.o.concurrency})
	case "cryptojs":
		expr = jsCall("bench.cryptoJSUploader", map[string]any{"api": sb.api, "key": sb.key, "token": sb.token, "project": pid})
	default:
		return nil, fmt.Errorf("unknown uploader %q", who)
	}
	run := &uploadRun{}
	var rs *rssSampler
	if ro.memory {
		if err := collectGarbage(s.ctx); err != nil {
			return nil, err
		}
		var idle struct{ JS, Wasm float64 }
		if err := call(s.ctx, `bench.memory()`, &idle); err != nil {
			return nil, err
		}
		run.idleJS, run.idleWasm = idle.JS, idle.Wasm
		for _, p := range s.renderers {
			run.rssIdle += rss(p)
		}
		rs = sampleRSS(s.renderers, 100*time.Millisecond)
	}
	if ro.profile {
		if err := startProfile(s.ctx); err != nil {
			return nil, fmt.Errorf("start the profiler: %w", err)
		}
	}
	cpu0, srv0 := b.browser.browserCPU(), sb.cpu()
	err = call(s.ctx, expr, &run.res)
	cpu1, srv1 := b.browser.browserCPU(), sb.cpu()
	if ro.profile && err == nil {
		p, perr := stopProfile(s.ctx)
		if perr != nil {
			return nil, fmt.Errorf("stop the profiler: %w", perr)
		}
		run.profile = summarizeProfile(p)
		run.raw = p
		run.stretch = longestStretches(p, 3)
	}
	if rs != nil {
		run.rssPeak = rs.stop()
	}
	if err != nil {
		return nil, err
	}
	run.cpu = cpuAccount{"server": srv1 - srv0}
	for k, v := range cpu1 {
		run.cpu[k] += v - cpu0[k]
	}
	b.logf("  %s %s, %d files: %s, first byte at %s, longest task %s", who, cloud, len(files), fmtSeconds(run.res.MS), fmtSeconds(run.res.FirstByte), fmtMS(run.res.Longest))
	if !ro.firstByteOnly {
		if err := run.res.complete(); err != nil {
			return nil, err
		}
	}
	return run, nil
}

// cpuTotals sums CPU accounts over runs, to print their mean.
type cpuTotals struct {
	runs int
	wall time.Duration
	acc  cpuAccount
}

func (c *cpuTotals) add(r *uploadRun) {
	if c.acc == nil {
		c.acc = cpuAccount{}
	}
	c.runs++
	c.wall += time.Duration(r.res.MS * float64(time.Millisecond))
	for k, v := range r.cpu {
		c.acc[k] += v
	}
}

// String is the mean CPU seconds per run by process kind, largest first.
func (c *cpuTotals) String() string {
	if c.runs == 0 {
		return "not measured"
	}
	kinds := make([]string, 0, len(c.acc))
	for k := range c.acc {
		kinds = append(kinds, k)
	}
	slices.SortFunc(kinds, func(a, b string) int { return int(c.acc[b] - c.acc[a]) })
	n := float64(c.runs)
	out := fmt.Sprintf("%.2f s wall:", c.wall.Seconds()/n)
	var total time.Duration
	for _, k := range kinds {
		total += c.acc[k]
		if v := c.acc[k].Seconds() / n; v >= 0.005 {
			out += fmt.Sprintf(" %s %.2f s,", k, v)
		}
	}
	out += fmt.Sprintf(" total %.2f s CPU", total.Seconds()/n)
	if c.wall > 0 {
		out += fmt.Sprintf(" (%.0f%% of %d cores)", 100*total.Seconds()/c.wall.Seconds()/float64(runtime.NumCPU()), runtime.NumCPU())
	}
	return out
}
