package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

var clouds = []string{"oss", "s3"}

var cloudName = map[string]string{"oss": "OSS", "s3": "S3"}

// timeCell formats upload times with the throughput of the median.
func timeCell(s *samples, bytes float64) string {
	if !s.ok() {
		return "—"
	}
	return fmt.Sprintf("%s · %.0f MB/s", s.spread(fmtSeconds), bytes/1e6/(s.median()/1000))
}

// ratioRow adds a row comparing m with base; t applies to the ratio of their
// medians.
func (b *bench) ratioRow(figure string, m, base *samples, cell func(*samples) string, t target) {
	r := row{figure: figure, measured: cell(m), baseline: cell(base), target: t.text}
	switch {
	case !m.ok():
		r.verdict = "not measured: " + m.firstErr()
	case !base.ok():
		r.verdict = "no baseline: " + base.firstErr()
	default:
		ratio := m.median() / base.median()
		r.ratio = fmt.Sprintf("%.2f×", ratio)
		r.verdict = verdict(ratio, t)
	}
	for _, s := range []*samples{m, base} {
		if s.ok() && len(s.errs) > 0 {
			b.note("%s: %s", figure, s.firstErr())
		}
	}
	b.addRow(r)
}

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

// hashMethod is one way of hashing in the page.
type hashMethod struct {
	method, label string
	share         int // hashes 1/share of the files (slow methods)
	main          bool
	needs         string // "npm" or "wasm"
}

var hashMethods = []hashMethod{
	{method: "go-hasher", label: "altiup's hasher as the uploader runs it (WebCrypto in its 2 hash Workers)", share: 1, main: true, needs: "wasm"},
	{method: "go-stream", label: "altiup's streaming path (crypto/sha1 in wasm, 8 MiB reads)", share: 4, needs: "wasm"},
	{method: "webcrypto-workers", label: "reference: WebCrypto in 2 Workers", share: 1},
	{method: "read-workers", label: "reference: reading alone, no hashing (File.arrayBuffer in 2 Workers)", share: 1},
	{method: "go-hasher-mem", label: "altiup's hasher as the uploader runs it, in-memory copies of the files (hashing without the disk read)", share: 3, main: true, needs: "wasm"},
	{method: "webcrypto-workers-mem", label: "reference: WebCrypto in 2 Workers, in-memory copies of the files", share: 3},
	{method: "webcrypto-main", label: "reference: WebCrypto from the page's JS, a file at a time", share: 1},
	{method: "hash-wasm", label: "reference: hash-wasm (npm), 8 MiB reads", share: 4, needs: "npm"},
	{method: "cryptojs", label: "reference: crypto-js (npm), whole file", share: 16, needs: "npm"},
}

