package s3bucket

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/rclone/gofakes3"
	"github.com/rclone/gofakes3/s3mem"
)

// newFakeS3 builds the in-process S3 server: gofakes3 over memory or disk,
// verifying Signature V4, inside the size limit, inside CORS.
//
// gofakes3 (v0.0.12) itself refuses a presigned request that has expired
// (X-Amz-Expires from X-Amz-Date, at most 7 days), whose signature, path or
// query was changed, or whose signed headers differ, such as another
// Content-Type (SignatureDoesNotMatch) or none (unsigned x-amz-* headers
// are refused too); the tests hold it to that, so no check of ours is added.
func newFakeS3(cfg Config) (http.Handler, error) {
	var store gofakes3.Backend
	if cfg.DataDir != "" {
		d, err := openDiskStore(cfg.DataDir)
		if err != nil {
			return nil, err
		}
		store = d
	} else {
		store = s3mem.New()
	}
	if cfg.MaxObjectSize > 0 {
		store = &limitStore{Backend: store, max: cfg.MaxObjectSize}
	}
	faker := gofakes3.New(store,
		gofakes3.WithV4Auth(map[string]string{cfg.AccessKey: cfg.SecretKey}),
		gofakes3.WithoutVersioning(),
	)
	var h http.Handler = faker.Server()
	if cfg.MaxObjectSize > 0 {
		h = sizeLimit(h, cfg.MaxObjectSize)
	}
	return cors(h), nil
}

// corsAllowHeaders are allowed on every preflight, besides whatever the
// browser asks for.
var corsAllowHeaders = []string{"Content-Type", "Content-MD5", "Content-Disposition", "Cache-Control", "Authorization", "X-Amz-Date", "X-Amz-Content-Sha256", "X-Amz-Security-Token", "X-Amz-User-Agent"}

// allowHeaders lists the requested headers, then the usual ones not
// requested, each once.
func allowHeaders(requested []string) string {
	var out []string
	seen := map[string]bool{}
	add := func(h string) {
		h = strings.TrimSpace(h)
		if k := strings.ToLower(h); h != "" && !seen[k] {
			seen[k] = true
			out = append(out, h)
		}
	}
	for _, line := range requested {
		for _, h := range strings.Split(line, ",") {
			add(h)
		}
	}
	for _, h := range corsAllowHeaders {
		add(h)
	}
	return strings.Join(out, ", ")
}

// corsExposeHeaders are the response headers scripts may read.
const corsExposeHeaders = "ETag, Date, Retry-After, X-Amz-Request-Id, X-Amz-Id-2, X-Amz-Version-Id"

// cors answers preflights for any origin and any requested header (the
// sandbox has no bucket CORS configuration to consult), and marks every
// response readable cross-origin with ETag exposed. gofakes3 sets a fixed
// header list of its own, so ours are written last, just before the status.
func cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != "" {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", "*")
			h.Set("Access-Control-Allow-Methods", "GET, HEAD, PUT, POST, DELETE")
			h.Set("Access-Control-Allow-Headers", allowHeaders(r.Header.Values("Access-Control-Request-Headers")))
			h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
			h.Set("Access-Control-Max-Age", "3600")
			h.Add("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		cw := &corsWriter{ResponseWriter: w}
		next.ServeHTTP(cw, r)
		if !cw.wrote {
			// net/http would send 200 itself, bypassing corsWriter.
			cw.WriteHeader(http.StatusOK)
		}
	})
}

type corsWriter struct {
	http.ResponseWriter
	wrote bool
}

func (w *corsWriter) WriteHeader(code int) {
	if !w.wrote && code >= 200 {
		w.wrote = true
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		h.Del("Access-Control-Allow-Methods")
		h.Del("Access-Control-Allow-Headers")
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *corsWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *corsWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// entityTooLarge is S3's error body for an object over the limit.
type entityTooLarge struct {
	XMLName        xml.Name `xml:"Error"`
	Code           string
	Message        string
	ProposedSize   int64
	MaxSizeAllowed int64
	RequestID      string `xml:"RequestId"`
}

func tooLargeMessage(max int64) string {
	return fmt.Sprintf("Your proposed upload exceeds the maximum allowed object size of %d bytes.", max)
}

// sizeLimit refuses a PUT or POST whose declared object size is over max
// before reading its body. Bodies of unknown length are counted by
// limitStore as they are stored.
func sizeLimit(next http.Handler, max int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut && r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		size := r.ContentLength
		// An aws-chunked body is longer than the object it carries.
		if d, err := strconv.ParseInt(r.Header.Get("X-Amz-Decoded-Content-Length"), 10, 64); err == nil {
			size = d
		}
		if size <= max {
			next.ServeHTTP(w, r)
			return
		}
		body, _ := xml.Marshal(entityTooLarge{
			Code:           string(gofakes3.ErrEntityTooLarge),
			Message:        tooLargeMessage(max),
			ProposedSize:   size,
			MaxSizeAllowed: max,
			RequestID:      randomString(16, "0123456789ABCDEF"),
		})
		w.Header().Set("Content-Type", "application/xml")
		// The body is not read: make the client open a new connection
		// rather than send it into this one.
		w.Header().Set("Connection", "close")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, xml.Header)
		_, _ = w.Write(body)
	})
}

// limitStore refuses objects over max as they are stored, which covers what
// sizeLimit can't see: bodies of unknown length and completed multipart
// uploads.
type limitStore struct {
	gofakes3.Backend
	max int64
}

var _ gofakes3.Backend = (*limitStore)(nil)

func (s *limitStore) PutObject(ctx context.Context, bucket, key string, meta map[string]string, input io.Reader, size int64) (gofakes3.PutObjectResult, error) {
	if size > s.max {
		return gofakes3.PutObjectResult{}, gofakes3.ErrorMessage(gofakes3.ErrEntityTooLarge, tooLargeMessage(s.max))
	}
	if size < 0 {
		input = &maxReader{r: input, left: s.max, max: s.max}
	}
	return s.Backend.PutObject(ctx, bucket, key, meta, input, size)
}

// maxReader fails with EntityTooLarge once more than max bytes are read.
type maxReader struct {
	r         io.Reader
	left, max int64
}

func (m *maxReader) Read(p []byte) (int, error) {
	if int64(len(p)) > m.left+1 {
		p = p[:m.left+1]
	}
	n, err := m.r.Read(p)
	m.left -= int64(n)
	if m.left < 0 {
		return 0, gofakes3.ErrorMessage(gofakes3.ErrEntityTooLarge, tooLargeMessage(m.max))
	}
	return n, err
}
