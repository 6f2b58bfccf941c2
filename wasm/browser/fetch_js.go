//go:build js && wasm

package browser

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"syscall/js"
)

// FetchTransport sends small requests, such as the GraphQL API's, with
// fetch in few Go↔JS calls: the request's options cross as one JSON text,
// and the response comes back with its whole body as text in one promise.
// net/http's own js transport costs the page's main thread dozens of
// js.Values per request (headers read one by one through an iterator, the
// body through a stream reader, a callback per chunk), each with a
// finalizer. Bodies are read whole: it is not for large downloads.
type FetchTransport struct {
	// Workers, when set, send the requests from one of their workers once
	// one is ready: the page's main thread then posts a message where it
	// would start a fetch (about 1 ms of it a request, the most of an API
	// call's cost there), and takes one message for the answer.
	Workers *WorkerPool
}

var _ http.RoundTripper = FetchTransport{}

// The response headers the API's callers read: the server's Date and
// Retry-After (the retrier and the STS's clock) and Content-Type.
var fetchHeaders = []string{"Content-Type", "Date", "Retry-After"}

// textOf(response) is response.text(), made of built-ins (the page's CSP
// forbids evaluating code): Function.prototype.call bound to
// Response.prototype.text.
var textOf = func() js.Value {
	resp := jsGlobal.Get("Response")
	if resp.Type() != js.TypeFunction {
		return js.Undefined()
	}
	call := jsGlobal.Get("Function").Get("prototype").Get("call")
	return call.Call("bind", resp.Get("prototype").Get("text"))
}()

// fetchInit is the JSON form of fetch's options.
type fetchInit struct {
	Method      string            `json:"method"`
	Headers     map[string]string `json:"headers,omitempty"`
	Body        *string           `json:"body,omitempty"`
	Credentials string            `json:"credentials"`
}

func (t FetchTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if textOf.IsUndefined() {
		// No Response global (an old browser, a test without one).
		return http.DefaultTransport.RoundTrip(r)
	}
	ctx := r.Context()
	init := fetchInit{Method: r.Method, Headers: requestHeaders(r.Header), Credentials: "same-origin"}
	if r.Body != nil && r.Body != http.NoBody {
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		s := string(b)
		init.Body = &s
	}
	if t.Workers != nil {
		body := js.Undefined()
		if init.Body != nil {
			body = js.ValueOf(*init.Body)
		}
		a := t.Workers.FetchNow(ctx, workerRequest{Method: init.Method, URL: r.URL.String(), Headers: init.Headers, Text: true}, body)
		if !errors.Is(a.err, ErrNoWorkers) {
			if a.err != nil {
				return nil, a.err
			}
			return newResponse(r, a.status, a.header, a.body), nil
		}
		// No worker is ready: the page sends it itself.
	}
	j, err := json.Marshal(init)
	if err != nil {
		return nil, err
	}
	var both js.Value
	var abort js.Value
	err = catch(func() {
		opts := jsJSON.Call("parse", string(j))
		if ctx.Done() != nil {
			abort = jsAbortController.New()
			opts.Set("signal", abort.Get("signal"))
		}
		p := jsGlobal.Call("fetch", r.URL.String(), opts)
		both = jsPromise.Call("all", []any{p, p.Call("then", textOf)})
	})
	if err != nil {
		return nil, err
	}
	v, err := Await(ctx, both)
	if err != nil {
		if ctx.Err() != nil && !abort.IsUndefined() {
			catch(func() { abort.Call("abort") })
		}
		// A *JSError such as "TypeError: Failed to fetch", as net/http's
		// transport says it: the browser tells no more.
		return nil, err
	}
	resp := v.Index(0)
	h := http.Header{}
	hs := resp.Get("headers")
	for _, name := range fetchHeaders {
		if hv := hs.Call("get", name); hv.Type() == js.TypeString {
			h.Set(name, hv.String())
		}
	}
	return newResponse(r, resp.Get("status").Int(), h, v.Index(1).String()), nil
}

// newResponse is the answer to r, its body read whole.
func newResponse(r *http.Request, status int, h http.Header, body string) *http.Response {
	return &http.Response{
		Status:        strconv.Itoa(status) + " " + http.StatusText(status),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader([]byte(body))),
		ContentLength: int64(len(body)),
		Request:       r,
	}
}
