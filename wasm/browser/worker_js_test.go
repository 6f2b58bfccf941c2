//go:build js && wasm

package browser

import (
	"strings"
	"sync"
	"sync/atomic"
	"syscall/js"
	"testing"
	"time"
)

// TestWorkerStopQuiet: workers stopped while their events are still on
// their way to the page leave no call to a released function (which Go
// reports on the page's console: a partner's page would show it) and no
// call of their listeners after stop.
func TestWorkerStopQuiet(t *testing.T) {
	var mu sync.Mutex
	var errs []string
	console := jsGlobal.Get("console")
	orig := console.Get("error")
	record := js.FuncOf(func(_ js.Value, args []js.Value) any {
		var parts []string
		for _, a := range args {
			parts = append(parts, a.String())
		}
		mu.Lock()
		errs = append(errs, strings.Join(parts, " "))
		mu.Unlock()
		return nil
	})
	console.Set("error", record)
	t.Cleanup(func() {
		console.Set("error", orig)
		record.Release()
	})
	// Workers that all fail as they load: the first failure stops them
	// all (as a pool does), while the others' error events are on their way.
	script := scriptURL(t, "throw new Error('no');")
	for round := range 5 {
		var stopped atomic.Bool
		var late atomic.Int64
		crashed := make(chan struct{}, 8)
		var ws []*worker
		for range 4 {
			w, err := startWorker(script, func(js.Value) {}, func() {
				if stopped.Load() {
					late.Add(1)
				}
				crashed <- struct{}{}
			})
			if err != nil {
				t.Fatal(err)
			}
			ws = append(ws, w)
		}
		select {
		case <-crashed:
		case <-time.After(10 * time.Second):
			t.Fatal("no worker failed")
		}
		stopped.Store(true)
		for _, w := range ws {
			w.stop()
		}
		// Let whatever was queued be dispatched.
		time.Sleep(200 * time.Millisecond)
		mu.Lock()
		got := append([]string(nil), errs...)
		mu.Unlock()
		if len(got) > 0 || late.Load() > 0 {
			t.Fatalf("round %d: after stop, %d events reached a listener and the console had %q", round, late.Load(), got)
		}
	}
}
