package static

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestHandler(t *testing.T) {
	fsys := fstest.MapFS{
		"index.html":  {Data: []byte("<!doctype html><title>x</title>")},
		"altiup.wasm": {Data: []byte("\x00asm\x01\x00\x00\x00")},
		"app.js":      {Data: []byte("1")},
		"embed.go":    {Data: []byte("package web")},
		"sub/a.css":   {Data: []byte("a{}")},
	}
	srv := httptest.NewServer(New(fsys, Options{}))
	defer srv.Close()
	tests := []struct {
		method, path string
		status       int
		ctype        string
	}{
		{"GET", "/", 200, "text/html; charset=utf-8"},
		{"GET", "/index.html", 200, "text/html; charset=utf-8"},
		{"GET", "/altiup.wasm", 200, "application/wasm"},
		{"GET", "/app.js", 200, "text/javascript; charset=utf-8"},
		{"GET", "/sub/a.css", 200, "text/css; charset=utf-8"},
		{"GET", "/sub/", 404, ""},
		{"GET", "/sub", 404, ""},
		{"GET", "/embed.go", 404, ""},
		{"GET", "/../../etc/passwd", 404, ""},
		{"GET", "/%2e%2e/%2e%2e/etc/passwd", 404, ""},
		{"GET", "/nope.js", 404, ""},
		{"POST", "/index.html", 405, ""},
		{"HEAD", "/app.js", 200, "text/javascript; charset=utf-8"},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
			resp, err := http.DefaultClient.Do(req)
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
			csp := resp.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "'wasm-unsafe-eval'") || !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("CSP %q", csp)
			}
		})
	}
}
