package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

func (b *bench) groupLink(ctx context.Context) {
	files := b.big.first(b.o.linkFiles)
	bytes := float64(b.big.bytes(b.o.linkFiles))
	for _, rate := range b.o.rates {
		alt := map[string]*samples{"oss": {}, "s3": {}}
		base := map[string]*samples{"oss": {}, "s3": {}}
		for rep := range b.o.repeats {
			for _, c := range clouds {
				b.logf("link %g MB/s %s, run %d", rate, c, rep+1)
				r, err := b.upload(ctx, "altiup", c, files, runOpts{rate: rate * 1e6})
				if err == nil {
					if why := aboveCap(bytes, r.res.MS, rate*1e6); why != "" {
						err = fmt.Errorf("invalid run: faster than its cap, %s", why)
					}
				}
				alt[c].add(ms(r), err)
				if err == nil && rep == 0 {
					b.note("Before the first byte, %s at %g MB/s (the first run): %s.", cloudName[c], rate, firstByteStory(r.res))
				}
				r, err = b.linkBaseline(ctx, c, files, bytes, rate*1e6)
				base[c].add(ms(r), err)
			}
		}
		limit := linkTarget(rate)
		for _, c := range clouds {
			b.ratioRow(fmt.Sprintf("upload, link-limited %g MB/s, %s: %d × %d MiB vs plain fetch PUT", rate, cloudName[c], len(files), b.o.fileMiB),
				alt[c], base[c], func(s *samples) string { return timeCell(s, bytes) },
				target{text: fmt.Sprintf("≤ %.2f×", limit), limit: limit, ratio: true})
		}
	}
}

// linkTarget is the ratio to the plain fetch PUT a link-limited upload at
// rate MB/s may take: close to the link on a slow one, a little more on a
// fast one, where the page's own work starts to show.
func linkTarget(rate float64) float64 {
	if rate <= 20 {
		return 1.05
	}
	return 1.15
}

// capSlack is how far a link-limited baseline may stray from its own cap
// before it is not believed.
const capSlack = 0.20

// offCap says how a baseline that sent bytes in ms over a link capped at
// rate bytes/s strays from the cap by more than capSlack, or "" when it
// does not: a baseline far below its cap measured something else (a
// stalled or repeated request, a busy machine), one far above it ran
// without the cap, and either would make every ratio against it wrong.
func offCap(bytes, ms, rate float64) string {
	if ms <= 0 || rate <= 0 {
		return ""
	}
	got := bytes / (ms / 1000)
	if dev := got/rate - 1; math.Abs(dev) > capSlack {
		return fmt.Sprintf("%.1f MB/s on a %.0f MB/s cap (%+.0f%%)", got/1e6, rate/1e6, dev*100)
	}
	return ""
}

// aboveCap says how an upload that sent bytes in ms over a link capped at
// rate bytes/s went faster than the cap by more than capSlack, or "" when
// it did not: some of its requests escaped the cap (see throttle).
func aboveCap(bytes, ms, rate float64) string {
	if ms <= 0 || rate <= 0 {
		return ""
	}
	if got := bytes / (ms / 1000); got > rate*(1+capSlack) {
		return offCap(bytes, ms, rate)
	}
	return ""
}

// linkBaseline is the plain fetch PUT at a capped rate, checked against its
// own cap: a run off it is run once more, and a second one off it is an
// invalid baseline, with what its requests did.
func (b *bench) linkBaseline(ctx context.Context, cloud string, files []string, bytes, rate float64) (*uploadRun, error) {
	for attempt := 1; ; attempt++ {
		r, err := b.upload(ctx, "fetch", cloud, files, runOpts{rate: rate})
		if err != nil {
			return nil, err
		}
		why := offCap(bytes, r.res.MS, rate)
		if why == "" {
			return r, nil
		}
		b.note("The plain fetch PUT baseline, %s at %.0f MB/s, attempt %d, was off its cap: %s; its requests (start–end ms, per file): %s.",
			cloudName[cloud], rate/1e6, attempt, why, requestTimes(r.res))
		if attempt == 2 {
			return nil, fmt.Errorf("invalid baseline: twice off its cap, the last time %s", why)
		}
		b.logf("  the baseline is off its cap (%s): once more", why)
	}
}

