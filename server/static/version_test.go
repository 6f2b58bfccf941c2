package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
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

func pageFS(t *testing.T) fstest.MapFS {
	fsys := testFS(t)
	fsys["index.html"] = &fstest.MapFile{Data: []byte(pageHTML)}
	fsys["index.html.gz"] = &fstest.MapFile{Data: gz(t, pageHTML)} // holds the unrewritten page
	fsys["other.html"] = &fstest.MapFile{Data: []byte(`<script src="app.js"></script>`)}
	return fsys
}

// ver is the version a file's bytes should carry, computed here
// independently of the handler.
func ver(b []byte) string {
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:])[:12]
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

// TestVersionedPage: the page's references to served files carry the
// version of those files' bytes; everything else is left alone.
func TestVersionedPage(t *testing.T) {
	fsys := pageFS(t)
	srv := httptest.NewServer(New(fsys, Options{}))
	defer srv.Close()
	resp, body := get(t, srv.URL+"/")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	page := string(body)
	for _, tc := range []struct{ attr, file string }{
		{`href="style.css?v=%s"`, "style.css"},
		{`HREF='sub/a.css?v=%s'`, "sub/a.css"},
		{`src="/app.js?v=%s"`, "app.js"},
		{`src="altiup.wasm?v=%s"`, "altiup.wasm"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			want := strings.Replace(tc.attr, "%s", ver(fsys[tc.file].Data), 1)
			if !strings.Contains(page, want) {
				t.Fatalf("page lacks %s:\n%s", want, page)
			}
		})
	}
	for _, same := range []string{
		`src="https://cdn.example/app.js"`, `href="#top"`, `href="other.html"`, `src="nope.js"`,
		`src="app.js?x=1"`, `src="../app.js"`, `src="./app.js"`, `src="embed.go"`, `href="sub"`, `data-src="app.js"`,
	} {
		t.Run("kept "+same, func(t *testing.T) {
			if !strings.Contains(page, same) {
				t.Errorf("page lacks %s unchanged", same)
			}
		})
	}
	// Every versioned reference resolves, to exactly the bytes it names, for
	// good.
	refs := regexp.MustCompile(`(?i)(?:href|src)=["']/?([^"'?]+)\?v=([^"']+)["']`).FindAllStringSubmatch(page, -1)
	if len(refs) != 4 {
		t.Fatalf("%d versioned references, want 4", len(refs))
	}
	for _, m := range refs {
		t.Run("resolves "+m[1], func(t *testing.T) {
			resp, b := get(t, srv.URL+"/"+m[1]+"?v="+m[2])
			if resp.StatusCode != 200 || !bytes.Equal(b, fsys[m[1]].Data) {
				t.Fatalf("status %d, body %q", resp.StatusCode, b)
			}
			if m[2] != ver(b) {
				t.Errorf("version %s, bytes hash to %s", m[2], ver(b))
			}
			if cc := resp.Header.Get("Cache-Control"); cc != immutable {
				t.Errorf("Cache-Control %q", cc)
			}
		})
	}
}

// TestCacheControl: immutable only for a URL whose version matches the
// bytes; pages, plain names and stale versions are revalidated, and the
// current bytes are always what is sent.
func TestCacheControl(t *testing.T) {
	fsys := pageFS(t)
	srv := httptest.NewServer(New(fsys, Options{}))
	defer srv.Close()
	_, page := get(t, srv.URL+"/index.html")
	appV := ver([]byte(appJS))
	tests := []struct {
		name, path, accept string
		status             int
		cache, encoding    string
		body               string
	}{
		{"matching version", "/app.js?v=" + appV, "", 200, immutable, "", appJS},
		{"matching version, brotli", "/app.js?v=" + appV, "br", 200, immutable, "br", appJS},
		{"matching version, gzip", "/app.js?v=" + appV, "gzip", 200, immutable, "gzip", appJS},
		{"matching version among others", "/app.js?x=1&v=" + appV, "", 200, immutable, "", appJS},
		{"stale version", "/app.js?v=AAAAAAAAAAAA", "br", 200, "no-cache", "br", appJS},
		{"empty version", "/app.js?v=", "", 200, "no-cache", "", appJS},
		{"another file's version", "/style.css?v=" + appV, "", 200, "no-cache", "", "a{color:red}"},
		{"plain name", "/app.js", "", 200, "no-cache", "", appJS},
		{"the loader by its plain name", "/altiup.wasm", "", 200, "no-cache", "", "\x00asm\x01\x00\x00\x00"},
		{"page", "/", "", 200, "no-cache", "", string(page)},
		{"page by name", "/index.html", "", 200, "no-cache", "", string(page)},
		{"page with its own version", "/index.html?v=" + ver(page), "", 200, "no-cache", "", string(page)},
		{"other page", "/other.html?v=" + ver(fsys["other.html"].Data), "", 200, "no-cache", "", `<script src="app.js?v=` + appV + `"></script>`},
		{"traversal with a version", "/../embed.go?v=" + ver(fsys["embed.go"].Data), "", 404, "", "", ""},
		{"encoded traversal with a version", "/%2e%2e/embed.go?v=x", "", 404, "", "", ""},
		{"missing with a version", "/nope.js?v=" + appV, "", 404, "", "", ""},
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
	h := New(fsys, Options{})
	for _, tc := range []struct{ name, want string }{
		{"app.js", "app.js?v=" + ver([]byte(appJS))},
		{"i18n/en.json", "i18n/en.json?v=" + ver(fsys["i18n/en.json"].Data)},
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

// TestManifest: every served file with its versioned URL; no Go sources and
// no compressed copies; and a file of that name in fsys wins.
func TestManifest(t *testing.T) {
	fsys := pageFS(t)
	srv := httptest.NewServer(New(fsys, Options{}))
	defer srv.Close()
	resp, b := get(t, srv.URL+"/"+ManifestName, "Accept-Encoding", "identity")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Error("no CORS header for partner loaders")
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control %q", cc)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"index.html":      "index.html",
		"other.html":      "other.html",
		"altiup.wasm":     "altiup.wasm?v=" + ver(fsys["altiup.wasm"].Data),
		"app.js":          "app.js?v=" + ver([]byte(appJS)),
		"style.css":       "style.css?v=" + ver(fsys["style.css"].Data),
		"i18n/en.json":    "i18n/en.json?v=" + ver(fsys["i18n/en.json"].Data),
		"sub/a.css":       "sub/a.css?v=" + ver(fsys["sub/a.css"].Data),
		"sub/inner/x.txt": "sub/inner/x.txt?v=" + ver(fsys["sub/inner/x.txt"].Data),
	}
	if len(m) != len(want) {
		t.Errorf("manifest %v, want %v", m, want)
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("manifest[%q] = %q, want %q", k, m[k], v)
		}
	}
	for k, v := range m {
		if k == "index.html" || k == "other.html" {
			continue
		}
		resp, _ := get(t, srv.URL+"/"+v)
		if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != immutable {
			t.Errorf("%s: status %d, Cache-Control %q", v, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	}

	fsys[ManifestName] = &fstest.MapFile{Data: []byte(`{"own":"own"}`)}
	srv2 := httptest.NewServer(New(fsys, Options{}))
	defer srv2.Close()
	if _, b := get(t, srv2.URL+"/"+ManifestName); string(b) != `{"own":"own"}` {
		t.Errorf("a file named %s was not served as it is: %s", ManifestName, b)
	}
}
