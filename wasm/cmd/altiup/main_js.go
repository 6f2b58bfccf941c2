//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"syscall/js"
	"time"

	"altiup/wasm/altizure"
	"altiup/wasm/browser"
	"altiup/wasm/ossstore"
	"altiup/wasm/upload"
)

// main fills in the global altiup and then keeps the program alive: the JS
// API calls back into it for as long as the page lives.
func main() {
	g := js.Global().Get("altiup")
	if g.Type() != js.TypeObject {
		g = js.Global().Get("Object").New()
		js.Global().Set("altiup", g)
	}
	api := js.Global().Get("Object").New()
	api.Set("version", Version)
	api.Set("create", browser.Func(create))
	g.Set("version", Version)
	// The loader (web/altiup.js) waits for this call to resolve altiup.ready;
	// it answers with helpers written in JS.
	if ready := g.Get("_ready"); ready.Type() == js.TypeFunction {
		if h := ready.Invoke(api); h.Type() == js.TypeObject && h.Get("deliver").Type() == js.TypeFunction {
			deliverJS = h.Get("deliver")
		}
	} else {
		g.Set("create", api.Get("create"))
	}
	select {}
}

// methods are the uploader objects' functions, made once and bound to each
// object by JS (Function.prototype.bind), so no js.Func is made per uploader
// and none needs releasing.
var methods = map[string]js.Func{
	"on":                     browser.Func(withInstance(on)),
	"add":                    browser.Func(withInstance(add)),
	"start":                  browser.Func(withInstance(start)),
	"pause":                  browser.Func(withInstance(func(s *instance, _ js.Value, _ []js.Value) any { s.up.Pause(); return nil })),
	"resume":                 browser.Func(withInstance(func(s *instance, _ js.Value, _ []js.Value) any { s.up.Resume(); return nil })),
	"cancel":                 browser.Func(withInstance(cancel)),
	"waitProcessed":          browser.Func(withInstance(waitProcessed)),
	"startReconstruction":    browser.Func(withInstance(reconstruct(false))),
	"preStartReconstruction": browser.Func(withInstance(reconstruct(true))),
	"dispose":                browser.Func(withInstance(dispose)),
}

// journal is shared by the uploaders of the page (one IndexedDB database).
var journal = browser.NewJournal("")

// instance is one uploader object of the page.
type instance struct {
	id int
	up *upload.Uploader

	mu sync.Mutex
	// listeners is a JS object {file: [fn…], progress: [fn…]}.
	listeners js.Value
	// pending are the events not yet handed to the listeners; delivering
	// says a goroutine is handing them over, delivered is signalled when
	// it has handed over all.
	pending    []pendingEvent
	delivering bool
	delivered  *sync.Cond
	// lastAdd is closed when the last add() called is over; it starts
	// closed.
	lastAdd chan struct{}
	// ctx ends on cancel() or dispose(); it bounds waitProcessed and the
	// reconstruction calls (Start has its own cancel in the core).
	ctx  context.Context
	stop context.CancelFunc
}

var (
	instancesMu sync.Mutex
	instances   = map[int]*instance{}
	lastID      int
)

const idKey = "__altiupId"

// withInstance finds the instance behind the uploader object a method was called on.
func withInstance(fn func(s *instance, this js.Value, args []js.Value) any) func(this js.Value, args []js.Value) any {
	return func(this js.Value, args []js.Value) any {
		var s *instance
		if this.Type() == js.TypeObject {
			if id := this.Get(idKey); id.Type() == js.TypeNumber {
				instancesMu.Lock()
				s = instances[id.Int()]
				instancesMu.Unlock()
			}
		}
		if s == nil {
			return browser.Reject(upload.Errorf(upload.CodeInvalidInput, "This uploader was disposed; make a new one with altiup.create."))
		}
		return fn(s, this, args)
	}
}

