//go:build js && wasm

package browser

import (
	"context"
	"encoding/binary"
	"errors"
	"sync"
	"syscall/js"
	"time"

	"altiup/wasm/upload"
)

// HeadPool reads the first bytes of Files in dedicated Web Workers running
// web/head-worker.js, a batch of files a message: the page posts the File
// objects (no bytes are copied on it) and gets one buffer back, so its main
// thread makes one crossing into Go per batch, and none of the slices and
// reads that may each wait there for the browser process. A file it did not
// read (the workers cannot start or stopped, the read failed, a Source that
// is no File) has a nil head, and the caller reads it itself: nothing is
// lost when the workers are not there. The workers start on first use, once
// no Stat is under way, or before with StartIdle; batches are posted to
// them while they load.
type HeadPool struct {
	url  string
	size int

	once    sync.Once
	err     error         // set once by start: nil, or why the pool cannot read
	settled chan struct{} // closed once every worker said it runs, or one failed
	mu      sync.Mutex
	all     []*headWorker
	next    int           // the worker the next batch goes to
	dead    bool          // a worker failed after starting
	ended   chan struct{} // closed with dead
	jobID   int
}

var _ upload.HeadReader = (*HeadPool)(nil)

// HeadWorkers is how many head workers the page starts: their reads wait on
// the browser process, so two keep it busy on a 2-core machine.
const HeadWorkers = 2

// errNoHeadWorkers is the pool's err when its workers cannot run.
var errNoHeadWorkers = errors.New("the head workers are not available")

type headWorker struct {
	*worker
	hello   chan bool            // the first message: true when ready; buffered
	pending map[int]chan *[]byte // by job id; under HeadPool.mu
}

// headBufs keeps the buffers answers were copied into, once their heads are
// released, for the next answers: a batch's buffer (MetaBatch heads) is
// then the same few MiB however many files are read, not a fresh one a
// batch for the collector.
var headBufs sync.Pool

// headBuf is a buffer of n bytes, reused when one is kept.
func headBuf(n int) *[]byte {
	if b, _ := headBufs.Get().(*[]byte); b != nil && cap(*b) >= n {
		*b = (*b)[:n]
		return b
	}
	b := make([]byte, n)
	return &b
}

// NewHeadPool makes a pool of size workers (at least 1) running the worker
// script at url. Nothing starts until the first Heads.
func NewHeadPool(url string, size int) *HeadPool {
	return &HeadPool{url: url, size: max(size, 1), ended: make(chan struct{})}
}

// Ready starts the workers if they are not started and reports whether
// they run. It must be called from a goroutine, since it waits for them.
func (p *HeadPool) Ready() error {
	p.once.Do(p.start)
	if p.err != nil {
		return p.err
	}
	<-p.settled
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dead {
		return errNoHeadWorkers
	}
	return nil
}

// StartIdle starts the workers, if they are not started, once after has
// passed and no Stat is under way, without waiting for them. Workers that
// load while the browser is asked for the sizes of chosen files slow every
// size: inspect() of 1,000 photos added right after create took 2.2-2.8 s
// (median 2.4 s, 6 runs) with the workers started at create, 2.0-2.5 s
// (median 2.3 s) with them started once the sizes were in.
func (p *HeadPool) StartIdle(after time.Duration) {
	time.AfterFunc(after, func() {
		<-statsOver()
		p.Ready()
	})
}

func (p *HeadPool) start() {
	p.settled = make(chan struct{})
	script, revoke, err := workerScript(p.url)
	if err != nil {
		p.err = err
		close(p.settled)
		return
	}
	// Batches are posted while the workers load (a worker gets the
	// messages posted before its script ran once it has): waiting for
	// them cost the first batch 70-100 ms. A worker that fails to start
	// ends the pool, whose batches are then answered with nothing.
	p.err = startWorkers(p.size, func() (*headWorker, error) { return p.spawn(script) }, func(w *headWorker) {
		p.mu.Lock()
		p.all = append(p.all, w)
		p.mu.Unlock()
	}, revoke, p.terminate, p.settled, func(all []*headWorker) {
		if awaitHellos(all, func(w *headWorker) <-chan bool { return w.hello }, func(ok bool) error {
			if !ok {
				return errNoHeadWorkers
			}
			return nil
		}, p.ended) != nil {
			p.terminate()
		}
	})
}

