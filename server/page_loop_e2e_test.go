package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// loopBatch writes, in a folder of its own, the photos of testdata/photos
// named, each as the name it is given: a truncated JPEG stands in for a
// photo a card reader cut short.
func loopBatch(t *testing.T, files map[string]string) []string {
	t.Helper()
	dir := t.TempDir()
	var out []string
	for as, from := range files {
		to := filepath.Join(dir, as)
		copyFile(t, filepath.Join("..", "testdata", "photos", from), to)
		out = append(out, to)
	}
	return out
}

// loopUpload opens the page, sends paths and waits for the loop's line.
func loopUpload(t *testing.T, ctx context.Context, p *sandboxProc, paths []string, line string) {
	t.Helper()
	pgOpen(t, ctx, pg(p)+"/?cloud=s3")
	if err := chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.CSS("#files"), paths),
		chromedp.Click(chromedp.CSS("#start")),
	); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, fmt.Sprintf(`!document.querySelector('#loop').hidden && document.querySelector('#loopline').textContent === %q`, line), 60*time.Second)
}

func loopText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return pgEval[string](t, ctx, fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? (e.closest('[hidden]') ? 'hidden' : e.textContent) : 'missing'; })()`, sel))
}

// TestPageLoopReplaceInvalid: one photo of four is cut short and ends
// Invalid; the loop says 3 of 4 Ready with the service's reason, offers to
// start with 3 of 4, takes the complete photo (picked with a file that
// matches nothing, said so) through "Replace all Invalid…", waits for its
// validation, says 4 of 4 Ready and offers the start.
func TestPageLoopReplaceInvalid(t *testing.T) {
	p := startServer(t)
	ctx := browser(t)
	pgConsole(t, ctx)
	batch := loopBatch(t, map[string]string{"dji-1.jpg": "dji-1.jpg", "dji-2.jpg": "dji-2-truncated.jpg", "dji-3.jpg": "dji-3.jpg", "dji-4.jpg": "dji-4.jpg"})
	loopUpload(t, ctx, p, batch, "3 of 4 Ready")
	if got := loopText(t, ctx, "#loopinvalid li"); !strings.HasPrefix(got, "dji-2.jpg ") || len(got) < len("dji-2.jpg ")+10 {
		t.Errorf("the Invalid photo listed as %q, want its name and the service's reason", got)
	}
	if got := loopText(t, ctx, "#loopstart"); got != "Start with 3 of 4…" {
		t.Errorf("start offered as %q", got)
	}
	if got := loopText(t, ctx, "#loopresend"); got != "hidden" {
		t.Errorf("send again offered with nothing failed: %q", got)
	}

	fixed := loopBatch(t, map[string]string{"dji-2.jpg": "dji-2.jpg", "notes.jpg": "sony-1.jpg"})
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#loopreplaceall")),
		chromedp.SetUploadFiles(chromedp.CSS("#loopall"), fixed),
	); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `document.querySelector('#loopline').textContent === '4 of 4 Ready'`, 60*time.Second)
	if got := loopText(t, ctx, "#loopnote"); !strings.Contains(got, "notes.jpg") || strings.Contains(got, "dji-2.jpg") {
		t.Errorf("unmatched files said as %q, want notes.jpg alone", got)
	}
	entries := pgEntries(t, ctx)
	if len(entries) != 4 || !allIn(entries, "ready") {
		t.Fatalf("entries after the replacement: %+v, want the 4 photos Ready in place", entries)
	}
	for sel, want := range map[string]string{"#loopinvalid li": "missing", "#loopstart": "Start reconstruction", "#loopreplaceall": "hidden", "#loopconfirm": "hidden"} {
		if got := loopText(t, ctx, sel); got != want {
			t.Errorf("%s: %q, want %q", sel, got, want)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#loopstart"))); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `/^Task /.test(document.querySelector('#reconstruction').textContent)`, 20*time.Second)
	if got := loopText(t, ctx, "#reconwhy"); got != "hidden" {
		t.Errorf("error codes shown for a started task: %q", got)
	}
}

// TestPageLoopStartWithSome starts with 3 of 4 Ready, after the
// confirmation in words, and a start the service refuses (too few Ready
// photos) shows its message and, under "What can cause this", every error
// code explained, in English, then in Chinese.
func TestPageLoopStartWithSome(t *testing.T) {
	t.Run("three of four", func(t *testing.T) {
		p := startServer(t)
		ctx := browser(t)
		batch := loopBatch(t, map[string]string{"dji-1.jpg": "dji-1.jpg", "dji-2.jpg": "dji-2-truncated.jpg", "dji-3.jpg": "dji-3.jpg", "dji-4.jpg": "dji-4.jpg"})
		loopUpload(t, ctx, p, batch, "3 of 4 Ready")
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#loopstart"))); err != nil {
			t.Fatal(err)
		}
		pgWait(t, ctx, `!document.querySelector('#loopconfirm').hidden`, 5*time.Second)
		if got := loopText(t, ctx, "#loopconfirmtext"); !strings.HasPrefix(got, "Only 3 of the 4 photos are Ready.") {
			t.Errorf("confirmation %q", got)
		}
		if got := loopText(t, ctx, "#reconstruction"); got != "" {
			t.Fatalf("started before the confirmation: %q", got)
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#loopyes"))); err != nil {
			t.Fatal(err)
		}
		pgWait(t, ctx, `/^Task /.test(document.querySelector('#reconstruction').textContent) && document.querySelector('#loopconfirm').hidden`, 20*time.Second)
	})
	t.Run("refused", func(t *testing.T) {
		p := startServer(t)
		ctx := browser(t)
		batch := loopBatch(t, map[string]string{"dji-1.jpg": "dji-1.jpg", "dji-2.jpg": "dji-2-truncated.jpg"})
		loopUpload(t, ctx, p, batch, "1 of 2 Ready")
		if err := chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS("#loopstart")),
			chromedp.WaitVisible(chromedp.CSS("#loopyes")),
			chromedp.Click(chromedp.CSS("#loopyes")),
		); err != nil {
			t.Fatal(err)
		}
		pgWait(t, ctx, `/^Not started: .*needs at least 3/.test(document.querySelector('#reconstruction').textContent)`, 20*time.Second)
		pgWait(t, ctx, `!document.querySelector('#reconwhy').hidden && document.querySelectorAll('#reconcodes dt').length === 5`, 20*time.Second)
		if open := pgEval[bool](t, ctx, `document.querySelector('#reconwhy').open`); open {
			t.Error("the disclosure is open before it is asked to")
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#reconwhy summary"))); err != nil {
			t.Fatal(err)
		}
		if got := loopText(t, ctx, "#reconwhy summary"); got != "What can cause this" {
			t.Errorf("summary %q", got)
		}
		codes := `Array.from(document.querySelectorAll('#reconcodes dt')).map((dt) => dt.dataset.code + ': ' + dt.textContent + ' / ' + dt.nextElementSibling.textContent).join('\n')`
		got := pgEval[string](t, ctx, codes)
		if !strings.Contains(got, "TOO_FEW_IMAGES: The project has fewer than 3 Ready images; a reconstruction needs at least 3. / Upload more") ||
			pgEval[string](t, ctx, `document.querySelector('#reconcodes').lang`) != "en" {
			t.Errorf("codes explained:\n%s", got)
		}
		pgEval[bool](t, ctx, `(() => { const s = document.querySelector('#lang'); s.value = 'zh'; s.dispatchEvent(new Event('change')); return true; })()`)
		pgWait(t, ctx, `document.querySelector('#reconcodes').lang === 'zh' && /少于 3 张/.test(document.querySelector('#reconcodes').textContent)`, 20*time.Second)
		if got := loopText(t, ctx, "#reconwhy summary"); got != "可能的原因" {
			t.Errorf("summary in Chinese %q", got)
		}
		if got := loopText(t, ctx, "#loopline"); got != "2 张中 1 张已就绪（Ready）" {
			t.Errorf("the line in Chinese %q", got)
		}
	})
}

// TestPageLoopSendAgain: a cancel leaves two of three photos failed; the
// loop says 1 of 3 Ready, names them, and "Send again what failed" sends
// them through the same uploader until 3 of 3 are Ready, each photo stored
// once.
func TestPageLoopSendAgain(t *testing.T) {
	p := startServer(t)
	ctx := browser(t)
	batch := loopBatch(t, map[string]string{"dji-1.jpg": "dji-1.jpg", "dji-3.jpg": "dji-3.jpg", "dji-4.jpg": "dji-4.jpg"})
	pgOpen(t, ctx, pg(p)+"/?cloud=s3")
	gate := gatePuts(t, ctx, p.storage)
	gate.set(ctx, true)
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#concurrency"), "1"),
		chromedp.SetUploadFiles(chromedp.CSS("#files"), batch),
		chromedp.Click(chromedp.CSS("#start")),
	); err != nil {
		t.Fatal(err)
	}
	gate.waitHeld(t, 1)
	gate.release(ctx)
	gate.waitHeld(t, 1) // the second photo's PUT, after the first went through
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#cancel"))); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `!document.querySelector('#loop').hidden && document.querySelector('#loopline').textContent === '1 of 3 Ready'`, 40*time.Second)
	gate.drop(ctx)
	if n := pgEval[int](t, ctx, `document.querySelectorAll('#loopfailed li').length`); n != 2 {
		t.Errorf("%d photos listed as failed, want 2", n)
	}
	if got := loopText(t, ctx, "#loopfailed li"); !strings.Contains(strings.ToLower(got), "cancel") {
		t.Errorf("a failed photo listed as %q, want why", got)
	}
	if got := loopText(t, ctx, "#loopstart"); got != "Start with 1 of 3…" {
		t.Errorf("start offered as %q", got)
	}
	if err := chromedp.Do(ctx, chromedp.WaitEnabled(chromedp.CSS("#loopresend")), chromedp.Click(chromedp.CSS("#loopresend"))); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `document.querySelector('#loopline').textContent === '3 of 3 Ready' && document.querySelector('#loopstart').textContent === 'Start reconstruction'`, 40*time.Second)
	if got := loopText(t, ctx, "#loopfailed li"); got != "missing" {
		t.Errorf("still listed as failed: %q", got)
	}
	if n, _ := projectImages(t, p); n != 3 {
		t.Errorf("the project has %d images, want 3", n)
	}
}
