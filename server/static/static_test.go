package static

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/andybalholm/brotli"
)

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, _ = w.Write([]byte(s))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func br(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := brotli.NewWriter(&b)
	_, _ = w.Write([]byte(s))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const appJS = "console.log('the app, long enough to be worth compressing, the app, the app');"

func testFS(t *testing.T) fstest.MapFS {
	return fstest.MapFS{
		"index.html":      {Data: []byte("<!doctype html><title>x</title>")},
		"altiup.wasm":     {Data: []byte("\x00asm\x01\x00\x00\x00")},
		"app.js":          {Data: []byte(appJS)},
		"app.js.br":       {Data: br(t, appJS)},
		"app.js.gz":       {Data: gz(t, appJS)},
		"style.css":       {Data: []byte("a{color:red}")},
		"style.css.gz":    {Data: gz(t, "a{color:blue}")}, // stale: left from another build
		"i18n/en.json":    {Data: []byte(`{"lang":"en"}`)},
		"embed.go":        {Data: []byte("package web")},
		"test/a.test.js":  {Data: []byte("import test from 'node:test';")},
		"sub/a.css":       {Data: []byte("a{}")},
		"altiup.d.ts":     {Data: []byte("declare var altiup: unknown;")},
		"sub/inner/x.txt": {Data: []byte("x")},
	}
}

func TestHandler(t *testing.T) {
	srv := httptest.NewServer(New(testFS(t), Options{}))
	defer srv.Close()
	tests := []struct {
		method, path string
		status       int
		ctype        string
		cors         bool
	}{
		{"GET", "/", 200, "text/html; charset=utf-8", false},
		{"GET", "/index.html", 200, "text/html; charset=utf-8", false},
		{"GET", "/altiup.wasm", 200, "application/wasm", true},
		{"GET", "/app.js", 200, "text/javascript; charset=utf-8", true},
		{"GET", "/i18n/en.json", 200, "application/json", true},
		{"GET", "/sub/a.css", 200, "text/css; charset=utf-8", true},
		{"GET", "/altiup.d.ts", 200, "text/plain; charset=utf-8", false},
		{"GET", "/sub/", 404, "", false},
		{"GET", "/sub", 404, "", false},
		{"GET", "/sub/inner", 404, "", false},
		{"GET", "/i18n/", 404, "", false},
		{"GET", "/embed.go", 404, "", false},
		{"GET", "/test/a.test.js", 404, "", false},
		{"GET", "/../../etc/passwd", 404, "", false},
		{"GET", "/%2e%2e/%2e%2e/etc/passwd", 404, "", false},
		{"GET", "/sub/..%2f..%2fembed.go", 404, "", false},
		{"GET", "/..%5c..%5cembed.go", 404, "", false},
		{"GET", "/nope.js", 404, "", false},
		{"POST", "/index.html", 405, "", false},
		{"HEAD", "/app.js", 200, "text/javascript; charset=utf-8", true},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.ctype != "" && resp.Header.Get("Content-Type") != tc.ctype {
				t.Errorf("Content-Type %q, want %q", resp.Header.Get("Content-Type"), tc.ctype)
			}
			if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Error("missing nosniff")
			}
			if resp.Header.Get("X-Frame-Options") != "DENY" {
				t.Errorf("X-Frame-Options %q", resp.Header.Get("X-Frame-Options"))
			}
			csp := resp.Header.Get("Content-Security-Policy")
			for _, want := range []string{"script-src 'self' 'wasm-unsafe-eval';", "frame-ancestors 'none'", "object-src 'none'", "default-src 'self'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") {
				t.Errorf("CSP %q allows inline code", csp)
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin") == "*"; tc.status == 200 && got != tc.cors {
				t.Errorf("CORS %v, want %v", got, tc.cors)
			}
		})
	}
}

