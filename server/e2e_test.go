package main

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"altiup/server/s3bucket/versitytest"
	"altiup/web"
)

// browser starts headless Chromium for one test.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("ALTIUP_REQUIRE_CHROMIUM") != "" {
			t.Fatal("chromium is not installed")
		}
		t.Skip("chromium is not installed")
	}
	if _, err := fs.Stat(web.FS, "altiup.wasm"); err != nil {
		t.Fatal("web/altiup.wasm is missing: run ./build.sh build before the tests")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelC := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	// The first action starts the browser; it must not run under a timeout,
	// which would stop the whole browser.
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		cancelC()
		cancelA()
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancelT := context.WithTimeout(bctx, 3*time.Minute)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	return ctx
}

type pageRow struct {
	Name, State, Details string
}

func pageRows(ctx context.Context) ([]pageRow, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[[]pageRow](`Array.from(document.querySelectorAll('#filelist tr[data-name]')).map(tr => ({
		Name: tr.dataset.name, State: tr.dataset.state || '', Details: tr.querySelector('.details').textContent}))`))
}

// waitRows waits until the page's rows all match done, and returns them.
func waitRows(t *testing.T, ctx context.Context, n int, done func(pageRow) bool) []pageRow {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var rows []pageRow
	for time.Now().Before(deadline) {
		var err error
		rows, err = pageRows(ctx)
		if err != nil {
			t.Fatal(err)
		}
		all := len(rows) == n
		for _, r := range rows {
			all = all && done(r)
		}
		if all {
			return rows
		}
		time.Sleep(200 * time.Millisecond)
	}
	msg, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#message")))
	t.Fatalf("rows did not settle: %+v; message: %q", rows, msg)
	return nil
}

func final(r pageRow) bool { return r.State == "ready" || r.State == "invalid" || r.State == "failed" }

// TestPageUploads drives the real page: it picks the test images, uploads
// them over each cloud, waits for validation, runs again (everything
// skipped) and starts the reconstruction.
func TestPageUploads(t *testing.T) {
	files := []string{"street.jpg", "tower.jpg", "bridge.jpg", "roof.png", "wall.tif", "truncated.jpg"}
	var paths []string
	sums := map[string]string{}
	for _, f := range files {
		p, _ := filepath.Abs(filepath.Join("..", "testdata", "images", f))
		paths = append(paths, p)
		b, _ := readImage(t, f)
		s := sha1.Sum(b)
		sums[f] = hex.EncodeToString(s[:])
	}
	for _, tc := range []struct {
		name, cloud string
		vgw         bool
	}{
		{"oss", "oss", false},
		{"s3", "s3", false},
		{"s3-versitygw", "s3", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var args []string
			if tc.vgw {
				ep, ak, sk := versitytest.Start(t)
				args = []string{"-s3-endpoint", ep, "-s3-access-key", ak, "-s3-secret-key", sk, "-s3-bucket", "altiup-e2e"}
			}
			p := startServer(t, args...)
			ctx := browser(t)
			url := p.page + "/?cloud=" + tc.cloud
			if err := chromedp.Do(ctx,
				chromedp.Navigate(url),
				chromedp.WaitVisible(chromedp.CSS("#start:not([disabled])")),
				chromedp.SetUploadFiles(chromedp.CSS("#files"), paths),
				chromedp.Click(chromedp.CSS("#start")),
			); err != nil {
				t.Fatal(err)
			}
			rows := waitRows(t, ctx, len(files), func(r pageRow) bool { return r.State == "ready" || r.State == "invalid" || r.State == "failed" })
			for _, r := range rows {
				want := "ready"
				if r.Name == "truncated.jpg" {
					want = "invalid"
				}
				if r.State != want {
					t.Errorf("%s: %s (%s), want %s", r.Name, r.State, r.Details, want)
				}
				if want == "invalid" && strings.TrimSpace(r.Details) == "" {
					t.Errorf("%s: no reason shown", r.Name)
				}
			}
			// The sandbox made every Ready image Ready only after checking
			// that its stored bytes hash to the checksum the page sent.
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
			if all.Project.AllImages.TotalCount != len(files) {
				t.Errorf("project has %d images, want %d", all.Project.AllImages.TotalCount, len(files))
			}
			for _, e := range all.Project.AllImages.Edges {
				if e.Node.Checksum != sums[e.Node.Name] {
					t.Errorf("%s: stored checksum %s, file's %s", e.Node.Name, e.Node.Checksum, sums[e.Node.Name])
				}
			}

			if err := chromedp.Do(ctx,
				chromedp.WaitEnabled(chromedp.CSS("#reconstruct")),
				chromedp.Click(chromedp.CSS("#reconstruct")),
			); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('#reconstruction').textContent.startsWith('Task ')`,
				chromedp.WithPollingTimeout(20*time.Second))); err != nil {
				text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#reconstruction")))
				t.Fatalf("reconstruction: %v (%q)", err, text)
			}

			// A fresh page given the same files sends nothing again.
			if err := chromedp.Do(ctx,
				chromedp.Navigate(url),
				chromedp.WaitVisible(chromedp.CSS("#start:not([disabled])")),
				chromedp.SetUploadFiles(chromedp.CSS("#files"), paths[:5]),
				chromedp.Click(chromedp.CSS("#start")),
			); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`/skipped/.test(document.querySelector('#summary').textContent)`,
				chromedp.WithPollingTimeout(30*time.Second))); err != nil {
				t.Fatalf("second run did not finish: %v", err)
			}
			summary, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#summary")))
			if !strings.HasPrefix(summary, "5 files: 0 uploaded, 5 skipped") {
				t.Errorf("second run: %q, want every file skipped", summary)
			}
		})
	}
}
