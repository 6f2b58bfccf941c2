//go:build js && wasm

package browser

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"syscall/js"
	"time"

	"altiup/wasm/upload"
)

// ErrNoWorkers is what WorkerPool.Ready and WorkerPool.SHA1 return when the
// pool cannot hash: the page may not start the worker script (a
// cross-origin script URL, a CSP without worker-src for it, a script that
// does not load) or the workers have no WebCrypto. Callers then hash on the
// page itself.
var ErrNoWorkers = errors.New("the hash workers are not available")

// workerStartTimeout bounds the wait for a worker's first message; a worker
// that says nothing by then is taken as one that cannot start.
const workerStartTimeout = 15 * time.Second

// WorkerPool hashes Files in dedicated Web Workers running web/hash-worker.js:
// the File object is posted (it is structured-cloneable, so no bytes are
// copied on the page), the worker reads it and digests it with WebCrypto, so
// the page's main thread neither holds the bytes nor waits for the digest.
// Each worker hashes one file at a time, so the pool holds at most Size
// files in memory. The workers start on first use.
type WorkerPool struct {
	url  string
	size int

	once  sync.Once
	err   error            // set once by start: nil, or why the pool cannot hash
	idle  chan *hashWorker // workers waiting for a file
	dead  chan struct{}    // closed when a worker failed after starting
	stop  sync.Once
	mu    sync.Mutex
	all   []*hashWorker
	jobID atomic.Int64
}

type hashWorker struct {
	w       js.Value
	onMsg   js.Func
	onErr   js.Func
	answers chan hashAnswer // buffered: the callbacks never block
}

type hashAnswer struct {
	ready, subtle bool
	id            int
	sum, err      string
	stage         string // read or digest, with err
	crashed       bool   // the worker raised an error event
}

// NewWorkerPool makes a pool of size workers (at least 1) running the worker
// script at url. Nothing starts until the first Ready or SHA1.
func NewWorkerPool(url string, size int) *WorkerPool {
	return &WorkerPool{url: url, size: max(size, 1)}
}

// Size is how many files the pool hashes at once.
func (p *WorkerPool) Size() int { return p.size }

// Ready starts the workers if they are not started and reports whether they
// run: nil, or an error matching ErrNoWorkers. It must be called from a
// goroutine, never from a JS callback, since it waits for the workers.
func (p *WorkerPool) Ready() error {
	p.once.Do(p.start)
	if p.err != nil {
		return p.err
	}
	select {
	case <-p.dead:
		return ErrNoWorkers
	default:
		return nil
	}
}

func (p *WorkerPool) start() {
	p.idle = make(chan *hashWorker, p.size)
	p.dead = make(chan struct{})
	timeout := time.NewTimer(workerStartTimeout)
	defer timeout.Stop()
	for range p.size {
		w, err := p.spawn()
		if err != nil {
			p.err = err
			break
		}
		p.all = append(p.all, w)
		select {
		case a := <-w.answers:
			switch {
			case a.crashed || !a.ready:
				p.err = ErrNoWorkers
			case !a.subtle:
				p.err = &upload.Error{Code: upload.CodeInternal, Message: "WebCrypto is not available in the hash workers.", Err: ErrNoWorkers}
			}
		case <-timeout.C:
			p.err = &upload.Error{Code: upload.CodeTimeout, Message: "The hash workers did not start.", Err: ErrNoWorkers}
		}
		if p.err != nil {
			break
		}
		p.idle <- w
	}
	if p.err != nil {
		p.terminate()
	}
}

