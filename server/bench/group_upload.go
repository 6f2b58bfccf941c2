package main

import (
	"context"
	"fmt"
	"math"
	"strings"
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
				alt[c].add(ms(r), err)
				if err == nil && rep == 0 {
					b.note("Before the first byte, %s at %g MB/s (the first run): %s.", cloudName[c], rate, firstByteStory(r.res))
				}
				r, err = b.upload(ctx, "fetch", c, files, runOpts{rate: rate * 1e6})
				base[c].add(ms(r), err)
			}
		}
		for _, c := range clouds {
			b.ratioRow(fmt.Sprintf("upload, link-limited %g MB/s, %s: %d × %d MiB vs plain fetch PUT", rate, cloudName[c], len(files), b.o.fileMiB),
				alt[c], base[c], func(s *samples) string { return timeCell(s, bytes) },
				target{text: "≤ 1.05×", limit: 1.05, ratio: true})
		}
	}
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
		for _, p := range []string{"ali-oss", "cryptojs"} {
			n := max(min(2, len(files)), len(files)/peerShare[p])
			peerFiles[p] = n
			b.logf("peer %s, %d files, run %d", p, n, rep+1)
			r, err := b.upload(ctx, p, "oss", files[:n], runOpts{})
			peers[p].add(ms(r)*float64(len(files))/float64(n), err)
		}
	}
	cell := func(s *samples) string { return timeCell(s, bytes) }
	for _, c := range clouds {
		b.ratioRow(fmt.Sprintf("upload, loopback, %s: %d × %d MiB vs plain fetch PUT", cloudName[c], len(files), b.o.fileMiB),
			alt[c], base[c], cell, target{text: "≤ 1.5×", limit: 1.5, ratio: true})
	}
	hp := row{figure: fmt.Sprintf("reference: hash first, then PUT, in plain JS (WebCrypto in 2 Workers, then fetch; no API calls), OSS: %d × %d MiB vs plain fetch PUT", len(files), b.o.fileMiB),
		measured: cell(&hashPut), baseline: cell(base["oss"]), target: "reported"}
	switch {
	case !hashPut.ok():
		hp.verdict = "not measured: " + hashPut.firstErr()
	case base["oss"].ok():
		hp.ratio = fmt.Sprintf("%.2f×", hashPut.median()/base["oss"].median())
		hp.verdict = "the floor of checksum-first uploading here"
		if alt["oss"].ok() {
			hp.verdict += fmt.Sprintf("; altiup OSS is %.2f× it", alt["oss"].median()/hashPut.median())
		}
	}
	b.addRow(hp)
	b.ratioRow(fmt.Sprintf("peers: altiup vs ali-oss put (OSS, %d at once; timed on %d files, scaled to %d)", b.o.concurrency, peerFiles["ali-oss"], len(files)),
		alt["oss"], peers["ali-oss"], cell, target{text: "< 1× (faster)", limit: 1, ratio: true})
	b.ratioRow(fmt.Sprintf("peers: altiup vs one-file-at-a-time crypto-js uploader (OSS; timed on %d files, scaled to %d)", peerFiles["cryptojs"], len(files)),
		alt["oss"], peers["cryptojs"], cell, target{text: "< 1× (faster)", limit: 1, ratio: true})
	b.profiled(ctx, "loopback oss", files, runOpts{}, func(r *uploadRun) string {
		return fmt.Sprintf("The page's main thread during an altiup upload over OSS on loopback (%d × %d MiB, V8's sampling profiler, an extra run): %s.", len(files), b.o.fileMiB, r.profile)
	})
	var lines []string
	for _, name := range []string{"altiup OSS", "fetch PUT OSS", "altiup S3", "fetch PUT S3"} {
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
			alt[c], base[c], cell, target{text: "≤ 1.5×", limit: 1.5, ratio: true})
	}
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
