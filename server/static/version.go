package static

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"io/fs"
	"path"
	"regexp"
	"strings"
)

// Versioned URLs. One version names the whole tree of served files: a hash
// of every file's name and bytes, computed once. Each file is also served
// as "v/<version>/<name>", cached for good (immutable) while the version is
// today's. One version for all, rather than one per file, because the
// interface is ES modules that import each other by relative names, and
// the loader finds its texts, styles and workers next to itself: inside
// one versioned folder all of those resolve to versioned URLs with no file
// rewritten and no list to keep, so a file added later is covered as it
// is. The cost is that a new build is fetched afresh whole, which the wasm,
// most of the bytes, is anyway.
//
// The loader partners include by its plain, stable name learns the
// version from the handler, which writes it into the loader as served
// (versionMark); pages have their references to served files rewritten to
// versioned URLs.

// versionDir is the first path segment of a versioned URL.
const versionDir = "v"

// LoaderName is the loader's file: the handler writes the version into it.
const LoaderName = "altiup.js"

// versionMark is the expression in the loader that the handler replaces
// with the version, as a string literal. Served by anything else, the
// loader keeps ” and uses plain names.
const versionMark = "/*altiup:version*/''"

// Version is the version of the tree of served files, or "" when it could
// not be read (then no URL is versioned).
func (h *Handler) Version() string {
	h.versionOnce.Do(func() {
		sum := sha256.New()
		err := fs.WalkDir(h.fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !servable(p) || h.isCopy(p) {
				return nil
			}
			b, err := fs.ReadFile(h.fsys, p)
			if err != nil {
				return err
			}
			sum.Write([]byte(contentHash(b, 43) + " " + p + "\n"))
			return nil
		})
		if err == nil {
			h.version = base64.RawURLEncoding.EncodeToString(sum.Sum(nil))[:12] // 72 bits
		}
	})
	return h.version
}

// isCopy reports whether p is a precompressed copy of a file beside it,
// not a file of its own.
func (h *Handler) isCopy(p string) bool {
	for _, e := range encodings {
		if strings.HasSuffix(p, e.ext) {
			if _, err := fs.Stat(h.fsys, strings.TrimSuffix(p, e.ext)); err == nil {
				return true
			}
		}
	}
	return false
}

// splitVersion takes "v/<version>/<name>" apart.
func splitVersion(name string) (version, rest string, ok bool) {
	after, found := strings.CutPrefix(name, versionDir+"/")
	if !found {
		return "", "", false
	}
	version, rest, ok = strings.Cut(after, "/")
	return version, rest, ok && version != "" && rest != ""
}

// AssetURL returns the URL path, relative to the root the handler serves,
// under which name is cached for good: "v/<version>/name". Pages, and
// names of no file, come back as they are (revalidated on every use).
func (h *Handler) AssetURL(name string) string {
	v := h.Version()
	if v == "" || isPage(name) || !servable(name) {
		return name
	}
	if st, err := fs.Stat(h.fsys, name); err != nil || st.IsDir() {
		return name
	}
	return versionDir + "/" + v + "/" + name
}

// Integrity is the Subresource Integrity value ("sha384-…") of name as the
// handler serves it, for a <script integrity> attribute.
func (h *Handler) Integrity(name string) (string, error) {
	a, err := h.asset(name, false)
	if err != nil {
		return "", err
	}
	b := a.mem[""]
	if a.mem == nil {
		if b, err = fs.ReadFile(h.fsys, name); err != nil {
			return "", err
		}
	}
	sum := sha512.Sum384(b)
	return "sha384-" + base64.StdEncoding.EncodeToString(sum[:]), nil
}

// rewrite gives the bytes served for a file: the loader with the version
// written in, a page asked for by its plain name with its references
// versioned, anything else as it is.
func (h *Handler) rewrite(name string, src []byte, inTree bool) []byte {
	v := h.Version()
	switch {
	case v == "":
		return src
	case name == LoaderName:
		return bytes.Replace(src, []byte(versionMark), []byte("'"+v+"'"), 1)
	case isPage(name) && !inTree:
		return h.versionRefs(name, src)
	}
	return src
}

// refAttr matches an href or src attribute with a quoted value.
var refAttr = regexp.MustCompile(`(?i)(\s(?:href|src)\s*=\s*)("[^"]*"|'[^']*')`)

// versionRefs returns the page with every href/src value that names one of
// the served files (relative to the page, or from the root) replaced by the
// file's versioned URL, in the same form. Other values (external,
// fragments, queries, pages, names of no file) stay as they are.
func (h *Handler) versionRefs(page string, src []byte) []byte {
	return refAttr.ReplaceAllFunc(src, func(m []byte) []byte {
		sub := refAttr.FindSubmatch(m)
		quoted := string(sub[2])
		q, val := quoted[:1], quoted[1:len(quoted)-1]
		fromRoot := strings.HasPrefix(val, "/")
		if !fs.ValidPath(strings.TrimPrefix(val, "/")) {
			return m
		}
		dir := path.Dir(page)
		target, up := path.Join(dir, val), ""
		if dir != "." {
			up = strings.Repeat("../", strings.Count(dir, "/")+1)
		}
		if fromRoot {
			target, up = val[1:], "/"
		}
		url := h.AssetURL(target)
		if url == target {
			return m
		}
		return []byte(string(sub[1]) + q + up + url + q)
	})
}