func (b *bench) groupHash(ctx context.Context) {
	all := b.big.first(b.o.loopFiles)
	// Native Go first: its sums check every method's.
	var native samples
	var sums []string
	for range b.o.repeats {
		s, mbps, err := nativeSHA1(all)
		native.add(mbps, err)
		sums = s
	}
	loads := []string{}
	if b.hashErr == nil {
		loads = append(loads, "/wasm_exec.js", "/hashload.js")
	}
	if b.npmErr == nil {
		loads = append(loads, "/npm/crypto-js.js", "/npm/sha1.umd.min.js")
	}
	rates := map[string]*samples{}
	longest := map[string]*samples{}
	for _, m := range hashMethods {
		rates[m.method], longest[m.method] = &samples{}, &samples{}
	}
	s, err := b.open(ctx, false, loads, all, 0)
	if err != nil {
		for _, m := range hashMethods {
			rates[m.method].add(0, err)
		}
	} else {
		for rep := range b.o.repeats {
			for _, m := range hashMethods {
				switch {
				case m.needs == "wasm" && b.hashErr != nil:
					rates[m.method].add(0, b.hashErr)
					continue
				case m.needs == "npm" && b.npmErr != nil:
					rates[m.method].add(0, b.npmErr)
					continue
				}
				n := max(2, len(all)/m.share)
				b.logf("hash %s, %d files, run %d", m.method, n, rep+1)
				var r pageResult
				err := call(s.ctx, jsCall("bench.hash", map[string]any{"method": m.method, "count": n, "workers": 2}), &r)
				if err == nil && m.method != "read-workers" {
					err = checkSums(r.Sums, sums)
				}
				rates[m.method].add(r.Bytes/1e6/(r.MS/1000), err)
				longest[m.method].add(r.Longest, err)
			}
		}
		s.end()
	}
	mbps := func(s *samples) string { return s.spread(fmtRate) }
	for _, m := range hashMethods {
		n := max(2, len(all)/m.share)
		r := row{figure: fmt.Sprintf("hashing: %s, %d × %d MiB", m.label, min(n, len(all)), b.o.fileMiB),
			measured: mbps(rates[m.method]), baseline: mbps(&native)}
		if rates[m.method].ok() && native.ok() {
			r.ratio = fmt.Sprintf("%.2f×", rates[m.method].median()/native.median())
		}
		lt := longest[m.method]
		switch {
		case !rates[m.method].ok():
			r.verdict = "not measured: " + rates[m.method].firstErr()
		case m.main:
			r.target = "≥ 850 MB/s, no main-thread task ≥ 50 ms"
			v := verdict(rates[m.method].median(), target{limit: 850, atLeast: true})
			if lm := lt.median(); lm >= 50 {
				v += fmt.Sprintf("; longest task %.0f ms (missed by %.0f%%)", lm, (lm-50)/50*100)
			} else {
				v += fmt.Sprintf("; longest task %s", longTaskText(lm))
			}
			r.verdict = v
		default:
			r.target = "reported"
			r.verdict = "longest task " + longTaskText(lt.median())
		}
		b.addRow(r)
	}
	b.note("Hashing baseline: native Go crypto/sha1 over the same files from the page cache, %d goroutines (one per core), as the page's best method also uses the cores it has.", runtime.NumCPU())
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

func longTaskText(ms float64) string {
	if math.IsNaN(ms) || ms < 50 {
		return "< 50 ms"
	}
	return fmt.Sprintf("%.0f ms", ms)
}

func checkSums(got, want []string) error {
	if len(got) == 0 {
		return fmt.Errorf("the page returned no checksums")
	}
	for i, g := range got {
		if i >= len(want) || g != want[i] {
			return fmt.Errorf("file %d: the page's SHA-1 %s is not Go's", i, g)
		}
	}
	return nil
}

// nativeSHA1 hashes the files with one goroutine per core and returns the
// sums in order and the rate in MB/s.
func nativeSHA1(paths []string) ([]string, float64, error) {
	sums := make([]string, len(paths))
	var total int64
	var mu sync.Mutex
	var firstErr error
	next := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range runtime.NumCPU() {
		wg.Go(func() {
			buf := make([]byte, 1<<20)
			for i := range next {
				f, err := os.Open(paths[i])
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					continue
				}
				h := sha1.New()
				n, err := io.CopyBuffer(h, f, buf)
				f.Close()
				mu.Lock()
				if err != nil {
					firstErr = err
				}
				total += n
				mu.Unlock()
				sums[i] = hex.EncodeToString(h.Sum(nil))
			}
		})
	}
	for i := range paths {
		next <- i
	}
	close(next)
	wg.Wait()
	d := time.Since(start)
	if firstErr != nil {
		return nil, 0, firstErr
	}
	return sums, float64(total) / 1e6 / d.Seconds(), nil
}

