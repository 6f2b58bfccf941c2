package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/andybalholm/brotli"
)

// Options tune the headers.
type Options struct {
	// FrameAncestors is the CSP frame-ancestors source list; empty means 'none'
	// (the page cannot be framed).
	FrameAncestors string
	// ConnectSrc lists extra origins the page may call besides its own (the API
	// and the storage endpoints); "*" allows any, which a page that talks to
	// buckets chosen at run time needs.
	ConnectSrc string
}

// Handler serves files of fsys.
type Handler struct {
	fsys   fs.FS
	csp    string
	framed bool

	mu    sync.Mutex
	files map[string]*asset // by name, filled on first request

	versionOnce sync.Once
	version     string // of the whole tree: see version.go
}

// asset is what is known of one file: its ETag (a hash of the bytes
// served), and the precompressed copies that hold exactly those bytes.
type asset struct {
	etag      string
	encodings map[string]string // "br"/"gzip" → name of the copy
	// mem holds the bytes served when they are not the file's own (an HTML
	// page whose asset references were versioned, or the loader with the
	// version written in), keyed by encoding ("" for identity); nil means
	// the file is served from fsys.
	mem map[string][]byte
}

// immutable is sent for a URL whose version matches the content: that URL
// can never name other bytes, so browsers need not ask again.
const immutable = "public, max-age=31536000, immutable"

// encodings the handler serves precompressed, best first, with the suffix
// of their copies (written by ./precompress).
var encodings = []struct{ name, ext string }{{"br", ".br"}, {"gzip", ".gz"}}

// New returns a Handler for fsys.
func New(fsys fs.FS, opt Options) *Handler {
	fa := opt.FrameAncestors
	if fa == "" {
		fa = "'none'"
	}
	cs := "'self'"
	if opt.ConnectSrc != "" {
		cs += " " + opt.ConnectSrc
	}
	// 'wasm-unsafe-eval' lets the page compile the wasm; nothing else is
	// evaluated, and no script comes from elsewhere.
	csp := "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' blob: data:; connect-src " + cs +
		"; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors " + fa
	h := &Handler{fsys: fsys, csp: csp, framed: opt.FrameAncestors != "", files: map[string]*asset{}}
	h.Version() // now, at the server's start, rather than during the first page's request
	return h
}

func init() {
	// The system's MIME table may lack these; browsers need the exact types
	// (instantiateStreaming refuses anything but application/wasm).
	_ = mime.AddExtensionType(".wasm", "application/wasm")
	_ = mime.AddExtensionType(".js", "text/javascript; charset=utf-8")
	_ = mime.AddExtensionType(".json", "application/json")
	_ = mime.AddExtensionType(".css", "text/css; charset=utf-8")
	_ = mime.AddExtensionType(".html", "text/html; charset=utf-8")
	// The types (altiup.d.ts), to read; some tables say video/mp2t.
	_ = mime.AddExtensionType(".ts", "text/plain; charset=utf-8")
}

// crossOrigin are the extensions partner pages on other origins load: the
// loader, the interface, its styles and texts, and the wasm.
var crossOrigin = map[string]bool{".js": true, ".wasm": true, ".json": true, ".css": true}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Content-Security-Policy", h.csp)
	if !h.framed {
		hd.Set("X-Frame-Options", "DENY") // for browsers without frame-ancestors
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hd.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	ver, inTree := "", false
	if v, rest, ok := splitVersion(name); ok {
		ver, name, inTree = v, rest, true
	}
	if name == "" {
		name = "index.html"
	}
	if !servable(name) {
		http.NotFound(w, r)
		return
	}
	a, err := h.asset(name, inTree)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	ext := path.Ext(name)
	if ct := mime.TypeByExtension(ext); ct != "" {
		hd.Set("Content-Type", ct)
	} else {
		hd.Set("Content-Type", "application/octet-stream")
	}
	// A URL whose version matches the content names those bytes forever.
	// Anything else (pages, the loader partners include by its plain name,
	// an unversioned or stale URL) is revalidated; the ETag makes that a 304
	// when nothing changed. A stale version gets today's bytes, never cached
	// as if they were the old ones.
	if inTree && !isPage(name) && ver != "" && ver == h.Version() {
		hd.Set("Cache-Control", immutable)
	} else {
		hd.Set("Cache-Control", "no-cache")
	}
	if crossOrigin[ext] {
		hd.Set("Access-Control-Allow-Origin", "*")
		hd.Set("Cross-Origin-Resource-Policy", "cross-origin")
	}
	serve := name
	etag := a.etag
	if len(a.encodings) > 0 {
		hd.Add("Vary", "Accept-Encoding")
		if enc := pick(r.Header.Get("Accept-Encoding"), a.encodings); enc != "" {
			serve = a.encodings[enc]
			hd.Set("Content-Encoding", enc)
			etag = strings.TrimSuffix(etag, `"`) + "-" + enc + `"`
		}
	}
	hd.Set("ETag", etag)
	if a.mem != nil {
		enc := hd.Get("Content-Encoding")
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.mem[enc]))
		return
	}
	f, err := h.fsys.Open(serve)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if rs, ok := f.(io.ReadSeeker); ok {
		http.ServeContent(w, r, name, st.ModTime(), rs)
		return
	}
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hd.Set("Content-Length", strconv.FormatInt(st.Size(), 10))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = io.Copy(w, f)
}

