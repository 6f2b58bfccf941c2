package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestPagePauseResumeCancelRetry holds the uploads at the storage so that
// pause, resume and cancel happen mid-upload; the files the cancel failed
// are then retried, one by its row's button and the rest with "retry all
// failed".
func TestPagePauseResumeCancelRetry(t *testing.T) {
	p := startServer(t)
	ctx := browser(t)
	paths := jpegPaths(t, 7)
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
	if n != len(paths) {
		t.Errorf("project has %d images, want %d", n, len(paths))
	}
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

// TestPageReplaceInvalid replaces an Invalid photo through its row's
// "Replace…" button with a file of the same content (as after a storage
// fault): it is sent again in the Invalid one's place rather than skipped
// as its duplicate.
func TestPageReplaceInvalid(t *testing.T) {
	p := startServer(t)
	ctx := browser(t)
	pgOpen(t, ctx, pg(p)+"/?cloud=s3")
	puts := gatePuts(t, ctx, p.storage) // counts the PUTs, holds none
	bad := imagePaths(t, "truncated.jpg")
	if err := chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.CSS("#files"), bad),
		chromedp.Click(chromedp.CSS("#start")),
	); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `/Validation: 0 ready, 1 invalid/.test(document.querySelector('#summary').textContent)`, 30*time.Second)
	if _, n := puts.counts(); n != 1 {
		t.Fatalf("%d PUTs for one photo", n)
	}
	if err := chromedp.Do(ctx,
		chromedp.WaitEnabled(chromedp.CSS(`#filelist tr[data-state=invalid] button.replace`)),
		chromedp.Click(chromedp.CSS(`#filelist tr[data-state=invalid] button.replace`)),
		chromedp.SetUploadFiles(chromedp.CSS("#replace"), bad),
	); err != nil {
		t.Fatal(err)
	}
	// The replacement is sent at once: its PUT first, then its validation.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if _, n := puts.counts(); n >= 2 {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("%d PUTs: the replacement was not sent", n)
		}
	}
	pgWait(t, ctx, `/Validation:/.test(document.querySelector('#summary').textContent) && altiupPage.entries().length === 1 && altiupPage.entries()[0].state === 'invalid' && document.querySelector('#loopline').textContent === '0 of 1 Ready'`, 30*time.Second)
	if _, n := puts.counts(); n != 2 {
		t.Errorf("%d PUTs in all, want the replacement sent again (2)", n)
	}
}
