//go:build js && wasm

package main

import (
	"context"
	"sync"
	"syscall/js"
	"time"

	"altiup/wasm/altizure"
	"altiup/wasm/browser"
	"altiup/wasm/coalesce"
	"altiup/wasm/upload"
)

// instance is one uploader object of the page.
type instance struct {
	id      int
	up      *upload.Uploader
	api     *altizure.Client
	project string

	// events carries the core's events to the listeners.
	events *coalesce.Queue[event]

	mu sync.Mutex
	// listeners is a JS object {file: [fn…], progress: [fn…]}.
	listeners js.Value
	// lastAdd is closed when the last add() called is over; it starts
	// closed.
	lastAdd chan struct{}
	// gone is set by dispose(): an add under way stops there.
	gone bool
	// ctx ends on cancel() or dispose(); it bounds waitProcessed, task and
	// the reconstruction calls (Start has its own cancel in the core).
	ctx  context.Context
	stop context.CancelFunc
}

var instances registry[*instance]

// uploaderMethod makes a method of the uploader objects.
func uploaderMethod(fn func(s *instance, this js.Value, args []js.Value) any) js.Func {
	return method(&instances, "This uploader was disposed; make a new one with altiup.create.", fn)
}

// newInstance keeps an uploader for the page and routes its events.
func newInstance(up *upload.Uploader, api *altizure.Client, project string) *instance {
	s := &instance{up: up, api: api, project: project, listeners: jsonValue(`{"file":[],"progress":[]}`)}
	s.events = coalesce.NewKeyed(s.deliver, eventKey, foldEvent, eventBatch)
	s.lastAdd = make(chan struct{})
	close(s.lastAdd)
	s.ctx, s.stop = context.WithCancel(context.Background())
	s.id = instances.add(s)
	up.OnFile(func(e upload.FileEvent) { s.events.Push(event{"file", e}) })
	up.OnProgress(func(p upload.Progress) { s.events.Push(event{"progress", p}) })
	return s
}

// deliverJS, from the loader (web/altiup.js), calls the listeners of a
// batch of events in JS: one call into JS per batch instead of one per
// event and listener.
var deliverJS js.Value

// deliver hands a batch to the listeners as plain JS objects ([kind, object]
// pairs, parsed from one JSON text). It runs on the queue's goroutine, so a
// call such as add() has returned to the page before its events arrive.
func (s *instance) deliver(batch []event) {
	// A timer, not a microtask: it lets the page run (and paint) before
	// each batch.
	time.Sleep(time.Millisecond)
	if b, err := marshalEvents(batch); err == nil && deliverJS.Type() == js.TypeFunction {
		s.mu.Lock()
		listeners := s.listeners
		s.mu.Unlock()
		events := browser.ParseJSON(b)
		func() {
			defer func() { recover() }() // deliver reports listeners' errors itself
			deliverJS.Invoke(listeners, events)
		}()
	}
	if len(batch) < eventBatch {
		// The queue keeps up: the next batch waits a little, gathering
		// (and folding) what comes meanwhile, instead of going out with
		// the few events of each moment, each batch a timer, a JSON text
		// and a call into the page's listeners.
		time.Sleep(eventGap)
	}
}

// on(event, fn) adds a listener of 'file' or 'progress' and returns the
// uploader, so calls chain. JS functions cannot be made to throw from Go, so a
// bad call is reported on the console and changes nothing.
func on(s *instance, this js.Value, args []js.Value) any {
	name, fn := "", js.Undefined()
	if len(args) > 0 && args[0].Type() == js.TypeString {
		name = args[0].String()
	}
	if len(args) > 1 {
		fn = args[1]
	}
	switch {
	case name != "file" && name != "progress":
		js.Global().Get("console").Call("error", "altiup: on(event, fn): the event must be 'file' or 'progress'.")
	case fn.Type() != js.TypeFunction:
		js.Global().Get("console").Call("error", "altiup: on(event, fn): fn must be a function.")
	default:
		s.mu.Lock()
		s.listeners.Get(name).Call("push", fn)
		s.mu.Unlock()
	}
	return this
}

// disposed reports whether dispose() was called.
func (s *instance) disposed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gone
}

// context is the uploader's context as it is now (cancel() makes a new one).
func (s *instance) context() context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ctx
}

// dispose() cancels whatever runs and forgets the uploader; its methods then
// reject, and events still on their way reach no listener.
func dispose(s *instance, _ js.Value, _ []js.Value) any {
	cancel(s, js.Undefined(), nil)
	s.up.OnFile(nil)
	s.up.OnProgress(nil)
	s.mu.Lock()
	s.listeners = jsonValue(`{"file":[],"progress":[]}`)
	s.gone = true
	s.mu.Unlock()
	instances.remove(s.id)
	return nil
}
