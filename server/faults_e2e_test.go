package main

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// faultFile is a generated photo handed to the page.
type faultFile struct {
	name, path, sum string
	size            int
}

// makeJPEGs writes n distinct JPEGs of about 150–250 KB: noisy gradients,
// which compress about as badly as photos do.
func makeJPEGs(t *testing.T, n int) []faultFile {
	t.Helper()
	dir := t.TempDir()
	var out []faultFile
	for i := range n {
		r := rand.New(rand.NewPCG(uint64(i)+1, 77))
		img := image.NewRGBA(image.Rect(0, 0, 640, 480))
		for y := range 480 {
			for x := range 640 {
				img.Set(x, y, color.RGBA{uint8(x/3 + r.IntN(60)), uint8(y/2 + r.IntN(60)), uint8(i*20 + r.IntN(60)), 255})
			}
		}
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
			t.Fatal(err)
		}
		f := faultFile{name: fmt.Sprintf("fault-%02d.jpg", i+1), size: b.Len()}
		f.path = filepath.Join(dir, f.name)
		if err := os.WriteFile(f.path, b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		s := sha1.Sum(b.Bytes())
		f.sum = hex.EncodeToString(s[:])
		out = append(out, f)
	}
	return out
}

// netLog counts the browser's requests to the API and the storage by
// method and outcome (status or network error). It keeps no query string
// and no header, so nothing secret.
type netLog struct {
	mu      sync.Mutex
	reqs    map[network.RequestID]string // id → "storage PUT" …
	outcome map[string]int
}

func listenNet(t *testing.T, ctx context.Context, p *sandboxProc) *netLog {
	t.Helper()
	l := &netLog{reqs: map[network.RequestID]string{}, outcome: map[string]int{}}
	hosts := map[string]string{}
	for kind, raw := range map[string]string{"api": p.api, "storage": p.storage} {
		u, _ := url.Parse(raw)
		hosts[u.Host] = kind
	}
	var handle func(ev any)
	handle = func(ev any) {
		if e, ok := ev.(*target.EventAttachedToTarget); ok && strings.Contains(e.TargetInfo.Type, "worker") {
			// The uploader PUTs quick files from its hash workers, whose
			// requests the page's own session does not see.
			go func() {
				wctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(e.TargetInfo.TargetID))
				context.AfterFunc(ctx, cancel)
				if err := chromedp.Do(wctx); err == nil {
					_ = chromedp.Listen(wctx, handle)
				}
			}()
			return
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			u, err := url.Parse(e.Request.URL)
			if err != nil {
				return
			}
			kind := hosts[u.Host]
			if kind == "api" && u.Path != "/graphql" {
				kind = ""
			}
			if kind != "" {
				l.reqs[e.RequestID] = kind + " " + e.Request.Method
			}
		case *network.EventResponseReceived:
			if k, ok := l.reqs[e.RequestID]; ok && e.Response != nil {
				l.outcome[fmt.Sprintf("%s %d", k, e.Response.Status)]++
				delete(l.reqs, e.RequestID)
			}
		case *network.EventLoadingFailed:
			if k, ok := l.reqs[e.RequestID]; ok {
				l.outcome[k+" "+e.ErrorText]++
				delete(l.reqs, e.RequestID)
			}
		}
	}
	err := chromedp.Listen(ctx, handle)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func (l *netLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var keys []string
	for k, n := range l.outcome {
		keys = append(keys, fmt.Sprintf("%s ×%d", k, n))
	}
	sort.Strings(keys)
	return strings.Join(keys, "; ")
}

