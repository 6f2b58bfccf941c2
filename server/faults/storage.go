package faults

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
)

// Storage wraps the object endpoint's handler with PUT faults, latency and
// the bandwidth cap. Without any of them it returns next itself.
func (in *Injector) Storage(next http.Handler) http.Handler {
	if in.cfg.PutRate == 0 && in.cfg.Latency == 0 && in.up == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !wait(r, in.cfg.Latency) {
			return // the client is gone; there is no one to answer
		}
		if in.up != nil {
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = &slowBody{rc: r.Body, in: in, r: r}
			}
			w = &slowWriter{ResponseWriter: w, in: in, r: r}
		}
		if in.cfg.PutRate > 0 {
			// One request per connection: Chromium silently sends a
			// request again when a reused connection breaks before the
			// answer, which would hide every cut from the page.
			w.Header().Set("Connection", "close")
		}
		if r.Method == http.MethodPut {
			in.puts.Add(1)
			if in.cfg.PutRate > 0 {
				u := in.draw("put", putKey(r))
				switch {
				case u < in.cfg.PutRate/4:
					in.putError(w, r, http.StatusInternalServerError)
					return
				case u < in.cfg.PutRate/2:
					in.putError(w, r, http.StatusServiceUnavailable)
					return
				case u < in.cfg.PutRate:
					in.putCuts.Add(1)
					cutPut(w, r)
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// putKey names the object (and part) a PUT writes, without the query's
// credentials, so that the draws do not depend on signatures or times.
func putKey(r *http.Request) string {
	k := r.URL.Path
	if p := r.URL.Query().Get("partNumber"); p != "" {
		k += "#" + p
	}
	return k
}

// ossStyle reports whether r was signed the OSS way.
func ossStyle(r *http.Request) bool {
	if strings.HasPrefix(r.Header.Get("Authorization"), "OSS") || r.Header.Get("X-Oss-Date") != "" || r.Header.Get("X-Oss-Security-Token") != "" {
		return true
	}
	q := r.URL.Query()
	return q.Has("OSSAccessKeyId") || q.Has("x-oss-signature") || q.Has("x-oss-credential")
}

// RetryAfter is the Retry-After (seconds) of the injected 503s: short, so
// that tests stay quick.
const RetryAfter = "1"

// putError reads the whole body, as a failing server would before it
// answers, then answers status with the storage's XML error and the CORS
// headers a browser needs to read it.
func (in *Injector) putError(w http.ResponseWriter, r *http.Request, status int) {
	in.putErrors.Add(1)
	_, _ = io.Copy(io.Discard, r.Body)
	var id [12]byte
	_, _ = rand.Read(id[:])
	reqID := strings.ToUpper(hex.EncodeToString(id[:]))
	code, msg := "InternalError", "We encountered an internal error. Please try again."
	h := w.Header()
	setStorageCORS(h, r)
	if ossStyle(r) {
		h.Set("X-Oss-Request-Id", reqID)
		h.Set("Server", "AliyunOSS")
		if status == http.StatusServiceUnavailable {
			code, msg = "ServiceUnavailable", "The service is unavailable. Please try again."
		}
	} else {
		h.Set("X-Amz-Request-Id", reqID)
		if status == http.StatusServiceUnavailable {
			code, msg = "SlowDown", "Please reduce your request rate."
		}
	}
	if status == http.StatusServiceUnavailable {
		// As a throttling server does, so that clients can be tested
		// against it.
		h.Set("Retry-After", RetryAfter)
	}
	h.Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>%s</Code>\n  <Message>%s</Message>\n  <RequestId>%s</RequestId>\n</Error>\n", code, msg, reqID)
}

func setStorageCORS(h http.Header, r *http.Request) {
	if o := r.Header.Get("Origin"); o != "" {
		h.Set("Access-Control-Allow-Origin", o)
		h.Add("Vary", "Origin")
	} else {
		h.Set("Access-Control-Allow-Origin", "*")
	}
	h.Set("Access-Control-Expose-Headers", "ETag, Date, Retry-After, x-oss-request-id, x-amz-request-id")
}

// cutPut reads part of the body (half of it, at most 256 KiB) and drops
// the connection with a reset, as a failing link does mid-upload.
func cutPut(w http.ResponseWriter, r *http.Request) {
	n := int64(32 << 10)
	if r.ContentLength >= 0 {
		n = min(r.ContentLength/2, 256<<10)
	}
	_, _ = io.CopyN(io.Discard, r.Body, n)
	cut(w)
}

// cut closes the request's connection without an answer. A reset (linger
// 0) rather than an orderly close, so that a client still sending sees an
// error and not an empty answer.
func cut(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2 or a recorder: the server resets the stream instead.
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
