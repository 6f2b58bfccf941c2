package coalesce

import (
	"runtime"
	"slices"
	"sync"
	"testing"
)

func TestQueue(t *testing.T) {
	// mergeLast folds a number into the last waiting one when both are even.
	mergeLast := func(waiting []int, v int) bool {
		last := &waiting[len(waiting)-1]
		if *last%2 == 0 && v%2 == 0 {
			*last = v
			return true
		}
		return false
	}
	tests := []struct {
		name  string
		merge func([]int, int) bool
		max   int
		push  []int
		want  []int
		batch int // largest batch allowed
	}{
		{"in order", nil, 0, []int{1, 2, 3, 4, 5}, []int{1, 2, 3, 4, 5}, 5},
		{"batches bounded", nil, 2, []int{1, 2, 3, 4, 5}, []int{1, 2, 3, 4, 5}, 2},
		{"merged while waiting", mergeLast, 0, []int{1, 2, 4, 6, 3, 8}, []int{1, 6, 3, 8}, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var got []int
			gate := make(chan struct{})
			first := true
			q := New(func(b []int) {
				if first {
					first = false
					<-gate // hold the consumer so the rest piles up
				}
				if len(b) > tt.batch {
					t.Errorf("batch of %d, want at most %d", len(b), tt.batch)
				}
				mu.Lock()
				got = append(got, b...)
				mu.Unlock()
			}, tt.merge, tt.max)
			q.Push(tt.push[0])
			for _, v := range tt.push[1:] {
				q.Push(v)
			}
			close(gate)
			q.Flush()
			mu.Lock()
			defer mu.Unlock()
			// The first push may have been taken alone before the rest came.
			if !slices.Equal(got, tt.want) && !(tt.merge == nil && slices.Equal(got, tt.push)) {
				t.Errorf("delivered %v, want %v", got, tt.want)
			}
			if q.Len() != 0 {
				t.Errorf("Len %d after Flush", q.Len())
			}
		})
	}
}

func TestQueueConcurrentPushes(t *testing.T) {
	var mu sync.Mutex
	seen := map[int]int{}
	q := New(func(b []int) {
		mu.Lock()
		for _, v := range b {
			seen[v]++
		}
		mu.Unlock()
	}, nil, 7)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				q.Push(w*1000 + i)
			}
		}()
	}
	wg.Wait()
	q.Flush()
	if len(seen) != 8*500 {
		t.Fatalf("%d distinct items delivered, want %d", len(seen), 8*500)
	}
	for v, n := range seen {
		if n != 1 {
			t.Fatalf("item %d delivered %d times", v, n)
		}
	}
}

func TestFlushOnEmptyQueueReturns(t *testing.T) {
	q := New(func([]int) {}, nil, 0)
	q.Flush()
}

// TestKeyed: an item folds into the waiting item of its key wherever it
// waits; items of other keys, items without a key and items whose key's
// item was already taken are queued in order.
func TestKeyed(t *testing.T) {
	type item struct{ key, v int } // key 0: none
	var mu sync.Mutex
	var got []item
	gate := make(chan struct{})
	first := true
	q := NewKeyed(func(b []item) {
		if first {
			first = false
			<-gate
		}
		mu.Lock()
		got = append(got, b...)
		mu.Unlock()
	}, func(it item) (any, bool) { return it.key, it.key != 0 }, func(w *item, it item) bool {
		if it.v < 0 { // a negative value never folds
			return false
		}
		*w = it
		return true
	}, 2)
	q.Push(item{9, 0}) // taken at once: held by the consumer
	for q.Len() != 0 { // until the first is taken
		runtime.Gosched()
	}
	for _, it := range []item{{1, 1}, {2, 1}, {0, 1}, {1, 2}, {9, 1}, {2, -1}, {2, 3}, {1, 3}} {
		q.Push(it)
	}
	close(gate)
	q.Flush()
	q.Push(item{1, 4}) // its key's item is delivered: queued anew
	q.Flush()
	want := []item{{9, 0}, {1, 3}, {2, 1}, {0, 1}, {9, 1}, {2, 3}, {1, 4}}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(got, want) {
		t.Fatalf("delivered %v, want %v", got, want)
	}
}