// requestTimes lists a baseline's requests as the page timed them.
func requestTimes(r pageResult) string {
	var out []string
	for _, q := range r.Requests {
		out = append(out, fmt.Sprintf("%.0f–%.0f", q[0], q[1]))
	}
	if len(out) == 0 {
		return "not recorded"
	}
	return strings.Join(out, ", ")
}

func ms(r *uploadRun) float64 {
	if r == nil {
		return math.NaN()
	}
	return r.res.MS
}

// peerShare is the part of the loopback set each peer uploads (1/n): the
// peers are much slower, and their time grows with the bytes (each sends
// the same files at the same concurrency), so their time is scaled up to
// the whole set.
var peerShare = map[string]int{"ali-oss": 4, "cryptojs": 8}

func (b *bench) groupLoopback(ctx context.Context) {
	files := b.big.first(b.o.loopFiles)
	bytes := float64(b.big.bytes(b.o.loopFiles))
	alt := map[string]*samples{"oss": {}, "s3": {}}
	base := map[string]*samples{"oss": {}, "s3": {}}
	peers := map[string]*samples{"ali-oss": {}, "cryptojs": {}}
	peerFiles := map[string]int{}
	var hashPut samples
	cpu := map[string]*cpuTotals{}
	account := func(name string, r *uploadRun) {
		if r == nil {
			return
		}
		if cpu[name] == nil {
			cpu[name] = &cpuTotals{}
		}
		cpu[name].add(r)
	}
	for rep := range b.o.repeats {
		for _, c := range clouds {
			b.logf("loopback %s, run %d", c, rep+1)
			r, err := b.upload(ctx, "altiup", c, files, runOpts{})
			alt[c].add(ms(r), err)
			account("altiup "+cloudName[c], r)
			r, err = b.upload(ctx, "fetch", c, files, runOpts{})
			base[c].add(ms(r), err)
			account("fetch PUT "+cloudName[c], r)
		}
		b.logf("loopback hash-then-PUT reference, run %d", rep+1)
		r, err := b.upload(ctx, "hashput", "oss", files, runOpts{})
		hashPut.add(ms(r), err)
		account("floor OSS", r)
		for _, p := range []string{"ali-oss", "cryptojs"} {
			if !b.o.peers {
				break
			}
			n := max(min(2, len(files)), len(files)/peerShare[p])
			peerFiles[p] = n
			b.logf("peer %s, %d files, run %d", p, n, rep+1)
			r, err := b.upload(ctx, p, "oss", files[:n], runOpts{})
			peers[p].add(ms(r)*float64(len(files))/float64(n), err)
		}
	}
	cell := func(s *samples) string { return timeCell(s, bytes) }
	reported := target{text: "reported", limit: math.Inf(1), ratio: true}
	for _, c := range clouds {
		b.ratioRow(fmt.Sprintf("upload, loopback, %s: %d × %d MiB vs plain fetch PUT", cloudName[c], len(files), b.o.fileMiB),
			alt[c], base[c], cell, reported)
	}
	b.ratioRow(fmt.Sprintf("reference: the checksum-first floor (plain JS: WebCrypto in 2 Workers, then fetch; no API calls), OSS: %d × %d MiB vs plain fetch PUT", len(files), b.o.fileMiB),
		&hashPut, base["oss"], cell, reported)
	b.ratioRow(fmt.Sprintf("upload, loopback, OSS: %d × %d MiB vs the checksum-first floor", len(files), b.o.fileMiB),
		alt["oss"], &hashPut, cell, target{text: "≤ 1.15×", limit: 1.15, ratio: true})
	gb := bytes / 1e9
	for _, c := range clouds {
		b.cpuRow(fmt.Sprintf("CPU: the page's processes (renderer, browser, network service) per uploaded GB, loopback, altiup %s vs the checksum-first floor (OSS)", cloudName[c]),
			cpu["altiup "+cloudName[c]], cpu["floor OSS"], gb)
	}
	if !b.o.peers {
		peers["ali-oss"].add(0, errors.New("not measured (-peers=false)"))
		peers["cryptojs"].add(0, errors.New("not measured (-peers=false)"))
	}
	b.ratioRow(fmt.Sprintf("peers: altiup vs ali-oss put (OSS, %d at once; timed on %d files, scaled to %d)", b.o.concurrency, peerFiles["ali-oss"], len(files)),
		alt["oss"], peers["ali-oss"], cell, target{text: "< 1× (faster)", limit: 1, ratio: true})
	b.ratioRow(fmt.Sprintf("peers: altiup vs one-file-at-a-time crypto-js uploader (OSS; timed on %d files, scaled to %d)", peerFiles["cryptojs"], len(files)),
		alt["oss"], peers["cryptojs"], cell, target{text: "< 1× (faster)", limit: 1, ratio: true})
	b.profiled(ctx, "loopback oss", files, runOpts{}, func(r *uploadRun) string {
		return fmt.Sprintf("The page's main thread during an altiup upload over OSS on loopback (%d × %d MiB, V8's sampling profiler, an extra run): %s.", len(files), b.o.fileMiB, r.profile)
	})
	var lines []string
	for _, name := range []string{"altiup OSS", "fetch PUT OSS", "floor OSS", "altiup S3", "fetch PUT S3"} {
		if t := cpu[name]; t != nil {
			lines = append(lines, fmt.Sprintf("  - %s: %s", name, t))
		}
	}
	if len(lines) > 0 {
		b.note("Where the CPU goes, loopback %d × %d MiB, mean per run (Chromium's processes by kind from the DevTools protocol: the utility processes include the network service; server is the sandbox, which also validates each upload):\n%s",
			len(files), b.o.fileMiB, strings.Join(lines, "\n"))
	}
}

