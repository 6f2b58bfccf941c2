package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// isoPartner is a partner site on its own origin for the isolated mode:
// "/" is a page whose Content-Security-Policy and body the test sets once
// it knows altiup's address; its script collects the element's events in
// window.got. "/evil.html" is a page that forges the protocol's messages.
type isoPartner struct {
	*httptest.Server
	mu        sync.Mutex
	csp, body string
	altiup    string
}

func newIsoPartner(t *testing.T) *isoPartner {
	t.Helper()
	s := &isoPartner{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		csp, body, altiup := s.csp, s.body, s.altiup
		s.mu.Unlock()
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Security-Policy", csp)
			fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner</title>
<script src="%s/altiup.js"></script>
</head><body><h1>Partner site</h1><input type="file" id="pick" multiple>
%s
<script src="/partner.js"></script></body></html>`, altiup, body)
		case "/partner.js":
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, `window.got = [];
for (const n of ['altiup-file', 'altiup-progress', 'altiup-done', 'altiup-error'])
	document.addEventListener(n, (e) => got.push({type: n, detail: JSON.parse(JSON.stringify(e.detail))}));`)
		case "/evil.html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<!doctype html><title>evil</title><script src="/evil.js"></script>`)
		case "/evil.js":
			// A frame of another origin on the partner's page: it tells the
			// host of a forged event and a forged refusal, and asks every
			// frame it can reach to dispose of its uploader (those in the
			// element's shadow root are not in window.frames; one in the
			// light DOM is).
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, `const tag = 'altiup-embed/1';
parent.postMessage({altiup: tag, kind: 'notify', method: 'event', args: ['done', {forged: true}]}, '*');
parent.postMessage({altiup: tag, kind: 'notify', method: 'refused', args: [{message: 'forged'}]}, '*');
for (let i = 0; i < parent.frames.length; i++) parent.frames[i].postMessage({altiup: tag, kind: 'call', id: 1, method: 'dispose', args: []}, '*');
parent.postMessage('evil-done', '*');`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *isoPartner) set(altiup, csp, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.altiup, s.csp, s.body = altiup, csp, body
}

// strictCSP is a partner's policy for the isolated mode: altiup's script
// and frame, nothing evaluated, no connection beyond its own origin.
func strictCSP(altiup string) string {
	return "default-src 'none'; script-src 'self' " + altiup + "; frame-src " + altiup + "; connect-src 'self'; style-src 'self'; img-src 'self'"
}

// isoElement is the isolated element of p's API, key and project.
func isoElement(p *sandboxProc, cloud string) string {
	return fmt.Sprintf(`<altiup-uploader isolated api="%s" key="%s" project="%s" cloud="%s" lang="en"></altiup-uploader>`, p.api, p.key, p.project, cloud)
}

// openIso starts the server and a partner page of another origin under
// strictCSP, allowed by -frame-ancestors, holding element(p, cloud) when
// given; an element is waited for until it is ready.
func openIso(t *testing.T, element func(*sandboxProc, string) string, cloud string) (*sandboxProc, context.Context) {
	t.Helper()
	partner := newIsoPartner(t)
	p := startServer(t, "-frame-ancestors", partner.URL)
	body := ""
	if element != nil {
		body = element(p, cloud)
	}
	partner.set(pg(p), strictCSP(pg(p)), body)
	ctx := browser(t)
	pgConsole(t, ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(partner.URL+"/")); err != nil {
		t.Fatal(err)
	}
	if element != nil {
		pgEval[bool](t, ctx, `(async () => { await `+embedEl+`.ready; return true; })()`)
	}
	return p, ctx
}

// isoAdd hands files to the element as the host does: File objects from
// its own file input, through a DataTransfer.
func isoAdd(t *testing.T, ctx context.Context, names ...string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("#pick"), imagePaths(t, names...))); err != nil {
		t.Fatal(err)
	}
	pgEval[bool](t, ctx, `(async () => {
		const dt = new DataTransfer();
		for (const f of document.querySelector('#pick').files) dt.items.add(f);
		await `+embedEl+`.add(dt.files);
		return true;
	})()`)
}