// asset describes name, once: its hash, and the copies that decompress to
// exactly its bytes (a copy left from an older build is ignored). inTree
// tells a page asked for inside the versioned tree, whose references
// already resolve there, from one asked for by its plain name.
func (h *Handler) asset(name string, inTree bool) (*asset, error) {
	key := name
	if inTree && isPage(name) {
		key = versionDir + "/" + name
	}
	h.mu.Lock()
	a, ok := h.files[key]
	h.mu.Unlock()
	if ok {
		return a, nil
	}
	st, err := fs.Stat(h.fsys, name)
	if err != nil || st.IsDir() {
		return nil, fs.ErrNotExist
	}
	src, err := fs.ReadFile(h.fsys, name)
	if err != nil {
		return nil, err
	}
	if served := h.rewrite(name, src, inTree); !bytes.Equal(served, src) {
		a, err = inMemory(served)
	} else {
		a = newAsset(src)
		for _, e := range encodings {
			b, err := fs.ReadFile(h.fsys, name+e.ext)
			if err != nil {
				continue
			}
			if plain, err := decompress(e.name, b); err == nil && bytes.Equal(plain, src) {
				a.encodings[e.name] = name + e.ext
			}
		}
	}
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	h.files[key] = a
	h.mu.Unlock()
	return a, nil
}

// newAsset describes the bytes b: the ETag is a content hash.
func newAsset(b []byte) *asset {
	return &asset{etag: `"` + contentHash(b, 24) + `"`, encodings: map[string]string{}}
}

// contentHash is the first n characters of the URL-safe base64 of the
// SHA-256 of b.
func contentHash(b []byte, n int) string {
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:])[:n]
}

// inMemory describes bytes made by the handler, compressed here since no
// precompressed copy can hold them.
func inMemory(b []byte) (*asset, error) {
	a := newAsset(b)
	a.mem = map[string][]byte{"": b}
	for _, e := range encodings {
		c, err := compress(e.name, b)
		if err != nil {
			return nil, err
		}
		if len(c) < len(b) {
			a.mem[e.name] = c
			a.encodings[e.name] = memCopy + e.name
		}
	}
	return a, nil
}

// memCopy stands in for a copy's file name in asset.encodings when the copy
// is held in memory.
const memCopy = "(memory)."

func compress(enc string, b []byte) ([]byte, error) {
	var buf bytes.Buffer
	var w io.WriteCloser
	switch enc {
	case "br":
		w = brotli.NewWriterLevel(&buf, brotli.BestCompression)
	default:
		zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if err != nil {
			return nil, err
		}
		w = zw
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// isPage reports whether name is an HTML page: pages are always revalidated,
// so they never carry versions themselves.
func isPage(name string) bool { return path.Ext(name) == ".html" }

// servable reports whether a name may be served at all: not the Go file
// that embeds the page, nor the page's unit tests (web/test/).
func servable(name string) bool {
	return fs.ValidPath(name) && !strings.HasSuffix(name, ".go") && !strings.HasPrefix(name, "test/")
}

func decompress(enc string, b []byte) ([]byte, error) {
	var r io.Reader
	switch enc {
	case "br":
		r = brotli.NewReader(bytes.NewReader(b))
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		r = zr
	}
	return io.ReadAll(r)
}

// pick chooses the best encoding the request accepts (q > 0) among those
// available.
func pick(accept string, have map[string]string) string {
	q := map[string]float64{}
	for _, part := range strings.Split(accept, ",") {
		fields := strings.Split(strings.TrimSpace(part), ";")
		coding := strings.ToLower(strings.TrimSpace(fields[0]))
		v := 1.0
		for _, p := range fields[1:] {
			if k, val, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.TrimSpace(k) == "q" {
				f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
				if err != nil {
					f = 0
				}
				v = f
			}
		}
		q[coding] = v
	}
	best, bestQ := "", 0.0
	for _, e := range encodings {
		if _, ok := have[e.name]; !ok {
			continue
		}
		v, ok := q[e.name]
		if !ok {
			if star, ok := q["*"]; ok {
				v = star
			}
		}
		if v > bestQ {
			best, bestQ = e.name, v
		}
	}
	return best
}
