//go:build js && wasm

package browser

import (
	"context"
	"errors"
	"fmt"
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
// that says nothing by then is taken as one that cannot start. A variable
// for the tests.
var workerStartTimeout = 15 * time.Second

// WorkerPool hashes Files in dedicated Web Workers running web/hash-worker.js:
// the File object is posted (it is structured-cloneable, so no bytes are
// copied on the page), the worker reads it and digests it with WebCrypto, so
// the page's main thread neither holds the bytes nor waits for the digest.
// A worker takes several small files at once, up to WorkerFiles files and
// WorkerBytes bytes (one file of any size when it has none), so that the
// round trips of small files overlap while memory stays bounded. The
// workers start on first use, and each takes files once it has loaded.
type WorkerPool struct {
	url  string
	size int

	once    sync.Once
	err     error         // set once by start: nil, or why no worker could start
	settled chan struct{} // closed once every worker said hello, or the pool failed
	failed  error         // why the workers do not run, once known; under mu
	dead    chan struct{} // closed when a worker failed
	stop    sync.Once
	mu      sync.Mutex
	stopped bool // terminate ran; under mu
	all     []*hashWorker
	changed chan struct{} // closed and replaced when a worker is ready or takes less
	jobID   atomic.Int64
}

// HashWorkers is how many hash workers the page starts: four hashed faster
// than two on the 2-core machine of server/bench's runs (their reads wait on
// the disk as much as on the cores), at up to WorkerBytes each.
const HashWorkers = 4

// Per worker: the most files, and bytes, it holds at once. Room for two
// 8 MiB photos lets a worker read the next while it digests the current
// (web/hash-worker.js reads in order, one at a time); HashWorkers ×
// WorkerFiles files are hashed at once, as many as the core allows.
const (
	WorkerFiles = 2
	WorkerBytes = 16 << 20
)

type hashWorker struct {
	*worker
	hello   chan hashAnswer         // the first message; buffered
	ready   bool                    // it said hello, with WebCrypto; under WorkerPool.mu
	pending map[int]chan hashAnswer // by job id; under WorkerPool.mu
	files   int                     // under WorkerPool.mu
	bytes   int64                   // under WorkerPool.mu
}

type hashAnswer struct {
	ready, subtle bool
	id            int
	sum, err      string
	stage         string      // read or digest, with err
	head          []byte      // the file's first bytes
	http          *httpAnswer // the answer to a request
	crashed       bool        // the worker raised an error event
}

// NewWorkerPool makes a pool of size workers (at least 1) running the worker
// script at url. Nothing starts until the first Ready or SHA1.
func NewWorkerPool(url string, size int) *WorkerPool {
	return &WorkerPool{url: url, size: max(size, 1)}
}

// Size is how many workers the pool runs.
func (p *WorkerPool) Size() int { return p.size }

// Ready starts the workers if they are not started and reports whether they
// run: nil, or an error matching ErrNoWorkers. It must be called from a
// goroutine, never from a JS callback, since it waits for the workers.
func (p *WorkerPool) Ready() error {
	p.once.Do(p.start)
	if p.err != nil {
		return p.err
	}
	<-p.settled
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failed != nil {
		return p.failed
	}
	select {
	case <-p.dead:
		return ErrNoWorkers
	default:
		return nil
	}
}

// StartIdle starts the workers, if they are not started, once after has
// passed and no Stat is under way, without waiting for them: a person who
// starts an upload a while after choosing files finds them loaded, while an
// add right after the page opened reads its files' sizes without them
// loading beside it (see HeadPool.StartIdle).
func (p *WorkerPool) StartIdle(after time.Duration) { startIdle(after, p.Ready) }

func (p *WorkerPool) start() {
	p.dead = make(chan struct{})
	p.changed = make(chan struct{})
	p.settled = make(chan struct{})
	script, revoke, err := workerScript(p.url)
	if err != nil {
		p.err = err
		p.terminate()
		close(p.settled)
		return
	}
	// Each worker takes files once it has said hello (spawn), not once
	// all have: a run's first file is hashed 0.1-0.3 s sooner. Any that
	// cannot hash ends the pool (the page then hashes by itself).
	p.err = startWorkers(p.size, func() (*hashWorker, error) { return p.spawn(script) }, func(w *hashWorker) {
		p.mu.Lock()
		p.all = append(p.all, w)
		p.mu.Unlock()
	}, revoke, p.terminate, p.settled, func(all []*hashWorker) {
		err := awaitHellos(all, func(w *hashWorker) <-chan hashAnswer { return w.hello }, func(a hashAnswer) error {
			switch {
			case a.crashed || !a.ready:
				return ErrNoWorkers
			case !a.subtle:
				return &upload.Error{Code: upload.CodeInternal, Message: "WebCrypto is not available in the hash workers.", Err: ErrNoWorkers}
			}
			return nil
		}, p.dead)
		if errors.Is(err, errStartTimeout) {
			if p.keepReady() {
				return
			}
			err = &upload.Error{Code: upload.CodeTimeout, Message: "The hash workers did not start.", Err: ErrNoWorkers}
		}
		if err != nil {
			p.mu.Lock()
			p.failed = err
			p.mu.Unlock()
			p.terminate()
		}
	})
}

// keepReady stops the workers that have not said hello and keeps the
// others, if any: reports whether some are kept.
func (p *WorkerPool) keepReady() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	var ready, slow []*hashWorker
	for _, w := range p.all {
		if w.ready {
			ready = append(ready, w)
		} else {
			slow = append(slow, w)
		}
	}
	if len(ready) == 0 {
		return false
	}
	for _, w := range slow {
		w.stop() // it holds no file: none is given to a worker not ready
	}
	p.all = ready
	return true
}

