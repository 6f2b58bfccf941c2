package static

import (
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
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
	fsys fs.FS
	csp  string
}

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
	return &Handler{fsys: fsys, csp: csp}
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

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Content-Security-Policy", h.csp)
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
	f, err := h.fsys.Open(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		http.NotFound(w, r)
		return
	}
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		hd.Set("Content-Type", ct)
	}
	// The page and its assets change with every build; revalidate each time.
	hd.Set("Cache-Control", "no-cache")
	if strings.HasSuffix(name, ".js") || strings.HasSuffix(name, ".wasm") {
		// Partner pages on other origins load the loader and the wasm.
		hd.Set("Access-Control-Allow-Origin", "*")
		hd.Set("Cross-Origin-Resource-Policy", "cross-origin")
	}
	if rs, ok := f.(io.ReadSeeker); ok {
		http.ServeContent(w, r, name, st.ModTime(), rs)
		return
	}
	hd.Set("Content-Length", itoa(st.Size()))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = io.Copy(w, f)
}

func itoa(n int64) string {
	var b [20]byte
	i := len(b)
	if n == 0 {
		return "0"
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
