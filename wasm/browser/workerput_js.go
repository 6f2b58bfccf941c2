//go:build js && wasm

package browser

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"syscall/js"

	"altiup/wasm/upload"
)

// workerPutRequest is what a worker is told of a PUT besides its body.
type workerPutRequest struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
}

// Put sends body (a File or a slice of it) with fetch from one of the
// workers, the least busy, so that the page's main thread neither starts
// the request nor sees its answer come in; it only posts the File, which
// copies no bytes. An error matching ErrNoWorkers means no worker could
// (the caller sends it itself). Like fetch, it reports no progress.
func (p *WorkerPool) Put(ctx context.Context, req upload.PutRequest, body js.Value) putAnswer {
	if err := p.Ready(); err != nil {
		return putAnswer{err: err}
	}
	j, err := json.Marshal(workerPutRequest{Method: req.Method, URL: req.URL, Headers: requestHeaders(req.Header)})
	if err != nil {
		return putAnswer{err: errSend(err)}
	}
	id := int(p.jobID.Add(1))
	answer := make(chan hashAnswer, 1)
	p.mu.Lock()
	var w *hashWorker
	for _, c := range p.all {
		if w == nil || len(c.pending) < len(w.pending) {
			w = c
		}
	}
	if w != nil {
		w.pending[id] = answer
	}
	p.mu.Unlock()
	if w == nil {
		return putAnswer{err: ErrNoWorkers}
	}
	forget := func() {
		p.mu.Lock()
		delete(w.pending, id)
		p.mu.Unlock()
	}
	if err := catch(func() {
		msg := jsJSON.Call("parse", `{"id":`+strconv.Itoa(id)+`,"put":`+string(j)+`}`)
		msg.Set("body", body)
		w.w.Call("postMessage", msg)
	}); err != nil {
		forget()
		return putAnswer{err: &upload.Error{Code: upload.CodeInternal, Message: "The upload could not be handed to a worker.", Err: errors.Join(ErrNoWorkers, err)}}
	}
	select {
	case a := <-answer:
		switch {
		case a.crashed:
			return putAnswer{err: &upload.Error{Code: upload.CodeInternal, Message: "A worker stopped.", Err: ErrNoWorkers}}
		case a.put != nil:
			return *a.put
		}
		// No answer from the server: the worker's fetch failed.
		return putAnswer{err: errUnreachable()}
	case <-ctx.Done():
		forget()
		catch(func() {
			msg := jsObject.New()
			msg.Set("id", id)
			msg.Set("abort", true)
			w.w.Call("postMessage", msg)
		})
		return putAnswer{err: ctx.Err()}
	}
}

// readPutAnswer reads a worker's answer {status, headers, body} to a PUT.
func readPutAnswer(d js.Value, status int) *putAnswer {
	a := &putAnswer{status: status}
	var names map[string]string
	if h := d.Get("headers"); h.Type() == js.TypeString {
		if err := json.Unmarshal([]byte(h.String()), &names); err != nil {
			return &putAnswer{err: &upload.Error{Code: upload.CodeInternal, Message: "Could not read the headers of the storage's answer.", Err: err}}
		}
	}
	a.header = responseHeaders(names)
	if b := d.Get("body"); b.Type() == js.TypeString {
		a.body = b.String()
	}
	return a
}
