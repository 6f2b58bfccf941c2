package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

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
	// One photo is too few: the service says so in words.
	if err := chromedp.Do(ctx, chromedp.WaitEnabled(chromedp.CSS("#reconstruct")), chromedp.Click(chromedp.CSS("#reconstruct"))); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `document.querySelector('#reconstruction').dataset.code === 'api'`, 20*time.Second)
	if got := pgEval[string](t, ctx, `document.querySelector('#reconstruction').textContent`); !strings.HasPrefix(got, "Not started: ") || !strings.Contains(got, "at least 3") {
		t.Errorf("reconstruction: %q, want the service's words", got)
	}
}
