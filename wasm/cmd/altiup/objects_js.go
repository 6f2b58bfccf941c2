//go:build js && wasm

package main

import (
	"sync"
	"syscall/js"

	"altiup/wasm/browser"
	"altiup/wasm/upload"
)

// The JS objects that create and connect return carry only an id, in a
// property that is not enumerable, and their methods: functions made once
// and bound to each object by JS (Function.prototype.bind), so no js.Func is
// made per object and none needs releasing. The Go side of each object is
// found by its id in a registry.
const idKey = "__altiupId"

// lastID numbers the objects of both kinds, so that a method of one kind
// called on an object of the other finds nothing.
var (
	idMu   sync.Mutex
	lastID int
)

// registry holds the Go side of the JS objects of one kind.
type registry[T any] struct {
	mu sync.Mutex
	m  map[int]T
}

// add keeps v and returns its id.
func (r *registry[T]) add(v T) int {
	idMu.Lock()
	lastID++
	id := lastID
	idMu.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[int]T{}
	}
	r.m[id] = v
	return id
}

// remove forgets the object id: its methods then reject.
func (r *registry[T]) remove(id int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.m, id)
}

// lookup finds the Go side of the object a method was called on.
func (r *registry[T]) lookup(this js.Value) (v T, ok bool) {
	if this.Type() != js.TypeObject {
		return v, false
	}
	id := this.Get(idKey)
	if id.Type() != js.TypeNumber {
		return v, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok = r.m[id.Int()]
	return v, ok
}

// method makes a JS method of the objects of r. Called on anything else (a
// disposed uploader, say) it rejects with invalid_input, saying gone.
func method[T any](r *registry[T], gone string, fn func(v T, this js.Value, args []js.Value) any) js.Func {
	return browser.Func(func(this js.Value, args []js.Value) any {
		v, ok := r.lookup(this)
		if !ok {
			return browser.Reject(upload.Errorf(upload.CodeInvalidInput, "%s", gone))
		}
		return fn(v, this, args)
	})
}

// newObject makes the JS object of id with methods bound to it.
func newObject(id int, methods map[string]js.Func) js.Value {
	obj := js.Global().Get("Object").New()
	js.Global().Get("Object").Call("defineProperty", obj, idKey, map[string]any{"value": id})
	for name, fn := range methods {
		obj.Set(name, fn.Value.Call("bind", obj))
	}
	obj.Set("version", Version)
	return obj
}
