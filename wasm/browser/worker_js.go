//go:build js && wasm

package browser

import (
	"errors"
	"syscall/js"
	"time"
)

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
// one of them. They are removed first: an event the worker sent before it
// was terminated may still be queued on the page, and would otherwise call
// a released function (Go then writes an error to the page's console).
func (w *worker) stop() {
	w.w.Call("removeEventListener", "message", w.onMsg)
	w.w.Call("removeEventListener", "error", w.onErr)
	w.w.Call("terminate")
	w.onMsg.Release()
	w.onErr.Release()
}

// startWorkers starts a pool's n workers (spawn, each handed to keep as
// it starts: every one starts loading before any is waited for, so their
// scripts load and compile at once) and returns; a goroutine then waits for
// them (wait), lets their script go (revoke) and closes settled. When one
// cannot start, the others are stopped (stop), settled closed at once, and
// its error returned.
func startWorkers[W any](n int, spawn func() (W, error), keep func(W), revoke, stop func(), settled chan struct{}, wait func([]W)) error {
	var all []W
	for range n {
		w, err := spawn()
		if err != nil {
			revoke()
			stop()
			close(settled)
			return err
		}
		keep(w)
		all = append(all, w)
	}
	go func() {
		defer close(settled)
		defer revoke()
		wait(all)
	}()
	return nil
}

// errStartTimeout is awaitHellos' error for a worker that said nothing
// within workerStartTimeout.
var errStartTimeout = errors.New("a worker did not start in time")

// awaitHellos waits for the first message of each of ws in turn (hello
// gives its channel) and returns the first error check finds in one,
// errStartTimeout once workerStartTimeout has passed, or ErrNoWorkers when
// ended closes first (another worker failed and its pool stopped the
// rest); nil once every one has said hello.
func awaitHellos[W, H any](ws []W, hello func(W) <-chan H, check func(H) error, ended <-chan struct{}) error {
	timeout := time.NewTimer(workerStartTimeout)
	defer timeout.Stop()
	for _, w := range ws {
		select {
		case h := <-hello(w):
			if err := check(h); err != nil {
				return err
			}
		case <-ended:
			return ErrNoWorkers
		case <-timeout.C:
			return errStartTimeout
		}
	}
	return nil
}
