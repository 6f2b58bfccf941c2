//go:build js && wasm

package main

import (
	"encoding/json"
	"sync"
	"syscall/js"
	"time"

	"altiup/wasm/browser"
	"altiup/wasm/ossstore"
	"altiup/wasm/upload"
)

// main fills in the global altiup and then keeps the program alive: the JS
// API calls back into it for as long as the page lives.
func main() {
	if !install() {
		js.Global().Get("console").Call("error", "altiup: altiup.wasm is loaded by altiup.js, which this page did not run.")
	}
	select {}
}

// install hands the API to the loader (web/altiup.js): its altiup._ready
// resolves altiup.ready and answers with helpers written in JS, of which
// deliver calls event listeners. It reports whether the loader was there.
func install() bool {
	g := js.Global().Get("altiup")
	if g.Type() != js.TypeObject || g.Get("_ready").Type() != js.TypeFunction {
		return false
	}
	api := js.Global().Get("Object").New()
	api.Set("version", Version)
	api.Set("create", browser.Func(create))
	api.Set("connect", browser.Func(connect))
	h := g.Call("_ready", api)
	if h.Type() != js.TypeObject || h.Get("deliver").Type() != js.TypeFunction {
		return false
	}
	deliverJS = h.Get("deliver")
	return true
}

// methods are the uploader objects' functions.
var methods = map[string]js.Func{
	"on":                     uploaderMethod(on),
	"add":                    uploaderMethod(add),
	"start":                  uploaderMethod(start),
	"pause":                  uploaderMethod(pause),
	"resume":                 uploaderMethod(resume),
	"cancel":                 uploaderMethod(cancel),
	"waitProcessed":          uploaderMethod(waitProcessed),
	"task":                   uploaderMethod(task),
	"startReconstruction":    uploaderMethod(reconstruct(false)),
	"preStartReconstruction": uploaderMethod(reconstruct(true)),
	"inspect":                uploaderMethod(inspectBatch),
	"exclude":                uploaderMethod(editIndexes(false)),
	"include":                uploaderMethod(editIndexes(true)),
	"exportPositions":        uploaderMethod(exportPositions),
	"replace":                uploaderMethod(replace),
	"dispose":                uploaderMethod(dispose),
}

// journal is shared by the uploaders of the page (one IndexedDB database).
var journal = browser.NewJournal("")

// create(options) → Promise of an uploader object.
func create(_ js.Value, args []js.Value) any {
	cfg, getToken, err := readOptions(args, "{api, key, token, project}", parseOptions)
	if err != nil {
		return browser.Reject(err)
	}
	client := newClient(cfg.connection, getToken)
	// The hash workers start hashStartDelay after create, with Start
	// (startHashWorkers) or with the first file hashed, whichever comes
	// first, not at once: an add right after create reads its files'
	// sizes and then their heads from the browser process, which four
	// workers loading at once held up (inspect() of 1,000 photos, in
	// batches of 32: 2.05 s with the hash workers started as the sizes were
	// in, 1.92 s with them started later). A run's first hash waits for
	// them: 0.1-0.2 s when Start came right after create.
	pool := hashWorkers()
	if pool != nil {
		pool.StartIdle(hashStartDelay)
		if cfg.Upload.HashConcurrency == 0 {
			// As many files as the workers take at once (small files share
			// a worker; large ones are one per worker, which the pool sees
			// to).
			cfg.Upload.HashConcurrency = pool.Size() * browser.WorkerFiles
		}
	}
	deps := upload.Deps{
		API:    client,
		Putter: &browser.Putter{Workers: pool},
		Hasher: &browser.Hasher{Workers: pool},
		OSS:    ossstore.New,
	}
	if heads := headWorkers(); heads != nil {
		// Before the first add needs them, unless files are being added.
		heads.StartIdle(headStartDelay)
		deps.Heads = heads
	}
	if cfg.Journal {
		deps.Journal = journal
	}
	up, err := upload.New(cfg.Upload, deps)
	if err != nil {
		return browser.Reject(err)
	}
	s := newInstance(up, client, cfg.Upload.Project)
	return js.Global().Get("Promise").Call("resolve", newObject(s.id, methods))
}

// hashStartDelay is how long after create the hash workers start on their
// own (once no sizes are being read): a person who starts the upload later
// than that finds them loaded.
const hashStartDelay = 2 * time.Second

// hashWorkers is the pool of hash workers every uploader of the page shares,
// started from hash-worker.js next to altiup.js (altiup.base); nil when the
// program was not loaded by altiup.js; browser.HashWorkers of them.
var hashWorkers = sync.OnceValue(func() *browser.WorkerPool {
	if url := besideLoader("hash-worker.js"); url != "" {
		return browser.NewWorkerPool(url, browser.HashWorkers)
	}
	return nil
})

// apiWorker is the worker the API's requests go out from
// (browser.FetchTransport's Workers), shared by the page's clients: one of
// its own, since from a hash worker busy reading, an API request at the
// start of an upload took 0.1-0.5 s instead of 20-40 ms. nil when the
// program was not loaded by altiup.js.
var apiWorker = sync.OnceValue(func() *browser.WorkerPool {
	if url := besideLoader("hash-worker.js"); url != "" {
		return browser.NewWorkerPool(url, 1)
	}
	return nil
})

// startHashWorkers starts the shared hash workers, if they are not
// started, without waiting for them: a file's hash would otherwise wait for
// them to load.
func startHashWorkers() {
	if pool := hashWorkers(); pool != nil {
		go pool.Ready()
	}
}

// besideLoader is the URL of the file name next to altiup.js (altiup.base);
// "" when the program was not loaded by altiup.js.
func besideLoader(name string) (url string) {
	defer func() {
		if recover() != nil { // a base that is no URL
			url = ""
		}
	}()
	loader := js.Global().Get("altiup")
	if loader.Type() != js.TypeObject {
		return ""
	}
	base := loader.Get("base")
	if base.Type() != js.TypeString || base.String() == "" {
		return ""
	}
	return js.Global().Get("URL").New(name, base).Get("href").String()
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