func (b *bench) groupMemory(ctx context.Context) {
	sizes := []float64{b.o.memGiB, 2 * b.o.memGiB}
	peaks := make([]*samples, 2)
	basePeaks := make([]*samples, 2)
	var longest, baseLongest, rssAlt, rssBase, jsAlt, wasmAlt [2]samples
	for i, gib := range sizes {
		peaks[i], basePeaks[i] = &samples{}, &samples{}
		files := b.big.first(b.o.memFiles(gib))
		for rep := range b.o.repeats {
			b.logf("memory %.3g GiB, run %d", gib, rep+1)
			r, err := b.upload(ctx, "altiup", "oss", files, runOpts{memory: true})
			peaks[i].add(memAbove(r), err)
			longest[i].add(longestOf(r), err)
			if err == nil && r.res.Memory != nil {
				jsAlt[i].add(r.res.Memory.JS-r.idleJS, nil)
				wasmAlt[i].add(r.res.Memory.Wasm-r.idleWasm, nil)
			}
			rssAlt[i].add(rssAbove(r), err)
			r, err = b.upload(ctx, "fetch", "oss", files, runOpts{memory: true})
			basePeaks[i].add(memAbove(r), err)
			baseLongest[i].add(longestOf(r), err)
			rssBase[i].add(rssAbove(r), err)
		}
	}
	mem := func(s *samples) string { return s.spread(fmtMiB) }
	for i, gib := range sizes {
		n := b.o.memFiles(gib)
		r := row{figure: fmt.Sprintf("memory: peak JS heap + wasm above idle, uploading %s (%d × %d MiB, OSS)", gibText(float64(n*b.o.fileMiB)/1024), n, b.o.fileMiB),
			measured: mem(peaks[i]), baseline: mem(basePeaks[i]), target: "≤ 128 MiB"}
		if peaks[i].ok() && basePeaks[i].ok() && basePeaks[i].median() >= mib {
			r.ratio = fmt.Sprintf("%.2f×", peaks[i].median()/basePeaks[i].median())
		}
		if peaks[i].ok() {
			r.verdict = verdict(peaks[i].median()/mib, target{limit: 128})
		} else {
			r.verdict = "not measured: " + peaks[i].firstErr()
		}
		b.addRow(r)
		b.note("Memory uploading %s: altiup's peak JS heap above idle %s, its wasm memory's growth %s (each peak on its own); the renderer process's resident memory above idle (/proc): altiup %s, plain fetch PUT %s.",
			gibText(float64(n*b.o.fileMiB)/1024), mem(&jsAlt[i]), mem(&wasmAlt[i]), mem(&rssAlt[i]), mem(&rssBase[i]))
	}
	r := row{figure: "memory: the larger upload's peak over the smaller's", target: "≤ 1.10×"}
	if peaks[0].ok() && peaks[1].ok() {
		v := peaks[1].median() / peaks[0].median()
		r.measured = fmt.Sprintf("%.2f×", v)
		r.ratio = r.measured
		r.verdict = verdict(v, target{limit: 1.10})
	} else {
		r.verdict = "not measured"
	}
	b.addRow(r)
	n := b.o.memFiles(sizes[1])
	lr := row{figure: fmt.Sprintf("main thread: longest task while uploading %s (OSS)", gibText(float64(n*b.o.fileMiB)/1024)),
		measured: longest[1].spread(fmtMS), baseline: baseLongest[1].spread(fmtMS), target: "≤ 50 ms"}
	if longest[1].ok() {
		lr.verdict = verdict(longest[1].median(), target{limit: 50})
		if longest[1].median() == 0 {
			lr.measured = "no task ≥ 50 ms"
		}
		if baseLongest[1].ok() && baseLongest[1].median() == 0 {
			lr.baseline = "no task ≥ 50 ms"
		}
	} else {
		lr.verdict = "not measured: " + longest[1].firstErr()
	}
	b.addRow(lr)
	b.profiled(ctx, fmt.Sprintf("memory %.3g GiB", sizes[1]), b.big.first(n), runOpts{}, func(r *uploadRun) string {
		return fmt.Sprintf("The longest busy stretches of the page's main thread while uploading %s (V8's sampling profiler, an extra run): %s.", gibText(float64(n*b.o.fileMiB)/1024), r.stretch)
	})
}

func gibText(g float64) string {
	if g >= 1 {
		return fmt.Sprintf("%.3g GiB", g)
	}
	return fmt.Sprintf("%.0f MiB", g*1024)
}

