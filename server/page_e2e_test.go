package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// The page's own tests run in headless Chromium (see browser), by subject:
// files and folders (page_files), the controls (page_controls), language
// and account (page_account), the embed (embed), accessibility (page_a11y).
// This file holds their helpers.

// pgEntry is one file of the page's whole list (window.altiupPage.entries()),
// which holds the files whose rows are not drawn in a long list too.
type pgEntry struct {
	Name, State, Details string
	Size, Sent           int64
}

func pgEntries(t *testing.T, ctx context.Context) []pgEntry {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]pgEntry](`altiupPage.entries().map(e => ({Name: e.name, State: e.state, Details: e.details, Size: e.size, Sent: e.sent}))`))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// pgWait polls a JS condition; on timeout it fails with what the page shows.
func pgWait(t *testing.T, ctx context.Context, cond string, d time.Duration) {
	t.Helper()
	// Elements the page draws after loading may not be there yet: until they
	// are, the condition is false rather than an error.
	safe := "(() => { try { return !!(" + cond + "); } catch (e) { return false; } })()"
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](safe, chromedp.WithPollingTimeout(d), chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
		summary, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('#summary')||{}).textContent + ' | message: ' + (document.querySelector('#message')||{}).textContent`))
		var entries []pgEntry
		if ok, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!globalThis.altiupPage`)); ok {
			entries = pgEntries(t, ctx)
		}
		t.Fatalf("waiting for %s: %v\npage: %s\nentries: %+v", cond, err, summary, entries)
	}
}

// pgEval runs JS and fails the test on an exception.
func pgEval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

func pgOpen(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS("#start:not([disabled])")),
	); err != nil {
		t.Fatal(err)
	}
}

// pg is the page's origin (p.page ends with a slash).
func pg(p *sandboxProc) string { return strings.TrimSuffix(p.page, "/") }

// pgConsole logs the page's console errors and uncaught exceptions.
func pgConsole(t *testing.T, ctx context.Context) {
	t.Helper()
	_ = chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				t.Logf("console %s: %s", e.Type, strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			msg := e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
			t.Logf("exception: %s", msg)
		}
	})
}

func imagePaths(t *testing.T, names ...string) []string {
	t.Helper()
	var out []string
	for _, n := range names {
		p, err := filepath.Abs(filepath.Join("..", "testdata", "images", n))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// watchCSP collects, from the next page loaded on, what the page's CSP
// refused (an inline style or script, anything evaluated); the returned
// func fails the test if anything was.
func watchCSP(t *testing.T, ctx context.Context) func() {
	t.Helper()
	const watch = `window.cspRefused = []; document.addEventListener('securitypolicyviolation', (e) => cspRefused.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));`
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: watch}); err != nil {
		t.Fatal(err)
	}
	return func() {
		t.Helper()
		if got := pgEval[[]string](t, ctx, `window.cspRefused || ['the watch is not installed']`); len(got) > 0 {
			t.Errorf("the CSP refused: %q", got)
		}
	}
}

// jpegPaths makes n distinct JPEGs (makeJPEGs) and gives their paths.
func jpegPaths(t *testing.T, n int) []string {
	t.Helper()
	var paths []string
	for _, f := range makeJPEGs(t, n) {
		paths = append(paths, f.path)
	}
	return paths
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func allIn(entries []pgEntry, states ...string) bool {
	for _, e := range entries {
		ok := false
		for _, s := range states {
			ok = ok || e.State == s
		}
		if !ok {
			return false
		}
	}
	return len(entries) > 0
}

// putGate holds the browser's PUTs to the storage until the test lets them
// go, through the DevTools Fetch domain: the page sees an upload under way
// for as long as the test wants, with no timing involved.
type putGate struct {
	mu   sync.Mutex
	hold bool
	held []fetch.RequestID
	puts int // PUTs seen
}

func gatePuts(t *testing.T, ctx context.Context, storage string) *putGate {
	t.Helper()
	return gateRequests(t, ctx, storage+"/*", "PUT")
}

// gateRequests holds the requests of one method to URLs matching pattern.
func gateRequests(t *testing.T, ctx context.Context, pattern, method string) *putGate {
	t.Helper()
	g := &putGate{}
	evs := make(chan *fetch.EventRequestPaused, 256)
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*fetch.EventRequestPaused); ok {
			evs <- e
		}
	}); err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case e := <-evs:
				g.mu.Lock()
				hold := g.hold && e.Request.Method == method
				if e.Request.Method == method {
					g.puts++
				}
				if hold {
					g.held = append(g.held, e.RequestID)
				}
				g.mu.Unlock()
				if !hold {
					_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: e.RequestID})
				}
			}
		}
	}()
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: pattern}}}); err != nil {
		t.Fatal(err)
	}
	return g
}

// set holds PUTs from now on (or not), and lets the held ones go when not.
func (g *putGate) set(ctx context.Context, hold bool) {
	g.mu.Lock()
	g.hold = hold
	var release []fetch.RequestID
	if !hold {
		release, g.held = g.held, nil
	}
	g.mu.Unlock()
	for _, id := range release {
		_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id})
	}
}

// drop fails the held PUTs as a broken connection would, and stops holding.
func (g *putGate) drop(ctx context.Context) {
	g.mu.Lock()
	g.hold = false
	drop := g.held
	g.held = nil
	g.mu.Unlock()
	for _, id := range drop {
		_, _ = chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: id, ErrorReason: network.ErrorReasonAborted})
	}
}

// release lets the held PUTs go and keeps holding new ones.
func (g *putGate) release(ctx context.Context) {
	g.set(ctx, false)
	g.set(ctx, true)
}

func (g *putGate) counts() (held, puts int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.held), g.puts
}

func (g *putGate) waitHeld(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if h, _ := g.counts(); h >= n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	h, p := g.counts()
	t.Fatalf("%d PUTs held (%d seen), want %d", h, p, n)
}
