//go:build js && wasm

package browser

import (
	"context"
	"sync/atomic"
	"syscall/js"

	"altiup/wasm/upload"
)

// xhrPut sends req with body by XMLHttpRequest, reporting the bytes sent
// from its upload progress events.
func xhrPut(ctx context.Context, req upload.PutRequest, body js.Value, progress func(sent int64)) httpAnswer {
	var (
		done   = make(chan httpAnswer, 1) // buffered: the handler never blocks
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
		a := httpAnswer{status: xhr.Get("status").Int()}
		if a.status == 0 {
			// No answer: a network error, or the abort of a cancelled
			// request (whose caller has gone already).
			a.err = errUnreachable()
		} else {
			a.header = parseResponseHeaders(xhr.Call("getAllResponseHeaders").String())
			if t := xhr.Get("responseText"); t.Type() == js.TypeString {
				a.body = t.String()
			}
		}
		done <- a
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

	err := catch(func() {
		xhr.Call("open", req.Method, req.URL, true)
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
		return httpAnswer{err: errSend(err)}
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
		case a := <-done:
			ended = true
			report()
			return a
		case <-ctx.Done():
			catch(func() { xhr.Call("abort") })
			return httpAnswer{err: ctx.Err()}
		}
	}
}
