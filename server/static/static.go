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
}

// asset is what is known of one file: its ETag and the precompressed copies
// that hold exactly its bytes.
type asset struct {
	etag      string
	encodings map[string]string // "br"/"gzip" → name of the copy
}

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
	return &Handler{fsys: fsys, csp: csp, framed: opt.FrameAncestors != "", files: map[string]*asset{}}
}

func init() {
	// The system's MIME table may lack these; browsers need the exact types
	// (instantiateStreaming refuses anything but application/wasm).
	_ = mime.AddExtensionType(".wasm", "application/wasm")
	_ = mime.AddExtensionType(".js", "text/javascript; charset=utf-8")
	_ = mime.AddExtensionType(".json", "application/json")
	_ = mime.AddExtensionType(".css", "text/css; charset=utf-8")
	_ = mime.AddExtensionType(".html", "text/html; charset=utf-8")
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
	if name == "" {
		name = "index.html"
	}
	if strings.HasSuffix(name, ".go") || !fs.ValidPath(name) {
		http.NotFound(w, r)
		return
	}
	a, err := h.asset(name)
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
	// Names do not change with the content, so every file is revalidated;
	// the ETag makes that a 304 when nothing changed.
	hd.Set("Cache-Control", "no-cache")
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
// exactly its bytes (a copy left from an older build is ignored).
func (h *Handler) asset(name string) (*asset, error) {
	h.mu.Lock()
	a, ok := h.files[name]
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
	sum := sha256.Sum256(src)
	a = &asset{etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`, encodings: map[string]string{}}
	for _, e := range encodings {
		b, err := fs.ReadFile(h.fsys, name+e.ext)
		if err != nil {
			continue
		}
		if plain, err := decompress(e.name, b); err == nil && bytes.Equal(plain, src) {
			a.encodings[e.name] = name + e.ext
		}
	}
	h.mu.Lock()
	h.files[name] = a
	h.mu.Unlock()
	return a, nil
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