// profiled makes one more altiup upload over OSS with V8's sampler on the
// page's main thread, not among the figures (the profiler slows the page),
// and notes what say makes of it.
func (b *bench) profiled(ctx context.Context, what string, files []string, ro runOpts, say func(*uploadRun) string) {
	if !b.o.profile {
		return
	}
	b.logf("%s, profiled", what)
	ro.profile = true
	r, err := b.upload(ctx, "altiup", "oss", files, ro)
	if err != nil {
		b.note("The profiled run (%s) failed: %v.", what, err)
		return
	}
	b.note("%s", say(r))
	if err := keepProfile(b.o.profileDir, what, r.raw); err != nil {
		b.logf("keeping the profile of %s: %v", what, err)
	}
}

func (b *bench) groupSmall(ctx context.Context) {
	files := b.small.first(b.o.smallFiles)
	var lastSmall *uploadRun
	alt := map[string]*samples{"oss": {}, "s3": {}}
	base := map[string]*samples{"oss": {}, "s3": {}}
	for rep := range b.o.repeats {
		for _, c := range clouds {
			b.logf("small %s, run %d", c, rep+1)
			r, err := b.upload(ctx, "altiup", c, files, runOpts{})
			alt[c].add(ms(r), err)
			if err == nil && c == "oss" {
				lastSmall = r
			}
			r, err = b.upload(ctx, "fetch", c, files, runOpts{})
			base[c].add(ms(r), err)
		}
	}
	cell := func(s *samples) string {
		if !s.ok() {
			return "—"
		}
		return fmt.Sprintf("%s · %.0f files/s", s.spread(fmtSeconds), float64(len(files))/(s.median()/1000))
	}
	for _, c := range clouds {
		b.ratioRow(fmt.Sprintf("upload, small files, %s: %d × %d KB vs plain fetch PUT", cloudName[c], len(files), b.o.smallKB),
			alt[c], base[c], cell, target{text: "≤ 1.6×", limit: 1.6, ratio: true})
	}
	perFile := row{figure: fmt.Sprintf("API requests per file, small files over OSS (%d files, the last run)", len(files)), target: "≤ 1.1"}
	if r := lastSmall; r != nil {
		v := float64(r.res.APIRequests) / float64(len(files))
		perFile.measured = fmt.Sprintf("%.2f (%d requests)", v, r.res.APIRequests)
		perFile.verdict = verdict(v, target{limit: 1.1})
	} else {
		perFile.verdict = "not measured: " + alt["oss"].firstErr()
	}
	b.addRow(perFile)
	if r := lastSmall; r != nil && len(r.res.Phases) > 0 {
		var parts []string
		for _, st := range []string{"queued", "hashing", "checking", "uploading"} {
			if v, ok := r.res.Phases[st]; ok {
				parts = append(parts, fmt.Sprintf("%s %.1f ms", st, v/float64(len(files))))
			}
		}
		b.note("Small files over OSS, the last altiup run: %d API requests for %d files (%.2f per file); mean time per file in each state: %s.",
			r.res.APIRequests, len(files), float64(r.res.APIRequests)/float64(len(files)), strings.Join(parts, ", "))
	}
	b.profiled(ctx, "small oss", files, runOpts{}, func(r *uploadRun) string {
		return fmt.Sprintf("The page's main thread during an altiup upload of small files over OSS (%d × %d KB, V8's sampling profiler, an extra run): %s.", len(files), b.o.smallKB, r.profile)
	})
}

