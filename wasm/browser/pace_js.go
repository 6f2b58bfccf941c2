//go:build js && wasm

package browser

import (
	"net/http"
	"sync"
	"syscall/js"
	"time"
)

// Go in the browser runs every goroutine that can run before it hands the
// thread back to the page: a call such as start(), or one finished request,
// can set off a burst of work (dozens of requests, hashes and events) that
// holds the page's main thread for hundreds of milliseconds. Pace cuts such
// bursts into slices: the goroutines that make calls into JS call it first,
// and once the current slice has run sliceBudget they wait until the page
// has run its own tasks (input, painting) in between. A slice's task lasts
// longer than its budget (the work between two calls of Pace, the work of
// goroutines that do not call it, the thread losing its core on a busy
// machine): uploading 2 GiB on 2 busy cores, the longest task was 63-96 ms
// with 10 ms slices and under 60 ms with 5 ms ones, which cost small files
// nothing measurable.
const sliceBudget = 5 * time.Millisecond

// A slice begins with a message posted to a MessageChannel: its arrival is
// a task of its own, so it says the page has had the thread since.
var pace struct {
	once   sync.Once
	port   js.Value // where the message is posted; undefined without MessageChannel
	onMsg  js.Func
	mu     sync.Mutex    // never held across a wait: the JS callback takes it
	start  time.Time     // when the current slice began
	turned chan struct{} // closed when the slice's message arrives; nil before the first
}

func startPace() {
	mc := jsGlobal.Get("MessageChannel")
	if mc.Type() != js.TypeFunction {
		return
	}
	ch := mc.New()
	pace.onMsg = js.FuncOf(func(js.Value, []js.Value) any {
		pace.mu.Lock()
		if pace.turned != nil {
			select {
			case <-pace.turned:
			default:
				close(pace.turned)
			}
		}
		pace.mu.Unlock()
		return nil
	})
	ch.Get("port1").Set("onmessage", pace.onMsg)
	pace.port = ch.Get("port2")
}

// Pace returns at once while the current slice has time left, else once
// the page has run and a slice has time for it. It must be called from a
// goroutine, never from a JS callback.
func Pace() {
	pace.once.Do(startPace)
	if pace.port.IsUndefined() {
		return
	}
	for {
		pace.mu.Lock()
		turned, fresh := turnLocked()
		if fresh || time.Since(pace.start) < sliceBudget {
			pace.mu.Unlock()
			return
		}
		pace.mu.Unlock()
		// Every goroutine waiting here wakes at the turn, in one task: each
		// looks at the new slice's budget again, or the first answer of a
		// batch of dozens would set them all off at once.
		<-turned
	}
}

// Yield returns once the page has run: it waits for the turn already asked
// for, or asks for one. Unlike Pace it never goes on in the same task, for
// work whose steps may each take long (a file's size may take 10 ms on a
// busy machine). It must be called from a goroutine, never from a JS
// callback.
func Yield() {
	pace.once.Do(startPace)
	if pace.port.IsUndefined() {
		time.Sleep(time.Millisecond)
		return
	}
	pace.mu.Lock()
	turned, _ := turnLocked()
	pace.mu.Unlock()
	<-turned
}

// turnLocked returns the channel closed at the next turn of the page: the
// one asked for and not yet come, else a new one, with fresh true (a new
// slice begins). pace.mu is held.
func turnLocked() (turned chan struct{}, fresh bool) {
	if pace.turned != nil {
		select {
		case <-pace.turned:
		default:
			return pace.turned, false
		}
	}
	pace.start = time.Now()
	pace.turned = make(chan struct{})
	pace.port.Call("postMessage", nil)
	return pace.turned, true
}

// PacedTransport paces the requests of an http.Client (see Pace): each one
// costs the page's main thread a fetch and the Go↔JS calls around it. Its
// Base defaults to FetchTransport.
type PacedTransport struct{ Base http.RoundTripper }

var _ http.RoundTripper = PacedTransport{}

func (t PacedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	Pace()
	base := t.Base
	if base == nil {
		base = FetchTransport{}
	}
	return base.RoundTrip(r)
}
