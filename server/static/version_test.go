package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/andybalholm/brotli"
)

// pageHTML references local files in every way a page does, and things that
// are not local files.
const pageHTML = `<!doctype html>
<link rel="stylesheet" href="style.css">
<link rel=stylesheet HREF='sub/a.css'>
<script src="/app.js" defer></script>
<script src="altiup.wasm"></script>
<script src="https://cdn.example/app.js"></script>
<a href="#top">top</a>
<a href="other.html">other</a>
<script src="nope.js"></script>
<script src="app.js?x=1"></script>
<script src="../app.js"></script>
<script src="./app.js"></script>
<script src="embed.go"></script>
<a href="sub">dir</a>
<p data-src="app.js">not an attribute that loads</p>
`

// subPage is a page in a folder: its references go up to the versioned
// tree.
const subPage = `<script src="x.js"></script><script src="/app.js"></script><link href="../style.css">`

func pageFS(t *testing.T) fstest.MapFS {
	fsys := testFS(t)
	fsys["index.html"] = &fstest.MapFile{Data: []byte(pageHTML)}
	fsys["index.html.gz"] = &fstest.MapFile{Data: gz(t, pageHTML)} // holds the unrewritten page
	fsys["other.html"] = &fstest.MapFile{Data: []byte(`<script src="app.js"></script>`)}
	fsys["partner/demo.html"] = &fstest.MapFile{Data: []byte(subPage)}
	fsys["partner/x.js"] = &fstest.MapFile{Data: []byte("x()")}
	return fsys
}

// treeVersion is the version of fsys, as the handler gives it; the tests
// below check what it names.
func treeVersion(t *testing.T, fsys fstest.MapFS) string {
	t.Helper()
	v := New(fsys, Options{}).Version()
	if len(v) != 12 {
		t.Fatalf("version %q", v)
	}
	return v
}

func get(t *testing.T, url string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	// Without an Accept-Encoding of its own the transport asks for gzip and
	// hides it; "identity" keeps what the server sends visible.
	req.Header.Set("Accept-Encoding", "identity")
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] != "" {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// TestVersionedPage: the page's references to served files name them in
// the versioned tree; everything else is left alone.
func TestVersionedPage(t *testing.T) {
	fsys := pageFS(t)
	v := treeVersion(t, fsys)
	srv := httptest.NewServer(New(fsys, Options{}))
	defer srv.Close()
	for _, tc := range []struct {
		page string
		want []string
		kept []string
	}{
		{"/", []string{`href="v/%s/style.css"`, `HREF='v/%s/sub/a.css'`, `src="/v/%s/app.js"`, `src="v/%s/altiup.wasm"`}, []string{
			`src="https://cdn.example/app.js"`, `href="#top"`, `href="other.html"`, `src="nope.js"`,
			`src="app.js?x=1"`, `src="../app.js"`, `src="./app.js"`, `src="embed.go"`, `href="sub"`, `data-src="app.js"`,
		}},
		{"/partner/demo.html", []string{`src="../v/%s/partner/x.js"`, `src="/v/%s/app.js"`}, []string{`href="../style.css"`}},
	} {
		resp, body := get(t, srv.URL+tc.page)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d", tc.page, resp.StatusCode)
		}
		page := string(body)
		for _, attr := range tc.want {
			t.Run(tc.page+" "+attr, func(t *testing.T) {
				if want := strings.Replace(attr, "%s", v, 1); !strings.Contains(page, want) {
					t.Fatalf("page lacks %s:\n%s", want, page)
				}
			})
		}
		for _, same := range tc.kept {
			t.Run(tc.page+" kept "+same, func(t *testing.T) {
				if !strings.Contains(page, same) {
					t.Errorf("page lacks %s unchanged", same)
				}
			})
		}
	}
	// Every versioned reference resolves, to exactly the bytes it names, for
	// good.
	_, body := get(t, srv.URL+"/")
	refs := regexp.MustCompile(`(?i)(?:href|src)=["'](/?v/([^/]+)/([^"']+))["']`).FindAllStringSubmatch(string(body), -1)
	if len(refs) != 4 {
		t.Fatalf("%d versioned references, want 4", len(refs))
	}
	for _, m := range refs {
		t.Run("resolves "+m[1], func(t *testing.T) {
			resp, b := get(t, srv.URL+"/"+strings.TrimPrefix(m[1], "/"))
			if resp.StatusCode != 200 || !bytes.Equal(b, fsys[m[3]].Data) {
				t.Fatalf("status %d, body %q", resp.StatusCode, b)
			}
			if m[2] != v {
				t.Errorf("version %s, want %s", m[2], v)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != immutable {
				t.Errorf("Cache-Control %q", cc)
			}
		})
	}
}

// TestVersion: the version changes with any served file's name or bytes,
// a file added included, and with nothing else.
func TestVersion(t *testing.T) {
	base := treeVersion(t, pageFS(t))
	for _, tc := range []struct {
		name    string
		change  func(fstest.MapFS)
		changes bool
	}{
		{"same files", func(fstest.MapFS) {}, false},
		{"a file's bytes", func(f fstest.MapFS) { f["sub/a.css"] = &fstest.MapFile{Data: []byte("b{}")} }, true},
		{"a file added", func(f fstest.MapFS) { f["embed/host.js"] = &fstest.MapFile{Data: []byte("x")} }, true},
		{"a file renamed", func(f fstest.MapFS) { f["sub/b.css"] = f["sub/a.css"]; delete(f, "sub/a.css") }, true},
		{"a page", func(f fstest.MapFS) { f["other.html"] = &fstest.MapFile{Data: []byte("<p>")} }, true},
		{"a compressed copy", func(f fstest.MapFS) { f["app.js.gz"] = &fstest.MapFile{Data: gz(t, "other")} }, false},
		{"a Go file", func(f fstest.MapFS) { f["embed.go"] = &fstest.MapFile{Data: []byte("package other")} }, false},
		{"a unit test", func(f fstest.MapFS) { f["test/b.test.js"] = &fstest.MapFile{Data: []byte("x")} }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := pageFS(t)
			tc.change(fsys)
			if got := treeVersion(t, fsys); (got != base) != tc.changes {
				t.Errorf("version %s, was %s; want a change: %v", got, base, tc.changes)
			}
		})
	}
}