// projectImages asks the API for the project's images, trying again when
// the API itself is one of the faults (502, dropped connection).
func projectImages(t *testing.T, p *sandboxProc) (total int, nodes []struct{ Name, State, Checksum string }) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"query":     `query ($pid: ID!) { project(id: $pid) { allImages(first: 100) { totalCount edges { node { name state checksum } } } } }`,
		"variables": map[string]any{"pid": p.project},
	})
	client := &http.Client{Timeout: 10 * time.Second}
	var last string
	for range 20 {
		req, _ := http.NewRequest("POST", p.api, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("key", p.key)
		req.Header.Set("altitoken", p.token)
		resp, err := client.Do(req)
		if err != nil {
			last = "network error"
			continue
		}
		var r struct {
			Data struct {
				Project struct {
					AllImages struct {
						TotalCount int
						Edges      []struct {
							Node struct{ Name, State, Checksum string }
						}
					}
				}
			}
			Errors []struct{ Message string }
		}
		err = json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		if resp.StatusCode != 200 || err != nil {
			last = resp.Status
			continue
		}
		if len(r.Errors) > 0 {
			t.Fatalf("listing the project's images: %s", r.Errors[0].Message)
		}
		for _, e := range r.Data.Project.AllImages.Edges {
			nodes = append(nodes, e.Node)
		}
		return r.Data.Project.AllImages.TotalCount, nodes
	}
	t.Fatalf("the API did not list the project's images in 20 tries (last: %s)", last)
	return 0, nil
}