// workerScript is the URL to start the workers from: url itself when it has
// the page's origin; else (altiup.js embedded from another site) a blob:
// URL of the script fetched with CORS, since a Worker's script must have
// the page's origin. revoke lets the blob go once the workers have started.
func workerScript(url string) (script string, revoke func(), err error) {
	revoke = func() {}
	origin := jsGlobal.Get("location").Get("origin")
	var target js.Value
	if err := catch(func() { target = jsGlobal.Get("URL").New(url) }); err != nil {
		return "", revoke, &upload.Error{Code: upload.CodeInternal, Message: "The hash workers' script has no valid URL.", Err: errors.Join(ErrNoWorkers, err)}
	}
	if origin.Type() != js.TypeString || target.Get("origin").String() == origin.String() {
		return url, revoke, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), workerStartTimeout)
	defer cancel()
	fail := func(err error) (string, func(), error) {
		return "", revoke, &upload.Error{Code: upload.CodeInternal, Message: "The hash workers' script could not be fetched from its site.", Err: errors.Join(ErrNoWorkers, err)}
	}
	var resp js.Value
	if err := catch(func() {
		resp, err = Await(ctx, jsGlobal.Call("fetch", url, map[string]any{"mode": "cors", "credentials": "omit"}))
	}); err != nil {
		return fail(err)
	}
	if err != nil {
		return fail(err)
	}
	if !resp.Get("ok").Truthy() {
		return fail(fmt.Errorf("HTTP %d", resp.Get("status").Int()))
	}
	text, err := Await(ctx, resp.Call("text"))
	if err != nil {
		return fail(err)
	}
	opts := jsObject.New()
	opts.Set("type", "text/javascript")
	blobURL := jsGlobal.Get("URL").Call("createObjectURL", jsBlob.New(jsGlobal.Get("Array").New(text), opts)).String()
	return blobURL, func() { jsGlobal.Get("URL").Call("revokeObjectURL", blobURL) }, nil
}

// spawn starts one worker.
func (p *WorkerPool) spawn(script string) (*hashWorker, error) {
	hw := &hashWorker{hello: make(chan hashAnswer, 1), pending: map[int]chan hashAnswer{}}
	w, err := startWorker(script, func(d js.Value) {
		if d.Get("ready").Truthy() {
			a := hashAnswer{ready: true, subtle: d.Get("subtle").Truthy()}
			if a.subtle {
				p.mu.Lock()
				hw.ready = true
				p.signalLocked()
				p.mu.Unlock()
			}
			select {
			case hw.hello <- a:
			default:
			}
			return
		}
		a := hashAnswer{id: -1}
		if v := d.Get("id"); v.Type() == js.TypeNumber {
			a.id = v.Int()
		}
		if v := d.Get("status"); v.Type() == js.TypeNumber {
			a.http = readAnswer(d, v.Int())
		} else if v := d.Get("sha1"); v.Type() == js.TypeString {
			a.sum = v.String()
			if h := d.Get("head"); h.Type() == js.TypeObject && h.InstanceOf(jsUint8Array) {
				a.head = make([]byte, min(h.Length(), headMax))
				js.CopyBytesToGo(a.head, h)
			}
		} else {
			a.err, a.stage = "the worker gave no checksum", "digest"
			if v := d.Get("error"); v.Type() == js.TypeString {
				a.err = v.String()
			}
			if v := d.Get("stage"); v.Type() == js.TypeString {
				a.stage = v.String()
			}
		}
		p.mu.Lock()
		ch := hw.pending[a.id]
		delete(hw.pending, a.id)
		p.mu.Unlock()
		if ch != nil {
			ch <- a // buffered, one answer per job
		}
	}, func() {
		// The page hashes by itself instead.
		select {
		case hw.hello <- hashAnswer{crashed: true}:
		default:
		}
		// Not from inside the callback: terminate releases it.
		go p.terminate()
	})
	if err != nil {
		return nil, &upload.Error{Code: upload.CodeInternal, Message: "The hash workers cannot start on this page.", Err: errors.Join(ErrNoWorkers, err)}
	}
	hw.worker = w
	return hw, nil
}