// create(options) → Promise of an uploader object.
func create(_ js.Value, args []js.Value) any {
	opts := js.Undefined()
	if len(args) > 0 {
		opts = args[0]
	}
	text, err := browser.StringifyJSON(opts)
	if err != nil || opts.Type() != js.TypeObject {
		return browser.Reject(upload.Errorf(upload.CodeInvalidInput, "The options must be an object such as {api, key, token, project}."))
	}
	cfg, err := parseOptions(text)
	if err != nil {
		return browser.Reject(err)
	}
	// A plain http.Client: with a Dial func Go would leave fetch. Its
	// requests are paced so that bursts of them leave the page room.
	client := altizure.New(cfg.Endpoint, cfg.Key, cfg.Token, &http.Client{Transport: browser.PacedTransport{}})
	pool := hashWorkers()
	if pool != nil {
		// Start the workers now rather than with the first file, which
		// would wait for them.
		go pool.Ready()
	}
	if pool != nil && cfg.Upload.HashConcurrency == 0 {
		// As many files as the workers take at once (small files share
		// a worker; large ones are one per worker, which the pool sees to).
		cfg.Upload.HashConcurrency = pool.Size() * browser.WorkerFiles
	}
	deps := upload.Deps{
		API:    client,
		Putter: browser.Putter{},
		Hasher: &browser.Hasher{Workers: pool},
		OSS:    ossstore.New,
	}
	if cfg.Journal {
		deps.Journal = journal
	}
	up, err := upload.New(cfg.Upload, deps)
	if err != nil {
		return browser.Reject(err)
	}
	s := &instance{up: up, listeners: jsonValue(`{"file":[],"progress":[]}`)}
	s.delivered = sync.NewCond(&s.mu)
	s.lastAdd = make(chan struct{})
	close(s.lastAdd)
	s.ctx, s.stop = context.WithCancel(context.Background())
	instancesMu.Lock()
	lastID++
	s.id = lastID
	instances[s.id] = s
	instancesMu.Unlock()

	up.OnFile(func(e upload.FileEvent) { s.queue("file", e) })
	up.OnProgress(func(p upload.Progress) { s.queue("progress", p) })

	obj := js.Global().Get("Object").New()
	js.Global().Get("Object").Call("defineProperty", obj, idKey, map[string]any{"value": s.id})
	for name, fn := range methods {
		obj.Set(name, fn.Value.Call("bind", obj))
	}
	obj.Set("version", Version)
	return js.Global().Get("Promise").Call("resolve", obj)
}

// hashWorkers is the pool of hash workers every uploader of the page shares,
// started from hash-worker.js next to altiup.js (altiup.base); nil when the
// program was not loaded by altiup.js. Two workers hash about as fast as
// this machine's two cores allow and hold at most two files.
var hashWorkers = sync.OnceValue(func() (pool *browser.WorkerPool) {
	defer func() {
		if recover() != nil { // a base that is no URL: hash on the page
			pool = nil
		}
	}()
	loader := js.Global().Get("altiup")
	if loader.Type() != js.TypeObject {
		return nil
	}
	base := loader.Get("base")
	if base.Type() != js.TypeString || base.String() == "" {
		return nil
	}
	url := js.Global().Get("URL").New("hash-worker.js", base).Get("href").String()
	return browser.NewWorkerPool(url, 2)
})

// pendingEvent is an event on its way to the listeners.
type pendingEvent struct {
	kind string // "file" or "progress"
	v    any
}

// MarshalJSON makes it [kind, value].
func (e pendingEvent) MarshalJSON() ([]byte, error) { return json.Marshal([2]any{e.kind, e.v}) }

// eventBatch bounds the events handed to JS at once, so that a burst (10,000
// files added) is delivered over several tasks and the page keeps responding
// between them.
const eventBatch = 200

// deliverJS, set by the loader, calls the listeners of a batch of events in
// JS: one call into JS per batch instead of one per event and listener.
var deliverJS js.Value

// queue adds an event for the listeners. It runs on the core's event
// goroutine and only appends: the events go to JS in batches, from the next
// task on, so that a call such as add() returns to the page first. Progress
// events in a row are merged: listeners see the latest figures.
func (s *instance) queue(kind string, v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.pending); kind == "progress" && n > 0 && s.pending[n-1].kind == "progress" {
		s.pending[n-1].v = v
		return
	}
	s.pending = append(s.pending, pendingEvent{kind, v})
	if !s.delivering {
		s.delivering = true
		go s.deliver()
	}
}

