//go:build js && wasm

package browser

import (
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
		for spin := time.Now(); time.Since(spin) < 100*time.Microsecond; {
		}
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
