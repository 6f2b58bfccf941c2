//go:build js && wasm

package browser

import (
	"context"
	"encoding/json"
	"syscall/js"

	"altiup/wasm/upload"
)

// fetchPut sends req with body (n bytes) by fetch. It reports no progress
// until the answer: all n bytes then, when the storage took them (a 2xx).
// The answer's headers cross as one JSON text; its body is read only when
// it is an error document.
func fetchPut(ctx context.Context, req upload.PutRequest, body js.Value, n int64, progress func(sent int64)) httpAnswer {
	j, err := json.Marshal(fetchInit{Method: req.Method, Headers: requestHeaders(req.Header), Credentials: "same-origin"})
	if err != nil {
		return httpAnswer{err: errSend(err)}
	}
	var p, abort js.Value
	if err := catch(func() {
		opts := jsJSON.Call("parse", string(j))
		opts.Set("body", body)
		abort = jsAbortController.New()
		opts.Set("signal", abort.Get("signal"))
		p = jsGlobal.Call("fetch", req.URL, opts)
	}); err != nil {
		return httpAnswer{err: errSend(err)}
	}
	resp, err := Await(ctx, p)
	if err != nil {
		if ctx.Err() != nil {
			catch(func() { abort.Call("abort") })
			return httpAnswer{err: ctx.Err()}
		}
		// A TypeError, "Failed to fetch": no answer, the browser tells no
		// more.
		return httpAnswer{err: errUnreachable()}
	}
	a := httpAnswer{status: resp.Get("status").Int()}
	var names map[string]string
	var text js.Value
	if err := catch(func() {
		text = jsJSON.Call("stringify", jsObject.Call("fromEntries", resp.Get("headers")))
	}); err != nil || json.Unmarshal([]byte(text.String()), &names) != nil {
		return httpAnswer{err: &upload.Error{Code: upload.CodeInternal, Message: "Could not read the headers of the storage's answer.", Err: err}}
	}
	a.header = responseHeaders(names)
	if a.status/100 == 2 {
		if progress != nil && n > 0 {
			progress(n)
		}
		return a
	}
	text, err = Await(ctx, textOf.Invoke(resp))
	if err != nil {
		if ctx.Err() != nil {
			catch(func() { abort.Call("abort") })
			return httpAnswer{err: ctx.Err()}
		}
		// The error document was cut off: the status says enough.
		return a
	}
	if text.Type() == js.TypeString {
		a.body = text.String()
	}
	return a
}