func TestFrameAncestors(t *testing.T) {
	srv := httptest.NewServer(New(testFS(t), Options{FrameAncestors: "https://partner.example"}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors https://partner.example") {
		t.Errorf("CSP %q", csp)
	}
	if xfo := resp.Header.Get("X-Frame-Options"); xfo != "" {
		t.Errorf("X-Frame-Options %q would forbid the framing the flag allows", xfo)
	}
}

// TestEncodings: the precompressed copy the client accepts, with Vary and
// an ETag of its own; never a stale copy; a 304 on revalidation.
func TestEncodings(t *testing.T) {
	srv := httptest.NewServer(New(testFS(t), Options{}))
	defer srv.Close()
	tests := []struct {
		path, accept, encoding, body string
		vary                         bool
	}{
		{"/app.js", "gzip, deflate, br", "br", appJS, true},
		{"/app.js", "gzip", "gzip", appJS, true},
		{"/app.js", "br;q=0, gzip;q=0.5", "gzip", appJS, true},
		{"/app.js", "gzip;q=0.2, br;q=0.8", "br", appJS, true},
		{"/app.js", "*", "br", appJS, true},
		{"/app.js", "", "", appJS, true},
		{"/app.js", "identity", "", appJS, true},
		{"/app.js", "gzip;q=0, br;q=0", "", appJS, true},
		{"/style.css", "gzip", "", "a{color:red}", false}, // the .gz holds other bytes
		{"/index.html", "br, gzip", "", "<!doctype html><title>x</title>", false},
	}
	for _, tc := range tests {
		t.Run(tc.path+" "+tc.accept, func(t *testing.T) {
			req, _ := http.NewRequest("GET", srv.URL+tc.path, nil)
			if tc.accept != "" {
				req.Header.Set("Accept-Encoding", tc.accept)
			}
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if got := resp.Header.Get("Content-Encoding"); got != tc.encoding {
				t.Fatalf("Content-Encoding %q, want %q", got, tc.encoding)
			}
			if got := strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding"); got != tc.vary {
				t.Errorf("Vary: Accept-Encoding %v, want %v", got, tc.vary)
			}
			var body []byte
			switch tc.encoding {
			case "br":
				body, err = io.ReadAll(brotli.NewReader(bytes.NewReader(raw)))
			case "gzip":
				var zr *gzip.Reader
				if zr, err = gzip.NewReader(bytes.NewReader(raw)); err == nil {
					body, err = io.ReadAll(zr)
				}
			default:
				body = raw
			}
			if err != nil || string(body) != tc.body {
				t.Fatalf("body %q (%v), want %q", body, err, tc.body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/") {
				t.Errorf("Content-Type %q", ct)
			}
			etag := resp.Header.Get("ETag")
			if etag == "" {
				t.Fatal("no ETag")
			}
			if tc.encoding != "" && !strings.HasSuffix(etag, "-"+tc.encoding+`"`) {
				t.Errorf("ETag %s is the same for every encoding", etag)
			}
			req.Header.Set("If-None-Match", etag)
			resp, err = http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotModified {
				t.Errorf("revalidation: %d, want 304", resp.StatusCode)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
				t.Errorf("Cache-Control %q", cc)
			}
		})
	}
}

func TestPick(t *testing.T) {
	both := map[string]string{"br": "x.br", "gzip": "x.gz"}
	gzOnly := map[string]string{"gzip": "x.gz"}
	for _, tc := range []struct {
		accept string
		have   map[string]string
		want   string
	}{
		{"br", both, "br"},
		{"BR", both, "br"},
		{"br", gzOnly, ""},
		{"gzip, br", gzOnly, "gzip"},
		{"gzip;q=1, br;q=0.1", both, "gzip"},
		{"gzip;q=bad", both, ""},
		{"*;q=0", both, ""},
		{"", both, ""},
	} {
		if got := pick(tc.accept, tc.have); got != tc.want {
			t.Errorf("pick(%q) = %q, want %q", tc.accept, got, tc.want)
		}
	}
}
