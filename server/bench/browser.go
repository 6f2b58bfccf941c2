package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/heapprofiler"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/systeminfo"
	cdptarget "github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// browser is one headless Chromium for the whole run; each measurement opens
// a tab in a fresh browser context (no cache, storage or journal carried over).
type browser struct {
	root    context.Context
	cancel  func()
	version string
	userDir string
}

func startBrowser(ctx context.Context, execPath, userDir string) (*browser, error) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		// Exact, not bucketed, performance.memory figures.
		chromedp.Flag("enable-precise-memory-info", true),
		chromedp.UserDataDir(userDir),
	)
	actx, cancelA := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelC := chromedp.NewContext(actx)
	// The first action starts the browser; it must not run under a timeout.
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		cancelC()
		cancelA()
		return nil, fmt.Errorf("start chromium: %w", err)
	}
	b := &browser{root: bctx, cancel: func() { cancelC(); cancelA() }}
	if v, err := cdp.Call(bctx, chromedp.FromContext(bctx).Browser, cdpbrowser.GetVersion, cdp.Empty{}); err == nil {
		// "HeadlessChrome/156.0.8078.108": the full version, which the
		// user agent string no longer carries.
		_, ver, _ := strings.Cut(v.Product, "/")
		b.version = "Chromium " + ver
	}
	return b, nil
}

func (b *browser) close() { b.cancel() }

// tab opens a fresh browser context with one tab; close it with the returned
// func.
func (b *browser) tab(timeout time.Duration) (context.Context, func(), error) {
	tctx, cancelT := chromedp.NewContext(b.root, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(tctx, chromedp.Navigate("about:blank")); err != nil {
		cancelT()
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(tctx, timeout)
	return ctx, func() { cancel(); cancelT() }, nil
}

// throttle caps the tab's upload (and download) throughput in bytes per
// second, its Workers' too (those it has and those it starts later: the
// uploader sends quick PUTs from its hash workers, which the tab's own
// conditions do not cover); 0 lifts the cap.
func throttle(ctx context.Context, bytesPerSec float64) error {
	c := &network.Conditions{DownloadThroughput: -1, UploadThroughput: -1}
	if bytesPerSec > 0 {
		c.UploadThroughput = bytesPerSec
		c.DownloadThroughput = bytesPerSec
	}
	apply := func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
			return chromedp.Void{}, err
		}
		_, err := cdp.Call(ctx, t, network.EmulateNetworkConditionsByRule,
			network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: []*network.Conditions{c}})
		return chromedp.Void{}, err
	}
	capWorker := func(id cdptarget.ID) error {
		wctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(id))
		context.AfterFunc(ctx, cancel)
		return chromedp.Do(wctx, apply)
	}
	err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*cdptarget.EventAttachedToTarget); ok && strings.Contains(e.TargetInfo.Type, "worker") {
			go capWorker(e.TargetInfo.TargetID) // a worker gone meanwhile sends nothing
		}
	})
	if err != nil {
		return err
	}
	if err := chromedp.Do(ctx, apply); err != nil {
		return err
	}
	targets, err := chromedp.Targets(ctx)
	if err != nil {
		return err
	}
	tab := chromedp.FromContext(ctx).BrowserContextID
	for _, t := range targets {
		if strings.Contains(t.Type, "worker") && t.BrowserContextID == tab {
			if err := capWorker(t.TargetID); err != nil {
				return fmt.Errorf("cap worker %s: %w", t.URL, err)
			}
		}
	}
	return nil
}

// collectGarbage runs a full GC in the tab, before memory is taken as idle.
func collectGarbage(ctx context.Context) error {
	return chromedp.Do(ctx, func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, heapprofiler.CollectGarbage, cdp.Empty{})
		return chromedp.Void{}, err
	})
}

// call evaluates expr (a promise) in the tab and decodes its value into out.
func call(ctx context.Context, expr string, out any) error {
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(raw, out)
}

// jsCall is expr for fn(arg) where arg is given as JSON.
func jsCall(fn string, arg any) string {
	b, _ := json.Marshal(arg)
	return fn + "(" + string(b) + ")"
}

// cpuAccount is the CPU time of each kind of Chromium process.
type cpuAccount map[string]time.Duration

// browserCPU reads the CPU time of every Chromium process by kind (browser,
// renderer, GPU, utility: the network service is a utility process).
func (b *browser) browserCPU() cpuAccount {
	res, err := cdp.Call(b.root, chromedp.FromContext(b.root).Browser, systeminfo.GetProcessInfo, cdp.Empty{})
	acc := cpuAccount{}
	if err != nil {
		return acc
	}
	for _, p := range res.ProcessInfo {
		acc[p.Type] += time.Duration(p.CPUTime * float64(time.Second))
	}
	return acc
}

// rendererPIDs lists the renderer processes.
func (b *browser) rendererPIDs() []int {
	res, err := cdp.Call(b.root, chromedp.FromContext(b.root).Browser, systeminfo.GetProcessInfo, cdp.Empty{})
	if err != nil {
		return nil
	}
	var pids []int
	for _, p := range res.ProcessInfo {
		if p.Type == "renderer" {
			pids = append(pids, int(p.ID))
		}
	}
	return pids
}

// rss is a process's resident memory from /proc (0 when unknown).
func rss(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n << 10
			}
		}
	}
	return 0
}

// rssSampler tracks the largest resident size of the renderers while it runs.
type rssSampler struct {
	stopc chan struct{}
	done  chan int64
}

func sampleRSS(pids []int, every time.Duration) *rssSampler {
	s := &rssSampler{stopc: make(chan struct{}), done: make(chan int64, 1)}
	go func() {
		var peak int64
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			var sum int64
			for _, p := range pids {
				sum += rss(p)
			}
			peak = max(peak, sum)
			select {
			case <-s.stopc:
				s.done <- peak
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *rssSampler) stop() int64 {
	close(s.stopc)
	return <-s.done
}
