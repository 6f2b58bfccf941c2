// Command bench measures the uploader in headless Chromium against the
// sandbox on loopback, beside baselines and peers measured in the same run,
// and prints a table (and writes it to BENCHMARKS.md with -out).
//
//	go run ./server/bench [-quick] [-scale 0.5] [-out BENCHMARKS.md] [-only link,hash]
//
// Every figure is the median of -repeats runs; most are a ratio against a
// baseline of the same run: a plain fetch PUT of the same bytes to URLs signed
// beforehand (no hashing, no API calls), ali-oss's put, a one-file-at-a-time
// crypto-js uploader, native Go SHA-1. Each run gets a fresh server process
// (so storage, state and CPU accounts are its own) and a fresh browser
// context (no cache, no IndexedDB). Images are synthetic valid JPEGs with
// unique random padding, written to disk and given to the page's file input.
//
// A run on a busy machine says so: before each group the 1-minute load
// average is read, and a group that starts above 1.0 waits (up to -settle)
// for it to fall; while it runs, the cores other processes take are
// sampled; every figure taken above 1.0 is marked in the table and the
// report's head says so. A link-limited baseline that strays from its own
// cap by more than 20% is run once more, then reported invalid, so that no
// ratio rests on a baseline that went wrong. Sizes are brotli's at quality
// 11 with the Go encoder, over the files the page fetched before it was
// ready.
//
// It is a benchmark, not a test: a missed target is a row of the table, and it
// exits non-zero only when it could not run at all (no Chromium, no server).
package main