// spawn starts one worker; new Worker throws for a URL the page may not use.
func (p *WorkerPool) spawn() (*hashWorker, error) {
	hw := &hashWorker{answers: make(chan hashAnswer, 4)}
	send := func(a hashAnswer) {
		select {
		case hw.answers <- a:
		default: // nobody asked for more; a worker answers each file once
		}
	}
	hw.onMsg = js.FuncOf(func(_ js.Value, args []js.Value) any {
		d := arg(args, 0).Get("data")
		if d.Type() != js.TypeObject {
			return nil
		}
		if d.Get("ready").Truthy() {
			send(hashAnswer{ready: true, subtle: d.Get("subtle").Truthy()})
			return nil
		}
		a := hashAnswer{id: -1}
		if v := d.Get("id"); v.Type() == js.TypeNumber {
			a.id = v.Int()
		}
		if v := d.Get("sha1"); v.Type() == js.TypeString {
			a.sum = v.String()
		} else {
			a.err, a.stage = "the worker gave no checksum", "digest"
			if v := d.Get("error"); v.Type() == js.TypeString {
				a.err = v.String()
			}
			if v := d.Get("stage"); v.Type() == js.TypeString {
				a.stage = v.String()
			}
		}
		send(a)
		return nil
	})
	hw.onErr = js.FuncOf(func(_ js.Value, args []js.Value) any {
		// A script that did not load or threw: keep it off the console's
		// uncaught errors, the page hashes by itself instead.
		if e := arg(args, 0); e.Type() == js.TypeObject && e.Get("preventDefault").Type() == js.TypeFunction {
			e.Call("preventDefault")
		}
		send(hashAnswer{crashed: true})
		return nil
	})
	err := catch(func() {
		hw.w = jsGlobal.Get("Worker").New(p.url)
	})
	if err != nil {
		hw.onMsg.Release()
		hw.onErr.Release()
		return nil, &upload.Error{Code: upload.CodeInternal, Message: "The hash workers cannot start on this page.", Err: errors.Join(ErrNoWorkers, err)}
	}
	hw.w.Call("addEventListener", "message", hw.onMsg)
	hw.w.Call("addEventListener", "error", hw.onErr)
	return hw, nil
}

// terminate stops every worker; the pool then reports ErrNoWorkers.
func (p *WorkerPool) terminate() {
	p.stop.Do(func() {
		close(p.dead)
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, w := range p.all {
			select {
			case w.answers <- hashAnswer{crashed: true}: // wakes a wait for it
			default:
			}
			w.w.Call("terminate")
			w.onMsg.Release()
			w.onErr.Release()
		}
	})
}

// SHA1 returns the lowercase hex SHA-1 of f, computed in a worker. It waits
// for a free worker. An error matching ErrNoWorkers means no worker could do
// it (the caller hashes f itself); a file that cannot be read is an
// *upload.Error with code invalid_input. It must be called from a goroutine.
func (p *WorkerPool) SHA1(ctx context.Context, f *File) (string, error) {
	if err := p.Ready(); err != nil {
		return "", err
	}
	var w *hashWorker
	select {
	case w = <-p.idle:
	case <-p.dead:
		return "", ErrNoWorkers
	case <-ctx.Done():
		return "", ctx.Err()
	}
	id := int(p.jobID.Add(1))
	msg := jsObject.New()
	msg.Set("id", id)
	msg.Set("file", f.blob)
	if err := catch(func() { w.w.Call("postMessage", msg) }); err != nil {
		p.idle <- w
		return "", &upload.Error{Code: upload.CodeInternal, Message: "The file could not be handed to a hash worker.", Err: errors.Join(ErrNoWorkers, err)}
	}
	wait := func() (hashAnswer, bool) {
		for a := range w.answers {
			if a.crashed || a.id == id {
				return a, !a.crashed
			}
		}
		return hashAnswer{}, false
	}
	type result struct {
		a  hashAnswer
		ok bool
	}
	got := make(chan result, 1)
	go func() {
		a, ok := wait()
		if ok {
			p.idle <- w // the worker holds no file any more
		} else {
			p.terminate()
		}
		got <- result{a, ok}
	}()
	var r result
	select {
	case r = <-got:
	case <-ctx.Done():
		// The worker finishes the file anyway and is given the next only then.
		return "", ctx.Err()
	}
	if !r.ok {
		return "", &upload.Error{Code: upload.CodeInternal, Message: "A hash worker stopped.", Err: ErrNoWorkers}
	}
	a := r.a
	if a.err != "" {
		if a.stage == "read" {
			return "", f.readError(errors.New(a.err))
		}
		return "", hashError(f.name, errors.New(a.err))
	}
	if !isHexSHA1(a.sum) {
		return "", hashError(f.name, errors.New("the worker gave a malformed checksum"))
	}
	return a.sum, nil
}

func isHexSHA1(s string) bool {
	if len(s) != 40 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
