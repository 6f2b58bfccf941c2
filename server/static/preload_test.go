package static_test

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"altiup/server/static"
	"altiup/web"
)

// TestPagePreloads checks the page's start against what the loader
// (web/altiup.js) does: its script comes before the stylesheets (which would
// hold it back, and with it the wasm's download), and a <link rel="preload">
// of the wasm and of wasm_exec.js, under the versioned URL the handler
// caches for good, is there for the loader to reuse.
func TestPagePreloads(t *testing.T) {
	if _, err := fs.Stat(web.FS, "altiup.wasm"); err != nil {
		t.Skip("altiup.wasm is not built (./build.sh build)")
	}
	h := static.New(web.FS, static.Options{})
	srv := httptest.NewServer(h)
	defer srv.Close()
	res, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	page := string(body)
	loader := strings.Index(page, `<script src="`+h.AssetURL(static.LoaderName)+`"`)
	if loader < 0 {
		t.Fatal("the page does not load altiup.js by its versioned URL")
	}
	if css := strings.Index(page, `<link rel="stylesheet"`); css >= 0 && css < loader {
		t.Error("a stylesheet comes before altiup.js")
	}
	tag := regexp.MustCompile(`<link rel="preload"[^>]*>`)
	for _, c := range []struct {
		name, contentType string
		attrs             []string
	}{
		{"altiup.wasm", "application/wasm", []string{`as="fetch"`, "crossorigin"}},
		{"wasm_exec.js", "text/javascript; charset=utf-8", []string{`as="script"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := h.AssetURL(c.name)
			if !strings.HasPrefix(want, "v/") {
				t.Fatalf("AssetURL(%q) = %q, not versioned", c.name, want)
			}
			var found string
			at := -1
			for _, m := range tag.FindAllStringIndex(page, -1) {
				if s := page[m[0]:m[1]]; strings.Contains(s, `href="`+want+`"`) {
					found, at = s, m[0]
				}
			}
			if found == "" {
				t.Fatalf("no preload of %s in the page", want)
			}
			if at > loader {
				t.Errorf("the preload of %s comes after altiup.js", c.name)
			}
			for _, a := range c.attrs {
				if !strings.Contains(found, a) {
					t.Errorf("%s lacks %s", found, a)
				}
			}
			r, err := http.Get(srv.URL + "/" + want)
			if err != nil {
				t.Fatal(err)
			}
			r.Body.Close()
			if got := r.Header.Get("Content-Type"); got != c.contentType {
				t.Errorf("Content-Type %q, want %q", got, c.contentType)
			}
			if got := r.Header.Get("Cache-Control"); !strings.Contains(got, "immutable") {
				t.Errorf("Cache-Control %q, want immutable", got)
			}
		})
	}
}