func (s *instance) deliver() {
	for {
		// A timer, not a microtask: it lets the page run (and paint)
		// before each batch.
		time.Sleep(time.Millisecond)
		s.mu.Lock()
		n := min(len(s.pending), eventBatch)
		if n == 0 {
			s.pending = nil
			s.delivering = false
			s.delivered.Broadcast()
			s.mu.Unlock()
			return
		}
		batch := append([]pendingEvent(nil), s.pending[:n]...)
		s.pending = s.pending[n:]
		listeners := s.listeners
		s.mu.Unlock()
		s.send(listeners, batch)
	}
}

// flushEvents waits until the events queued so far reached the listeners,
// so that a promise resolving after the batch's end comes after its events.
func (s *instance) flushEvents() {
	s.mu.Lock()
	for s.delivering {
		s.delivered.Wait()
	}
	s.mu.Unlock()
}

// send hands a batch to the listeners as plain JS objects ([kind, object]
// pairs, parsed from one JSON text). A listener that throws is reported on
// the console and the others still run.
func (s *instance) send(listeners js.Value, batch []pendingEvent) {
	b, err := json.Marshal(batch)
	if err != nil {
		return
	}
	events := browser.ParseJSON(b)
	if deliverJS.Type() == js.TypeFunction {
		func() {
			defer func() { recover() }() // deliver reports listeners' errors itself
			deliverJS.Invoke(listeners, events)
		}()
		return
	}
	for i := range events.Length() {
		e := events.Index(i)
		kind, data := e.Index(0).String(), e.Index(1)
		fns := listeners.Get(kind)
		for j := range fns.Length() {
			if j > 0 { // each listener its own copy, as deliverJS does
				data = js.Global().Call("structuredClone", e.Index(1))
			}
			func() {
				defer func() {
					if r := recover(); r != nil {
						js.Global().Get("console").Call("error", "altiup: a '"+kind+"' listener failed:", jsValueOf(r))
					}
				}()
				fns.Index(j).Invoke(data)
			}()
		}
	}
}

func jsValueOf(r any) any {
	if e, ok := r.(js.Error); ok {
		return e.Value
	}
	if e, ok := r.(error); ok {
		return e.Error()
	}
	return js.Undefined()
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

// add(files) takes a File[], a FileList or one File and returns a Promise
// of how many files were added; any entry that is not a File rejects it
// with invalid_input and adds none. The list is copied at once (a file
// input clears its FileList in place); the files' sizes are read a slice at
// a time with the page let run in between (see browser.NewFiles), so adds
// are done in order on goroutines, and start() and waitProcessed() wait for
// the adds called before them.
func add(s *instance, _ js.Value, args []js.Value) any {
	var list js.Value
	if len(args) > 0 {
		list = args[0]
	}
	var arr js.Value
	switch {
	case list.Type() == js.TypeObject && list.InstanceOf(js.Global().Get("Blob")):
		arr = js.Global().Get("Array").New(list)
	case list.Type() == js.TypeObject && list.Get("length").Type() == js.TypeNumber:
		var err error
		if arr, err = browser.CopyList(list); err != nil {
			return browser.Reject(err)
		}
	default:
		return browser.Reject(upload.Errorf(upload.CodeInvalidInput, "add(files) takes the files of a file input (a FileList) or an array of File objects."))
	}
	prev, done := s.queueAdd()
	return browser.NewPromise(func() (any, error) {
		defer close(done)
		<-prev
		files, err := browser.NewFiles(arr, true)
		if err != nil {
			return nil, err
		}
		srcs := make([]upload.Source, len(files))
		for i, f := range files {
			srcs[i] = f
		}
		s.up.Add(srcs...)
		return len(srcs), nil
	})
}

// queueAdd puts an add in line: it may go once prev is closed, and closes
// done when it is over.
func (s *instance) queueAdd() (prev <-chan struct{}, done chan struct{}) {
	done = make(chan struct{})
	s.mu.Lock()
	prev = s.lastAdd
	s.lastAdd = done
	s.mu.Unlock()
	return prev, done
}

// addsCalled is closed once every add called so far is over.
func (s *instance) addsCalled() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastAdd
}

