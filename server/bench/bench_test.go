package main

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/json"
	"image"
	_ "image/jpeg"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chromedp/cdproto/profiler"
	"github.com/chromedp/cdproto/runtime"
)

func TestWriteImageIsValidJPEGOfExactSize(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int64{minImageSize, minImageSize + 1, minImageSize + 3, 100_000, maxSegment + 4 + int64(len(baseJPEG)) + 2, 3 << 20} {
		t.Run(strconv.FormatInt(size, 10), func(t *testing.T) {
			p := filepath.Join(dir, "a.jpg")
			if err := writeImage(p, size, rand.NewChaCha8([32]byte{1})); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(b)) != size {
				t.Errorf("wrote %d bytes", len(b))
			}
			img, format, err := image.Decode(bytes.NewReader(b))
			if err != nil || format != "jpeg" || img.Bounds().Dx() != 16 {
				t.Errorf("decode: %v (%s)", err, format)
			}
		})
	}
}

func TestWriteImageRejectsTooSmall(t *testing.T) {
	if err := writeImage(filepath.Join(t.TempDir(), "a.jpg"), minImageSize-1, rand.NewChaCha8([32]byte{})); err == nil {
		t.Fatal("no error for an image below the smallest size")
	}
}

func TestMakeImagesAreUnique(t *testing.T) {
	s, err := makeImages(t.TempDir(), 5, 20_000, 7)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[[20]byte]bool{}
	for _, p := range s.paths {
		b, _ := os.ReadFile(p)
		sum := sha1.Sum(b)
		if seen[sum] {
			t.Fatalf("%s repeats an earlier image", p)
		}
		seen[sum] = true
	}
	if got := s.first(3); len(got) != 3 || s.bytes(3) != 60_000 || len(s.first(99)) != 5 {
		t.Errorf("first/bytes: %d files, %d bytes", len(got), s.bytes(3))
	}
}