// firstByteStory tells where the time before the first byte went: the first
// file's states as the page saw them and the API requests meanwhile.
func firstByteStory(r pageResult) string {
	var states []string
	for _, s := range r.FirstFile {
		states = append(states, fmt.Sprintf("%v at %v ms", s[0], s[1]))
	}
	var reqs []string
	for _, q := range r.APIBeforeFirstByte {
		reqs = append(reqs, fmt.Sprintf("%.0f–%.0f", q[0], q[1]))
	}
	return fmt.Sprintf("first byte at %.0f ms; the first file %s; API requests (ms) %s",
		r.FirstByte, strings.Join(states, ", "), strings.Join(reqs, ", "))
}

// pageKinds are the Chromium processes that do the page's work: the
// renderer, the browser and the network service (a utility process, named
// by its service); the GPU process has nothing to draw here.
var pageKinds = []string{"renderer", "browser", "network.mojom.NetworkService"}

// perGB is the mean CPU seconds of the page's processes per GB sent.
func (c *cpuTotals) perGB(gb float64) float64 {
	if c == nil || c.runs == 0 || gb <= 0 {
		return math.NaN()
	}
	var sum time.Duration
	for _, k := range pageKinds {
		sum += c.acc[k]
	}
	return sum.Seconds() / float64(c.runs) / gb
}

// cpuRow compares the CPU seconds per GB of the page's processes with the
// floor's.
func (b *bench) cpuRow(figure string, m, floor *cpuTotals, gb float64) {
	r := row{figure: figure, target: "≤ 1.30×"}
	mv, fv := m.perGB(gb), floor.perGB(gb)
	if !math.IsNaN(mv) {
		r.measured = fmt.Sprintf("%.2f s/GB", mv)
	}
	if !math.IsNaN(fv) {
		r.baseline = fmt.Sprintf("%.2f s/GB", fv)
	}
	switch {
	case math.IsNaN(mv):
		r.verdict = "not measured"
	case math.IsNaN(fv) || fv == 0:
		r.verdict = "no baseline"
	default:
		r.ratio = fmt.Sprintf("%.2f×", mv/fv)
		r.verdict = verdict(mv/fv, target{limit: 1.3})
	}
	b.addRow(r)
}
