package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// The page's own tests: folders, pause/resume/cancel/retry, languages,
// keyboard, sign-in, long lists, the embed on another origin, and an
// accessibility audit. Every test runs in headless Chromium (see browser).

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

// TestPageFolders picks a whole folder (subfolders included) through the
// folder picker, then drops a folder tree onto the drop zone. Files that are
// not images by content are listed as not uploaded, with why.
func TestPageFolders(t *testing.T) {
	p := startServer(t)
	ctx := browser(t)
	dir := filepath.Join(t.TempDir(), "survey")
	imgs := imagePaths(t, "street.jpg", "tower.jpg", "bridge.jpg")
	copyFile(t, imgs[0], filepath.Join(dir, "street.jpg"))
	copyFile(t, imgs[1], filepath.Join(dir, "tower.jpg"))
	copyFile(t, imgs[2], filepath.Join(dir, "north", "bridge.jpg"))
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("flight log"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Named as a photo, but not one.
	if err := os.WriteFile(filepath.Join(dir, "north", "fake.jpg"), []byte("GIF89a not a jpeg"), 0o600); err != nil {
		t.Fatal(err)
	}
	pgOpen(t, ctx, pg(p)+"/?cloud=s3")
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("#folder"), []string{dir})); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `altiupPage.entries().length === 5 && !altiupPage.entries().some((e) => e.state === 'sniffing')`, 10*time.Second)
	states := map[string]pgEntry{}
	for _, e := range pgEntries(t, ctx) {
		states[e.Name] = e
	}
	for name, want := range map[string]string{
		"survey/street.jpg": "waiting", "survey/tower.jpg": "waiting", "survey/north/bridge.jpg": "waiting",
		"survey/notes.txt": "unsupported", "survey/north/fake.jpg": "unsupported",
	} {
		e, ok := states[name]
		switch {
		case !ok:
			t.Errorf("%s is not listed; list: %+v", name, states)
		case e.State != want:
			t.Errorf("%s: %s, want %s", name, e.State, want)
		case want == "unsupported" && !strings.Contains(e.Details, "not a JPEG, PNG or TIFF"):
			t.Errorf("%s: details %q do not say why", name, e.Details)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#start"))); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `/Validation:/.test(document.querySelector('#summary').textContent)`, 30*time.Second)
	summary := pgEval[string](t, ctx, `document.querySelector('#summary').textContent`)
	if want := "3 files: 3 uploaded, 0 skipped, 0 failed. Validation: 3 ready, 0 invalid. 2 not uploaded (not images)."; summary != want {
		t.Errorf("summary %q, want %q", summary, want)
	}
	// Rows are drawn at the next frame.
	pgWait(t, ctx, `document.querySelectorAll('#filelist tr[data-state=ready]').length === 3`, 5*time.Second)
	// The photos in view get thumbnails; the files that are not images none.
	pgWait(t, ctx, `document.querySelectorAll('#filelist tr[data-state=ready] canvas.thumb[data-drawn="1"]').length === 3 && document.querySelectorAll('#filelist tr[data-state=unsupported] canvas.thumb[data-drawn="1"]').length === 0`, 10*time.Second)

	// A drop of a folder tree: the directory entries are read recursively,
	// batch after batch, as browsers hand them out.
	added := pgEval[[]string](t, ctx, `(async () => {
		const jpeg = new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46])], 'a.jpg');
		const png = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0])], 'b.png');
		const tif = new File([new Uint8Array([0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8])], 'c.tif');
		const txt = new File(['hello'], 'd.txt');
		const file = (f, path) => ({isFile: true, isDirectory: false, name: f.name, fullPath: path, file: (ok) => setTimeout(() => ok(f))});
		const dir = (name, path, children) => ({isFile: false, isDirectory: true, name, fullPath: path, createReader() {
			const batches = [children.slice(0, 1), children.slice(1), []];
			return {readEntries: (ok) => setTimeout(() => ok(batches.shift() || []))};
		}});
		const tree = dir('drop', '/drop', [
			file(jpeg, '/drop/a.jpg'),
			dir('deep', '/drop/deep', [file(png, '/drop/deep/b.png'), file(txt, '/drop/deep/d.txt')]),
			file(tif, '/drop/c.tif'),
		]);
		const dt = {types: ['Files'], items: [{kind: 'file', webkitGetAsEntry: () => tree}], files: []};
		const zone = document.querySelector('#drop');
		for (const type of ['dragenter', 'dragover', 'drop']) {
			const ev = new Event(type, {bubbles: true, cancelable: true});
			Object.defineProperty(ev, 'dataTransfer', {value: dt});
			zone.dispatchEvent(ev);
		}
		for (let i = 0; i < 100 && (altiupPage.entries().length < 9 || altiupPage.entries().some((e) => e.state === 'sniffing')); i++) await new Promise((r) => setTimeout(r, 50));
		return altiupPage.entries().slice(5).map((e) => e.name + ' ' + e.state);
	})()`)
	want := []string{"drop/a.jpg waiting", "drop/c.tif waiting", "drop/deep/b.png waiting", "drop/deep/d.txt unsupported"}
	if strings.Join(added, ",") != strings.Join(want, ",") {
		t.Errorf("dropped: %q, want %q", added, want)
	}
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

// TestPagePauseResumeCancelRetry holds the uploads at the storage so that
// pause, resume and cancel happen mid-upload; the files the cancel failed
// are then retried, one by its row's button and the rest with "retry all
// failed".
func TestPagePauseResumeCancelRetry(t *testing.T) {
	p := startServer(t)
	ctx := browser(t)
	files := makeJPEGs(t, 7)
	var paths []string
	for _, f := range files {
		paths = append(paths, f.path)
	}
	pgOpen(t, ctx, pg(p)+"/?cloud=s3")
	gate := gatePuts(t, ctx, p.storage)
	gate.set(ctx, true)
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#concurrency"), "1"),
		chromedp.SetUploadFiles(chromedp.CSS("#files"), paths[:4]),
		chromedp.Click(chromedp.CSS("#start")),
	); err != nil {
		t.Fatal(err)
	}
	gate.waitHeld(t, 1)
	pgWait(t, ctx, `altiupPage.entries().filter((e) => e.state === 'uploading').length === 1`, 10*time.Second)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#pause"))); err != nil {
		t.Fatal(err)
	}
	if !pgEval[bool](t, ctx, `document.querySelector('#resume').disabled === false && /^Paused/.test(document.querySelector('#summary').textContent)`) {
		t.Fatal("pause did not show as paused")
	}
	// The PUT under way finishes; nothing new begins while paused.
	gate.release(ctx)
	pgWait(t, ctx, `altiupPage.entries().filter((e) => e.state === 'uploaded').length === 1 && !altiupPage.entries().some((e) => e.state === 'uploading')`, 10*time.Second)
	time.Sleep(time.Second) // time for a wrong PUT to show up
	if _, puts := gate.counts(); puts != 1 {
		t.Errorf("%d PUTs while paused, want only the one under way", puts)
	}
	if n := pgEval[int](t, ctx, `altiupPage.entries().filter((e) => ['queued', 'hashing', 'checking'].includes(e.state)).length`); n != 3 {
		t.Errorf("%d files waiting while paused, want 3", n)
	}
	gate.set(ctx, false)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#resume"))); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `/Validation: 4 ready/.test(document.querySelector('#summary').textContent)`, 40*time.Second)

	// Cancel in the middle of the next batch.
	gate.set(ctx, true)
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#clear")),
		chromedp.SetUploadFiles(chromedp.CSS("#files"), paths[4:]),
		chromedp.Click(chromedp.CSS("#start")),
	); err != nil {
		t.Fatal(err)
	}
	gate.waitHeld(t, 1)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#cancel"))); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `!document.querySelector('#start').disabled && !document.querySelector('#retryall').disabled`, 20*time.Second)
	gate.drop(ctx)
	var failed []pgEntry
	for _, e := range pgEntries(t, ctx) {
		if e.State != "failed" {
			t.Errorf("%s: %s after the cancel, want failed", e.Name, e.State)
			continue
		}
		failed = append(failed, e)
		if !strings.Contains(strings.ToLower(e.Details), "cancel") {
			t.Errorf("%s failed with %q, want it to say cancelled", e.Name, e.Details)
		}
	}
	if len(failed) != 3 {
		t.Fatalf("the cancel failed %d files, want 3", len(failed))
	}
	if s := pgEval[string](t, ctx, `document.querySelector('#summary').textContent`); !strings.HasPrefix(s, "3 files: 0 uploaded, 0 skipped (already there), 3 failed.") {
		t.Errorf("summary %q, want the 3 failed files counted", s)
	}
	// Retry one by its own button…
	first := failed[0].Name
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`#filelist tr[data-name=%q] button.retry`, first)))); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, fmt.Sprintf(`altiupPage.entries().find((e) => e.name === %q).state === 'ready'`, first), 30*time.Second)
	if n := pgEval[int](t, ctx, `altiupPage.entries().filter((e) => e.state === 'failed').length`); n != 2 {
		t.Fatalf("%d files failed after retrying one, want 2: %+v", n, pgEntries(t, ctx))
	}
	// …and the others all at once.
	if err := chromedp.Do(ctx, chromedp.WaitEnabled(chromedp.CSS("#retryall")), chromedp.Click(chromedp.CSS("#retryall"))); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `altiupPage.entries().every((e) => e.state === 'ready')`, 40*time.Second)
	n, _ := projectImages(t, p)
	if n != len(files) {
		t.Errorf("project has %d images, want %d", n, len(files))
	}
}

