package coalesce

import "sync"

// Queue delivers items to its consumer in the order they were pushed. Its
// methods are safe for concurrent use.
type Queue[T any] struct {
	deliver func(batch []T)
	merge   func(waiting []T, v T) bool
	max     int

	mu      sync.Mutex
	idle    *sync.Cond
	waiting []T
	busy    bool // a goroutine is delivering
}

// New makes a queue whose consumer is deliver. deliver is called with at most
// max items at a time (0: everything waiting), never twice at once, and may
// keep nothing of the slice it is given. merge, when not nil, may fold v
// into the items still waiting (it is called with the queue locked, so it
// must be quick and must not call the queue) and reports whether it did; v
// is then not queued.
func New[T any](deliver func(batch []T), merge func(waiting []T, v T) bool, max int) *Queue[T] {
	q := &Queue[T]{deliver: deliver, merge: merge, max: max}
	q.idle = sync.NewCond(&q.mu)
	return q
}

// Push queues v.
func (q *Queue[T]) Push(v T) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.merge != nil && len(q.waiting) > 0 && q.merge(q.waiting, v) {
		return
	}
	q.waiting = append(q.waiting, v)
	if !q.busy {
		q.busy = true
		go q.drain()
	}
}

func (q *Queue[T]) drain() {
	var batch []T
	for {
		q.mu.Lock()
		if len(q.waiting) == 0 {
			q.busy = false
			q.idle.Broadcast()
			q.mu.Unlock()
			return
		}
		n := len(q.waiting)
		if q.max > 0 && n > q.max {
			n = q.max
		}
		batch = append(batch[:0], q.waiting[:n]...)
		// The rest moves to the front, so the backing array does not grow
		// without end while a slow consumer falls behind.
		rest := copy(q.waiting, q.waiting[n:])
		clear(q.waiting[rest:])
		q.waiting = q.waiting[:rest]
		q.mu.Unlock()
		q.deliver(batch)
		clear(batch)
	}
}

// Flush waits until every item pushed before it has been delivered.
func (q *Queue[T]) Flush() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.busy {
		q.idle.Wait()
	}
}

// Len is how many items wait to be delivered.
func (q *Queue[T]) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.waiting)
}
