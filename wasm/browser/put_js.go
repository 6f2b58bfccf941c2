//go:build js && wasm

package browser

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"syscall/js"
	"time"

	"altiup/wasm/upload"
)

// maxResponseBody bounds the response body kept from a PUT: storage servers
// answer with empty bodies or short XML error documents.
const maxResponseBody = 64 << 10

// Putter sends object uploads. A File goes out as the request body as it
// is (or a slice of it): the browser streams it from disk and nothing is
// copied through Go memory. A PUT expected to take longer than QuickPut goes
// by XMLHttpRequest, whose upload progress events report the bytes sent
// while it runs; a quicker one by fetch, which reports nothing until the
// answer (its progress then jumps to the whole body) but costs the page's
// main thread no event while the body goes out and the browser's network
// service about half the CPU. The expectation comes from the PUTs that
// ended; before the first, a slow link is assumed, so a first large file
// shows its progress. Use it by pointer: it learns the link's rate.
type Putter struct {
	// QuickPut is the longest a PUT may be expected to take and still go
	// by fetch: 0 means DefaultQuickPut, a negative value always
	// XMLHttpRequest.
	QuickPut time.Duration
	// Workers, when set, make the fetch of a whole File's PUT from a
	// worker, off the page's main thread; when they cannot run, the page
	// does.
	Workers *WorkerPool

	clock putClock
}

var _ upload.Putter = (*Putter)(nil)

// errUnreachable is the answer to a request that got no HTTP response at all.
// The browser does not say why; a refused CORS preflight looks the same as a
// server that is down.
func errUnreachable() error {
	return upload.Errorf(upload.CodeNetwork, "Could not reach the storage server; it may be down or refuse cross-origin requests (CORS).")
}

// diagnose tells apart, for a request that got no answer, a browser that is
// offline or a server that cannot be reached (worth waiting for) from a
// server that answers but not this request: a connection cut, or CORS rules
// that refuse this page (counted against the retries, so a misconfigured
// bucket is reported soon). A no-cors request can reach a server whatever
// its CORS rules, so it is the probe.
func diagnose(ctx context.Context, rawURL string) error {
	if nav := jsGlobal.Get("navigator"); nav.Truthy() && nav.Get("onLine").Type() == js.TypeBoolean && !nav.Get("onLine").Bool() {
		return upload.Errorf(upload.CodeNetwork, "The browser is offline; the upload goes on when the connection is back.")
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return errUnreachable()
	}
	var p js.Value
	if catch(func() {
		p = jsGlobal.Call("fetch", u.Scheme+"://"+u.Host+"/", map[string]any{
			"method": "HEAD", "mode": "no-cors", "cache": "no-store", "credentials": "omit",
		})
	}) != nil {
		return errUnreachable()
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := Await(pctx, p); err != nil {
		return errUnreachable()
	}
	return upload.Errorf(upload.CodeConnectionLost, "The storage server is reachable but the upload got no answer: the connection was cut, or the server refuses cross-origin requests from this page (CORS).")
}

// httpAnswer is what came back from a PUT, whichever way it went.
type httpAnswer struct {
	status int
	header http.Header
	body   string
	err    error
}

// Put sends req with src (or its byte range) as the body. progress, which may
// be nil, is called on the calling goroutine with the bytes sent so far, never
// after Put returns.
func (p *Putter) Put(ctx context.Context, req upload.PutRequest, src upload.Source, progress func(sent int64)) (*upload.PutResponse, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	Pace()
	body, n, err := requestBody(req, src)
	if err != nil {
		return nil, err
	}
	if req.Method == "" {
		req.Method = http.MethodPut
	}
	quick := p.QuickPut
	if quick == 0 {
		quick = DefaultQuickPut
	}
	began := time.Now()
	var a httpAnswer
	if quick > 0 && !textOf.IsUndefined() && p.clock.expect(n) <= quick {
		a = httpAnswer{err: ErrNoWorkers}
		// A whole File only: the parts of a large file go out over
		// minutes, a few requests that cost the page little.
		if _, isFile := src.(*File); isFile && p.Workers != nil && req.Offset == 0 && n == src.Size() {
			a = p.Workers.Fetch(ctx, workerRequest{Method: req.Method, URL: req.URL, Headers: requestHeaders(req.Header)}, body)
			var failed *JSError
			if errors.As(a.err, &failed) {
				a.err = errUnreachable()
			}
			if a.err == nil && a.status/100 == 2 && progress != nil && n > 0 {
				progress(n)
			}
		}
		if errors.Is(a.err, ErrNoWorkers) {
			a = fetchPut(ctx, req, body, n, progress)
		}
	} else {
		a = xhrPut(ctx, req, body, progress)
	}
	p.clock.ended(n, time.Since(began), a.err == nil && a.status/100 == 2)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if e, ok := a.err.(*upload.Error); ok && e.Code == upload.CodeNetwork {
		return nil, diagnose(ctx, req.URL)
	}
	if a.err != nil {
		return nil, a.err
	}
	if len(a.body) > maxResponseBody {
		a.body = a.body[:maxResponseBody]
	}
	return &upload.PutResponse{StatusCode: a.status, Header: a.header, Body: []byte(a.body)}, nil
}

// errSend is the failure of a request the browser would not send: open or
// fetch throw on a malformed URL, which is never echoed (it may be presigned).
func errSend(err error) error {
	return &upload.Error{Code: upload.CodeInternal, Message: "Could not send the upload request.", Err: err}
}

// requestBody is the JS value to send, and its length: the File itself, a
// slice of it, or for a non-File source the bytes copied into a Uint8Array.
func requestBody(req upload.PutRequest, src upload.Source) (js.Value, int64, error) {
	size := src.Size()
	off, n := req.Offset, req.Length
	if n < 0 {
		n = size - off
	}
	if off < 0 || n < 0 || off+n > size {
		return js.Undefined(), 0, upload.Errorf(upload.CodeInternal, "The byte range %d+%d is outside %q (%d bytes).", off, n, src.Name(), size)
	}
	if f, ok := src.(*File); ok {
		if off == 0 && n == size {
			return f.Blob(), n, nil
		}
		return f.Blob().Call("slice", off, off+n), n, nil
	}
	arr := jsUint8Array.New(n)
	buf := make([]byte, min(n, upload.ChunkSize))
	for done := int64(0); done < n; {
		k := min(int64(len(buf)), n-done)
		got, err := src.ReadAt(buf[:k], off+done)
		if int64(got) < k {
			if err == nil {
				err = upload.Errorf(upload.CodeInvalidInput, "The file %q ended before its size.", src.Name())
			}
			return js.Undefined(), 0, err
		}
		js.CopyBytesToJS(arr.Call("subarray", done, done+k), buf[:k])
		done += k
	}
	return arr, n, nil
}
