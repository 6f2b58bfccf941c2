package main

import (
	"bufio"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// largeJPEG writes a valid JPEG of about size bytes: a small real image with
// random bytes in comment segments after its start marker, which decoders
// skip. It returns the path and the SHA-1.
func largeJPEG(t *testing.T, size int) (string, string) {
	t.Helper()
	img, _ := readImage(t, "street.jpg")
	path := filepath.Join(t.TempDir(), "large photo.jpg")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha1.New()
	w := bufio.NewWriterSize(io.MultiWriter(f, h), 1<<20)
	w.Write(img[:2]) // SOI
	seg := make([]byte, 65533)
	for left := size - len(img); left > 4; {
		n := min(len(seg), left-4)
		rand.Read(seg[:n])
		w.Write([]byte{0xFF, 0xFE, byte((n + 2) >> 8), byte(n + 2)})
		w.Write(seg[:n])
		left -= n + 4
	}
	w.Write(img[2:])
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path, hex.EncodeToString(h.Sum(nil))
}

// partPUTs counts the part uploads the page has finished, from its resource
// timing entries (which a navigation clears).
const partPUTs = `performance.getEntriesByType('resource').filter(e => e.name.includes('partNumber=')).length`

// TestPageLargeFileResumesAfterReload uploads a 200 MB file over OSS in
// parts, reloads the page part way, adds the file again and checks that the
// parts stored before were not sent again and the image arrived whole, once.
func TestPageLargeFileResumesAfterReload(t *testing.T) {
	if testing.Short() {
		t.Skip("200 MB through the browser")
	}
	const size = 200_000_000
	const parts = (size + 8<<20 - 1) / (8 << 20) // the uploader's part size for this file
	t0 := time.Now()
	path, sum := largeJPEG(t, size)
	t.Logf("file written in %s", time.Since(t0).Round(time.Millisecond))
	p := startServer(t)
	ctx := browser(t)
	url := p.page + "/?cloud=oss"
	start := func() {
		t.Helper()
		if err := chromedp.Do(ctx,
			chromedp.Navigate(url),
			chromedp.WaitVisible(chromedp.CSS("#start:not([disabled])")),
			chromedp.SetUploadFiles(chromedp.CSS("#files"), []string{path}),
			chromedp.Click(chromedp.CSS("#start")),
		); err != nil {
			t.Fatal(err)
		}
	}

	start()
	const before = 5
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](partPUTs+` >= `+strconv.Itoa(before),
		chromedp.WithPollingTimeout(60*time.Second), chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		rows, _ := pageRows(ctx)
		t.Fatalf("no %d parts went out: %v (rows %+v)", before, err, rows)
	}
	t.Logf("%d parts stored at %s", before, time.Since(t0).Round(time.Millisecond))
	// Reload (a navigation) and give the page the same file again.
	start()
	rows := waitRows(t, ctx, 1, final)
	t.Logf("ready at %s", time.Since(t0).Round(time.Millisecond))
	if rows[0].State != "ready" {
		t.Fatalf("after the reload: %+v", rows[0])
	}
	sent, err := chromedp.Run(ctx, chromedp.Evaluate[int](partPUTs))
	if err != nil {
		t.Fatal(err)
	}
	if sent > parts-before {
		t.Errorf("after the reload %d of %d parts were sent; at least %d were stored before", sent, parts, before)
	}
	t.Logf("%d parts of %d sent after the reload", sent, parts)

	var all struct {
		Project struct {
			AllImages struct {
				TotalCount int
				Edges      []struct {
					Node struct{ Name, State, Checksum string }
				}
			}
		}
	}
	mustGQL(t, p, `query ($pid: ID!) { project(id: $pid) { allImages(first: 100) { totalCount edges { node { name state checksum } } } } }`,
		map[string]any{"pid": p.project}, &all)
	if all.Project.AllImages.TotalCount != 1 {
		t.Fatalf("the project has %d images, want 1: %+v", all.Project.AllImages.TotalCount, all.Project.AllImages.Edges)
	}
	// The sandbox makes an image Ready only once its stored bytes hash to
	// the registered checksum.
	if n := all.Project.AllImages.Edges[0].Node; n.State != "Ready" || n.Checksum != sum {
		t.Fatalf("image %+v, want Ready with checksum %s", n, sum)
	}
}
