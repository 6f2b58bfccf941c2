package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/chromedp"
)

// bench holds what the whole run shares.
type bench struct {
	o         *options
	logf      func(string, ...any)
	root      string // the module's directory
	serverBin string
	browser   *browser
	fix       *fixtures
	comp      *compressor

	npmErr, hashErr error
	big, small      *imageSet
	workDir         string
	removeWork      bool

	rows  []row
	notes []string
	loads []groupLoad // how busy the machine was in each group
	env   env
}

func setup(ctx context.Context, o *options, logf func(string, ...any)) (*bench, error) {
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	b := &bench{o: o, logf: logf, root: root}
	b.serverBin = o.server
	if !filepath.IsAbs(b.serverBin) {
		b.serverBin = filepath.Join(root, b.serverBin)
	}
	if _, err := os.Stat(b.serverBin); err != nil {
		return nil, fmt.Errorf("the server binary %s is missing: run ./build.sh build first (or give -server)", b.serverBin)
	}
	chromium := o.chromium
	if chromium == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				chromium = p
				break
			}
		}
	}
	if chromium == "" {
		return nil, errors.New("no Chromium found: install it (apt-get install chromium) or give -chromium")
	}
	if err := os.MkdirAll(o.cache, 0o755); err != nil {
		return nil, err
	}
	b.workDir = o.work
	if b.workDir == "" {
		b.workDir, err = os.MkdirTemp(o.cache, "images-")
		if err != nil {
			return nil, err
		}
		b.removeWork = !o.keep
	}
	b.comp = newCompressor(filepath.Join(o.cache, "sizes"), o.brotliQuality)

	// Preparation runs in parallel; nothing is measured yet.
	var wg sync.WaitGroup
	var genErr error
	var mu sync.Mutex
	fail := func(err error) {
		mu.Lock()
		genErr = errors.Join(genErr, err)
		mu.Unlock()
	}
	nodeModules := ""
	hashDir := filepath.Join(b.workDir, "hashwasm")
	wg.Go(func() {
		if !o.runs("loopback") && !o.runs("hash") {
			return
		}
		nodeModules, b.npmErr = ensureNPM(ctx, filepath.Join(o.cache, "npm"), logf)
		if b.npmErr != nil {
			logf("peers: %v", b.npmErr)
		}
	})
	wg.Go(func() {
		if o.runs("hash") {
			if b.hashErr = buildHashWasm(ctx, root, hashDir); b.hashErr != nil {
				logf("hashing: %v", b.hashErr)
			}
		}
	})
	wg.Go(func() {
		if o.runs("start") {
			b.warmSizes(ctx)
		}
	})
	nBig := 0
	for g, n := range map[string]int{"link": o.linkFiles, "loopback": o.loopFiles, "hash": o.loopFiles, "memory": o.memFiles(2 * o.memGiB)} {
		if o.runs(g) {
			nBig = max(nBig, n)
		}
	}
	nSmall := 0
	for g, n := range map[string]int{"small": o.smallFiles, "many": o.manyFiles} {
		if o.runs(g) {
			nSmall = max(nSmall, n)
		}
	}
	wg.Go(func() {
		if nBig == 0 {
			return
		}
		t := time.Now()
		s, err := makeImages(filepath.Join(b.workDir, "large"), nBig, int64(o.fileMiB)*mib, uint64(time.Now().UnixNano()))
		if err != nil {
			fail(fmt.Errorf("write images: %w", err))
			return
		}
		b.big = s
		logf("wrote %d × %d MiB images in %v", nBig, o.fileMiB, time.Since(t).Round(time.Millisecond))
	})
	wg.Go(func() {
		if nSmall == 0 {
			return
		}
		t := time.Now()
		s, err := makeImages(filepath.Join(b.workDir, "small"), nSmall, int64(o.smallKB)*kb, uint64(time.Now().UnixNano())+1)
		if err != nil {
			fail(fmt.Errorf("write images: %w", err))
			return
		}
		b.small = s
		logf("wrote %d × %d KB images in %v", nSmall, o.smallKB, time.Since(t).Round(time.Millisecond))
	})
	wg.Wait()
	if genErr != nil {
		b.cleanup()
		return nil, genErr
	}
	if b.hashErr != nil {
		hashDir = ""
	}
	b.fix, err = startFixtures(nodeModules, hashDir)
	if err != nil {
		b.cleanup()
		return nil, err
	}
	userDir, err := os.MkdirTemp("", "altiup-bench-chromium-")
	if err != nil {
		b.cleanup()
		return nil, err
	}
	b.browser, err = startBrowser(ctx, chromium, userDir)
	if err != nil {
		os.RemoveAll(userDir)
		b.cleanup()
		return nil, err
	}
	b.browser.userDir = userDir
	b.env = readEnv(b.browser.version)
	return b, nil
}

func (b *bench) cleanup() {
	if b.browser != nil {
		b.browser.close()
		os.RemoveAll(b.browser.userDir)
	}
	if b.fix != nil {
		b.fix.close()
	}
	if b.removeWork && b.workDir != "" {
		os.RemoveAll(b.workDir)
	}
}

func (b *bench) note(format string, a ...any) { b.notes = append(b.notes, fmt.Sprintf(format, a...)) }

func (b *bench) addRow(r row) {
	b.rows = append(b.rows, r)
	b.logf("%s: %s (baseline %s, ratio %s) → %s", r.figure, r.measured, r.baseline, r.ratio, r.verdict)
}