// spawn starts one worker.
func (p *HeadPool) spawn(script string) (*headWorker, error) {
	hw := &headWorker{hello: make(chan bool, 1), pending: map[int]chan *[]byte{}}
	w, err := startWorker(script, func(d js.Value) {
		if d.Get("ready").Truthy() {
			select {
			case hw.hello <- true:
			default:
			}
			return
		}
		id := -1
		if v := d.Get("id"); v.Type() == js.TypeNumber {
			id = v.Int()
		}
		var b *[]byte
		if h := d.Get("heads"); h.Type() == js.TypeObject && h.InstanceOf(jsUint8Array) {
			b = headBuf(h.Length())
			js.CopyBytesToGo(*b, h)
		}
		p.mu.Lock()
		ch := hw.pending[id]
		delete(hw.pending, id)
		p.mu.Unlock()
		if ch != nil {
			ch <- b // buffered, one answer per job
		}
	}, func() {
		// The page reads the files itself.
		select {
		case hw.hello <- false:
		default:
		}
		go p.terminate() // not from inside the callback: terminate releases it
	})
	if err != nil {
		return nil, errors.Join(errNoHeadWorkers, err)
	}
	hw.worker = w
	return hw, nil
}

// terminate stops every worker and answers the batches they held with
// nothing; the pool then reads no more.
func (p *HeadPool) terminate() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dead {
		return
	}
	p.dead = true
	close(p.ended)
	for _, w := range p.all {
		for id, ch := range w.pending {
			ch <- nil
			delete(w.pending, id)
		}
		w.stop()
	}
}

// Pace lets the page run between two files of a batch parsed on its main
// thread, once they have held it for a slice (see Pace).
func (p *HeadPool) Pace() { Pace() }

var _ upload.Pacer = (*HeadPool)(nil)

// Heads returns the first n bytes of each of srcs that is a *File, read in
// a worker, in one message for them all; the entries of the others, and of
// files the worker could not read, are nil. release gives their buffer back
// for the next answers. It must be called from a goroutine, never from a
// JS callback.
func (p *HeadPool) Heads(ctx context.Context, srcs []upload.Source, n int) (heads [][]byte, release func()) {
	return p.read(ctx, srcs, n, 0)
}

// ReadOn reads len(b) bytes of src at off in a worker, as Heads does the
// first bytes.
func (p *HeadPool) ReadOn(ctx context.Context, src upload.Source, b []byte, off int64) (int, bool) {
	got, release := p.read(ctx, []upload.Source{src}, len(b), off)
	defer release()
	if got[0] == nil {
		return 0, false
	}
	return copy(b, got[0]), true
}

// read returns n bytes at from of each of srcs that is a *File (see Heads).
func (p *HeadPool) read(ctx context.Context, srcs []upload.Source, n int, from int64) (heads [][]byte, release func()) {
	out, none := make([][]byte, len(srcs)), func() {}
	if n <= 0 || from < 0 {
		return out, none
	}
	var at []int // the index in srcs of each file posted
	for i, s := range srcs {
		if _, ok := s.(*File); ok {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return out, none
	}
	// The workers start, if they must, once the sizes are in (StartIdle).
	select {
	case <-statsOver():
	case <-ctx.Done():
		return out, none
	}
	if p.once.Do(p.start); p.err != nil {
		return out, none
	}
	files := jsGlobal.Get("Array").New()
	for _, i := range at {
		files.Call("push", srcs[i].(*File).Blob())
	}
	answer := make(chan *[]byte, 1)
	p.mu.Lock()
	if p.dead {
		p.mu.Unlock()
		return out, none
	}
	w := p.all[p.next%len(p.all)]
	p.next++
	p.jobID++
	id := p.jobID
	w.pending[id] = answer
	p.mu.Unlock()
	msg := jsObject.New()
	msg.Set("id", id)
	msg.Set("files", files)
	msg.Set("n", n)
	msg.Set("from", from)
	if err := catch(func() { w.w.Call("postMessage", msg) }); err != nil {
		p.mu.Lock()
		delete(w.pending, id)
		p.mu.Unlock()
		return out, none
	}
	select {
	case b := <-answer:
		if b == nil {
			return out, none
		}
		for k, h := range splitHeads(*b, len(at), n) {
			out[at[k]] = h
		}
		var once sync.Once
		return out, func() { once.Do(func() { headBufs.Put(b) }) }
	case <-ctx.Done():
		// The answer, when it comes, is left to the collector.
		return out, none
	}
}

// splitHeads cuts a worker's answer (see web/head-worker.js) into count
// heads of at most n bytes; nil for a file not read, and all nil for an
// answer that is not of that form.
func splitHeads(b []byte, count, n int) [][]byte {
	heads := make([][]byte, count)
	header := 4 * (1 + count)
	if len(b) < header || int(int32(binary.LittleEndian.Uint32(b))) != count {
		return heads
	}
	at := header
	for i := range heads {
		l := int(int32(binary.LittleEndian.Uint32(b[4*(1+i):])))
		if l < 0 {
			continue
		}
		if l > n || l > len(b)-at {
			return make([][]byte, count)
		}
		heads[i] = b[at : at+l : at+l]
		at += l
	}
	return heads
}