// TestFaultMatrix uploads twelve photos through the page while the sandbox
// misbehaves, and checks that each ends in the project exactly once, Ready,
// with the file's checksum (the sandbox makes an image Ready only when its
// stored bytes hash to it), and that the page's report counts are right.
func TestFaultMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("long end-to-end test")
	}
	files := makeJPEGs(t, 12)
	var paths []string
	total := 0
	for _, f := range files {
		paths = append(paths, f.path)
		total += f.size
	}
	t.Logf("%d photos, %d bytes in all", len(files), total)
	// 150 kB/s makes the batch last longer than total/150000 s (about 16 s
	// for the ~2.4 MB of photos), longer than the short credentials.
	const bw = 150000
	slow := []string{"-bandwidth", fmt.Sprint(bw)}
	all := append([]string{"-fault-put", "0.2", "-fault-graphql", "0.1", "-fault-graphql-hold", "3s",
		"-sts-ttl", "10s", "-presign-ttl", "5s", "-fault-seed", "8"}, slow...)
	for _, tc := range []struct {
		name, cloud string
		args        []string
		// concurrency is the page's setting; above Chromium's six
		// connections per host, PUTs queue in the browser with their
		// URLs already signed, as on a slow link with many files.
		concurrency int
		// outlast is a time the batch must outlast for the case to mean
		// anything (credentials' lifetime).
		outlast time.Duration
	}{
		{"20% of PUTs fail/oss", "oss", []string{"-fault-put", "0.2", "-fault-seed", "1"}, 4, 0},
		{"20% of PUTs fail/s3", "s3", []string{"-fault-put", "0.2", "-fault-seed", "2"}, 4, 0},
		{"10% of GraphQL calls fail", "oss", []string{"-fault-graphql", "0.1", "-fault-graphql-hold", "3s", "-fault-seed", "3"}, 4, 0},
		{"STS lasts 10s", "oss", append([]string{"-sts-ttl", "10s"}, slow...), 4, 10 * time.Second},
		{"presigned URLs expire mid-batch", "s3", append([]string{"-presign-ttl", "5s"}, slow...), 12, 5 * time.Second},
		{"all at once/oss", "oss", all, 12, 10 * time.Second},
		{"all at once/s3", "s3", all, 12, 5 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := startServer(t, tc.args...)
			ctx := browser(t)
			nl := listenNet(t, ctx, p)
			start := time.Now()
			if err := chromedp.Do(ctx,
				chromedp.Navigate(p.page+"/?cloud="+tc.cloud),
				chromedp.WaitVisible(chromedp.CSS("#start:not([disabled])")),
				chromedp.SetValue(chromedp.CSS("#concurrency"), fmt.Sprint(tc.concurrency)),
				chromedp.SetUploadFiles(chromedp.CSS("#files"), paths),
				chromedp.Click(chromedp.CSS("#start")),
			); err != nil {
				t.Fatal(err)
			}
			// Done when the page reports validation, or stops.
			_, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => {
				const s = document.querySelector('#summary').textContent, m = document.querySelector('#message').textContent;
				return /Validation:/.test(s) || /stopped/.test(m) || (/failed\./.test(s) && !/Waiting/.test(s)) || (m !== '' && document.querySelector('#start').disabled === false && s === '');
			})()`, chromedp.WithPollingTimeout(100*time.Second)))
			took := time.Since(start)
			rows, _ := pageRows(ctx)
			summary, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#summary")))
			message, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#message")))
			t.Logf("batch took %v; network: %s", took.Round(time.Millisecond), nl)
			if err != nil {
				t.Fatalf("the page did not finish within 100 s: %v\nsummary: %q\nmessage: %q\nrows: %+v\nnetwork: %s", err, summary, message, rows, nl)
			}
			if tc.outlast > 0 && took < tc.outlast {
				t.Errorf("the batch took %v, not longer than the credentials' %v: the case tests nothing", took, tc.outlast)
			}
			want := fmt.Sprintf("%d files: %d uploaded, 0 skipped, 0 failed. Validation: %d ready, 0 invalid.", len(files), len(files), len(files))
			if summary != want {
				t.Errorf("report: %q, want %q\nmessage: %q\nnetwork: %s", summary, want, message, nl)
			}
			states := map[string]string{}
			for _, r := range rows {
				states[r.Name] = r.State
				if r.State != "ready" {
					t.Errorf("page row %s: %s (%s)", r.Name, r.State, r.Details)
				}
			}
			if len(rows) != len(files) {
				t.Errorf("page shows %d rows, want %d", len(rows), len(files))
			}

			n, nodes := projectImages(t, p)
			if n != len(files) || len(nodes) != len(files) {
				t.Errorf("project has %d images (%d listed), want %d", n, len(nodes), len(files))
			}
			seen := map[string]int{}
			for _, nd := range nodes {
				seen[nd.Name]++
				if nd.State != "Ready" {
					t.Errorf("image %s: %s, want Ready", nd.Name, nd.State)
				}
			}
			for _, f := range files {
				var sum string
				for _, nd := range nodes {
					if nd.Name == f.name {
						sum = nd.Checksum
					}
				}
				switch {
				case seen[f.name] != 1:
					t.Errorf("%s is in the project %d times, want once (page: %s)", f.name, seen[f.name], states[f.name])
				case sum != f.sum:
					t.Errorf("%s: stored checksum %s, file's %s", f.name, sum, f.sum)
				}
			}
		})
	}
}

type nopHandler struct{ name string }

func (nopHandler) ServeHTTP(http.ResponseWriter, *http.Request) {}

// TestFaultFlags: bad values are refused by their flag's name; no fault
// leaves the handlers as they are; faults print their seed and, at the
// end, their counts.
func TestFaultFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // start of the error; empty for none
	}{
		{[]string{"-fault-put", "1.5"}, "-fault-put must be between 0 and 1"},
		{[]string{"-fault-graphql", "-0.1"}, "-fault-graphql must be between 0 and 1"},
		{[]string{"-fault-graphql-hold", "-1s"}, "-fault-graphql-hold must not be negative"},
		{[]string{"-latency", "-1s"}, "-latency must not be negative"},
		{[]string{"-bandwidth", "-5"}, "-bandwidth must not be negative"},
		{[]string{"-fault-put", "0.2", "-fault-graphql", "1", "-latency", "10ms", "-bandwidth", "1000", "-fault-seed", "4"}, ""},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			fs := flag.NewFlagSet("altiup", flag.ContinueOnError)
			c := faultFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			err := checkFaultFlags(c)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
				t.Fatalf("err = %v, want %q…", err, tc.want)
			}
		})
	}

	api, storage := &nopHandler{"api"}, &nopHandler{"storage"}
	var out, errs bytes.Buffer
	c := faultFlags(flag.NewFlagSet("altiup", flag.ContinueOnError))
	a, s, done, err := wrapFaults(c, api, storage, &out, &errs)
	if err != nil || a != http.Handler(api) || s != http.Handler(storage) {
		t.Fatalf("no faults asked for, yet the handlers changed (%v)", err)
	}
	done()
	if out.Len()+errs.Len() != 0 {
		t.Errorf("printed %q %q without faults", out.String(), errs.String())
	}

	c.PutRate, c.Seed = 0.5, 99
	a, s, done, err = wrapFaults(c, api, storage, &out, &errs)
	if err != nil || a != http.Handler(api) || s == http.Handler(storage) {
		t.Fatalf("PUT faults: want the storage wrapped and the API not (%v)", err)
	}
	done()
	if !strings.Contains(out.String(), "seed 99") || !strings.Contains(errs.String(), "faults injected") {
		t.Errorf("printed %q and %q", out.String(), errs.String())
	}
}
