//go:build js && wasm

package browser

import (
	"sync"
	"syscall/js"
	"testing"
	"time"
)

// A JS timer set now can only fire once Go hands the thread back to the
// page: busy work that calls Pace must let it fire long before it ends.
func TestPaceLetsThePageRun(t *testing.T) {
	fired := make(chan time.Duration, 1)
	t0 := time.Now()
	cb := js.FuncOf(func(js.Value, []js.Value) any {
		select {
		case fired <- time.Since(t0):
		default:
		}
		return nil
	})
	defer cb.Release()
	jsGlobal.Call("setTimeout", cb, 0)
	const busy = 300 * time.Millisecond
	firedAt := time.Duration(-1)
	for time.Since(t0) < busy {
		Pace()
		select {
		case d := <-fired:
			firedAt = d
		default:
		}
		spin(100 * time.Microsecond)
	}
	if firedAt < 0 || firedAt > busy/2 {
		t.Fatalf("the page's timer ran after %v of Go's %v of work; want it within a slice or two (%v each)", firedAt, busy, sliceBudget)
	}
	t.Logf("the page's timer ran after %v", firedAt)
}

// Yield returns only once the page has run: a microtask queued before it
// has run by then (it runs only once Go hands the thread back), every time,
// where Pace would go on within its slice.
func TestYieldLetsThePageRun(t *testing.T) {
	for i := range 5 {
		ran := false
		cb := js.FuncOf(func(js.Value, []js.Value) any {
			ran = true
			return nil
		})
		jsGlobal.Call("queueMicrotask", cb)
		Yield()
		cb.Release()
		if !ran {
			t.Fatalf("Yield %d returned before the page ran", i+1)
		}
	}
}

// Goroutines waiting in Pace all wake at the page's turn, in one task: each
// must look at the new slice's budget again, so that dozens of them (the
// callers of one batched API answer) spread over several turns instead of
// holding the thread for all their work at once.
func TestPaceSpreadsWaitersOverTurns(t *testing.T) {
	const waiters, work = 60, time.Millisecond
	var (
		mu      sync.Mutex
		ticks   []time.Time
		done    bool
		stopped = make(chan struct{})
	)
	// A chain of page timers: the gap between two is how long the page
	// could not run.
	var tick js.Func
	tick = js.FuncOf(func(js.Value, []js.Value) any {
		mu.Lock()
		defer mu.Unlock()
		ticks = append(ticks, time.Now())
		if done {
			close(stopped)
		} else {
			jsGlobal.Call("setTimeout", tick, 0)
		}
		return nil
	})
	defer func() {
		<-stopped // the last timer has run: none calls tick once released
		tick.Release()
	}()
	jsGlobal.Call("setTimeout", tick, 0)
	Yield()
	// The current slice spent, every goroutine below waits for a turn.
	Pace()
	spin(sliceBudget + time.Millisecond)
	start := time.Now()
	var wg sync.WaitGroup
	for range waiters {
		wg.Go(func() {
			Pace()
			spin(work)
		})
	}
	wg.Wait()
	end := time.Now()
	Yield()
	mu.Lock()
	done = true
	var longest time.Duration
	last := start
	for _, at := range ticks {
		if at.After(start) && at.Before(end) {
			longest = max(longest, at.Sub(last))
			last = at
		}
	}
	longest = max(longest, end.Sub(last))
	mu.Unlock()
	// All at once would be waiters × work (60 ms); a slice is sliceBudget
	// and one waiter's work over it.
	if limit := waiters * work / 2; longest > limit {
		t.Fatalf("the page could not run for %v while %d goroutines each worked %v after Pace; want under %v", longest, waiters, work, limit)
	}
	t.Logf("%d goroutines × %v of work: the page ran at least every %v (%v in all)", waiters, work, longest, end.Sub(start))
}

// spin keeps the thread busy for d, as a call into JS would.
func spin(d time.Duration) {
	for t0 := time.Now(); time.Since(t0) < d; {
	}
}