// TestEmbedIsolated uploads through <altiup-uploader isolated> on a
// partner page of another origin under a strict CSP (no 'wasm-unsafe-eval',
// connect-src 'self' only): the uploader runs in altiup's frame, the host
// hands it files and a token, and the images end Ready. The host's DOM,
// storage and every event it received hold no token, STS credential or
// signed URL.
func TestEmbedIsolated(t *testing.T) {
	p, ctx := openIso(t, isoElement, "oss")
	pgEval[bool](t, ctx, fmt.Sprintf(`(`+embedEl+`.token = %q, true)`, p.token))

	isoAdd(t, ctx, "street.jpg", "tower.jpg", "bridge.jpg")
	out := pgEval[map[string]any](t, ctx, embedEl+`.start()`)
	counts, _ := out["counts"].(map[string]any)
	processed, _ := out["processed"].(map[string]any)
	if counts["uploaded"] != float64(3) || processed["ready"] != float64(3) {
		t.Fatalf("start() gave %v, want 3 uploaded and 3 ready", out)
	}
	if n, _ := projectImages(t, p); n != 3 {
		t.Errorf("project has %d images, want 3", n)
	}
	entries := pgEval[[]map[string]any](t, ctx, embedEl+`.entries()`)
	if len(entries) != 3 {
		t.Errorf("entries(): %d, want 3", len(entries))
	}
	kinds := pgEval[map[string]float64](t, ctx, `got.reduce((m, e) => (m[e.type] = (m[e.type] || 0) + 1, m), {})`)
	if kinds["altiup-file"] < 3 || kinds["altiup-progress"] < 1 || kinds["altiup-done"] != 1 || kinds["altiup-error"] != 0 {
		t.Errorf("events: %v", kinds)
	}
	wait := pgEval[map[string]any](t, ctx, embedEl+`.waitProcessed()`)
	if wait["ready"] != float64(3) {
		t.Errorf("waitProcessed(): %v", wait)
	}

	// What the host holds: its DOM (the element's shadow root too), its
	// storage, IndexedDB and the events.
	var dump struct {
		Dbs  int
		Text string
	}
	dumpJSON := pgEval[string](t, ctx, badDumpStorage)
	if err := json.Unmarshal([]byte(dumpJSON), &dump); err != nil {
		t.Fatal(err)
	}
	held := dump.Text + "\n" + pgEval[string](t, ctx, embedEl+`.shadowRoot.innerHTML + '\n' + JSON.stringify(got)`)
	if strings.Contains(held, p.token) {
		t.Error("the host page holds the user token")
	}
	if m := badSecretPatterns.FindAllString(held, 5); len(m) > 0 {
		t.Errorf("the host page holds secrets: %q", m)
	}
	if dump.Dbs != 0 {
		t.Errorf("the host page has %d IndexedDB databases, want none (the journal lives in the frame)", dump.Dbs)
	}
	if !strings.Contains(held, `src="`+pg(p)+`/embed?`) {
		t.Error("no frame of altiup's /embed in the element")
	}
}

// TestEmbedIsolatedToken: the host's getToken is asked by the frame (a
// round trip through postMessage) and the upload goes through; the
// frame's own sign-in is offered only when the host gives no token.
func TestEmbedIsolatedToken(t *testing.T) {
	p, ctx := openIso(t, isoElement, "s3")
	pgEval[bool](t, ctx, fmt.Sprintf(`(window.asked = 0, `+embedEl+`.getToken = async () => (asked++, %q), true)`, p.token))
	isoAdd(t, ctx, "street.jpg")
	out := pgEval[map[string]any](t, ctx, embedEl+`.start()`)
	if c, _ := out["counts"].(map[string]any); c["uploaded"] != float64(1) {
		t.Fatalf("start() gave %v, want 1 uploaded", out)
	}
	if n := pgEval[int](t, ctx, `asked`); n < 1 {
		t.Errorf("getToken was asked %d times", n)
	}
	if got := pgEval[string](t, ctx, `JSON.stringify(got)`); strings.Contains(got, p.token) || badSecretPatterns.MatchString(got) {
		t.Errorf("events hold a secret: %.300s", got)
	}
}

