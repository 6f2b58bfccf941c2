package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"altiup/wasm/photometa/phototest"
)

// surveyPaths are the survey of testdata/photos the Check step is tried on
// (two cameras, one photo without GPS, one exact copy), in the order added.
var surveyPaths = []string{"dji-1.jpg", "dji-2.jpg", "dji-3.jpg", "dji-4.jpg", "sony-1.jpg", "dji-nogps.jpg", "dji-1-copy.jpg"}

func surveyFiles(t *testing.T) []string {
	t.Helper()
	var names []string
	for _, n := range surveyPaths {
		names = append(names, filepath.Join("..", "photos", n))
	}
	return imagePaths(t, names...)
}

// checkNamed maps each warning shown to the photos it names.
func checkNamed(t *testing.T, ctx context.Context) map[string][]string {
	t.Helper()
	return pgEval[map[string][]string](t, ctx, `Object.fromEntries([...document.querySelectorAll('#checkwarnings > li[data-code]')].map((li) =>
		[li.dataset.code, [...li.querySelectorAll('button.show')].map((b) => b.textContent)]))`)
}

// TestPageCheck: added photos are checked before Start: the summary line,
// the warnings naming the right photos, a named photo's row reached, the
// map (points, scale bar, north arrow; photos named under the pointer and
// by the arrow keys), both exports downloaded, and a flagged photo left out
// is not sent while the others end Ready.
func TestPageCheck(t *testing.T) {
	p := startServer(t)
	ctx := browser(t)
	pgConsole(t, ctx)
	cspOK := watchCSP(t, ctx)
	downloads := t.TempDir()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1200, 900)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads,
	}); err != nil {
		t.Fatal(err)
	}
	pgOpen(t, ctx, pg(p)+"/?cloud=s3")
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("#files"), surveyFiles(t))); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `!document.querySelector('#check').hidden && document.querySelector('#checksummary .check-summary') && document.querySelector('#checksummary .check-cost, #checksummary .check-cost-free')`, 30*time.Second)
	if !allIn(pgEntries(t, ctx), "waiting") {
		t.Errorf("checked but not started: %+v, want every file waiting", pgEntries(t, ctx))
	}

	// The summary line, from the fixtures' own figures.
	set := map[string]phototest.Named{}
	for _, f := range phototest.Set() {
		set[f.Name] = f
	}
	var pixels, gps int
	for _, n := range surveyPaths {
		ph := set[strings.Replace(n, "-copy", "", 1)].Photo
		pixels += max(ph.PixelX*ph.PixelY, 2_073_600)
		if ph.GPS {
			gps++
		}
	}
	want := fmt.Sprintf("Photos: %d, %.3f GP, cameras: 2, with GPS: %d.", len(surveyPaths), float64(pixels)/1e9, gps)
	if got := pgEval[string](t, ctx, `document.querySelector('#checksummary .check-summary').textContent`); got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	named := checkNamed(t, ctx)
	for code, want := range map[string][]string{"no_gps": {"dji-nogps.jpg"}, "mixed_cameras": {"sony-1.jpg"}, "duplicate_content": {"dji-1-copy.jpg"}} {
		if !slices.Equal(named[code], want) {
			t.Errorf("warning %s names %q, want %q (all: %v)", code, named[code], want, named)
		}
	}

	// A named photo's button reaches its row.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#checkwarnings li[data-code=no_gps] button.show`))); err != nil {
		t.Fatal(err)
	}
	if got := pgEval[string](t, ctx, `(document.activeElement.closest('tr') || {dataset: {}}).dataset.name || document.activeElement.tagName`); got != "dji-nogps.jpg" {
		t.Errorf("the photo's button moved focus to %q, want its row", got)
	}

	// The map: a point per photo with GPS, a round scale bar, north.
	if n := pgEval[int](t, ctx, `document.querySelectorAll('#checkmap svg .points > *').length`); n != gps {
		t.Errorf("%d points on the map, want %d", n, gps)
	}
	bar := pgEval[[]string](t, ctx, `[document.querySelector('#checkmap .scalebar').dataset.meters, document.querySelector('#checkmap .scalebar text').textContent, String(!!document.querySelector('#checkmap .north')), document.querySelector('#checkmap svg').getAttribute('aria-label')]`)
	if !regexp.MustCompile(`^[125]0*$`).MatchString(bar[0]) || !regexp.MustCompile(`^\d+ (m|km)$`).MatchString(bar[1]) || bar[2] != "true" || !strings.Contains(bar[3], "1 without GPS") {
		t.Errorf("scale bar, north arrow, label: %q", bar)
	}
	// Under the pointer, a photo is named.
	pointed := pgEval[string](t, ctx, `(() => {
		const c = document.querySelector('#checkmap svg .points circle').getBoundingClientRect();
		document.querySelector('#checkmap').dispatchEvent(new PointerEvent('pointermove', {bubbles: true, clientX: c.left + c.width / 2, clientY: c.top + c.height / 2}));
		return document.querySelector('#checkpoint').textContent;
	})()`)
	if !regexp.MustCompile(`^dji-\d(-copy)?\.jpg: 22\.\d+, 114\.\d+$|^sony-1\.jpg: `).MatchString(pointed) {
		t.Errorf("under the pointer: %q", pointed)
	}
	// By keyboard: Home names the first point, an arrow another, Enter
	// reaches its row.
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS("#checkmap")), chromedp.KeyEvent(kb.Home)); err != nil {
		t.Fatal(err)
	}
	first := pgEval[string](t, ctx, `document.querySelector('#checkpoint').textContent`)
	moved := ""
	for _, k := range []string{kb.ArrowRight, kb.ArrowLeft, kb.ArrowUp, kb.ArrowDown} {
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Home), chromedp.KeyEvent(k)); err != nil {
			t.Fatal(err)
		}
		if moved = pgEval[string](t, ctx, `document.querySelector('#checkpoint').textContent`); moved != first {
			break
		}
	}
	if first == "" || moved == first {
		t.Errorf("the arrow keys named %q then %q", first, moved)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	if got := pgEval[string](t, ctx, `(document.activeElement.closest('tr') || {dataset: {}}).dataset.name || ''`); got == "" || !strings.HasPrefix(moved, got+":") {
		t.Errorf("Enter on %q focused the row of %q", moved, got)
	}

	// Both exports download the positions as files.
	for _, id := range []string{"exportcsv", "exportgeojson"} {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#"+id))); err != nil {
			t.Fatal(err)
		}
	}
	read := func(name string) []byte {
		t.Helper()
		var b []byte
		for i := 0; i < 100; i++ {
			if b, _ = os.ReadFile(filepath.Join(downloads, name)); len(b) > 0 {
				return b
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("%s was not downloaded", name)
		return nil
	}
	rows, err := csv.NewReader(strings.NewReader(string(read("positions.csv")))).ReadAll()
	if err != nil || len(rows) != gps+1 || strings.Join(rows[0], ",") != "index,name,lat,lon,alt" || rows[1][1] != "dji-1.jpg" {
		t.Errorf("positions.csv: %q, %v", rows, err)
	}
	var fc struct {
		Features []struct{ Properties struct{ Name string } }
	}
	if err := json.Unmarshal(read("positions.geojson"), &fc); err != nil || len(fc.Features) != gps {
		t.Errorf("positions.geojson: %+v, %v", fc, err)
	}

	// With a tile URL template, tiles are drawn behind the points.
	pgEval[bool](t, ctx, `(() => { document.querySelector('#uploader').dataset.tiles = '/tiles/{z}/{x}/{y}.png'; altiupPage.add([]); return true; })()`)
	pgWait(t, ctx, `document.querySelectorAll('#checkmap svg .tiles image').length > 0`, 15*time.Second)
	if href := pgEval[string](t, ctx, `document.querySelector('#checkmap svg .tiles image').getAttribute('href')`); !regexp.MustCompile(`^/tiles/1\d/\d+/\d+\.png$`).MatchString(href) {
		t.Errorf("tile %q", href)
	}
	pgEval[bool](t, ctx, `(() => { delete document.querySelector('#uploader').dataset.tiles; altiupPage.add([]); return true; })()`)
	pgWait(t, ctx, `document.querySelectorAll('#checkmap svg .tiles image').length === 0 && document.querySelectorAll('#checkmap svg .points > *').length > 0`, 15*time.Second)

	checkAudit(t, ctx)
	// A phone's width: the step fits.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740)); err != nil {
		t.Fatal(err)
	}
	if w := pgEval[string](t, ctx, `document.documentElement.scrollWidth + ' ' + window.innerWidth`); w != "360 360" {
		t.Errorf("at 360 px wide the page with the Check step is %s px (scroll width, viewport)", w)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1200, 900)); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("ALTIUP_SCREENSHOTS") != "" {
		checkScreenshots(t, ctx)
	}

	// Left out, a flagged photo is shown so, can be put back, and is not sent.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#checkwarnings li[data-code=no_gps] button.leave`))); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `altiupPage.entries().find((e) => e.name === 'dji-nogps.jpg').state === 'excluded' && document.querySelector('#checkleft button.back') && !document.querySelector('#checkwarnings li[data-code=no_gps]')`, 15*time.Second)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#checkwarnings li[data-code=mixed_cameras] button.leaveall`))); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `altiupPage.entries().filter((e) => e.state === 'excluded').length === 2 && document.querySelectorAll('#checkleft button.back').length === 2`, 15*time.Second)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#checkleft li[data-n="4"] button.back`))); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `altiupPage.entries().find((e) => e.name === 'sony-1.jpg').state === 'waiting' && document.querySelectorAll('#checkleft button.back').length === 1`, 15*time.Second)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#start"))); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `/Validation:/.test(document.querySelector('#summary').textContent)`, 60*time.Second)
	for _, e := range pgEntries(t, ctx) {
		if want := e.Name == "dji-nogps.jpg"; want != (e.State == "excluded") || (!want && e.State != "ready" && e.State != "skipped") {
			t.Errorf("%s ended %s", e.Name, e.State)
		}
	}
	if got := pgEval[string](t, ctx, `document.querySelector('#summary').textContent`); !strings.HasPrefix(got, fmt.Sprintf("%d files:", len(surveyPaths)-1)) {
		t.Errorf("summary %q counts the photo left out", got)
	}

	// Photos without a position: the map says so instead of drawing nothing.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#clear")),
		chromedp.SetUploadFiles(chromedp.CSS("#files"), imagePaths(t, filepath.Join("..", "photos", "dji-nogps.jpg"))),
	); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `!document.querySelector('#check').hidden && /^Photos: 1, /.test(document.querySelector('#checksummary .check-summary').textContent)`, 30*time.Second)
	if got := pgEval[string](t, ctx, `document.querySelector('#checkmap').textContent + ' | ' + document.querySelectorAll('#checkmap svg').length + ' ' + document.querySelector('#exportcsv').disabled`); got != "No photo has a real GPS position, so there is no map to draw. | 0 true" {
		t.Errorf("map of a set without GPS: %q", got)
	}
	cspOK()
}

