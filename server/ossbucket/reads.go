package ossbucket

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// Download links: a signature V1 signed URL (OSSAccessKeyId, Expires,
// Signature, security-token) made with a read-only credential for one
// object. The endpoint checks it as every other signature; upload
// credentials never read, and read credentials never write.

// SignGetURL returns a URL that lets anyone holding it GET (or HEAD) the
// object key of bucket for ttl. contentType, when set, is signed into the
// URL as response-content-type and answered as the Content-Type. The URL is
// a secret: callers must not log it.
func (s *Server) SignGetURL(bucket, key, contentType string, ttl time.Duration) (string, error) {
	if !s.HasBucket(bucket) {
		return "", fmt.Errorf("ossbucket: cannot sign a download of bucket %q: it is not served here", bucket)
	}
	if err := checkKey(key); err != nil {
		return "", fmt.Errorf("ossbucket: cannot sign a download: %w", err)
	}
	if ttl <= 0 || ttl > maxSTSTTL {
		return "", fmt.Errorf("ossbucket: download link lifetime %v must be positive and at most %v", ttl, maxSTSTTL)
	}
	exp := s.now().Add(ttl).Truncate(time.Second).Unix()
	c := claims{AccessKeyID: newAccessKeyID(), Bucket: bucket, Prefix: key, Expires: exp, Read: true}
	tok, err := s.keys.issue(c)
	if err != nil {
		return "", err
	}
	expires := strconv.FormatInt(exp, 10)
	q := url.Values{"security-token": {tok}}
	if contentType != "" {
		q.Set("response-content-type", contentType)
	}
	get := &http.Request{Method: http.MethodGet, Header: http.Header{}}
	sig := v1Sign(s.keys.secretFor(c.AccessKeyID), v1StringToSign(get, expires, v1Resource(bucket, key, q)))
	q.Set("OSSAccessKeyId", c.AccessKeyID)
	q.Set("Expires", expires)
	q.Set("Signature", sig)
	segs := strings.Split(key, "/")
	for i, seg := range segs {
		segs[i] = url.PathEscape(seg)
	}
	return s.endpoint + "/" + bucket + "/" + strings.Join(segs, "/") + "?" + q.Encode(), nil
}

// readObject answers a request authenticated with a read-only credential:
// GET or HEAD of its one object, nothing else.
func (s *Server) readObject(w http.ResponseWriter, r *http.Request, q url.Values, p *principal, bucket, key string, op operation) *Error {
	if op != opGetObject {
		return accessDenied("This credential only reads one object; writing, listing and other operations are not allowed.")
	}
	if p.Bucket != bucket || key != p.Prefix {
		return accessDenied(fmt.Sprintf("This credential may only read %q in bucket %q.", p.Prefix, p.Bucket))
	}
	if err := checkKey(key); err != nil {
		return invalidObjectName(err)
	}
	info, err := s.store.StatObject(r.Context(), bucket, key)
	if errors.Is(err, fs.ErrNotExist) {
		return errNoSuchKey()
	}
	if err != nil {
		return storeError(err)
	}
	rc, err := s.store.OpenObject(r.Context(), bucket, key)
	if errors.Is(err, fs.ErrNotExist) {
		return errNoSuchKey()
	}
	if err != nil {
		return storeError(err)
	}
	defer rc.Close()
	ct := q.Get("response-content-type")
	if ct == "" {
		ct = mime.TypeByExtension(strings.ToLower(path.Ext(key)))
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Length", strconv.FormatInt(info.Size, 10))
	h.Set("ETag", etag(info.MD5[:]))
	h.Set("Last-Modified", info.ModTime.UTC().Format(http.TimeFormat))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		io.Copy(w, rc)
	}
	return nil
}

func errNoSuchKey() *Error {
	return newError(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
}