// TestEmbedIsolatedOrigins: the host ignores messages from another frame
// than altiup's, the frame ignores calls from another window than its
// host, and a host origin -frame-ancestors does not allow gets no frame,
// and an error that says why.
func TestEmbedIsolatedOrigins(t *testing.T) {
	partner := newIsoPartner(t)
	evil := newIsoPartner(t)
	other := newIsoPartner(t)
	p := startServer(t, "-frame-ancestors", "KEYLESS=https://unused.example", "-frame-ancestors", partner.URL)
	ctx := browser(t)
	pgConsole(t, ctx)

	// A page with an evil frame beside the uploader's.
	partner.set(pg(p), "default-src 'none'; script-src 'self' "+pg(p)+"; frame-src "+pg(p)+" "+evil.URL+"; connect-src 'self'",
		isoElement(p, "s3")+`<div id="box"></div><iframe id="evil"></iframe>`)
	if err := chromedp.Do(ctx, chromedp.Navigate(partner.URL+"/")); err != nil {
		t.Fatal(err)
	}
	pgEval[bool](t, ctx, `(async () => { await `+embedEl+`.ready; return true; })()`)
	pgEval[bool](t, ctx, fmt.Sprintf(`(`+embedEl+`.token = %q, true)`, p.token))
	isoAdd(t, ctx, "street.jpg", "tower.jpg")
	// An uploader of the JS API in a frame of the light DOM, which the evil
	// frame can reach.
	pgEval[bool](t, ctx, fmt.Sprintf(`(async () => {
		window.up = await altiup.create({isolated: true, container: document.querySelector('#box'), api: %q, key: %q, project: %q, token: %q});
		await up.add(document.querySelector('#pick').files);
		return true;
	})()`, p.api, p.key, p.project, p.token))
	pgEval[bool](t, ctx, `new Promise((ok) => {
		window.addEventListener('message', (e) => { if (e.data === 'evil-done') ok(true); });
		document.querySelector('#evil').src = '`+evil.URL+`/evil.html';
	})`)
	if n := len(pgEval[[]map[string]any](t, ctx, embedEl+`.entries()`)); n != 2 {
		t.Errorf("the frame lists %d files, want 2", n)
	}
	if got := pgEval[string](t, ctx, `JSON.stringify(got)`); strings.Contains(got, "forged") {
		t.Errorf("the host took a forged event: %s", got)
	}
	if got := pgEval[string](t, ctx, `up.inspect().then((s) => 'images ' + s.images, (e) => e.message)`); got != "images 2" {
		t.Errorf("after a forged dispose, inspect(): %s", got)
	}
	if got := pgEval[string](t, ctx, embedEl+`.start().then(() => 'started', (e) => e.message)`); got != "started" {
		t.Errorf("after a forged refusal, start(): %s", got)
	}

	// A host origin not allowed: the frame is refused, in words.
	other.set(pg(p), strictCSP(pg(p)), isoElement(p, "s3"))
	if err := chromedp.Do(ctx, chromedp.Navigate(other.URL+"/")); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `got.some((e) => e.type === 'altiup-error' && e.detail.code === 'frame_refused')`, 40*time.Second)
	msg := pgEval[string](t, ctx, `got.find((e) => e.detail.code === 'frame_refused').detail.message`)
	if !strings.Contains(msg, "-frame-ancestors") {
		t.Errorf("refusal %q does not say why", msg)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](embedEl+`.start()`, chromedp.EvalAwaitPromise)); err == nil {
		t.Error("start() on a refused frame resolved")
	}
}

// TestEmbedIsolatedSignIn signs in inside the frame: with no token from the
// host, the frame offers sign-in, opens the API's OAuth consent in a popup,
// takes the token the popup comes back with, and uploads. The host never
// had the token.
func TestEmbedIsolatedSignIn(t *testing.T) {
	p, ctx := openIso(t, isoElement, "s3")
	popup := chromedp.WaitNewTarget(ctx, func(info *target.Info) bool { return strings.Contains(info.URL, "/auth/start") })
	// The frame is of the same site (127.0.0.1), so in the same process:
	// its button is found by a search of the whole page (a plain string
	// selector is a DOM search).
	if err := chromedp.Do(ctx, chromedp.Click("#embed-signin", chromedp.NodeVisible)); err != nil {
		t.Fatal(err)
	}
	var id target.ID
	select {
	case id = <-popup:
	case <-time.After(30 * time.Second):
		t.Fatal("no sign-in popup")
	}
	pctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(id))
	defer cancel()
	if err := chromedp.Do(pctx, chromedp.Click(chromedp.CSS(`button[value="allow"]`), chromedp.NodeVisible)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitReady(`//span[@id="embed-message" and text()="Signed in."]`)); err != nil {
		t.Fatal(err)
	}
	isoAdd(t, ctx, "street.jpg", "tower.jpg")
	out := pgEval[map[string]any](t, ctx, embedEl+`.start()`)
	if c, _ := out["counts"].(map[string]any); c["uploaded"] != float64(2) {
		t.Fatalf("start() gave %v, want 2 uploaded", out)
	}
	held := pgEval[string](t, ctx, `document.documentElement.outerHTML + `+embedEl+`.shadowRoot.innerHTML + JSON.stringify(got) + JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage})`)
	if strings.Contains(held, p.token) || badSecretPatterns.MatchString(held) {
		t.Errorf("the host holds a secret: %.300s", held)
	}
}

