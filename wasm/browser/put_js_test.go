//go:build js && wasm

package browser

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"net/http"
	"testing"
	"time"

	"altiup/wasm/upload"
)

// putters are the Putter's ways of sending, each forced: by
// XMLHttpRequest, by fetch from the page, and by fetch from a worker.
func putters(t *testing.T) []struct {
	name string
	p    func() *Putter
} {
	pool := NewWorkerPool(workerScriptURL(t), 2)
	return []struct {
		name string
		p    func() *Putter
	}{
		{"XMLHttpRequest", func() *Putter { return &Putter{QuickPut: -1} }},
		{"fetch", func() *Putter { return &Putter{QuickPut: time.Hour} }},
		{"fetch from a worker", func() *Putter { return &Putter{QuickPut: time.Hour, Workers: pool} }},
	}
}

func TestPutEcho(t *testing.T) {
	cors := serverURL(t, "ALTIUP_TEST_CORS_URL")
	data := pattern(3<<20 + 5)
	f := newJSFile(t, data, "photo.jpg", "image/jpeg")
	ctx := context.Background()
	tests := []struct {
		name        string
		src         upload.Source
		off, length int64
	}{
		{"whole File", f, 0, -1},
		{"part of a File", f, 1<<20 + 1, 1 << 20},
		{"tail of a File", f, 2 << 20, -1},
		{"not a File", memSource{bytes.NewReader(data), "m.jpg"}, 7, 2<<20 + 1},
		{"empty", newJSFile(t, nil, "e.jpg", "image/jpeg"), 0, -1},
	}
	trs := putters(t)
	for _, tt := range tests {
		for _, tr := range trs {
			t.Run(tt.name+" by "+tr.name, func(t *testing.T) {
				end := tt.src.Size()
				if tt.length >= 0 {
					end = tt.off + tt.length
				}
				var want []byte
				if tt.src.Size() > 0 {
					want = data[tt.off:end]
				}
				sum := sha1.Sum(want)
				var sent []int64
				resp, err := tr.p().Put(ctx, upload.PutRequest{
					Method: "PUT",
					URL:    cors + "/echo/key",
					Header: http.Header{
						"Content-Type":    {"image/jpeg"},
						"X-Oss-Meta-Test": {"yes"},
						"Content-Length":  {"1"}, // forbidden in browsers: must be skipped, not fail
					},
					Offset: tt.off, Length: tt.length,
				}, tt.src, func(n int64) { sent = append(sent, n) })
				if err != nil {
					t.Fatal(err)
				}
				if resp.StatusCode != 200 {
					t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
				}
				h := resp.Header
				if h.Get("X-Echo-Length") != itoa(len(want)) || h.Get("X-Echo-Sha1") != hex.EncodeToString(sum[:]) {
					t.Fatalf("server got %s bytes with SHA-1 %s; sent %d with %x", h.Get("X-Echo-Length"), h.Get("X-Echo-Sha1"), len(want), sum)
				}
				if h.Get("X-Echo-Content-Type") != "image/jpeg" || h.Get("X-Echo-Meta") != "yes" {
					t.Fatalf("headers did not arrive: %v", h)
				}
				if h.Get("Etag") != `"`+hex.EncodeToString(sum[:])+`"` {
					t.Fatalf("ETag = %q", h.Get("Etag"))
				}
				if len(want) > 0 {
					if len(sent) == 0 || sent[len(sent)-1] != int64(len(want)) {
						t.Fatalf("progress %v does not end at %d", sent, len(want))
					}
				}
				for i := 1; i < len(sent); i++ {
					if sent[i] <= sent[i-1] {
						t.Fatalf("progress goes back: %v", sent)
					}
				}
			})
		}
	}
}

func TestPutFailures(t *testing.T) {
	cors := serverURL(t, "ALTIUP_TEST_CORS_URL")
	nocors := serverURL(t, "ALTIUP_TEST_NOCORS_URL")
	f := newJSFile(t, pattern(1<<20), "photo.jpg", "image/jpeg")
	for _, tr := range putters(t) {
		t.Run(tr.name, func(t *testing.T) { testPutFailures(t, cors, nocors, f, tr.p()) })
	}
}

func testPutFailures(t *testing.T, cors, nocors string, f *File, p *Putter) {
	ctx := context.Background()
	put := func(ctx context.Context, url string, progress func(int64)) (*upload.PutResponse, error) {
		return p.Put(ctx, upload.PutRequest{Method: "PUT", URL: url, Length: -1}, f, progress)
	}

	t.Run("error document", func(t *testing.T) {
		resp, err := put(ctx, cors+"/status/403", nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 403 || !bytes.Contains(resp.Body, []byte("<Code>AccessDenied</Code>")) {
			t.Fatalf("got %d %q", resp.StatusCode, resp.Body)
		}
	})
	// The storage's Retry-After (exposed by CORS) reaches the core, which
	// waits that long.
	t.Run("slow down", func(t *testing.T) {
		resp, err := put(ctx, cors+"/status/503", nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "7" {
			t.Fatalf("got %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	})
	// A server that answers but refuses cross-origin requests is told apart
	// from one nobody listens at: only the second is worth waiting for.
	for _, tt := range []struct{ name, url, code, msg string }{
		{"no CORS", nocors + "/echo/key", upload.CodeConnectionLost,
			"The storage server is reachable but the upload got no answer: the connection was cut, or the server refuses cross-origin requests from this page (CORS)."},
		{"nobody listening", "http://127.0.0.1:1/echo/key", upload.CodeNetwork,
			"Could not reach the storage server; it may be down or refuse cross-origin requests (CORS)."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := put(ctx, tt.url, nil)
			var e *upload.Error
			if !errors.As(err, &e) || e.Code != tt.code || !e.Temporary() {
				t.Fatalf("err = %#v, want code %s", err, tt.code)
			}
			if e.Message != tt.msg {
				t.Fatalf("message %q", e.Message)
			}
		})
	}
	t.Run("cancelled while waiting for the answer", func(t *testing.T) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		// The server keeps the request open; cancel once the body is out
		// (fetch tells nothing before the answer: a while after).
		stop := time.AfterFunc(300*time.Millisecond, cancel)
		defer stop.Stop()
		_, err := put(ctx, cors+"/hang", func(n int64) {
			if n == f.Size() {
				cancel()
			}
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
	t.Run("cancelled before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := put(ctx, cors+"/echo/key", nil); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
	t.Run("range outside the file", func(t *testing.T) {
		_, err := p.Put(ctx, upload.PutRequest{URL: cors + "/echo/key", Offset: 10, Length: f.Size()}, f, nil)
		var e *upload.Error
		if !errors.As(err, &e) || e.Code != upload.CodeInternal {
			t.Fatalf("err = %v", err)
		}
	})
}