// TestPageLanguage: English from the browser's language, Chinese once chosen,
// and the choice remembered (only because it was made).
func TestPageLanguage(t *testing.T) {
	p := startServer(t)
	ctx := browser(t)
	// The page is there before the wasm: loading, then ready.
	wasm := gateRequests(t, ctx, "*/altiup.wasm", "GET")
	wasm.set(ctx, true)
	if err := chromedp.Do(ctx, chromedp.Navigate(pg(p)+"/")); err != nil {
		t.Fatal(err)
	}
	wasm.waitHeld(t, 1)
	pgWait(t, ctx, `document.querySelector('#start').textContent === 'Start upload'`, 10*time.Second)
	if got := pgEval[string](t, ctx, `document.querySelector('#status').textContent + '|' + document.querySelector('#start').disabled`); got != "loading…|true" {
		t.Errorf("while the wasm loads: %q, want loading and no start", got)
	}
	wasm.set(ctx, false)
	pgWait(t, ctx, `document.querySelector('#status').textContent === 'ready' && !document.querySelector('#start').disabled`, 20*time.Second)
	if got := pgEval[string](t, ctx, `document.querySelector('#start').textContent + '|' + document.querySelector('#lang').value + '|' + localStorage.getItem('altiup.lang')`); got != "Start upload|en|null" {
		t.Errorf("at first: %q, want English and nothing stored", got)
	}
	pgEval[bool](t, ctx, `(() => { const s = document.querySelector('#lang'); s.value = 'zh'; s.dispatchEvent(new Event('change')); return true; })()`)
	pgWait(t, ctx, `document.querySelector('#start').textContent === '开始上传'`, 5*time.Second)
	for sel, want := range map[string]string{
		"#status":                              "就绪",
		"label[for=project]":                   "项目 ID",
		"#recon-title":                         "三维重建",
		"label[for=files]":                     "选择照片…",
		"thead th":                             "文件",
		"html[lang='zh-CN'] #drop .drop-title": "把照片或整个文件夹拖到这里",
	} {
		if got := pgEval[string](t, ctx, fmt.Sprintf(`(document.querySelector(%q) || {textContent: 'missing'}).textContent`, sel)); got != want {
			t.Errorf("%s: %q, want %q", sel, got, want)
		}
	}
	// A dynamic text switches too.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#start"))); err != nil {
		t.Fatal(err)
	}
	if got := pgEval[string](t, ctx, `document.querySelector('#message').textContent`); got != "请先选择或拖入要上传的照片。" {
		t.Errorf("message %q", got)
	}
	pgEval[bool](t, ctx, `(() => { const s = document.querySelector('#lang'); s.value = 'en'; s.dispatchEvent(new Event('change')); return true; })()`)
	pgWait(t, ctx, `document.querySelector('#message').textContent === 'Choose or drop the photos to upload first.'`, 5*time.Second)
	pgEval[bool](t, ctx, `(() => { const s = document.querySelector('#lang'); s.value = 'zh'; s.dispatchEvent(new Event('change')); return true; })()`)
	pgWait(t, ctx, `localStorage.getItem('altiup.lang') === 'zh'`, 5*time.Second)
	pgOpen(t, ctx, pg(p)+"/")
	pgWait(t, ctx, `document.querySelector('#start').textContent === '开始上传' && document.documentElement.lang === 'zh-CN'`, 5*time.Second)
}