func memAbove(r *uploadRun) float64 {
	if r == nil || r.res.Memory == nil {
		return math.NaN()
	}
	return r.res.Memory.Sum - (r.idleJS + r.idleWasm)
}

func rssAbove(r *uploadRun) float64 {
	if r == nil {
		return math.NaN()
	}
	return float64(r.rssPeak - r.rssIdle)
}

func longestOf(r *uploadRun) float64 {
	if r == nil {
		return math.NaN()
	}
	return r.res.Longest
}

func (b *bench) groupMany(ctx context.Context) {
	files := b.small.first(b.o.manyFiles)
	var first, added samples
	for rep := range b.o.repeats {
		b.logf("many files, run %d", rep+1)
		r, err := b.upload(ctx, "altiup", "oss", files, runOpts{firstByteOnly: true})
		if err == nil && r.res.FirstByte < 0 {
			err = fmt.Errorf("no byte was sent within 2 minutes")
		}
		if r != nil {
			first.add(r.res.FirstByte, err)
			added.add(r.res.Added, err)
		} else {
			first.add(0, err)
		}
	}
	r := row{figure: fmt.Sprintf("many files: add %d files and send the first byte (OSS)", len(files)),
		measured: first.spread(fmtSeconds), target: "≤ 2 s"}
	if first.ok() {
		r.verdict = verdict(first.median(), target{limit: 2000})
		b.note("Many files: add(%d files) itself took %s.", len(files), added.spread(fmtSeconds))
	} else {
		r.verdict = "not measured: " + first.firstErr()
	}
	b.addRow(r)
	b.profiled(ctx, "many files", files, runOpts{firstByteOnly: true}, func(r *uploadRun) string {
		return fmt.Sprintf("Many files, the page's main thread from add to the first byte (V8's sampling profiler, an extra run): %s; its longest busy stretches: %s.", r.profile, r.stretch)
	})
}

// readyTrap records when altiup.ready resolves, from the first script on.
const readyTrap = `(() => {
	let v;
	Object.defineProperty(globalThis, 'altiup', {configurable: true, get() { return v; }, set(x) {
		v = x;
		try {
			x.ready.then(() => { globalThis.__benchReady = performance.now(); },
				(e) => { globalThis.__benchReadyError = String(e && e.message ? e.message : e); });
		} catch (e) {}
	}});
})();`

// pageFiles are the page's own files, fetched for their compressed sizes.
var pageFiles = []string{"/", "/style.css", "/altiup.js", "/app.js", "/wasm_exec.js", "/altiup.wasm"}

// warmSizes compresses the page's files once, before anything is measured
// (brotli at quality 11 takes a while on the wasm; sizes are cached).
func (b *bench) warmSizes(ctx context.Context) {
	sb, err := startSandbox(ctx, b.serverBin)
	if err != nil {
		return
	}
	defer sb.stop()
	for _, p := range pageFiles {
		if body, err := get(ctx, sb.page+p); err == nil {
			_, _ = b.comp.size(ctx, body)
		}
	}
}

func get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d", u, resp.StatusCode)
	}
	return io.ReadAll(resp.Body)
}

