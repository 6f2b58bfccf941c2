package sandbox

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"altiup/server/sandbox/internal/graph"
)

// linkTTL is how long an Image.url link works.
const linkTTL = 15 * time.Minute

func randomKey() []byte {
	b := make([]byte, 32)
	rand.Read(b)
	return b
}

// linkSignature signs what a download link names: the image, its object
// and the link's expiry, so changing any of them breaks the link.
func (s *Sandbox) linkSignature(id, filename, expires string) []byte {
	h := hmac.New(sha256.New, s.linkKey)
	h.Write([]byte(id + "\n" + filename + "\n" + expires))
	return h.Sum(nil)
}

// downloadURL is a link to GET an image's object until linkTTL passes:
// <base>/files/<image id>/<filename>?expires=<unix seconds>&signature=<...>.
func (s *Sandbox) downloadURL(base string, img *imageRec, now time.Time) string {
	exp := strconv.FormatInt(now.Add(linkTTL).Unix(), 10)
	q := url.Values{"expires": {exp}, "signature": {base64.RawURLEncoding.EncodeToString(s.linkSignature(img.ID, img.Filename, exp))}}
	return base + "/files/" + img.ID + "/" + url.PathEscape(img.Filename) + "?" + q.Encode()
}

type imageResolver struct{ s *Sandbox }

// URL is null until the object has arrived.
func (r imageResolver) URL(ctx context.Context, obj *graph.Image) (*string, error) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	img := s.images[obj.ID]
	if img == nil || !(img.Stored || img.Size > 0) {
		return nil, nil
	}
	u := s.downloadURL(requestFrom(ctx).baseURL, img, s.clock.Now())
	return &u, nil
}

func writeStatus(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, msg+"\n")
}

// serveFile answers a download link: the object's bytes while the link is
// unchanged and unexpired, 403 otherwise.
func (s *Sandbox) serveFile(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeStatus(w, http.StatusMethodNotAllowed, "download links answer GET only")
		return
	}
	id, filename, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/files/"), "/")
	q := r.URL.Query()
	exp, sig := q.Get("expires"), q.Get("signature")
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if !ok || err != nil || !hmac.Equal(got, s.linkSignature(id, filename, exp)) {
		writeStatus(w, http.StatusForbidden, "the download link is not valid: ask the API for a new Image.url")
		return
	}
	unix, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || s.clock.Now().Unix() > unix {
		writeStatus(w, http.StatusForbidden, "the download link has expired: ask the API for a new Image.url")
		return
	}
	s.mu.Lock()
	img := s.images[id]
	var where imageRec
	if img != nil {
		where = *img
	}
	s.mu.Unlock()
	if img == nil || where.Filename != filename {
		writeStatus(w, http.StatusNotFound, "the image is gone")
		return
	}
	rc, err := s.openObject(r.Context(), &where)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		writeStatus(w, http.StatusNotFound, "the image's object is gone")
		return
	case err != nil:
		s.log.Error("sandbox: reading an object to download", "key", where.key(), "err", err)
		writeStatus(w, http.StatusBadGateway, "the storage failed")
		return
	}
	defer rc.Close()
	ct := contentTypes[where.Type]
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "private, max-age=60")
	if r.Method == http.MethodHead {
		return
	}
	io.Copy(w, rc)
}