// TestPartnerDemo opens the demo partner page (-partner-addr) under the
// policy its snippets give: the in-page element uploads, the isolated one
// connects, and the CSP refuses nothing.
func TestPartnerDemo(t *testing.T) {
	p := startServer(t, "-partner-addr", "127.0.0.1:0")
	ctx := browser(t)
	pgConsole(t, ctx)
	cspOK := watchCSP(t, ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(p.partner)); err != nil {
		t.Fatal(err)
	}
	const inPage, isolated = `document.querySelector('#inpage-el')`, `document.querySelector('#isolated-el')`
	pgWait(t, ctx, inPage+`.shadowRoot && !!`+inPage+`.shadowRoot.querySelector('#start:not([disabled])')`, 30*time.Second)
	pgEval[bool](t, ctx, `(async () => { await `+isolated+`.ready; return true; })()`)
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.JSPath(inPage+`.shadowRoot.querySelector('#files')`), imagePaths(t, "street.jpg"))); err != nil {
		t.Fatal(err)
	}
	out := pgEval[map[string]any](t, ctx, inPage+`.start().then((o) => o ? o.counts : {})`)
	if out["uploaded"] != float64(1) {
		t.Errorf("the in-page element's start() gave %v, want 1 uploaded", out)
	}
	cspOK()
}

// TestEmbedIsolatedCreate: altiup.create({isolated: true}) gives the
// uploader's API with the uploader in a hidden frame: files from the host,
// inspect, start, the file events and waitProcessed, under the strict CSP.
func TestEmbedIsolatedCreate(t *testing.T) {
	p, ctx := openIso(t, nil, "")
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("#pick"), imagePaths(t, "street.jpg", "tower.jpg", "truncated.jpg"))); err != nil {
		t.Fatal(err)
	}
	out := pgEval[map[string]any](t, ctx, fmt.Sprintf(`(async () => {
		const events = [];
		const up = await altiup.create({isolated: true, api: %q, key: %q, project: %q, cloud: 's3', getToken: async () => %q});
		up.on('file', (e) => events.push(e));
		await up.add(document.querySelector('#pick').files);
		const summary = await up.inspect();
		const report = await up.start();
		const processed = await up.waitProcessed();
		let refused = null;
		up.dispose();
		await up.start().catch((e) => (refused = e));
		return {images: summary.images, uploaded: report.uploaded, ready: processed.ready, invalid: processed.invalid,
			states: [...new Set(events.map((e) => e.state))], framed: !!up.frame && !up.frame.isConnected, refused,
			leaked: JSON.stringify([events, report, processed])};
	})()`, p.api, p.key, p.project, p.token))
	if out["images"] != float64(3) || out["uploaded"] != float64(3) || out["ready"] != float64(2) || out["invalid"] != float64(1) {
		t.Errorf("create({isolated: true}): %v, want 3 images, 3 uploaded, 2 ready, 1 invalid", out)
	}
	if states := fmt.Sprint(out["states"]); !strings.Contains(states, "uploaded") {
		t.Errorf("file events' states %s lack uploaded", states)
	}
	if out["framed"] != true || out["refused"] == nil {
		t.Errorf("after dispose(): frame gone %v, start() refused with %v", out["framed"], out["refused"])
	}
	if leaked := out["leaked"].(string); strings.Contains(leaked, p.token) || badSecretPatterns.MatchString(leaked) {
		t.Errorf("what the host got holds a secret: %.300s", leaked)
	}
}
