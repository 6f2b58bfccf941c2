package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

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
	paths := jpegPaths(t, 12)
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
