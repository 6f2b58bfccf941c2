package main

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"
)

// hashMethod is one way of hashing in the page.
type hashMethod struct {
	key, method, label string
	workers            int    // Workers of the page's methods that use them
	share              int    // hashes 1/share of the files (slow methods)
	main               bool   // altiup's, held to the target
	plain              bool   // a plain-JS WebCrypto method the target compares with
	needs              string // "npm" or "wasm"
}

var hashMethods = []hashMethod{
	{key: "go-hasher", method: "go-hasher", label: "altiup's hasher as the uploader runs it (WebCrypto in its hash Workers)", share: 1, main: true, needs: "wasm"},
	{key: "go-hasher-4", method: "go-hasher", workers: 4, label: "altiup's hasher with 4 Workers", share: 1, needs: "wasm"},
	{key: "go-hasher-2", method: "go-hasher", workers: 2, label: "altiup's hasher with 2 Workers", share: 1, needs: "wasm"},
	{key: "go-stream", method: "go-stream", label: "altiup's streaming path (crypto/sha1 in wasm, 8 MiB reads)", share: 4, needs: "wasm"},
	{key: "webcrypto-2", method: "webcrypto-workers", workers: 2, label: "reference: WebCrypto in 2 Workers", share: 1, plain: true},
	{key: "webcrypto-4", method: "webcrypto-workers", workers: 4, label: "reference: WebCrypto in 4 Workers", share: 1, plain: true},
	{key: "read-2", method: "read-workers", workers: 2, label: "reference: reading alone, no hashing (File.arrayBuffer in 2 Workers)", share: 1},
	{key: "go-hasher-mem", method: "go-hasher-mem", label: "altiup's hasher as the uploader runs it, in-memory copies of the files (hashing without the disk read)", share: 3, needs: "wasm"},
	{key: "webcrypto-2-mem", method: "webcrypto-workers-mem", workers: 2, label: "reference: WebCrypto in 2 Workers, in-memory copies of the files", share: 3},
	{key: "webcrypto-main", method: "webcrypto-main", label: "reference: WebCrypto from the page's JS, a file at a time", share: 1},
	{key: "hash-wasm", method: "hash-wasm", label: "reference: hash-wasm (npm), 8 MiB reads", share: 4, needs: "npm"},
	{key: "cryptojs", method: "cryptojs", label: "reference: crypto-js (npm), whole file", share: 16, needs: "npm"},
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
		rates[m.key], longest[m.key] = &samples{}, &samples{}
	}
	s, err := b.open(ctx, false, loads, all, 0)
	if err != nil {
		for _, m := range hashMethods {
			rates[m.key].add(0, err)
		}
	} else {
		// One untimed read of every file first: the first reads of a File
		// wait on the browser (its size and date asked of the browser
		// process, the disk cache), which would slow whichever method came
		// first in a run of one repeat (altiup's, 458 MB/s against 602 for
		// the same hasher run after it).
		if err := call(s.ctx, jsCall("bench.hash", map[string]any{"method": "read-workers", "count": len(all)}), &pageResult{}); err != nil {
			b.logf("hash: the reading before the runs failed: %v", err)
		}
		for rep := range b.o.repeats {
			for _, m := range hashMethods {
				switch {
				case m.needs == "wasm" && b.hashErr != nil:
					rates[m.key].add(0, b.hashErr)
					continue
				case m.needs == "npm" && b.npmErr != nil:
					rates[m.key].add(0, b.npmErr)
					continue
				}
				n := max(2, len(all)/m.share)
				b.logf("hash %s, %d files, run %d", m.key, n, rep+1)
				var r pageResult
				err := call(s.ctx, jsCall("bench.hash", map[string]any{"method": m.method, "count": n, "workers": m.workers}), &r)
				if err == nil && m.method != "read-workers" {
					err = checkSums(r.Sums, sums)
				}
				rates[m.key].add(r.Bytes/1e6/(r.MS/1000), err)
				longest[m.key].add(r.Longest, err)
			}
		}
		s.end()
	}
	// The baseline of every row: the best plain-JS method of this run.
	best, bestLabel := bestPlain(rates)
	mbps := func(s *samples) string { return s.spread(fmtRate) }
	for _, m := range hashMethods {
		n := max(2, len(all)/m.share)
		r := row{figure: fmt.Sprintf("hashing: %s, %d × %d MiB", m.label, min(n, len(all)), b.o.fileMiB),
			measured: mbps(rates[m.key]), baseline: mbps(best)}
		if rates[m.key].ok() && best.ok() {
			r.ratio = fmt.Sprintf("%.2f×", rates[m.key].median()/best.median())
		}
		lt := longest[m.key]
		switch {
		case !rates[m.key].ok():
			r.verdict = "not measured: " + rates[m.key].firstErr()
		case m.main && !best.ok():
			r.verdict = "no baseline: " + best.firstErr()
		case m.main:
			r.target = "≥ 1.00× the best plain-JS method, no main-thread task ≥ 50 ms"
			v := verdict(rates[m.key].median()/best.median(), target{limit: 1, atLeast: true})
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
	b.note("Hashing: the baseline of every hashing row is the best plain-JS method of the run (%s); native Go crypto/sha1 over the same files from the page cache, %d goroutines (one per core), hashed at %s.", bestLabel, runtime.NumCPU(), mbps(&native))
}

// bestPlain is the plain-JS WebCrypto method with the highest median rate.
func bestPlain(rates map[string]*samples) (*samples, string) {
	best, label := &samples{}, "none measured"
	for _, m := range hashMethods {
		if r := rates[m.key]; m.plain && r.ok() && (!best.ok() || r.median() > best.median()) {
			best, label = r, strings.TrimPrefix(m.label, "reference: ")
		}
	}
	if !best.ok() {
		for _, m := range hashMethods {
			if m.plain && len(rates[m.key].errs) > 0 {
				best = rates[m.key]
				break
			}
		}
	}
	return best, label
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