// TestCacheControl: immutable only for a URL in the tree of today's
// version; pages, plain names and stale versions are revalidated, and the
// current bytes are always what is sent.
func TestCacheControl(t *testing.T) {
	fsys := pageFS(t)
	v := treeVersion(t, fsys)
	srv := httptest.NewServer(New(fsys, Options{}))
	defer srv.Close()
	_, page := get(t, srv.URL+"/index.html")
	tree := "/v/" + v + "/"
	tests := []struct {
		name, path, accept string
		status             int
		cache, encoding    string
		body               string
	}{
		{"today's version", tree + "app.js", "", 200, immutable, "", appJS},
		{"today's version, brotli", tree + "app.js", "br", 200, immutable, "br", appJS},
		{"today's version, gzip", tree + "app.js", "gzip", 200, immutable, "gzip", appJS},
		{"today's version, a folder down", tree + "i18n/en.json", "", 200, immutable, "", `{"lang":"en"}`},
		{"stale version", "/v/AAAAAAAAAAAA/app.js", "br", 200, "no-cache", "br", appJS},
		{"plain name", "/app.js", "", 200, "no-cache", "", appJS},
		{"a query is no version", "/app.js?v=" + v, "", 200, "no-cache", "", appJS},
		{"the wasm by its plain name", "/altiup.wasm", "", 200, "no-cache", "", "\x00asm\x01\x00\x00\x00"},
		{"page", "/", "", 200, "no-cache", "", string(page)},
		{"page by name", "/index.html", "", 200, "no-cache", "", string(page)},
		{"page in the tree, as it is", tree + "index.html", "", 200, "no-cache", "", pageHTML},
		{"other page", "/other.html", "", 200, "no-cache", "", `<script src="v/` + v + `/app.js"></script>`},
		{"traversal out of the tree", tree + "../embed.go", "", 404, "", "", ""},
		{"Go file in the tree", tree + "embed.go", "", 404, "", "", ""},
		{"unit test in the tree", tree + "test/a.test.js", "", 404, "", "", ""},
		{"encoded traversal in the tree", tree + "%2e%2e/%2e%2e/embed.go", "", 404, "", "", ""},
		{"missing in the tree", tree + "nope.js", "", 404, "", "", ""},
		{"the tree itself", tree, "", 404, "", "", ""},
		{"no version", "/v//app.js", "", 404, "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, raw := get(t, srv.URL+tc.path, "Accept-Encoding", tc.accept)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status != 200 {
				return
			}
			if cc := resp.Header.Get("Cache-Control"); cc != tc.cache {
				t.Errorf("Cache-Control %q, want %q", cc, tc.cache)
			}
			if enc := resp.Header.Get("Content-Encoding"); enc != tc.encoding {
				t.Fatalf("Content-Encoding %q, want %q", enc, tc.encoding)
			}
			if body := decode(t, tc.encoding, raw); string(body) != tc.body {
				t.Errorf("body %q, want %q", body, tc.body)
			}
			etag := resp.Header.Get("ETag")
			if etag == "" {
				t.Fatal("no ETag")
			}
			resp, _ = get(t, srv.URL+tc.path, "Accept-Encoding", tc.accept, "If-None-Match", etag)
			if resp.StatusCode != http.StatusNotModified {
				t.Errorf("revalidation: %d, want 304", resp.StatusCode)
			}
		})
	}
}