// TestPageKeyboard uploads and starts the reconstruction with the keyboard
// alone; only the choice of files stands in for the system's file dialog.
func TestPageKeyboard(t *testing.T) {
	p := startServer(t)
	ctx := browser(t)
	pgOpen(t, ctx, pg(p)+"/?cloud=oss")
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("#files"), imagePaths(t, "street.jpg", "tower.jpg", "bridge.jpg"))); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `altiupPage.entries().length === 3`, 10*time.Second)
	pgEval[bool](t, ctx, `(document.activeElement && document.activeElement.blur(), true)`)
	var visited []string
	tabTo := func(id string) {
		t.Helper()
		for range 60 {
			if err := chromedp.Do(ctx, chromedp.KeyEvent("\t")); err != nil {
				t.Fatal(err)
			}
			at := pgEval[string](t, ctx, `document.activeElement ? document.activeElement.id : ''`)
			visited = append(visited, at)
			if at == id {
				return
			}
		}
		t.Fatalf("Tab never reached #%s; visited %q", id, visited)
	}
	tabTo("start")
	for _, id := range []string{"lang", "token", "signin", "project", "create", "files", "folder"} {
		found := false
		for _, v := range visited {
			found = found || v == id
		}
		if !found {
			t.Errorf("#%s is not reachable by Tab (visited %q)", id, visited)
		}
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\r")); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `/Validation: 3 ready/.test(document.querySelector('#summary').textContent)`, 30*time.Second)
	pgEval[bool](t, ctx, `(document.activeElement && document.activeElement.blur(), true)`)
	tabTo("reconstruct")
	if err := chromedp.Do(ctx, chromedp.KeyEvent(" ")); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `document.querySelector('#reconstruction').textContent.startsWith('Task ')`, 20*time.Second)
	// The task's state is followed until it is done.
	pgWait(t, ctx, `document.querySelector('#reconstruction').dataset.state === 'Done' && /: done\.$/.test(document.querySelector('#reconstruction').textContent)`, 30*time.Second)
}

