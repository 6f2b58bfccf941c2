//go:build js && wasm

package browser

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"altiup/wasm/altizure"
	"altiup/wasm/upload"
)

// TestFetchTransport sends from the page and from a worker: the same
// answers either way, the worker's with every header CORS exposes (the
// page reads only those the API's callers use).
func TestFetchTransport(t *testing.T) {
	cors := serverURL(t, "ALTIUP_TEST_CORS_URL")
	nocors := serverURL(t, "ALTIUP_TEST_NOCORS_URL")
	pool := NewWorkerPool(workerScriptURL(t), 1)
	if err := pool.Ready(); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []struct {
		name string
		rt   FetchTransport
	}{{"page", FetchTransport{}}, {"worker", FetchTransport{Workers: pool}}} {
		c := &http.Client{Transport: mode.rt}
		for _, tc := range []struct {
			name, method, url string
			body              string
			status            int
			wantBody          string
			header, value     string
			failed            bool
		}{
			{name: "GET", method: "GET", url: cors + "/hello", status: 200, wantBody: "hello"},
			{name: "PUT", method: "PUT", url: cors + "/echo/x", body: "abc", status: 200, header: "X-Echo-Length", value: map[string]string{"page": "", "worker": "3"}[mode.name]},
			{name: "an error answer with its body", method: "PUT", url: cors + "/status/403", body: "x", status: 403, wantBody: "<Code>AccessDenied</Code>"},
			{name: "Retry-After kept", method: "PUT", url: cors + "/status/503", body: "x", status: 503, header: "Retry-After", value: "7"},
			{name: "refused by CORS", method: "GET", url: nocors + "/hello", failed: true},
		} {
			t.Run(mode.name+"/"+tc.name, func(t *testing.T) {
				req, _ := http.NewRequest(tc.method, tc.url, strings.NewReader(tc.body))
				resp, err := c.Do(req)
				if tc.failed {
					var je *JSError
					if err == nil || !errors.As(err, &je) {
						t.Fatalf("want the browser's error, got %v", err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != tc.status || !bytes.Contains(b, []byte(tc.wantBody)) {
					t.Errorf("%d %q", resp.StatusCode, b)
				}
				if tc.header != "" && resp.Header.Get(tc.header) != tc.value {
					t.Errorf("%s: %q", tc.header, resp.Header.Get(tc.header))
				}
			})
		}
		t.Run(mode.name+"/cancelled", func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			req, _ := http.NewRequestWithContext(ctx, "PUT", cors+"/hang", strings.NewReader("x"))
			time.AfterFunc(100*time.Millisecond, cancel)
			if _, err := c.Do(req); !errors.Is(err, context.Canceled) {
				t.Fatalf("want cancelled, got %v", err)
			}
		})
	}
	// A pool whose workers have not started, or have stopped: the page
	// sends the request itself.
	for name, p := range map[string]*WorkerPool{"not started": NewWorkerPool(workerScriptURL(t), 1), "stopped": stoppedPool(t)} {
		t.Run(name, func(t *testing.T) {
			resp, err := (&http.Client{Transport: FetchTransport{Workers: p}}).Get(cors + "/hello")
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := io.ReadAll(resp.Body); string(b) != "hello" {
				t.Fatalf("%q", b)
			}
		})
	}
}

// stoppedPool is a pool whose workers started, then were stopped.
func stoppedPool(t *testing.T) *WorkerPool {
	p := NewWorkerPool(workerScriptURL(t), 1)
	if err := p.Ready(); err != nil {
		t.Fatal(err)
	}
	p.terminate()
	return p
}

// TestFetchTransportGraphQL calls the sandbox's API through the generated
// client the page uses, over PacedTransport's default.
func TestFetchTransportGraphQL(t *testing.T) {
	api := serverURL(t, "ALTIUP_TEST_API")
	key, token := serverURL(t, "ALTIUP_TEST_KEY"), serverURL(t, "ALTIUP_TEST_TOKEN")
	ctx := context.Background()
	c := altizure.New(api, key, token, &http.Client{Transport: PacedTransport{}})
	buckets, err := c.NearestBuckets(ctx)
	if err != nil || len(buckets) == 0 {
		t.Fatalf("nearest buckets: %v %v", buckets, err)
	}
	// An HTTP 401 with a GraphQL error body: status and body both reach genqlient.
	bad := altizure.New(api, "not-a-key", token, &http.Client{Transport: PacedTransport{}})
	if _, err := bad.NearestBuckets(ctx); upload.AsError(err).Code != upload.CodeUnauthorized || !strings.Contains(err.Error(), "app key") {
		t.Fatalf("a refused key: %v", err)
	}
}

// BenchmarkTransports compares a small request's cost through
// FetchTransport and through net/http's own js transport, in the same
// browser. Run it by hand with a CORS server in ALTIUP_TEST_CORS_URL that
// answers GET /hello (as TestInBrowser's does):
//
//	GOOS=js GOARCH=wasm go test -exec wasmbrowsertest -run '^$' -bench Transports ./wasm/browser
func BenchmarkTransports(b *testing.B) {
	u := os.Getenv("ALTIUP_TEST_CORS_URL")
	if u == "" {
		b.Skip("ALTIUP_TEST_CORS_URL is not set")
	}
	for _, tc := range []struct {
		name string
		rt   http.RoundTripper
	}{{"fetch", FetchTransport{}}, {"net/http", http.DefaultTransport}} {
		b.Run(tc.name, func(b *testing.B) {
			c := &http.Client{Transport: tc.rt}
			// 50 at once: the page's main thread, not the round trip,
			// sets the pace.
			for b.Loop() {
				var wg sync.WaitGroup
				for range 50 {
					wg.Go(func() {
						resp, err := c.Get(u + "/hello")
						if err != nil {
							b.Error(err)
							return
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					})
				}
				wg.Wait()
			}
		})
	}
}
