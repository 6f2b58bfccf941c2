package s3bucket

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
)

// handlerTransport is an http.RoundTripper that serves each request with an
// http.Handler in this process, so the backend's own S3 client reaches the
// in-process server without a socket (and before any listener exists). The
// response body streams through a pipe as the handler writes it.
type handlerTransport struct {
	h http.Handler
}

var _ http.RoundTripper = handlerTransport{}

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	sreq := serverRequest(req)
	pr, pw := io.Pipe()
	rw := &pipeResponseWriter{header: http.Header{}, pw: pw, ready: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if v := recover(); v != nil {
				rw.abort(fmt.Errorf("s3bucket: in-process S3 handler panicked: %v", v))
			}
			if req.Body != nil {
				_ = req.Body.Close()
			}
		}()
		t.h.ServeHTTP(rw, sreq)
		rw.finish()
	}()
	// A cancelled request stops the handler's writes, as a closed
	// connection would.
	// Closing the write side both ends the reader with ctx's error and
	// fails the handler's further writes.
	stop := context.AfterFunc(ctx, func() { _ = pw.CloseWithError(ctx.Err()) })
	go func() {
		<-done
		stop()
	}()
	select {
	case <-rw.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if rw.err != nil {
		return nil, rw.err
	}
	resp := &http.Response{
		Status:        fmt.Sprintf("%d %s", rw.status, http.StatusText(rw.status)),
		StatusCode:    rw.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        rw.sent,
		Body:          pr,
		ContentLength: -1,
		Request:       req,
	}
	if n, err := strconv.ParseInt(rw.sent.Get("Content-Length"), 10, 64); err == nil {
		resp.ContentLength = n
	}
	if req.Method == http.MethodHead {
		resp.Body = http.NoBody
		_ = pr.Close()
	}
	return resp, nil
}

// serverRequest gives the handler the request as net/http's server would:
// Host and Content-Length as a server sees them, RequestURI set.
func serverRequest(req *http.Request) *http.Request {
	sreq := req.Clone(req.Context())
	if sreq.Host == "" {
		sreq.Host = req.URL.Host
	}
	sreq.RequestURI = req.URL.RequestURI()
	sreq.RemoteAddr = "127.0.0.1:0"
	sreq.Proto, sreq.ProtoMajor, sreq.ProtoMinor = "HTTP/1.1", 1, 1
	sreq.Header.Del("Host")
	switch {
	case req.Body == nil || req.Body == http.NoBody:
		sreq.Body = http.NoBody
		sreq.ContentLength = 0
		if req.Method == http.MethodPut || req.Method == http.MethodPost {
			sreq.Header.Set("Content-Length", "0")
		}
	case req.ContentLength > 0:
		sreq.Header.Set("Content-Length", strconv.FormatInt(req.ContentLength, 10))
	default: // a body of unknown length goes chunked
		sreq.ContentLength = -1
		sreq.TransferEncoding = []string{"chunked"}
		sreq.Header.Del("Content-Length")
	}
	return sreq
}

// pipeResponseWriter hands the status and headers over once, then streams
// the body into a pipe.
type pipeResponseWriter struct {
	header http.Header
	pw     *io.PipeWriter
	once   sync.Once
	ready  chan struct{}
	status int
	sent   http.Header // the headers as they were at WriteHeader
	err    error       // set before ready closes when the handler failed
}

func (w *pipeResponseWriter) Header() http.Header { return w.header }

func (w *pipeResponseWriter) WriteHeader(code int) {
	if code < 200 { // informational responses are not the response
		return
	}
	w.once.Do(func() {
		w.status = code
		w.sent = w.header.Clone()
		close(w.ready)
	})
}

func (w *pipeResponseWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.pw.Write(p)
}

func (w *pipeResponseWriter) finish() {
	w.WriteHeader(http.StatusOK)
	_ = w.pw.Close()
}

func (w *pipeResponseWriter) abort(err error) {
	w.once.Do(func() {
		w.err = err
		close(w.ready)
	})
	_ = w.pw.CloseWithError(err)
}