func TestParseStatCPU(t *testing.T) {
	for _, tc := range []struct {
		stat string
		want time.Duration
	}{
		{"1234 (altiup-server) S 1 2 3 4 5 6 7 8 9 10 150 50 0 0 20 0", 2 * time.Second},
		{"1234 (a b) c) R 1 2 3 4 5 6 7 8 9 10 7 3 0 0", 100 * time.Millisecond},
		{"garbage", 0},
		{"1 (x) S 1 2", 0},
	} {
		t.Run(tc.stat, func(t *testing.T) {
			if got := parseStatCPU(tc.stat); got != tc.want {
				t.Errorf("%v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseBenchMetric(t *testing.T) {
	for _, tc := range []struct {
		line string
		want float64
		ok   bool
	}{
		{"BenchmarkHasImage-2   	   40096	     79660 ns/op	     12553 req/s	   21012 B/op	     256 allocs/op", 12553, true},
		{"BenchmarkHasImage 100 10 ns/op 99.5 req/s", 99.5, true},
		{"BenchmarkHasImageX-2 100 10 ns/op 99 req/s", 0, false},
		{"BenchmarkHasImage-2 100 10 ns/op", 0, false},
		{"ok  	altiup/server/sandbox	3.1s", 0, false},
	} {
		t.Run(tc.line, func(t *testing.T) {
			got, ok := parseBenchMetric(tc.line, "BenchmarkHasImage", "req/s")
			if got != tc.want || ok != tc.ok {
				t.Errorf("%v %v, want %v %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestMedianAndSpread(t *testing.T) {
	if m := median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("median of 3: %v", m)
	}
	if m := median([]float64{4, 1, 2, 3}); m != 2.5 {
		t.Errorf("median of 4: %v", m)
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median of nothing is a number")
	}
	var s samples
	s.add(1500, nil)
	s.add(1000, nil)
	s.add(0, io.EOF)
	s.add(2000, nil)
	if got := s.spread(fmtSeconds); got != "1.50 s (1.00 s–2.00 s)" {
		t.Errorf("spread: %q", got)
	}
	if got := s.firstErr(); got != "1 of 4 runs failed: EOF" {
		t.Errorf("firstErr: %q", got)
	}
}

func TestVerdict(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		t    target
		want string
	}{
		{1.0, target{limit: 1.05}, "met"},
		{1.26, target{limit: 1.05}, "missed by 20%"},
		{900, target{limit: 850, atLeast: true}, "met"},
		{425, target{limit: 850, atLeast: true}, "missed by 50%"},
		{math.NaN(), target{limit: 1}, "not measured"},
	} {
		if got := verdict(tc.v, tc.t); got != tc.want {
			t.Errorf("verdict(%v, %+v) = %q, want %q", tc.v, tc.t, got, tc.want)
		}
	}
}

func TestMarkdownEscapes(t *testing.T) {
	md := markdown([]row{{figure: "a|b", measured: "1\n2", verdict: "met"}})
	if !strings.Contains(md, "| a\\|b | 1 2 | — | — | — | met |") {
		t.Errorf("table:\n%s", md)
	}
}

func TestParseFlags(t *testing.T) {
	o, err := parseFlags([]string{"-quick"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.scale != 0.08 || o.loopFiles != 16 || o.linkFiles != 4 || o.manyFiles != 10000 || o.benchtime != "1s" || o.repeats != 1 || o.profile {
		t.Errorf("quick: %+v", o)
	}
	o, err = parseFlags([]string{"-scale", "0.5", "-rates", "10, 50", "-only", "hash,link"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.loopFiles != 100 || len(o.rates) != 2 || o.rates[1] != 50 || !o.runs("hash") || o.runs("memory") {
		t.Errorf("scaled: %+v", o)
	}
	if n := o.memFiles(2 * o.memGiB); n != 128 {
		t.Errorf("memFiles(1 GiB) = %d, want 128", n)
	}
	for _, args := range [][]string{
		{"-scale", "0"}, {"-rates", "fast"}, {"-rates", "-5"}, {"-only", "everything"},
		{"-repeats", "0"}, {"-concurrency", "65"}, {"-brotli-quality", "12"}, {"stray"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			if _, err := parseFlags(args, io.Discard); err == nil {
				t.Error("no error")
			}
		})
	}
}

// TestKeepProfile: a profile is written whole, as JSON that reads back,
// under a file name made of what it profiled; nothing without a folder.
func TestKeepProfile(t *testing.T) {
	p := &profiler.Profile{
		Nodes:      []*profiler.ProfileNode{{ID: 1, CallFrame: &runtime.CallFrame{FunctionName: "(root)"}}},
		Samples:    []int64{1},
		TimeDeltas: []int64{1000},
	}
	dir := t.TempDir()
	if err := keepProfile(dir, "loopback oss/x", p); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "loopback-oss-x.cpuprofile"))
	if err != nil {
		t.Fatal(err)
	}
	var back profiler.Profile
	if err := json.Unmarshal(b, &back); err != nil || len(back.Nodes) != 1 || len(back.Samples) != 1 {
		t.Fatalf("read back %+v, %v", back, err)
	}
	if err := keepProfile("", "x", p); err != nil {
		t.Fatal(err)
	}
}

func TestSummarizeProfile(t *testing.T) {
	frame := func(name, url string) *runtime.CallFrame { return &runtime.CallFrame{FunctionName: name, URL: url} }
	p := &profiler.Profile{
		Nodes: []*profiler.ProfileNode{
			{ID: 1, CallFrame: frame("(root)", "")},
			{ID: 2, CallFrame: frame("(idle)", "")},
			{ID: 3, CallFrame: frame("runtime.memmove", "http://x/altiup.wasm")},
			{ID: 4, CallFrame: frame("_makeFuncWrapper", "http://x/wasm_exec.js")},
			{ID: 5, CallFrame: frame("(garbage collector)", "")},
		},
		Samples:    []int64{2, 3, 3, 4, 5, 2},
		TimeDeltas: []int64{100_000, 300_000, 300_000, 200_000, 100_000, 0},
	}
	got := summarizeProfile(p)
	for _, want := range []string{"1.0 s sampled", "Go (altiup.wasm) 60%", "Go↔JS glue (wasm_exec.js) 20%", "idle 10%", "JS garbage collector 10%", "runtime.memmove (altiup.wasm) 60%"} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q: %s", want, got)
		}
	}
	if summarizeProfile(nil) != "no samples" {
		t.Error("a missing profile has a summary")
	}
}

func TestLongestStretches(t *testing.T) {
	frame := func(name, url string) *runtime.CallFrame { return &runtime.CallFrame{FunctionName: name, URL: url} }
	p := &profiler.Profile{
		Nodes: []*profiler.ProfileNode{
			{ID: 1, CallFrame: frame("(root)", ""), Children: []int64{2, 3, 6}},
			{ID: 2, CallFrame: frame("(idle)", "")},
			{ID: 3, CallFrame: frame("onload", "http://x/app.js"), Children: []int64{4}},
			{ID: 4, CallFrame: frame("_resume", "http://x/wasm_exec.js"), Children: []int64{5}},
			{ID: 5, CallFrame: frame("runtime.gcDrain", "http://x/altiup.wasm")},
			{ID: 6, CallFrame: frame("tick", "http://x/app.js")},
		},
		// Busy 3 ms (6, 6, 6), idle, busy 40 ms (3, 5 × 4 at 10 ms), idle.
		Samples:    []int64{6, 6, 6, 2, 3, 5, 5, 5, 5, 2},
		TimeDeltas: []int64{0, 1000, 1000, 1000, 1000, 10_000, 10_000, 10_000, 10_000, 1000},
	}
	got := longestStretches(p, 2)
	for _, want := range []string{"40 ms without going idle, entered from onload (app.js) 100%", "runtime.gcDrain (altiup.wasm) 100%", " — 2 ms without going idle, entered from tick (app.js) 100%"} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q: %s", want, got)
		}
	}
	if longestStretches(nil, 1) != "no samples" {
		t.Error("a missing profile has a stretch")
	}
}

func TestOffCap(t *testing.T) {
	const mb = 1e6
	for _, tc := range []struct {
		name       string
		bytes, ms  float64
		rate       float64
		off        bool // offCap: too slow or too fast for a baseline
		above      bool // aboveCap: too fast for any run
		mentioning string
	}{
		{"on its cap", 80 * mb, 4300, 20 * mb, false, false, ""},
		{"a little slow", 80 * mb, 4900, 20 * mb, false, false, ""},
		{"the 22.4 s baseline", 80 * mb, 22400, 20 * mb, true, false, "3.6 MB/s on a 20 MB/s cap (-82%)"},
		{"no cap applied", 80 * mb, 1000, 20 * mb, true, true, "+300%"},
		{"the 3.48 s upload of 128 MB", 128 * mb, 3480, 20 * mb, true, true, "+84%"},
		{"uncapped run", 80 * mb, 1000, 0, false, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			why := offCap(tc.bytes, tc.ms, tc.rate)
			if (why != "") != tc.off || !strings.Contains(why, tc.mentioning) {
				t.Errorf("offCap = %q", why)
			}
			if why := aboveCap(tc.bytes, tc.ms, tc.rate); (why != "") != tc.above || tc.above && !strings.Contains(why, tc.mentioning) {
				t.Errorf("aboveCap = %q", why)
			}
		})
	}
}

func TestLinkTarget(t *testing.T) {
	if linkTarget(20) != 1.05 || linkTarget(100) != 1.15 {
		t.Errorf("targets: %v at 20, %v at 100", linkTarget(20), linkTarget(100))
	}
}

func TestBrotliSize(t *testing.T) {
	text := []byte(strings.Repeat("altiup uploads photos to a bucket. ", 2000))
	noise := make([]byte, 64<<10)
	rand.NewChaCha8([32]byte{3}).Read(noise)
	for _, tc := range []struct {
		name     string
		body     []byte
		min, max int64
	}{
		{"repetitive text", text, 1, int64(len(text)) / 20},
		{"random bytes", noise, int64(len(noise)), int64(len(noise)) + 1024},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := brotliSize(tc.body, 11)
			if err != nil || n < tc.min || n > tc.max {
				t.Errorf("%d bytes (%v), want %d–%d", n, err, tc.min, tc.max)
			}
			c := newCompressor(t.TempDir(), 11)
			for range 2 { // the second answer comes from the cache
				if m, err := c.size(context.Background(), tc.body); m != n || err != nil {
					t.Errorf("compressor: %d (%v), want %d", m, err, n)
				}
			}
		})
	}
	if c := newCompressor(t.TempDir(), 11); c.name() != "brotli -q 11" {
		t.Errorf("name %q", c.name())
	}
}

func TestServedFiles(t *testing.T) {
	fsys := fstest.MapFS{
		"index.html": {}, "altiup.js": {}, "altiup.js.br": {}, "altiup.wasm": {}, "altiup.wasm.gz": {},
		"embed.go": {}, "style.css": {}, "ui/rows.js": {}, "page/picker.js": {}, "i18n/zh.json": {},
		"test/rows.test.js": {},
	}
	got := strings.Join(servedFiles(fsys), " ")
	want := "altiup.js altiup.wasm i18n/zh.json index.html page/picker.js style.css ui/rows.js"
	if got != want {
		t.Errorf("served %q, want %q", got, want)
	}
}

func TestCPUPerGB(t *testing.T) {
	c := &cpuTotals{}
	c.add(&uploadRun{res: pageResult{MS: 1000}, cpu: cpuAccount{"renderer": 2 * time.Second, "browser": time.Second, "network.mojom.NetworkService": time.Second, "server": 9 * time.Second, "GPU": time.Second}})
	c.add(&uploadRun{res: pageResult{MS: 1000}, cpu: cpuAccount{"renderer": 4 * time.Second, "browser": time.Second, "network.mojom.NetworkService": time.Second}})
	// Mean 5 s of the page's processes per run, over 0.5 GB: 10 s/GB.
	if got := c.perGB(0.5); math.Abs(got-10) > 1e-9 {
		t.Errorf("perGB = %v", got)
	}
	if !math.IsNaN((*cpuTotals)(nil).perGB(1)) {
		t.Error("nothing measured, yet a figure")
	}
}
