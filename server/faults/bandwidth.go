package faults

import (
	"io"
	"net/http"
)

// slowBody takes upload tokens for every byte read from a request body.
type slowBody struct {
	rc io.ReadCloser
	in *Injector
	r  *http.Request
}

func (b *slowBody) Read(p []byte) (int, error) {
	if len(p) > b.in.burst {
		p = p[:b.in.burst]
	}
	n, err := b.rc.Read(p)
	if n > 0 {
		if werr := b.in.up.WaitN(b.r.Context(), n); werr != nil && err == nil {
			err = werr
		}
	}
	return n, err
}

func (b *slowBody) Close() error { return b.rc.Close() }

// slowWriter takes download tokens for every byte of a response body.
type slowWriter struct {
	http.ResponseWriter
	in *Injector
	r  *http.Request
}

func (w *slowWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		c := p[:min(len(p), w.in.burst)]
		if err := w.in.down.WaitN(w.r.Context(), len(c)); err != nil {
			return written, err
		}
		n, err := w.ResponseWriter.Write(c)
		written += n
		if err != nil {
			return written, err
		}
		p = p[len(c):]
	}
	return written, nil
}

// Flush and Unwrap keep http.Flusher and http.ResponseController working
// through the wrapper.
func (w *slowWriter) Flush() { _ = http.NewResponseController(w.ResponseWriter).Flush() }

func (w *slowWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

var (
	_ io.ReadCloser = (*slowBody)(nil)
	_ http.Flusher  = (*slowWriter)(nil)
)