// TestPageSignInAndProject signs in through the API's OAuth implicit flow,
// refuses an answer whose state was not sent, keeps the token out of storage
// unless asked, and creates a project.
func TestPageSignInAndProject(t *testing.T) {
	p := startServer(t)
	ctx := browser(t)
	pgOpen(t, ctx, pg(p)+"/?cloud=s3")
	// An answer nobody asked for is refused, and the fragment taken away.
	pgOpen(t, ctx, pg(p)+"/?cloud=s3#access_token=forged&state=nope")
	if got := pgEval[string](t, ctx, `location.hash + '|' + (document.querySelector('#token').value === 'forged')`); got != "|false" {
		t.Errorf("after a forged answer: %q", got)
	}
	if msg := pgEval[string](t, ctx, `document.querySelector('#account-message').textContent`); !strings.Contains(msg, "did not match") {
		t.Errorf("forged answer: message %q", msg)
	}
	if err := chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#token').value = ''; document.querySelector('#token').dispatchEvent(new Event('input'))`),
		chromedp.Click(chromedp.CSS("#signin")),
		chromedp.WaitVisible(chromedp.CSS(`button[value=allow]`)),
		chromedp.Click(chromedp.CSS(`button[value=allow]`)),
		chromedp.WaitVisible(chromedp.CSS("#start:not([disabled])")),
	); err != nil {
		t.Fatal(err)
	}
	got := pgEval[string](t, ctx, `[location.href, document.querySelector('#token').value, sessionStorage.getItem('altiup.token'), document.querySelector('#account-message').textContent].join('|')`)
	if want := pg(p) + "/?cloud=s3|" + p.token + "||Signed in: the token is filled in."; got != want {
		t.Errorf("after sign-in: %q, want %q", got, want)
	}
	// Remembered only when asked.
	pgEval[bool](t, ctx, `(() => { const r = document.querySelector('#remember'); r.click(); return r.checked; })()`)
	if got := pgEval[string](t, ctx, `sessionStorage.getItem('altiup.token') || ''`); got != p.token {
		t.Errorf("remember me: the token is not in sessionStorage (something stored: %v)", got != "")
	}
	if got := pgEval[string](t, ctx, `localStorage.getItem('altiup.token') || ''`); got != "" {
		t.Error("the token went into localStorage")
	}

	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#newproject"), "Bridge survey"),
		chromedp.Click(chromedp.CSS("#create")),
	); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, fmt.Sprintf(`document.querySelector('#project').value !== %q && /created/.test(document.querySelector('#account-message').textContent)`, p.project), 10*time.Second)
	pid := pgEval[string](t, ctx, `document.querySelector('#project').value`)
	var r struct{ Project struct{ Name string } }
	mustGQL(t, p, `query ($pid: ID!) { project(id: $pid) { name } }`, map[string]any{"pid": pid}, &r)
	if r.Project.Name != "Bridge survey" {
		t.Errorf("created project %s is named %q", pid, r.Project.Name)
	}
	// The new project takes the upload.
	if err := chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.CSS("#files"), imagePaths(t, "roof.png")),
		chromedp.Click(chromedp.CSS("#start")),
	); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `/Validation: 1 ready/.test(document.querySelector('#summary').textContent)`, 30*time.Second)
	// One photo is too few: the service's code is explained in words.
	if err := chromedp.Do(ctx, chromedp.WaitEnabled(chromedp.CSS("#reconstruct")), chromedp.Click(chromedp.CSS("#reconstruct"))); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `document.querySelector('#reconstruction').dataset.code === 'too_few_images'`, 20*time.Second)
	if got := pgEval[string](t, ctx, `document.querySelector('#reconstruction').textContent`); got != "Not started: fewer than 3 images are Ready; upload more photos of the scene." {
		t.Errorf("reconstruction: %q", got)
	}
}

