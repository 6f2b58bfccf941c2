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
// thread makes none of the slices and reads that may each wait there for
// the browser process. Each head crosses into Go as it is parsed, into one
// buffer, and the answer's buffer goes back to a worker with a next batch:
// the metadata of any number of files costs the page the same memory. A
// file it did not read (the workers cannot start or stopped, the read
// failed, a Source that is no File) has a nil head, and the caller reads it
// itself: nothing is lost when the workers are not there. The workers
// start on first use, once no Stat is under way, or before with StartIdle;
// batches are posted to them while they load.
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
	// spare holds the ArrayBuffers of answers read, handed back to the
	// workers with the next batches (transferred, not copied), which fill
	// them again: a batch's answer (2 MiB for MetaBatch heads) is then no
	// garbage on the page, whose heap would otherwise grow with the number
	// of files read until the collector runs.
	spare []js.Value
}

var _ upload.HeadReader = (*HeadPool)(nil)

// HeadWorkers is how many head workers the page starts: their reads wait on
// the browser process, so two keep it busy on a 2-core machine.
const HeadWorkers = 2

// errNoHeadWorkers is the pool's err when its workers cannot run.
var errNoHeadWorkers = errors.New("the head workers are not available")

type headWorker struct {
	*worker
	hello   chan bool             // the first message: true when ready; buffered
	pending map[int]chan js.Value // by job id, the answer's heads (or undefined); under HeadPool.mu
}

// headBufs keeps the buffers each head is copied into, one at a time, for
// the next batches: a batch costs Go one head's memory (photometa's first
// read), however many files it holds.
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

// spareMax is how many answer buffers the page keeps to hand back to the
// workers: as many as batches are usually read at once.
const spareMax = 4

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
func (p *HeadPool) StartIdle(after time.Duration) { startIdle(after, p.Ready) }