func decode(t *testing.T, enc string, raw []byte) []byte {
	t.Helper()
	var r io.Reader = bytes.NewReader(raw)
	switch enc {
	case "br":
		r = brotli.NewReader(r)
	case "gzip":
		zr, err := gzip.NewReader(r)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestVersionedPageEncodings: the rewritten page is compressed by the
// handler (the precompressed copy holds the page before rewriting, so it is
// never sent), and each encoding revalidates with its own ETag.
func TestVersionedPageEncodings(t *testing.T) {
	srv := httptest.NewServer(New(pageFS(t), Options{}))
	defer srv.Close()
	_, plain := get(t, srv.URL+"/")
	if string(plain) == pageHTML {
		t.Fatal("page not rewritten")
	}
	etags := map[string]bool{}
	for _, enc := range []string{"", "br", "gzip"} {
		t.Run("encoding "+enc, func(t *testing.T) {
			resp, raw := get(t, srv.URL+"/", "Accept-Encoding", enc)
			if got := resp.Header.Get("Content-Encoding"); got != enc {
				t.Fatalf("Content-Encoding %q, want %q", got, enc)
			}
			if body := decode(t, enc, raw); !bytes.Equal(body, plain) {
				t.Fatalf("body %q, want %q", body, plain)
			}
			if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
				t.Error("no Vary: Accept-Encoding")
			}
			etag := resp.Header.Get("ETag")
			if etags[etag] {
				t.Errorf("ETag %s shared between encodings", etag)
			}
			etags[etag] = true
			resp, _ = get(t, srv.URL+"/", "Accept-Encoding", enc, "If-None-Match", etag)
			if resp.StatusCode != http.StatusNotModified {
				t.Errorf("revalidation: %d, want 304", resp.StatusCode)
			}
		})
	}
}

func TestAssetURL(t *testing.T) {
	fsys := pageFS(t)
	v := treeVersion(t, fsys)
	h := New(fsys, Options{})
	for _, tc := range []struct{ name, want string }{
		{"app.js", "v/" + v + "/app.js"},
		{"i18n/en.json", "v/" + v + "/i18n/en.json"},
		{"index.html", "index.html"},
		{"nope.js", "nope.js"},
		{"embed.go", "embed.go"},
		{"sub", "sub"},
		{"../app.js", "../app.js"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.AssetURL(tc.name); got != tc.want {
				t.Errorf("AssetURL(%q) = %q, want %q", tc.name, got, tc.want)
			}
		})
	}
}

// TestLoader: the loader is served with the version written in, the same
// bytes by its plain name and in the tree, and Integrity is their SRI
// hash. A loader without the mark is served as it is.
func TestLoader(t *testing.T) {
	const loader = "const VERSION = " + versionMark + "; const OTHER = '';"
	for _, tc := range []struct{ name, src, want string }{
		{"with the mark", loader, "const VERSION = '%s'; const OTHER = '';"},
		{"without", "const VERSION = '';", "const VERSION = '';"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := pageFS(t)
			fsys[LoaderName] = &fstest.MapFile{Data: []byte(tc.src)}
			fsys[LoaderName+".gz"] = &fstest.MapFile{Data: gz(t, tc.src)}
			v := treeVersion(t, fsys)
			h := New(fsys, Options{})
			srv := httptest.NewServer(h)
			defer srv.Close()
			want := strings.Replace(tc.want, "%s", v, 1)
			sri, err := h.Integrity(LoaderName)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha512.Sum384([]byte(want))
			if wantSRI := "sha384-" + base64.StdEncoding.EncodeToString(sum[:]); sri != wantSRI {
				t.Errorf("Integrity %s, want %s", sri, wantSRI)
			}
			for _, u := range []string{"/" + LoaderName, "/v/" + v + "/" + LoaderName} {
				for _, enc := range []string{"", "gzip", "br"} {
					resp, raw := get(t, srv.URL+u, "Accept-Encoding", enc)
					if body := decode(t, resp.Header.Get("Content-Encoding"), raw); string(body) != want {
						t.Errorf("%s (%q): %q, want %q", u, enc, body, want)
					}
				}
			}
		})
	}
}
