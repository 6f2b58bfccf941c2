package s3bucket_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// chromium finds a Chromium to drive headless, or skips.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("ALTIUP_REQUIRE_CHROMIUM") == "1" {
		t.Fatal("no chromium on PATH (ALTIUP_REQUIRE_CHROMIUM=1 requires it)")
	}
	t.Skip("no chromium on PATH")
	return ""
}

// stopGroup ends the browser's process group: politely, then for good.
func stopGroup(cmd *exec.Cmd) {
	pgid := cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-exited
	}
	// Helpers may outlive the main process by a moment.
	for i := 0; i < 50 && syscall.Kill(-pgid, 0) == nil; i++ {
		time.Sleep(20 * time.Millisecond)
	}
}

// browserResult is what the page reports of its uploads.
type browserResult struct {
	Status      int    `json:"status"`
	ETag        string `json:"etag"`
	Error       string `json:"error"`
	WrongStatus int    `json:"wrongStatus"` // the PUT with another Content-Type
	WrongError  string `json:"wrongError"`
}

// browserPage uploads with fetch from its own origin (another port than the
// bucket's, so the browser applies CORS: a preflight for the Content-Type,
// then the PUT), then posts what it saw back.
const browserPage = `<!doctype html><script>
async function put(url, type) {
  try {
    const r = await fetch(url, {method: "PUT", headers: {"Content-Type": type}, body: new Blob([__BODY__])});
    return {status: r.status, etag: r.headers.get("ETag") || ""};
  } catch (e) {
    return {status: 0, error: String(e)};
  }
}
(async () => {
  const ok = await put(__GOOD__, "image/jpeg");
  const wrong = await put(__WRONG__, "image/png");
  await fetch("/result", {method: "POST", body: JSON.stringify(
    {status: ok.status, etag: ok.etag, error: ok.error || "", wrongStatus: wrong.status, wrongError: wrong.error || ""})});
})();
</script>`

// TestBrowserUpload has headless Chromium PUT to presigned URLs
// cross-origin, through each server's CORS.
func TestBrowserUpload(t *testing.T) {
	bin := chromium(t)
	const body = "bytes from a browser"
	for _, s := range setups {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			b := s.start(t)
			ctx := context.Background()
			good, err := b.PresignPut(ctx, "p1/browser.jpg", "image/jpeg", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			wrong, err := b.PresignPut(ctx, "p1/wrong.jpg", "image/jpeg", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			results := make(chan browserResult, 1)
			page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/":
					js := func(v string) string { j, _ := json.Marshal(v); return string(j) }
					w.Header().Set("Content-Type", "text/html")
					fmt.Fprint(w, strings.NewReplacer("__BODY__", js(body), "__GOOD__", js(good), "__WRONG__", js(wrong)).Replace(browserPage))
				case "/result":
					var res browserResult
					if err := json.NewDecoder(r.Body).Decode(&res); err == nil {
						select {
						case results <- res:
						default:
						}
					}
				default:
					http.NotFound(w, r)
				}
			}))
			defer page.Close()

			cctx, cancel := context.WithTimeout(ctx, 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(cctx, bin, "--headless", "--no-sandbox", "--disable-gpu",
				"--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
				"--user-data-dir="+t.TempDir(), "--remote-debugging-port=0", page.URL+"/")
			// Its own process group, so that stopping it stops the renderer
			// and helper processes too before the profile is removed.
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer stopGroup(cmd)
			var res browserResult
			select {
			case res = <-results:
			case <-cctx.Done():
				t.Fatal("the page reported nothing within 60 s")
			}
			t.Logf("browser: good PUT %d ETag %q %s; other Content-Type PUT %d %s",
				res.Status, res.ETag, res.Error, res.WrongStatus, res.WrongError)
			if res.Status != http.StatusOK {
				t.Fatalf("browser PUT status %d (%s), want 200", res.Status, res.Error)
			}
			if res.ETag == "" {
				t.Error("the browser could not read the ETag: not exposed")
			}
			rc, err := b.Open(ctx, "p1/browser.jpg")
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			if got, _ := io.ReadAll(rc); string(got) != body {
				t.Errorf("stored %q, want %q", got, body)
			}
			if res.WrongStatus == http.StatusOK {
				t.Error("the PUT with another Content-Type succeeded")
			}
			if s.inProcess && res.WrongStatus != http.StatusForbidden {
				t.Errorf("in-process: other Content-Type gave %d %s, want a readable 403", res.WrongStatus, res.WrongError)
			}
			assertAbsent(t, b, "p1/wrong.jpg")
		})
	}
}