func (b *bench) runGroup(ctx context.Context, g string) {
	before := settle(ctx, b.o.settle, 10*time.Second, loadAvg1, b.logf)
	w := watchLoad(5 * time.Second)
	first := len(b.rows)
	defer func() {
		gl := groupLoad{group: g, before: before}
		gl.during, gl.others = w.end()
		b.loads = append(b.loads, gl)
		if m := loadMark(gl.worst()); m != "" {
			b.logf("%s ran under load: %s", g, gl)
			for i := first; i < len(b.rows); i++ {
				b.rows[i].load = m
			}
		}
	}()
	switch g {
	case "start":
		b.groupStart(ctx)
	case "hash":
		b.groupHash(ctx)
	case "link":
		b.groupLink(ctx)
	case "loopback":
		b.groupLoopback(ctx)
	case "small":
		b.groupSmall(ctx)
	case "memory":
		b.groupMemory(ctx)
	case "many":
		b.groupMany(ctx)
	case "inspect":
		b.groupInspect(ctx)
	case "sandbox":
		b.groupSandbox(ctx)
	}
}

// session is one measurement: a fresh server (unless none is needed) and a
// fresh tab on the fixture page.
type session struct {
	sb        *sandbox
	ctx       context.Context
	closeTab  func()
	renderers []int
}

// open starts a server (when withServer), opens bench.html loading the given
// scripts ("altiup" is the server's loader), gives it the files and caps its
// upload at rate bytes/s (0: no cap).
func (b *bench) open(ctx context.Context, withServer bool, loads []string, files []string, rate float64) (*session, error) {
	s := &session{}
	storage := ""
	if withServer {
		sb, err := startSandbox(ctx, b.serverBin)
		if err != nil {
			return nil, err
		}
		s.sb = sb
		storage = sb.storage
	}
	before := b.browser.rendererPIDs()
	tctx, closeTab, err := b.browser.tab(20 * time.Minute)
	if err != nil {
		s.end()
		return nil, err
	}
	s.ctx, s.closeTab = tctx, closeTab
	var urls []string
	for _, l := range loads {
		if l == "altiup" {
			l = s.sb.page + "/altiup.js"
		}
		urls = append(urls, l)
	}
	u := b.fix.url + "/bench.html?storage=" + url.QueryEscape(storage) + "&load=" + url.QueryEscape(strings.Join(urls, ","))
	if err := chromedp.Do(tctx, chromedp.Navigate(u)); err != nil {
		s.end()
		return nil, fmt.Errorf("open the page: %w", err)
	}
	if err := call(tctx, `bench.loaded`, nil); err != nil {
		s.end()
		return nil, fmt.Errorf("load %s: %w", strings.Join(loads, ", "), err)
	}
	if len(files) > 0 {
		if err := chromedp.Do(tctx, chromedp.SetUploadFiles(chromedp.CSS("#files"), files)); err != nil {
			s.end()
			return nil, fmt.Errorf("give the page its files: %w", err)
		}
	}
	if rate > 0 {
		if err := throttle(tctx, rate); err != nil {
			s.end()
			return nil, fmt.Errorf("cap the upload: %w", err)
		}
	}
	for _, p := range b.browser.rendererPIDs() {
		if !containsInt(before, p) {
			s.renderers = append(s.renderers, p)
		}
	}
	return s, nil
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// end closes the tab and stops the server.
func (s *session) end() {
	if s.closeTab != nil {
		s.closeTab()
	}
	if s.sb != nil {
		s.sb.stop()
	}
}

// pageResult is what the page's bench.* functions resolve to.
type pageResult struct {
	MS        float64  `json:"ms"`
	FirstByte float64  `json:"firstByte"`
	Longest   float64  `json:"longest"`
	Added     float64  `json:"added"`
	Files     int      `json:"files"`
	Uploaded  int      `json:"uploaded"`
	Skipped   int      `json:"skipped"`
	Failed    int      `json:"failed"`
	Errors    []string `json:"errors"`
	Memory    *struct {
		JS   float64 `json:"js"`
		Wasm float64 `json:"wasm"`
		Sum  float64 `json:"sum"`
	} `json:"memory"`
	Sums  []string `json:"sums"`
	Bytes float64  `json:"bytes"`
	// Phases is the time the files spent in each state, summed (altiup).
	Phases map[string]float64 `json:"phases"`
	// APIRequests is how many requests went to the GraphQL API (altiup).
	APIRequests int `json:"apiRequests"`
	// FirstFile is the first file's states, [state, ms], and
	// APIBeforeFirstByte the API requests, [start ms, end ms], before the
	// first byte went out (altiup).
	FirstFile          [][2]any     `json:"firstFile"`
	APIBeforeFirstByte [][2]float64 `json:"apiBeforeFirstByte"`
	// Requests are a baseline's PUTs, [start ms, end ms] in the order of
	// the files.
	Requests [][2]float64 `json:"requests"`
	// AddLongest is the main thread's longest task while adding: from
	// add() until every file is in the uploader (AllIn, ms).
	AddLongest float64 `json:"addLongest"`
	AllIn      float64 `json:"allIn"`
	// LongFrame is, in words, the long animation frame of the most
	// blocking time and the scripts that ran in it ("" when none); AddFrame
	// the same while adding.
	LongFrame string `json:"longFrame"`
	AddFrame  string `json:"addFrame"`
}

// complete is an error unless every file was uploaded.
func (r *pageResult) complete() error {
	if r.Uploaded == r.Files && r.Failed == 0 {
		return nil
	}
	why := "no reason given"
	if len(r.Errors) > 0 {
		why = strings.Join(r.Errors, "; ")
	}
	return fmt.Errorf("%d of %d files uploaded (%d failed, %d skipped): %s", r.Uploaded, r.Files, r.Failed, r.Skipped, why)
}

func names(paths []string) []string {
	n := make([]string, len(paths))
	for i, p := range paths {
		n[i] = filepath.Base(p)
	}
	return n
}
