package coalesce

import "sync"

// Queue delivers items to its consumer in the order they were pushed. Its
// methods are safe for concurrent use.
type Queue[T any] struct {
	deliver func(batch []T)
	merge   func(waiting []T, v T) bool
	max     int
	keyOf   func(T) (any, bool)
	fold    func(waiting *T, v T) bool

	// keys maps a key to the sequence number of its newest item pushed;
	// head is the sequence number of waiting[0]. An item is still waiting
	// when its number is at least head.
	keys map[any]uint64
	head uint64

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

// NewKeyed makes a queue whose items may carry a key (key reports it, ok
// false for none; keys must be comparable). When the newest item pushed under
// v's key still waits, fold may fold v into it and reports whether it did; v
// is then not queued. Unlike merge, this finds the item wherever it waits,
// without a scan: a file's newer figure replaces its waiting one even when
// other files' items came after it. fold is called with the queue locked.
func NewKeyed[T any](deliver func(batch []T), key func(T) (any, bool), fold func(waiting *T, v T) bool, max int) *Queue[T] {
	q := New(deliver, nil, max)
	q.keyOf, q.fold, q.keys = key, fold, map[any]uint64{}
	return q
}

// Push queues v.
func (q *Queue[T]) Push(v T) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.keyOf != nil {
		if k, ok := q.keyOf(v); ok {
			if seq, found := q.keys[k]; found && seq >= q.head && q.fold(&q.waiting[seq-q.head], v) {
				return
			}
			q.keys[k] = q.head + uint64(len(q.waiting))
		}
	}
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
		q.forget(batch)
		q.mu.Unlock()
		q.deliver(batch)
		clear(batch)
	}
}

// forget drops the keys of the items taken for delivery, which can no longer
// be folded into; q.mu is held.
func (q *Queue[T]) forget(batch []T) {
	if q.keyOf != nil {
		for i, v := range batch {
			if k, ok := q.keyOf(v); ok && q.keys[k] == q.head+uint64(i) {
				delete(q.keys, k)
			}
		}
	}
	q.head += uint64(len(batch))
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
