//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"syscall/js"

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
	// The loader (web/altiup.js) waits for this call to resolve altiup.ready.
	if ready := g.Get("_ready"); ready.Type() == js.TypeFunction {
		ready.Invoke(api)
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

	mu        sync.Mutex
	listeners map[string][]js.Value
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
	// A plain http.Client: with a Dial func Go would leave fetch.
	client := altizure.New(cfg.Endpoint, cfg.Key, cfg.Token, &http.Client{})
	pool := hashWorkers()
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
	s := &instance{up: up, listeners: map[string][]js.Value{}}
	s.ctx, s.stop = context.WithCancel(context.Background())
	instancesMu.Lock()
	lastID++
	s.id = lastID
	instances[s.id] = s
	instancesMu.Unlock()

	up.OnFile(func(e upload.FileEvent) { s.emit("file", e) })
	up.OnProgress(func(p upload.Progress) { s.emit("progress", p) })

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

// emit calls the listeners of an event with v as a plain JS object. It runs
// on the core's event goroutine, never inside a JS callback. A listener that
// throws is reported on the console and the others still run.
func (s *instance) emit(event string, v any) {
	s.mu.Lock()
	fns := append([]js.Value(nil), s.listeners[event]...)
	s.mu.Unlock()
	if len(fns) == 0 {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	for _, fn := range fns {
		obj := browser.ParseJSON(b)
		func() {
			defer func() {
				if r := recover(); r != nil {
					js.Global().Get("console").Call("error", "altiup: a '"+event+"' listener failed:", jsValueOf(r))
				}
			}()
			fn.Invoke(obj)
		}()
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
		s.listeners[name] = append(s.listeners[name], fn)
		s.mu.Unlock()
	}
	return this
}

// add(files) takes a File[], a FileList or one File, right away, and returns a
// Promise of how many files were added; any entry that is not a File rejects
// it with invalid_input and adds none.
func add(s *instance, _ js.Value, args []js.Value) any {
	var list js.Value
	if len(args) > 0 {
		list = args[0]
	}
	var srcs []upload.Source
	switch {
	case list.Type() == js.TypeObject && list.InstanceOf(js.Global().Get("Blob")):
		f, err := browser.NewFile(list)
		if err != nil {
			return browser.Reject(err)
		}
		srcs = append(srcs, f)
	case list.Type() == js.TypeObject && list.Get("length").Type() == js.TypeNumber:
		files, err := browser.NewFiles(list)
		if err != nil {
			return browser.Reject(err)
		}
		srcs = make([]upload.Source, len(files))
		for i, f := range files {
			srcs[i] = f
		}
	default:
		return browser.Reject(upload.Errorf(upload.CodeInvalidInput, "add(files) takes the files of a file input (a FileList) or an array of File objects."))
	}
	s.up.Add(srcs...)
	return js.Global().Get("Promise").Call("resolve", len(srcs))
}

// start() → Promise of the report. A failure of the whole batch (no bucket,
// for instance) rejects with {code, message, report}.
func start(s *instance, _ js.Value, _ []js.Value) any {
	return browser.NewPromise(func() (any, error) {
		rep, err := s.up.Start(context.Background())
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
	return browser.NewPromise(func() (any, error) {
		res, err := s.up.WaitProcessed(ctx)
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