// TestPageLongList adds 10,000 files: the whole list is known, only the rows
// in view are drawn, and scrolling draws the others.
func TestPageLongList(t *testing.T) {
	p := startServer(t)
	ctx := browser(t)
	pgOpen(t, ctx, pg(p)+"/")
	took := pgEval[float64](t, ctx, `(async () => {
		const head = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16]);
		const files = [];
		for (let i = 0; i < 10000; i++) files.push(new File([head], 'img' + String(i).padStart(5, '0') + '.jpg'));
		const t0 = performance.now();
		altiupPage.add(files);
		await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
		return performance.now() - t0;
	})()`)
	t.Logf("10,000 files listed (their content still being recognised) in %.0f ms", took)
	if n := pgEval[int](t, ctx, `altiupPage.entries().length`); n != 10000 {
		t.Fatalf("%d files listed, want 10000", n)
	}
	rows := pgEval[int](t, ctx, `document.querySelectorAll('#filelist tr[data-name]').length`)
	if rows == 0 || rows > 150 {
		t.Errorf("%d rows drawn for 10,000 files, want only those in view", rows)
	}
	pgEval[bool](t, ctx, `(() => { const w = document.querySelector('#listwrap'); w.scrollTop = w.scrollHeight; w.dispatchEvent(new Event('scroll')); return true; })()`)
	pgWait(t, ctx, `!!document.querySelector('#filelist tr[data-name="img09999.jpg"]') && !document.querySelector('#filelist tr[data-name="img00000.jpg"]')`, 5*time.Second)
	// A short list draws every row.
	pgEval[bool](t, ctx, `(document.querySelector('#clear').click(), true)`)
	pgEval[int](t, ctx, `altiupPage.add(Array.from({length: 150}, (_, i) => new File([new Uint8Array([0xff, 0xd8, 0xff, 0])], 's' + i + '.jpg')))`)
	pgWait(t, ctx, `document.querySelectorAll('#filelist tr[data-name]').length === 150`, 5*time.Second)
}

