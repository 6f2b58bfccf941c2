package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestPageFolders picks a whole folder (subfolders included) through the
// folder picker, then drops a folder tree onto the drop zone. Files that are
// not images by content are listed as not uploaded, with why (the uploader
// tells them as it reads them).
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
	cspOK := watchCSP(t, ctx)
	pgOpen(t, ctx, pg(p)+"/?cloud=s3")
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("#folder"), []string{dir})); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `altiupPage.entries().length === 5`, 10*time.Second)
	if !allIn(pgEntries(t, ctx), "waiting") {
		t.Errorf("before the upload: %+v, want every file waiting", pgEntries(t, ctx))
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#start"))); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `/Validation:/.test(document.querySelector('#summary').textContent)`, 30*time.Second)
	summary := pgEval[string](t, ctx, `document.querySelector('#summary').textContent`)
	if want := "3 files: 3 uploaded, 0 skipped, 0 failed. Validation: 3 ready, 0 invalid. 2 not uploaded (not images)."; summary != want {
		t.Errorf("summary %q, want %q", summary, want)
	}
	// The uploader tells the files that are not images by their content.
	states := map[string]pgEntry{}
	for _, e := range pgEntries(t, ctx) {
		states[e.Name] = e
	}
	for name, want := range map[string]string{
		"survey/street.jpg": "ready", "survey/tower.jpg": "ready", "survey/north/bridge.jpg": "ready",
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
	// Rows are drawn at the next frame.
	pgWait(t, ctx, `document.querySelectorAll('#filelist tr[data-state=ready]').length === 3`, 5*time.Second)
	// The photos in view get thumbnails; the files that are not images none.
	pgWait(t, ctx, `document.querySelectorAll('#filelist tr[data-state=ready] canvas.thumb[data-drawn="1"]').length === 3 && document.querySelectorAll('#filelist tr[data-state=unsupported] canvas.thumb[data-drawn="1"]').length === 0`, 10*time.Second)

	// A drop of a folder tree: the directory entries are read recursively,
	// batch after batch, as browsers hand them out. A folder whose listing
	// fails half-way keeps what was read of it and says it is incomplete.
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
		const broken = {isFile: false, isDirectory: true, name: 'broken', fullPath: '/drop/broken', createReader() {
			let calls = 0;
			return {readEntries: (ok, fail) => setTimeout(() => (calls++ === 0 ? ok([file(jpeg, '/drop/broken/e.jpg')]) : fail(new DOMException('gone', 'NotFoundError'))))};
		}};
		const tree = dir('drop', '/drop', [
			file(jpeg, '/drop/a.jpg'),
			broken,
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
		for (let i = 0; i < 100 && altiupPage.entries().length < 11; i++) await new Promise((r) => setTimeout(r, 50));
		return altiupPage.entries().slice(5).map((e) => e.name + ' ' + e.state + (e.state === 'unsupported' ? ': ' + e.details : ''));
	})()`)
	want := []string{"drop/a.jpg waiting", "drop/broken/ unsupported: Not uploaded: this folder could not be read whole, so some of its files may be missing; drop it again, or use “Choose a folder…”.",
		"drop/broken/e.jpg waiting", "drop/c.tif waiting", "drop/deep/b.png waiting", "drop/deep/d.txt waiting"}
	if strings.Join(added, ",") != strings.Join(want, ",") {
		t.Errorf("dropped: %q, want %q", added, want)
	}
	cspOK()
}

// TestPageLongList adds 10,000 files: the whole list is known, only the rows
// in view are drawn, and scrolling draws the others.
func TestPageLongList(t *testing.T) {
	p := startServer(t)
	ctx := browser(t)
	cspOK := watchCSP(t, ctx)
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
	t.Logf("10,000 files listed in %.0f ms", took)
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
	cspOK()
}

// TestPageSameNamesOwnReasons uploads two invalid photos of the same name
// from two folders: each row shows the reasons of its own image (rows are
// matched by the file's index, never by its name).
func TestPageSameNamesOwnReasons(t *testing.T) {
	p := startServer(t)
	ctx := browser(t)
	dir := filepath.Join(t.TempDir(), "rig")
	copyFile(t, imagePaths(t, "truncated.jpg")[0], filepath.Join(dir, "a", "DJI_0001.JPG"))
	// A JPEG's first bytes and nothing of an image after them.
	fake := []byte{0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xd9}
	if err := os.MkdirAll(filepath.Join(dir, "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "b", "DJI_0001.JPG"), fake, 0o600); err != nil {
		t.Fatal(err)
	}
	pgOpen(t, ctx, pg(p)+"/?cloud=s3")
	if err := chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.CSS("#folder"), []string{dir}),
		chromedp.WaitVisible(chromedp.CSS(`#filelist tr[data-name="rig/b/DJI_0001.JPG"]`)),
		chromedp.Click(chromedp.CSS("#start")),
	); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `/Validation: 0 ready, 2 invalid/.test(document.querySelector('#summary').textContent)`, 30*time.Second)
	got := map[string]string{}
	for _, e := range pgEntries(t, ctx) {
		got[e.Name] = e.Details
	}
	for name, want := range map[string][2]string{
		"rig/a/DJI_0001.JPG": {"short Huffman data", "SOS"},
		"rig/b/DJI_0001.JPG": {"missing SOS marker", "Huffman"},
	} {
		if d := got[name]; !strings.Contains(d, want[0]) || strings.Contains(d, want[1]) {
			t.Errorf("%s: details %q, want its own reason (%s) only", name, d, want[0])
		}
	}
	// The rows say the same.
	pgWait(t, ctx, `/short Huffman/.test(document.querySelector('#filelist tr[data-name="rig/a/DJI_0001.JPG"] .details').textContent)`, 5*time.Second)
}