// startIdle calls ready (a pool's Ready, which starts its workers) in a
// goroutine once after has passed and no Stat is under way.
func startIdle(after time.Duration, ready func() error) {
	time.AfterFunc(after, func() {
		<-statsOver()
		_ = ready()
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
	hw := &headWorker{hello: make(chan bool, 1), pending: map[int]chan js.Value{}}
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
		h := d.Get("heads")
		if h.Type() != js.TypeObject || !h.InstanceOf(jsUint8Array) {
			h = js.Undefined()
		}
		p.mu.Lock()
		ch := hw.pending[id]
		delete(hw.pending, id)
		p.mu.Unlock()
		if ch != nil {
			ch <- h // buffered, one answer per job
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
			ch <- js.Undefined()
			delete(w.pending, id)
		}
		w.stop()
	}
}

// Pace lets the page run between two files of a batch parsed on its main
// thread, once they have held it for a slice (see Pace).
func (p *HeadPool) Pace() { Pace() }

var _ upload.Pacer = (*HeadPool)(nil)

// Heads reads the first n bytes of each of srcs that is a *File in a
// worker, in one message for them all, and hands them to each in the order
// of srcs; the heads of the others, and of files the worker could not read,
// are nil. Each head is copied into Go as each is called, into the same
// buffer: it is lent for that call only. It must be called from a
// goroutine, never from a JS callback.
func (p *HeadPool) Heads(ctx context.Context, srcs []upload.Source, n int, each func(i int, head []byte)) {
	b := headBuf(max(n, 0))
	defer headBufs.Put(b)
	p.read(ctx, srcs, *b, 0, each)
}

// ReadOn reads len(b) bytes of src at off in a worker, as Heads does the
// first bytes.
func (p *HeadPool) ReadOn(ctx context.Context, src upload.Source, b []byte, off int64) (int, bool) {
	got, ok := 0, false
	p.read(ctx, []upload.Source{src}, b, off, func(_ int, head []byte) {
		got, ok = len(head), head != nil
	})
	return got, ok
}

// read reads len(buf) bytes at from of each of srcs that is a *File, copies
// each into buf in turn and hands it to each (see Heads).
func (p *HeadPool) read(ctx context.Context, srcs []upload.Source, buf []byte, from int64, each func(i int, head []byte)) {
	if len(buf) == 0 {
		for i := range srcs {
			each(i, nil)
		}
		return
	}
	ans := p.ask(ctx, srcs, len(buf), from)
	defer p.keepSpare(ans)
	var lens []int // of the files posted, in order; nil when none was read
	if len(ans.at) > 0 {
		lens = headLengths(ans.heads, len(ans.at), len(buf))
	}
	k, off := 0, 4*(1+len(ans.at))
	for i := range srcs {
		var head []byte
		if k < len(ans.at) && ans.at[k] == i {
			if lens != nil && lens[k] >= 0 {
				head = buf[:lens[k]]
				if len(head) > 0 {
					js.CopyBytesToGo(head, ans.heads.Call("subarray", off, off+len(head)))
				}
				off += len(head)
			}
			k++
		}
		each(i, head)
	}
}

// answer is a worker's answer to a batch: heads (a Uint8Array, or
// undefined when nothing was read) for the files of srcs at the indexes at.
type answer struct {
	heads js.Value
	at    []int
}

// ask posts the Files of srcs to a worker and waits for its answer.
func (p *HeadPool) ask(ctx context.Context, srcs []upload.Source, n int, from int64) answer {
	none := answer{heads: js.Undefined()}
	if from < 0 {
		return none
	}
	var at []int // the index in srcs of each file posted
	for i, s := range srcs {
		if _, ok := s.(*File); ok {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return none
	}
	// The workers start, if they must, once the sizes are in (StartIdle).
	select {
	case <-statsOver():
	case <-ctx.Done():
		return none
	}
	if p.once.Do(p.start); p.err != nil {
		return none
	}
	files := jsGlobal.Get("Array").New()
	for _, i := range at {
		files.Call("push", srcs[i].(*File).Blob())
	}
	reply := make(chan js.Value, 1)
	p.mu.Lock()
	if p.dead {
		p.mu.Unlock()
		return none
	}
	w := p.all[p.next%len(p.all)]
	p.next++
	p.jobID++
	id := p.jobID
	w.pending[id] = reply
	spare := js.Undefined()
	if k := len(p.spare); k > 0 {
		spare, p.spare = p.spare[k-1], p.spare[:k-1]
	}
	p.mu.Unlock()
	msg := jsObject.New()
	msg.Set("id", id)
	msg.Set("files", files)
	msg.Set("n", n)
	msg.Set("from", from)
	transfer := jsGlobal.Get("Array").New()
	if !spare.IsUndefined() {
		msg.Set("buffer", spare)
		transfer.Call("push", spare)
	}
	if err := catch(func() { w.w.Call("postMessage", msg, transfer) }); err != nil {
		p.mu.Lock()
		delete(w.pending, id)
		p.mu.Unlock()
		return none
	}
	select {
	case h := <-reply:
		return answer{heads: h, at: at}
	case <-ctx.Done():
		// The answer, when it comes, is left to the collector.
		return none
	}
}

// keepSpare keeps the buffer of an answer read for a next batch, when the
// pool has room for it.
func (p *HeadPool) keepSpare(a answer) {
	if a.heads.IsUndefined() {
		return
	}
	b := a.heads.Get("buffer")
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.spare) < spareMax && !p.dead {
		p.spare = append(p.spare, b)
	}
}

// headLengths reads the lengths a worker's answer (see web/head-worker.js)
// gives its count files, each at most n bytes: -1 for a file not read. It
// is nil for an answer that is not of that form.
func headLengths(heads js.Value, count, n int) []int {
	if heads.IsUndefined() {
		return nil
	}
	size := heads.Length()
	header := 4 * (1 + count)
	if size < header {
		return nil
	}
	b := make([]byte, header)
	js.CopyBytesToGo(b, heads.Call("subarray", 0, header))
	return splitLengths(b, size, count, n)
}

// splitLengths checks an answer's header b (the count, then each length)
// against the answer's size and returns the lengths, or nil.
func splitLengths(b []byte, size, count, n int) []int {
	header := 4 * (1 + count)
	if len(b) < header || int(int32(binary.LittleEndian.Uint32(b))) != count {
		return nil
	}
	lens := make([]int, count)
	at := header
	for i := range lens {
		l := int(int32(binary.LittleEndian.Uint32(b[4*(1+i):])))
		if l < 0 {
			lens[i] = -1
			continue
		}
		if l > n || l > size-at {
			return nil
		}
		lens[i] = l
		at += l
	}
	return lens
}