// TestPageEmbed puts <altiup-uploader> on a partner page of another origin:
// the element finds its assets next to its script, keeps its styles to
// itself, raises its events, and uploads.
func TestPageEmbed(t *testing.T) {
	p := startServer(t)
	ctx := browser(t)
	partner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner</title>
<link rel="stylesheet" href="/partner.css">
<script src="%s/altiup.js"></script>
</head><body><h1>Partner site</h1><button id="own">Partner button</button>
<altiup-uploader api="%s" key="%s" token="%s" project="%s" cloud="s3" lang="zh"></altiup-uploader>
<script src="/partner.js"></script></body></html>`, pg(p), p.api, p.key, p.token, p.project)
		case "/partner.css":
			w.Header().Set("Content-Type", "text/css")
			fmt.Fprint(w, `button { background: rgb(255, 0, 0); } .altiup, table { display: none !important; }`)
		case "/partner.js":
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, `window.got = [];
for (const n of ['altiup-file', 'altiup-progress', 'altiup-done', 'altiup-error'])
	document.addEventListener(n, (e) => got.push({type: n, detail: e.detail}));`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer partner.Close()
	if strings.HasPrefix(partner.URL, pg(p)) {
		t.Fatal("the partner page must be on another origin")
	}
	pgConsole(t, ctx)
	el := `document.querySelector('altiup-uploader')`
	if err := chromedp.Do(ctx, chromedp.Navigate(partner.URL+"/")); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, el+`.shadowRoot && !!`+el+`.shadowRoot.querySelector('#start:not([disabled])')`, 30*time.Second)
	checks := pgEval[map[string]any](t, ctx, `(() => {
		const e = `+el+`, s = e.shadowRoot;
		return {
			start: s.querySelector('#start').textContent,
			shadowBg: getComputedStyle(s.querySelector('#start')).backgroundColor,
			shadowTable: getComputedStyle(s.querySelector('table')).display,
			ownBg: getComputedStyle(document.querySelector('#own')).backgroundColor,
			ownRadius: getComputedStyle(document.querySelector('#own')).borderTopLeftRadius,
			api: ['add', 'start', 'pause', 'resume', 'cancel', 'waitProcessed', 'startReconstruction', 'preStartReconstruction', 'on', 'dispose'].every((m) => typeof e[m] === 'function'),
			inLight: document.querySelectorAll('#start, #filelist').length,
		};
	})()`)
	for k, want := range map[string]any{"start": "开始上传", "shadowTable": "table", "ownBg": "rgb(255, 0, 0)", "ownRadius": "0px", "api": true, "inLight": float64(0)} {
		if checks[k] != want {
			t.Errorf("%s: %v, want %v", k, checks[k], want)
		}
	}
	if checks["shadowBg"] == "rgb(255, 0, 0)" {
		t.Error("the partner's button style reached into the element")
	}
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.JSPath(el+`.shadowRoot.querySelector('#files')`), imagePaths(t, "street.jpg", "tower.jpg", "bridge.jpg", "truncated.jpg"))); err != nil {
		t.Fatal(err)
	}
	out := pgEval[map[string]any](t, ctx, el+`.start().then((o) => o.counts)`)
	if out["uploaded"] != float64(4) {
		t.Errorf("start() gave %v, want 4 uploaded", out)
	}
	kinds := pgEval[map[string]float64](t, ctx, `got.reduce((m, e) => (m[e.type] = (m[e.type] || 0) + 1, m), {})`)
	if kinds["altiup-file"] < 4 || kinds["altiup-progress"] < 1 || kinds["altiup-done"] != 1 {
		t.Errorf("events: %v", kinds)
	}
	done := pgEval[map[string]any](t, ctx, `got.find((e) => e.type === 'altiup-done').detail.processed`)
	if done["ready"] != float64(3) || done["invalid"] != float64(1) {
		t.Errorf("altiup-done: %v, want 3 ready, 1 invalid", done)
	}
	task := pgEval[map[string]any](t, ctx, el+`.startReconstruction({taskType: 'Native'})`)
	if task["task"] == nil {
		t.Errorf("startReconstruction: %v", task)
	}
}

// axeScript installs axe-core from the npm registry into the Go cache (once)
// and returns its script.
func axeScript(t *testing.T) string {
	t.Helper()
	cache, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(strings.TrimSpace(string(cache)), "altiup-axe")
	file := filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")
	if _, err := os.Stat(file); err != nil {
		out, err := exec.Command("npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", dir, "axe-core@4").CombinedOutput()
		if err != nil {
			if os.Getenv("ALTIUP_REQUIRE_CHROMIUM") != "" {
				t.Fatalf("axe-core could not be installed from npm (needed for the accessibility audit): %v\n%s", err, out)
			}
			t.Skipf("axe-core could not be installed from npm: %v", err)
		}
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPageAccessibility audits the page with axe-core, idle and after an
// upload, in both languages, and checks it fits a phone's width.
func TestPageAccessibility(t *testing.T) {
	axe := axeScript(t)
	p := startServer(t)
	ctx := browser(t)
	audit := func(when string) {
		t.Helper()
		// axe is evaluated through the DevTools protocol; the page's own
		// CSP still applies to everything the page does.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axe)); err != nil {
			t.Fatalf("inject axe: %v", err)
		}
		found := pgEval[[]struct {
			ID, Impact, Help string
			Nodes            []struct{ Target []string }
		}](t, ctx, `axe.run(document, {resultTypes: ['violations']}).then((r) => r.violations.map((v) => ({ID: v.id, Impact: v.impact || '', Help: v.help, Nodes: v.nodes.slice(0, 5).map((n) => ({Target: n.target.map(String)}))})))`)
		for _, v := range found {
			if v.Impact == "serious" || v.Impact == "critical" {
				t.Errorf("%s: %s violation %s (%s) at %v", when, v.Impact, v.ID, v.Help, v.Nodes)
			} else {
				t.Logf("%s: %s violation %s (%s)", when, v.Impact, v.ID, v.Help)
			}
		}
	}
	pgOpen(t, ctx, pg(p)+"/?cloud=s3")
	audit("idle, English")
	if err := chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.CSS("#files"), imagePaths(t, "street.jpg", "truncated.jpg", "report.jpg")),
		chromedp.Click(chromedp.CSS("#start")),
	); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `/Validation:/.test(document.querySelector('#summary').textContent)`, 30*time.Second)
	audit("done, English")
	pgEval[bool](t, ctx, `(() => { const s = document.querySelector('#lang'); s.value = 'zh'; s.dispatchEvent(new Event('change')); return true; })()`)
	pgWait(t, ctx, `document.documentElement.lang === 'zh-CN'`, 5*time.Second)
	audit("done, Chinese")

	// A phone's width: nothing wider than the screen.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740)); err != nil {
		t.Fatal(err)
	}
	if w := pgEval[string](t, ctx, `document.documentElement.scrollWidth + ' ' + window.innerWidth`); w != "360 360" {
		t.Errorf("at 360 px wide the page is %s px (scroll width, viewport)", w)
	}
	// The live region says the progress in words.
	if got := pgEval[string](t, ctx, `document.querySelector('#announce').textContent`); got == "" {
		t.Error("nothing was announced in the live region")
	}
}

// TestPageScreenshots writes screenshots of the page (idle, uploading, done;
// English and Chinese) to testdata/screenshots when ALTIUP_SCREENSHOTS is set.
func TestPageScreenshots(t *testing.T) {
	if os.Getenv("ALTIUP_SCREENSHOTS") == "" {
		t.Skip("set ALTIUP_SCREENSHOTS=1 to write the screenshots")
	}
	out := filepath.Join("..", "testdata", "screenshots")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	p := startServer(t)
	ctx := browser(t)
	files := makeJPEGs(t, 12)
	var paths []string
	for _, f := range files {
		paths = append(paths, f.path)
	}
	shot := func(name string) {
		t.Helper()
		b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(out, name+".png"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1200, 900)); err != nil {
		t.Fatal(err)
	}
	gate := gatePuts(t, ctx, p.storage)
	for i, lang := range []string{"en", "zh"} {
		pgOpen(t, ctx, pg(p)+"/?cloud=s3")
		pgEval[bool](t, ctx, fmt.Sprintf(`(() => { const s = document.querySelector('#lang'); s.value = %q; s.dispatchEvent(new Event('change')); return true; })()`, lang))
		pgWait(t, ctx, `document.querySelector('#status').dataset.state === 'ready'`, 5*time.Second)
		shot("idle-" + lang)
		gate.set(ctx, true)
		if err := chromedp.Do(ctx,
			chromedp.SetValue(chromedp.CSS("#concurrency"), "2"),
			chromedp.SetUploadFiles(chromedp.CSS("#files"), append(append([]string{}, paths[6*i:6*i+6]...), imagePaths(t, "truncated.jpg", "report.jpg")...)),
			chromedp.Click(chromedp.CSS("#start")),
		); err != nil {
			t.Fatal(err)
		}
		gate.waitHeld(t, 2)
		pgWait(t, ctx, `altiupPage.entries().filter((e) => e.state === 'uploading').length === 2`, 20*time.Second)
		shot("uploading-" + lang)
		gate.set(ctx, false)
		pgWait(t, ctx, `/Validation|校验：/.test(document.querySelector('#summary').textContent)`, 60*time.Second)
		shot("done-" + lang)
	}
}