// start() → Promise of the report. A failure of the whole batch (no bucket,
// for instance) rejects with {code, message, report}.
func start(s *instance, _ js.Value, _ []js.Value) any {
	adds := s.addsCalled()
	return browser.NewPromise(func() (any, error) {
		<-adds
		rep, err := s.up.Start(context.Background())
		s.flushEvents()
		if err != nil {
			return nil, &batchError{err: err, report: rep}
		}
		return toJS(rep)
	})
}

// batchError carries the report along with a batch failure.
type batchError struct {
	err    error
	report upload.Report
}

func (e *batchError) Error() string { return e.err.Error() }
func (e *batchError) Unwrap() error { return e.err }

// ErrorFields adds the report to the rejection value.
func (e *batchError) ErrorFields() map[string]any {
	rep, err := toJS(e.report)
	if err != nil {
		return nil
	}
	return map[string]any{"report": rep}
}

func cancel(s *instance, _ js.Value, _ []js.Value) any {
	s.up.Cancel()
	s.mu.Lock()
	s.stop()
	s.ctx, s.stop = context.WithCancel(context.Background())
	s.mu.Unlock()
	return nil
}

func (s *instance) context() context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ctx
}

// waitProcessed() → Promise of {ready, invalid, invalidFiles}.
func waitProcessed(s *instance, _ js.Value, _ []js.Value) any {
	ctx := s.context()
	adds := s.addsCalled()
	return browser.NewPromise(func() (any, error) {
		select {
		case <-adds:
		case <-ctx.Done():
		}
		res, err := s.up.WaitProcessed(ctx)
		s.flushEvents()
		if err != nil {
			return nil, err
		}
		return toJS(res)
	})
}

// reconstruct makes startReconstruction / preStartReconstruction({taskType})
// → Promise of {task, error}; a refusal by the service is in error, in words.
func reconstruct(pre bool) func(s *instance, this js.Value, args []js.Value) any {
	return func(s *instance, _ js.Value, args []js.Value) any {
		taskType := ""
		if len(args) > 0 && args[0].Type() == js.TypeObject {
			switch t := args[0].Get("taskType"); t.Type() {
			case js.TypeString:
				taskType = t.String()
			case js.TypeUndefined, js.TypeNull:
			default:
				return browser.Reject(upload.Errorf(upload.CodeInvalidInput, "taskType must be text such as Native or Dense."))
			}
		} else if len(args) > 0 && args[0].Type() != js.TypeUndefined {
			return browser.Reject(upload.Errorf(upload.CodeInvalidInput, "The reconstruction options must be an object such as {taskType: 'Native'}."))
		}
		ctx := s.context()
		return browser.NewPromise(func() (any, error) {
			res, err := s.up.StartReconstruction(ctx, taskType, pre)
			if err != nil {
				return nil, err
			}
			return toJS(res)
		})
	}
}

// dispose() cancels whatever runs and forgets the uploader; its methods then
// reject.
func dispose(s *instance, _ js.Value, _ []js.Value) any {
	cancel(s, js.Undefined(), nil)
	s.up.OnFile(nil)
	s.up.OnProgress(nil)
	s.mu.Lock()
	s.listeners = jsonValue(`{"file":[],"progress":[]}`)
	s.pending = nil
	s.mu.Unlock()
	instancesMu.Lock()
	delete(instances, s.id)
	instancesMu.Unlock()
	return nil
}

// toJS turns a result struct into a plain JS object through JSON.
func toJS(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, upload.Errorf(upload.CodeInternal, "Could not convert the result: %v.", err)
	}
	return browser.ParseJSON(b), nil
}

func jsonValue(s string) js.Value { return browser.ParseJSON([]byte(s)) }
