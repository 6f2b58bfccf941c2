package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"slices"
	"strings"

	"altiup/server/static"
)

// frameAncestors are the origins allowed to frame /embed, by app key; the
// key "" holds the origins allowed for every key. Given on the command line
// as -frame-ancestors [KEY=]ORIGIN[,ORIGIN...], once per key.
type frameAncestors map[string][]string

// String is the flag's value as it would be given again.
func (f frameAncestors) String() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(f)) {
		v := strings.Join(f[k], ",")
		if k != "" {
			v = k + "=" + v
		}
		parts = append(parts, v)
	}
	return strings.Join(parts, " ")
}

// Set reads one -frame-ancestors value: "KEY=o1,o2" for one app key, or
// "o1,o2" for every key.
func (f frameAncestors) Set(v string) error {
	key, list := "", v
	// An origin holds "://" before any "=", a key never does.
	if k, rest, ok := strings.Cut(v, "="); ok && !strings.Contains(k, "/") && !strings.Contains(k, ":") {
		key, list = strings.TrimSpace(k), rest
		if key == "" {
			return fmt.Errorf("%q: the app key before = is empty", v)
		}
	}
	origins, err := parseOrigins(list)
	if err != nil {
		return err
	}
	if len(origins) == 0 {
		return fmt.Errorf("%q names no origin", v)
	}
	for _, o := range origins {
		if !slices.Contains(f[key], o) {
			f[key] = append(f[key], o)
		}
	}
	return nil
}

// allowed are the origins that may frame /embed for key.
func (f frameAncestors) allowed(key string) []string {
	out := slices.Clone(f[""])
	if key != "" {
		for _, o := range f[key] {
			if !slices.Contains(out, o) {
				out = append(out, o)
			}
		}
	}
	return out
}

// embedPage is the file /embed serves: the uploader alone, to be framed by
// a partner's page (the isolated mode of <altiup-uploader>).
const embedPage = "/embed.html"

// embedHandler serves /embed, the page a partner frames, with a CSP whose
// frame-ancestors are the origins allowed for the app key of its ?key=, and
// /embed/policy.json?key=, the same origins for the frame's own check of
// its parent (browsers without frame-ancestors, and the handshake).
type embedHandler struct {
	fa    frameAncestors
	fsys  fs.FS
	opt   static.Options
	pages map[string]http.Handler // by the frame-ancestors they send
}

func newEmbedHandler(fsys fs.FS, opt static.Options, fa frameAncestors) *embedHandler {
	h := &embedHandler{fa: fa, fsys: fsys, opt: opt, pages: map[string]http.Handler{}}
	// One static handler per distinct list, made now: requests never grow
	// the map, whatever keys they name.
	h.page("")
	for k := range fa {
		h.page(k)
	}
	return h
}

// page is the handler that serves embed.html framed by key's origins.
func (h *embedHandler) page(key string) http.Handler {
	list := strings.Join(h.fa.allowed(key), " ")
	if p, ok := h.pages[list]; ok {
		return p
	}
	opt := h.opt
	opt.FrameAncestors = list // "" is 'none'
	p := static.New(h.fsys, opt)
	h.pages[list] = p
	return p
}

func (h *embedHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Query().Get("key")
	if _, ok := h.fa[key]; !ok {
		key = ""
	}
	if r.URL.Path == "/embed/policy.json" {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		origins := h.fa.allowed(key)
		if origins == nil {
			origins = []string{}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"frameAncestors": origins})
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = embedPage
	r2.URL.RawPath = ""
	h.pages[strings.Join(h.fa.allowed(key), " ")].ServeHTTP(w, r2)
}
