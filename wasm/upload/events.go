package upload

import "sync"

// dispatcher delivers events to the listeners in order, from its own
// goroutine, so that the pipeline never waits for a listener. Consecutive
// events that only update counts are merged: the queue holds at most one
// progress event at its end, and at most one byte-count update per file in a
// row.
type dispatcher struct {
	mu     sync.Mutex
	idle   *sync.Cond
	onFile func(FileEvent)
	onProg func(Progress)
	queue  []event
	busy   bool
}

type event struct {
	file *FileEvent
	prog *Progress
}

func newDispatcher() *dispatcher {
	d := &dispatcher{}
	d.idle = sync.NewCond(&d.mu)
	return d
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

func (d *dispatcher) file(e FileEvent) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if n := len(d.queue); n > 0 {
		if last := d.queue[n-1].file; last != nil && last.Index == e.Index && last.State == e.State && last.Error == nil && e.Error == nil {
			*last = e
			return
		}
	}
	d.queue = append(d.queue, event{file: &e})
	d.kick()
}

func (d *dispatcher) progress(p Progress) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if n := len(d.queue); n > 0 && d.queue[n-1].prog != nil {
		*d.queue[n-1].prog = p
		return
	}
	d.queue = append(d.queue, event{prog: &p})
	d.kick()
}

// kick starts the delivering goroutine if it is not running; d.mu is held.
func (d *dispatcher) kick() {
	if !d.busy {
		d.busy = true
		go d.drain()
	}
}

func (d *dispatcher) drain() {
	for {
		d.mu.Lock()
		if len(d.queue) == 0 {
			d.busy = false
			d.idle.Broadcast()
			d.mu.Unlock()
			return
		}
		ev := d.queue[0]
		d.queue[0] = event{}
		d.queue = d.queue[1:]
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
func (d *dispatcher) flush() {
	d.mu.Lock()
	for d.busy || len(d.queue) > 0 {
		d.idle.Wait()
	}
	d.mu.Unlock()
}