// checkAudit audits the Check step with axe-core: no serious or critical
// violation.
func checkAudit(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axeScript(t))); err != nil {
		t.Fatalf("inject axe: %v", err)
	}
	found := pgEval[[]string](t, ctx, `axe.run(document.querySelector('#check'), {resultTypes: ['violations']}).then((r) => r.violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id + ': ' + v.help + ' at ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')))`)
	for _, v := range found {
		t.Errorf("the Check step: %s", v)
	}
}

// checkScreenshots writes the Check step in English and in Chinese to
// testdata/screenshots (check-en.png, check-zh.png).
func checkScreenshots(t *testing.T, ctx context.Context) {
	t.Helper()
	out := filepath.Join("..", "testdata", "screenshots")
	for _, lang := range []string{"en", "zh"} {
		pgEval[bool](t, ctx, fmt.Sprintf(`(() => { const s = document.querySelector('#lang'); s.value = %q; s.dispatchEvent(new Event('change')); return true; })()`, lang))
		pgWait(t, ctx, fmt.Sprintf(`document.documentElement.lang.startsWith(%q)`, lang), 5*time.Second)
		b, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS("#check")))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(out, "check-"+lang+".png"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pgEval[bool](t, ctx, `(() => { const s = document.querySelector('#lang'); s.value = 'en'; s.dispatchEvent(new Event('change')); return true; })()`)
	pgWait(t, ctx, `document.documentElement.lang === 'en'`, 5*time.Second)
}

