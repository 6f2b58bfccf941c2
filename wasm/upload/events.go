package upload

import (
	"sync"

	"altiup/wasm/coalesce"
)

// dispatcher delivers events to the listeners in order, from its own
// goroutine (a coalesce.Queue), so that the pipeline never waits for a
// listener. Events that only update figures are merged while they wait: a
// progress event into the waiting one, and a file's event into its waiting
// one of the same state (a newer byte count), so the queue holds at most
// one progress event and one such event per file.
type dispatcher struct {
	q *coalesce.Queue[event]

	mu     sync.Mutex
	onFile func(FileEvent)
	onProg func(Progress)
}

type event struct {
	file *FileEvent
	prog *Progress
}

// progressKey is the key of progress events in the queue; file events are
// keyed by their index.
type progressKey struct{}

func newDispatcher() *dispatcher {
	d := &dispatcher{}
	d.q = coalesce.NewKeyed(d.deliver, eventKey, foldEvent, 0)
	return d
}

func eventKey(ev event) (any, bool) {
	if ev.prog != nil {
		return progressKey{}, true
	}
	return ev.file.Index, true
}

// foldEvent replaces a waiting event by a newer one that says nothing the
// waiting one's listener would miss: newer figures of the same state.
func foldEvent(waiting *event, ev event) bool {
	if ev.prog != nil {
		*waiting = ev
		return true
	}
	if waiting.file != nil && ev.file.Replaces(*waiting.file) {
		*waiting = ev
		return true
	}
	return false
}

// Replaces reports whether e, a later event of the same file, may stand in
// for waiting in a queue of events not yet delivered: it tells the same
// state with newer figures (each event is the whole of the file as it is),
// and neither carries an error a listener must see.
func (e FileEvent) Replaces(waiting FileEvent) bool {
	return e.Index == waiting.Index && e.State == waiting.State && e.Error == nil && waiting.Error == nil
}

func (d *dispatcher) setFile(f func(FileEvent)) {
	d.mu.Lock()
	d.onFile = f
	d.mu.Unlock()
}

func (d *dispatcher) setProgress(f func(Progress)) {
	d.mu.Lock()
	d.onProg = f
	d.mu.Unlock()
}

func (d *dispatcher) file(e FileEvent) { d.q.Push(event{file: &e}) }

func (d *dispatcher) progress(p Progress) { d.q.Push(event{prog: &p}) }

func (d *dispatcher) deliver(batch []event) {
	for _, ev := range batch {
		d.mu.Lock()
		onFile, onProg := d.onFile, d.onProg
		d.mu.Unlock()
		switch {
		case ev.file != nil && onFile != nil:
			onFile(*ev.file)
		case ev.prog != nil && onProg != nil:
			onProg(*ev.prog)
		}
	}
}

// flush waits until every event queued so far has been delivered.
func (d *dispatcher) flush() { d.q.Flush() }
