package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// partnerPage serves a partner site on another origin than the page's: at
// "/" a page that loads altiup.js from p and holds element, with a style
// sheet that would spoil the element's look if it reached into it, and a
// script that collects the element's events in window.got.
func partnerPage(t *testing.T, p *sandboxProc, element string) *httptest.Server {
	t.Helper()
	return hostPage{
		css: `button { background: rgb(255, 0, 0); } .altiup, table { display: none !important; }`,
		js: `window.got = [];
for (const n of ['altiup-file', 'altiup-progress', 'altiup-done', 'altiup-error'])
	document.addEventListener(n, (e) => got.push({type: n, detail: e.detail}));`,
		body: `<button id="own">Partner button</button>
` + element,
	}.serve(t, p)
}

// TestPageEmbed puts <altiup-uploader> on a partner page of another origin:
// the element finds its assets next to its script, keeps its styles to
// itself, raises its events, and uploads.
func TestPageEmbed(t *testing.T) {
	p := startServer(t)
	ctx := browser(t)
	partner := partnerPage(t, p, fmt.Sprintf(`<altiup-uploader api="%s" key="%s" token="%s" project="%s" cloud="s3" lang="zh"></altiup-uploader>`, p.api, p.key, p.token, p.project))
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

// embedEl is the element on the partner page.
const embedEl = `document.querySelector('altiup-uploader')`

// openPartner opens a partner page holding an element of p's API, key and
// project (no token) with attrs, gives it token as its property unless
// token is "", and waits for it to be ready.
func openPartner(t *testing.T, ctx context.Context, p *sandboxProc, attrs, token string) {
	t.Helper()
	partner := partnerPage(t, p, fmt.Sprintf(`<altiup-uploader api="%s" key="%s" project="%s" cloud="s3" %s></altiup-uploader>`, p.api, p.key, p.project, attrs))
	pgConsole(t, ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(partner.URL+"/")); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, embedEl+`.shadowRoot && !!`+embedEl+`.shadowRoot.querySelector('#start:not([disabled])')`, 30*time.Second)
	if token != "" {
		pgEval[bool](t, ctx, fmt.Sprintf(`(`+embedEl+`.token = %q, true)`, token))
	}
}

// TestEmbedTokenProperty gives the element its token as a property and
// through getToken: it uploads, and the token shows nowhere in the page's
// DOM (attributes included) nor in the element's shadow root.
func TestEmbedTokenProperty(t *testing.T) {
	p := startServer(t)
	ctx := browser(t)
	openPartner(t, ctx, p, `lang="en"`, p.token)
	leaks := func(when string) {
		t.Helper()
		dom := pgEval[string](t, ctx, `document.documentElement.outerHTML + '\n' + `+embedEl+`.shadowRoot.innerHTML + '\n' + JSON.stringify([...`+embedEl+`.attributes].map((a) => [a.name, a.value]))`)
		if strings.Contains(dom, p.token) {
			t.Errorf("%s: the token is in the DOM", when)
		}
		if got := pgEval[string](t, ctx, `String(`+embedEl+`.token) + ' ' + String(`+embedEl+`.getToken)`); got != "undefined undefined" {
			t.Errorf("%s: the element gives its token back: %q", when, got)
		}
	}
	upload := func(name string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.JSPath(embedEl+`.shadowRoot.querySelector('#files')`), imagePaths(t, name))); err != nil {
			t.Fatal(err)
		}
		out := pgEval[map[string]any](t, ctx, embedEl+`.start().then((o) => o ? o.counts : {})`)
		if out["uploaded"] != float64(1) {
			t.Errorf("%s: start() gave %v, want 1 uploaded", name, out)
		}
	}
	upload("street.jpg")
	leaks("token property")

	// getToken alone: asked by the uploader, never kept in the DOM.
	pgEval[bool](t, ctx, fmt.Sprintf(`(() => { const e = `+embedEl+`; e.token = ''; window.asked = 0; e.getToken = async () => (asked++, %q); return true; })()`, p.token))
	upload("tower.jpg")
	leaks("getToken")
	if n := pgEval[int](t, ctx, `asked`); n < 1 {
		t.Errorf("getToken was asked %d times", n)
	}
}

// TestEmbedRemovedStopsUploads takes the element out of the page in the
// middle of an upload: its PUTs stop. Put back, it uploads again.
func TestEmbedRemovedStopsUploads(t *testing.T) {
	p := startServer(t)
	ctx := browser(t)
	openPartner(t, ctx, p, `concurrency="1"`, p.token)
	gate := gatePuts(t, ctx, p.storage)
	gate.set(ctx, true)
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.JSPath(embedEl+`.shadowRoot.querySelector('#files')`), jpegPaths(t, 4))); err != nil {
		t.Fatal(err)
	}
	pgEval[bool](t, ctx, `(window.run = `+embedEl+`.start(), true)`)
	gate.waitHeld(t, 1)
	pgEval[bool](t, ctx, `(window.kept = `+embedEl+`, kept.remove(), true)`)
	// The held PUT goes through; nothing new starts.
	gate.set(ctx, false)
	time.Sleep(2 * time.Second) // time for a wrong PUT to show up
	if _, puts := gate.counts(); puts != 1 {
		t.Errorf("%d PUTs after the element was removed, want only the one under way", puts)
	}
	if busy := pgEval[bool](t, ctx, `kept._ui.busy()`); busy {
		t.Error("the removed element still runs")
	}
	// Put back, it sends them all.
	pgEval[bool](t, ctx, `(document.body.append(kept), true)`)
	out := pgEval[map[string]any](t, ctx, embedEl+`.start().then((o) => o ? o.counts : {})`)
	if out["uploaded"] == nil || out["uploaded"].(float64)+out["skipped"].(float64) != 4 {
		t.Errorf("after putting the element back, start() gave %v, want 4 sent", out)
	}
	if n, _ := projectImages(t, p); n != 4 {
		t.Errorf("project has %d images, want 4", n)
	}
}
