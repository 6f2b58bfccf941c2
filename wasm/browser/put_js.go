//go:build js && wasm

package browser

import (
	"context"
	"net/url"
	"sync/atomic"
	"syscall/js"
	"time"

	"altiup/wasm/upload"
)

// maxResponseBody bounds the response body kept from a PUT: storage servers
// answer with empty bodies or short XML error documents.
const maxResponseBody = 64 << 10

// Putter sends object uploads with XMLHttpRequest. A File goes out as the
// request body as it is (or a slice of it): the browser streams it from disk,
// nothing is copied through Go memory, and upload progress events report the
// bytes sent while the request runs, which fetch cannot do.
type Putter struct{}

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

type xhrResult struct {
	status  int
	headers string
	body    string
	err     error
}

// Put sends req with src (or its byte range) as the body. progress, which may
// be nil, is called on the calling goroutine with the bytes sent so far, never
// after Put returns.
func (Putter) Put(ctx context.Context, req upload.PutRequest, src upload.Source, progress func(sent int64)) (*upload.PutResponse, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	Pace()
	body, err := requestBody(req, src)
	if err != nil {
		return nil, err
	}

	method := req.Method
	if method == "" {
		method = "PUT"
	}
	var (
		done   = make(chan xhrResult, 1) // buffered: the handler never blocks
		notify = make(chan struct{}, 1)
		sent   atomic.Int64
		xhr    = jsXHR.New()
		upl    = xhr.Get("upload")
	)
	// One handler for every event, as properties rather than listeners:
	// three Go↔JS calls to attach, none to detach. loadend is the request's
	// last event whatever its ending, so after it nothing can call the
	// handler; a cancelled request has it detached before release.
	handler := js.FuncOf(func(this js.Value, args []js.Value) any {
		e := arg(args, 0)
		if e.Get("type").String() != "loadend" {
			// upload's progress and load: the bytes sent so far.
			if n := int64(e.Get("loaded").Float()); n > sent.Load() {
				sent.Store(n)
				select {
				case notify <- struct{}{}:
				default:
				}
			}
			return nil
		}
		r := xhrResult{status: xhr.Get("status").Int()}
		if r.status == 0 {
			// No answer: a network error, or the abort of a cancelled
			// request (whose caller has gone already).
			r.err = errUnreachable()
		} else {
			r.headers = xhr.Call("getAllResponseHeaders").String()
			if t := xhr.Get("responseText"); t.Type() == js.TypeString {
				r.body = t.String()
			}
		}
		done <- r
		return nil
	})
	upl.Set("onprogress", handler)
	upl.Set("onload", handler)
	xhr.Set("onloadend", handler)
	ended := false
	defer func() {
		if !ended {
			upl.Set("onprogress", js.Null())
			upl.Set("onload", js.Null())
			xhr.Set("onloadend", js.Null())
		}
		handler.Release()
	}()

	err = catch(func() {
		xhr.Call("open", method, req.URL, true)
		for name, values := range req.Header {
			if forbiddenHeader(name) {
				continue
			}
			for _, v := range values {
				xhr.Call("setRequestHeader", name, v)
			}
		}
		xhr.Call("send", body)
	})
	if err != nil {
		// open throws on a malformed URL; never echo the URL (it may be presigned).
		return nil, &upload.Error{Code: upload.CodeInternal, Message: "Could not send the upload request.", Err: err}
	}

	var reported int64
	report := func() {
		if n := sent.Load(); progress != nil && n > reported {
			reported = n
			progress(n)
		}
	}
	for {
		select {
		case <-notify:
			report()
		case r := <-done:
			ended = true
			report()
			if e, ok := r.err.(*upload.Error); ok && e.Code == upload.CodeNetwork {
				return nil, diagnose(ctx, req.URL)
			}
			if r.err != nil {
				return nil, r.err
			}
			if len(r.body) > maxResponseBody {
				r.body = r.body[:maxResponseBody]
			}
			return &upload.PutResponse{
				StatusCode: r.status,
				Header:     parseResponseHeaders(r.headers),
				Body:       []byte(r.body),
			}, nil
		case <-ctx.Done():
			catch(func() { xhr.Call("abort") })
			return nil, ctx.Err()
		}
	}
}

// requestBody is the JS value to send: the File itself, a slice of it, or for
// a non-File source the bytes copied into a Uint8Array.
func requestBody(req upload.PutRequest, src upload.Source) (js.Value, error) {
	size := src.Size()
	off, n := req.Offset, req.Length
	if n < 0 {
		n = size - off
	}
	if off < 0 || n < 0 || off+n > size {
		return js.Undefined(), upload.Errorf(upload.CodeInternal, "The byte range %d+%d is outside %q (%d bytes).", off, n, src.Name(), size)
	}
	if f, ok := src.(*File); ok {
		if off == 0 && n == size {
			return f.Blob(), nil
		}
		return f.Blob().Call("slice", off, off+n), nil
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
			return js.Undefined(), err
		}
		js.CopyBytesToJS(arr.Call("subarray", done, done+k), buf[:k])
		done += k
	}
	return arr, nil
}
