package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"altiup/web"
)

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

// warmSizes compresses every file the page may load once, before anything
// is measured (brotli at quality 11 takes a while on the wasm; sizes are
// cached by content). The list is the embedded web/ itself, so a new module
// is counted without an edit here; the size figure adds up what the page
// really fetched.
func (b *bench) warmSizes(ctx context.Context) {
	sb, err := startSandbox(ctx, b.serverBin)
	if err != nil {
		return
	}
	defer sb.stop()
	for _, p := range servedFiles(web.FS) {
		if body, err := get(ctx, sb.page+"/"+p); err == nil {
			_, _ = b.comp.size(ctx, body)
		}
	}
}

// servedFiles are the files of the page's directory a browser may fetch:
// its text and wasm, without the precompressed copies, Go files and the
// modules' tests.
func servedFiles(fsys fs.FS) []string {
	var out []string
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return nil
		case d.IsDir() && p == "test":
			return fs.SkipDir
		case d.IsDir():
			return nil
		}
		switch path.Ext(p) {
		case ".html", ".js", ".css", ".json", ".wasm":
			out = append(out, p)
		}
		return nil
	})
	return out
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
		// One load first, not counted: the first page a new browser opens
		// pays for the browser's own start (770-890 ms here in three fresh
		// browsers, against 370-450 ms for the loads after it, each in a
		// fresh context with a cold cache), which a person opening the page
		// in a running browser does not.
		b.logf("start, a first load, not counted")
		if ms, _, _, err := b.coldLoad(ctx, sb.page+"/"); err == nil {
			b.note("Start: the first load in the benchmark's new browser, not counted, took %.0f ms; the figure is of the loads after it, each in a fresh browser context with a cold cache.", ms)
		}
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
