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

// workerRequest is what a worker is told of a request besides its body.
type workerRequest struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	// Text asks for the answer's body whatever its status (an API's
	// answer), not only an error document's.
	Text bool `json:"text,omitempty"`
}

// Fetch sends a request with fetch from one of the workers, the least
// busy, so that the page's main thread neither starts the request nor sees
// its answer come in: it only posts the request and body (a File, or a
// slice of one, is posted without copying its bytes). An error matching
// ErrNoWorkers means no worker could (the caller sends it itself). The
// answer's body comes back only when it is an error (not 2xx).
func (p *WorkerPool) Fetch(ctx context.Context, req workerRequest, body js.Value) httpAnswer {
	if err := p.Ready(); err != nil {
		return httpAnswer{err: err}
	}
	return p.FetchNow(ctx, req, body)
}

// FetchNow is Fetch without waiting for the workers to start: an error
// matching ErrNoWorkers when none is ready yet (or any more).
func (p *WorkerPool) FetchNow(ctx context.Context, req workerRequest, body js.Value) httpAnswer {
	j, err := json.Marshal(req)
	if err != nil {
		return httpAnswer{err: errSend(err)}
	}
	id := int(p.jobID.Add(1))
	answer := make(chan hashAnswer, 1)
	p.mu.Lock()
	var w *hashWorker
	for _, c := range p.all {
		if !p.stopped && c.ready && (w == nil || len(c.pending) < len(w.pending)) {
			w = c
		}
	}
	if w != nil {
		w.pending[id] = answer
	}
	p.mu.Unlock()
	if w == nil {
		return httpAnswer{err: ErrNoWorkers}
	}
	forget := func() {
		p.mu.Lock()
		delete(w.pending, id)
		p.mu.Unlock()
	}
	if err := catch(func() {
		msg := jsJSON.Call("parse", `{"id":`+strconv.Itoa(id)+`,"fetch":`+string(j)+`}`)
		msg.Set("body", body)
		w.w.Call("postMessage", msg)
	}); err != nil {
		forget()
		return httpAnswer{err: &upload.Error{Code: upload.CodeInternal, Message: "The request could not be handed to a worker.", Err: errors.Join(ErrNoWorkers, err)}}
	}
	select {
	case a := <-answer:
		switch {
		case a.crashed:
			return httpAnswer{err: &upload.Error{Code: upload.CodeInternal, Message: "A worker stopped.", Err: ErrNoWorkers}}
		case a.http != nil:
			return *a.http
		}
		// No answer: the worker's fetch failed ("TypeError: Failed to
		// fetch"; a body that could not be read is taken as one too).
		return httpAnswer{err: &JSError{Message: a.err}}
	case <-ctx.Done():
		forget()
		catch(func() {
			msg := jsObject.New()
			msg.Set("id", id)
			msg.Set("abort", true)
			w.w.Call("postMessage", msg)
		})
		return httpAnswer{err: ctx.Err()}
	}
}

// readAnswer reads a worker's answer {status, headers, body} to a request.
func readAnswer(d js.Value, status int) *httpAnswer {
	a := &httpAnswer{status: status}
	var names map[string]string
	if h := d.Get("headers"); h.Type() == js.TypeString {
		if err := json.Unmarshal([]byte(h.String()), &names); err != nil {
			return &httpAnswer{err: &upload.Error{Code: upload.CodeInternal, Message: "Could not read the headers of the storage's answer.", Err: err}}
		}
	}
	a.header = responseHeaders(names)
	if b := d.Get("body"); b.Type() == js.TypeString {
		a.body = b.String()
	}
	return a
}