// terminate stops every worker and fails the files they held; the pool
// then reports ErrNoWorkers.
func (p *WorkerPool) terminate() {
	p.stop.Do(func() {
		close(p.dead)
		p.mu.Lock()
		defer p.mu.Unlock()
		p.stopped = true
		for _, w := range p.all {
			for id, ch := range w.pending {
				ch <- hashAnswer{crashed: true}
				delete(w.pending, id)
			}
			w.stop()
		}
	})
}

// take waits for a worker that may take a file of size bytes and counts
// the file against it.
func (p *WorkerPool) take(ctx context.Context, size int64) (*hashWorker, error) {
	for {
		p.mu.Lock()
		var best *hashWorker
		for _, w := range p.all {
			if !w.ready || w.files > 0 && (w.files >= WorkerFiles || w.bytes+size > WorkerBytes) {
				continue
			}
			if best == nil || w.bytes < best.bytes {
				best = w
			}
		}
		if best != nil {
			best.files++
			best.bytes += size
			p.mu.Unlock()
			return best, nil
		}
		changed := p.changed
		p.mu.Unlock()
		select {
		case <-changed:
		case <-p.dead:
			return nil, ErrNoWorkers
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// done uncounts a file the worker no longer holds.
func (p *WorkerPool) done(w *hashWorker, size int64) {
	p.mu.Lock()
	w.files--
	w.bytes -= size
	p.signalLocked()
	p.mu.Unlock()
}

// signalLocked wakes the takes waiting for a worker; p.mu is held.
func (p *WorkerPool) signalLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// SHA1 returns the lowercase hex SHA-1 of f, computed in a worker. It waits
// for a worker with room. An error matching ErrNoWorkers means no worker
// could do it (the caller hashes f itself); a file that cannot be read is an
// *upload.Error with code invalid_input. It must be called from a goroutine.
func (p *WorkerPool) SHA1(ctx context.Context, f *File) (string, error) {
	if p.once.Do(p.start); p.err != nil {
		return "", p.err
	}
	w, err := p.take(ctx, f.size)
	if err != nil {
		return "", err
	}
	id := int(p.jobID.Add(1))
	answer := make(chan hashAnswer, 1)
	p.mu.Lock()
	w.pending[id] = answer
	p.mu.Unlock()
	Pace()
	msg := jsObject.New()
	msg.Set("id", id)
	msg.Set("file", f.Blob())
	if err := catch(func() { w.w.Call("postMessage", msg) }); err != nil {
		p.mu.Lock()
		delete(w.pending, id)
		p.mu.Unlock()
		p.done(w, f.size)
		return "", &upload.Error{Code: upload.CodeInternal, Message: "The file could not be handed to a hash worker.", Err: errors.Join(ErrNoWorkers, err)}
	}
	got := make(chan hashAnswer, 1)
	go func() {
		// The worker finishes the file even if the caller gives up; only
		// then may it take more.
		a := <-answer
		if !a.crashed {
			p.done(w, f.size)
		}
		got <- a
	}()
	var a hashAnswer
	select {
	case a = <-got:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	if a.crashed {
		return "", &upload.Error{Code: upload.CodeInternal, Message: "A hash worker stopped.", Err: ErrNoWorkers}
	}
	if a.err != "" {
		if a.stage == "read" {
			return "", f.readError(errors.New(a.err))
		}
		return "", hashError(f.name, errors.New(a.err))
	}
	if !isHexSHA1(a.sum) {
		return "", hashError(f.name, errors.New("the worker gave a malformed checksum"))
	}
	f.setHead(a.head)
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
