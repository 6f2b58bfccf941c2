//go:build js && wasm

package browser

import "syscall/js"

// worker is a dedicated Web Worker with its two listeners: the hash and
// head pools start theirs with startWorker and stop them with stop.
type worker struct {
	w     js.Value
	onMsg js.Func
	onErr js.Func
}

// startWorker starts the worker script (new Worker throws for a URL the
// page may not use). onData gets the data of each message that is an
// object; onCrash is called when the script did not load or threw, which is
// kept off the console's uncaught errors: the pools work on without it.
// Both run inside a JS callback and must not block.
func startWorker(script string, onData func(js.Value), onCrash func()) (*worker, error) {
	w := &worker{}
	w.onMsg = js.FuncOf(func(_ js.Value, args []js.Value) any {
		if d := arg(args, 0).Get("data"); d.Type() == js.TypeObject {
			onData(d)
		}
		return nil
	})
	w.onErr = js.FuncOf(func(_ js.Value, args []js.Value) any {
		if e := arg(args, 0); e.Type() == js.TypeObject && e.Get("preventDefault").Type() == js.TypeFunction {
			e.Call("preventDefault")
		}
		onCrash()
		return nil
	})
	if err := catch(func() { w.w = jsGlobal.Get("Worker").New(script) }); err != nil {
		w.onMsg.Release()
		w.onErr.Release()
		return nil, err
	}
	w.w.Call("addEventListener", "message", w.onMsg)
	w.w.Call("addEventListener", "error", w.onErr)
	return w, nil
}

// stop terminates the worker and releases its listeners; not from inside
// one of them.
func (w *worker) stop() {
	w.w.Call("terminate")
	w.onMsg.Release()
	w.onErr.Release()
}