func (b *bench) groupStart(ctx context.Context) {
	var ready, raw, compressed samples
	var loaded []string
	sb, err := startSandbox(ctx, b.serverBin)
	if err != nil {
		ready.add(0, err)
	} else {
		for rep := range b.o.repeats {
			b.logf("start, run %d", rep+1)
			ms, rawBytes, urls, err := b.coldLoad(ctx, sb.page+"/")
			ready.add(ms, err)
			raw.add(rawBytes, err)
			if err != nil {
				continue
			}
			loaded = urls
			var sum int64
			for _, u := range urls {
				body, gerr := get(ctx, u)
				if gerr != nil {
					err = gerr
					break
				}
				n, cerr := b.comp.size(ctx, body)
				if cerr != nil {
					err = cerr
					break
				}
				sum += n
			}
			compressed.add(float64(sum), err)
		}
		sb.stop()
	}
	r := row{figure: "size: bytes before the uploader is ready (" + b.comp.name() + ")", measured: compressed.spread(fmtMB),
		baseline: raw.spread(fmtMB) + " as served", target: "≤ 2.5 MB"}
	if compressed.ok() {
		r.verdict = verdict(compressed.median(), target{limit: 2.5e6})
		if raw.ok() {
			r.ratio = fmt.Sprintf("%.2f×", compressed.median()/raw.median())
		}
	} else {
		r.verdict = "not measured: " + compressed.firstErr()
	}
	b.addRow(r)
	r = row{figure: "start: navigation to altiup.ready, cold cache, loopback", measured: ready.spread(fmtMS), target: "≤ 1 s"}
	if ready.ok() {
		r.verdict = verdict(ready.median(), target{limit: 1000})
	} else {
		r.verdict = "not measured: " + ready.firstErr()
	}
	b.addRow(r)
	if len(loaded) > 0 {
		b.note("Loaded before ready: %s. The baseline column is what the server sent (its precompressed files); the size figure is what a server compressing with %s would send.", strings.Join(paths(loaded), ", "), b.comp.name())
	}
}

func paths(urls []string) []string {
	out := make([]string, len(urls))
	for i, u := range urls {
		if j := strings.Index(u, "://"); j >= 0 {
			if k := strings.IndexByte(u[j+3:], '/'); k >= 0 {
				u = u[j+3+k:]
			}
		}
		out[i] = u
	}
	return out
}

// coldLoad opens the page in a fresh browser context and returns the time
// from navigation to altiup.ready, the bytes received until then and the
// URLs loaded. The bytes and URLs come from the page's Resource Timing,
// read once it is ready: tracking the network through DevTools would add
// its own work on the main thread to the time measured.
func (b *bench) coldLoad(ctx context.Context, pageURL string) (float64, float64, []string, error) {
	tctx, closeTab, err := b.browser.tab(2 * time.Minute)
	if err != nil {
		return 0, 0, nil, err
	}
	defer closeTab()
	err = chromedp.Do(tctx, func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: readyTrap})
		return chromedp.Void{}, err
	}, chromedp.Navigate(pageURL))
	if err != nil {
		return 0, 0, nil, err
	}
	var st struct {
		Ready float64
		Err   string
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		// The page notes the time itself; polling slowly costs it little.
		if err := call(tctx, `({ready: globalThis.__benchReady || 0, err: globalThis.__benchReadyError || ''})`, &st); err != nil {
			return 0, 0, nil, err
		}
		if st.Ready > 0 || st.Err != "" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if st.Err != "" {
		return 0, 0, nil, fmt.Errorf("altiup.ready rejected: %s", st.Err)
	}
	if st.Ready == 0 {
		return 0, 0, nil, fmt.Errorf("altiup.ready did not resolve within 60s")
	}
	// What arrived by then: the document and every resource that finished
	// before ready (bodies as sent; all of them come from the page's own
	// origin, so their sizes are visible).
	var loaded []struct {
		Name   string  `json:"name"`
		Bytes  float64 `json:"bytes"`
		Status int     `json:"status"`
	}
	if err := call(tctx, `[...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
		.filter((e) => e.responseEnd > 0 && e.responseEnd <= globalThis.__benchReady)
		.map((e) => ({name: e.name, bytes: e.encodedBodySize, status: e.responseStatus || 0}))`, &loaded); err != nil {
		return 0, 0, nil, err
	}
	var total float64
	var list []string
	for _, e := range loaded {
		if !strings.HasPrefix(e.Name, "http") {
			continue
		}
		total += e.Bytes
		// Compressed sizes are of the bodies that came: a 404 (the
		// favicon) adds its bytes as sent and nothing else.
		if e.Status == 0 || e.Status == http.StatusOK {
			list = append(list, e.Name)
		}
	}
	return st.Ready, total, list, nil
}

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