// TestInspectFileGone: a photo deleted after it was chosen (its size
// already read) does not cost the others of its batch their metadata: the
// head workers read a batch as one Blob, which then fails, and read it
// again file by file; the photo gone is named, nothing else is lost.
func TestInspectFileGone(t *testing.T) {
	p := startServer(t)
	ctx := browser(t)
	pgConsole(t, ctx)
	pgOpen(t, ctx, pg(p)+"/?cloud=s3")
	dir := t.TempDir()
	names := []string{"dji-1.jpg", "dji-2.jpg", "dji-3.jpg", "dji-4.jpg"}
	var paths []string
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "photos", n))
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, filepath.Join(dir, n))
		if err := os.WriteFile(paths[len(paths)-1], b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pgEval[bool](t, ctx, `(() => { const i = document.createElement('input'); i.type = 'file'; i.multiple = true; i.id = 'pick'; i.hidden = true; document.body.append(i); return true; })()`)
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("#pick"), paths)); err != nil {
		t.Fatal(err)
	}
	// The sizes read while every file is there, then one goes.
	if n := pgEval[int](t, ctx, `[...document.querySelector('#pick').files].filter((f) => f.size > 0).length`); n != len(names) {
		t.Fatalf("%d of %d files with a size", n, len(names))
	}
	if err := os.Remove(paths[2]); err != nil {
		t.Fatal(err)
	}
	out := pgEval[map[string]any](t, ctx, fmt.Sprintf(`(async () => {
		const up = await altiup.create({api: %q, key: %q, project: %q, token: %q, cloud: 's3'});
		try {
			const metas = {};
			up.on('file', (e) => { if (e.meta && e.meta.lat !== undefined) metas[e.name] = e.meta; });
			await up.add(document.querySelector('#pick').files);
			const s = await up.inspect();
			const named = {};
			for (const w of s.warnings) named[w.code] = w.files;
			return {images: s.images, withGPS: s.withGPS, named, metas: Object.keys(metas).sort(), bytes: s.bytes};
		} finally {
			up.dispose();
		}
	})()`, p.api, p.key, p.project, p.token))
	if out["withGPS"] != float64(3) {
		t.Errorf("%v photos with GPS, want the 3 still there: %v", out["withGPS"], out)
	}
	if got := fmt.Sprint(out["metas"]); got != "[dji-1.jpg dji-2.jpg dji-4.jpg]" {
		t.Errorf("positions shown for %s, want the 3 photos still there (%v)", got, out)
	}
	named := fmt.Sprint(out["named"])
	if !strings.Contains(named, "unreadable_metadata:[2]") && !strings.Contains(named, "not_image:[2]") {
		t.Errorf("the warnings %s do not name the photo gone (index 2)", named)
	}
}
