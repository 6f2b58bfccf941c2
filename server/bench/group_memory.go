package main

import (
	"context"
	"fmt"
	"math"
	"strings"
)

func (b *bench) groupMemory(ctx context.Context) {
	sizes := []float64{b.o.memGiB, 2 * b.o.memGiB}
	peaks := make([]*samples, 2)
	basePeaks := make([]*samples, 2)
	var longest, baseLongest, rssAlt, rssBase, jsAlt, wasmAlt [2]samples
	var frames []string // the larger upload's long frames
	for i, gib := range sizes {
		peaks[i], basePeaks[i] = &samples{}, &samples{}
		files := b.big.first(b.o.memFiles(gib))
		for rep := range b.o.repeats {
			b.logf("memory %.3g GiB, run %d", gib, rep+1)
			r, err := b.upload(ctx, "altiup", "oss", files, runOpts{memory: true})
			peaks[i].add(memAbove(r), err)
			longest[i].add(longestOf(r), err)
			if i == 1 && err == nil && r.res.Longest >= 50 && r.res.LongFrame != "" {
				frames = append(frames, fmt.Sprintf("run %d: %s", rep+1, r.res.LongFrame))
			}
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
	if len(frames) > 0 {
		b.note("The longest frame while uploading %s (the page's long animation frames): %s.", gibText(float64(n*b.o.fileMiB)/1024), strings.Join(frames, " — "))
	}
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
	var first, added, allIn, addLongest samples
	var frames []string
	for rep := range b.o.repeats {
		b.logf("many files, run %d", rep+1)
		r, err := b.upload(ctx, "altiup", "oss", files, runOpts{firstByteOnly: true})
		if err == nil && r.res.FirstByte < 0 {
			err = fmt.Errorf("no byte was sent within 2 minutes")
		}
		if err == nil && r.res.AllIn < 0 {
			err = fmt.Errorf("not every file was in the uploader within 2 minutes")
		}
		if r != nil {
			first.add(r.res.FirstByte, err)
			added.add(r.res.Added, err)
			allIn.add(r.res.AllIn, err)
			addLongest.add(r.res.AddLongest, err)
			if err == nil && r.res.AddLongest >= 50 && r.res.AddFrame != "" {
				frames = append(frames, fmt.Sprintf("run %d: %s", rep+1, r.res.AddFrame))
			}
		} else {
			first.add(0, err)
			addLongest.add(0, err)
		}
	}
	r := row{figure: fmt.Sprintf("many files: add %d files and send the first byte (OSS)", len(files)),
		measured: first.spread(fmtSeconds), target: "≤ 2 s"}
	if first.ok() {
		r.verdict = verdict(first.median(), target{limit: 2000})
		b.note("Many files: add(%d files) itself took %s; every file was in the uploader after %s.", len(files), added.spread(fmtSeconds), allIn.spread(fmtSeconds))
	} else {
		r.verdict = "not measured: " + first.firstErr()
	}
	b.addRow(r)
	lr := row{figure: fmt.Sprintf("main thread: longest task while adding %d files", len(files)), target: "≤ 50 ms"}
	if addLongest.ok() {
		lr.measured = addLongest.spread(fmtMS)
		lr.verdict = verdict(addLongest.median(), target{limit: 50})
		if addLongest.median() == 0 {
			lr.measured = "no task ≥ 50 ms"
		}
	} else {
		lr.verdict = "not measured: " + addLongest.firstErr()
	}
	b.addRow(lr)
	if len(frames) > 0 {
		b.note("Many files, the longest frame while adding (the page's long animation frames): %s.", strings.Join(frames, " — "))
	}
	b.profiled(ctx, "many files", files, runOpts{firstByteOnly: true}, func(r *uploadRun) string {
		return fmt.Sprintf("Many files, the page's main thread from add to the first byte (V8's sampling profiler, an extra run): %s; its longest busy stretches: %s.", r.profile, r.stretch)
	})
}
