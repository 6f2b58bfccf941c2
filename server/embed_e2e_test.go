package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

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
