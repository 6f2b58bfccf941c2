//go:build js && wasm

package browser

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"syscall/js"

	"altiup/wasm/upload"
)

// JS globals looked up once: each Get crosses into JS.
var (
	jsGlobal          = js.Global()
	jsObject          = jsGlobal.Get("Object")
	jsPromise         = jsGlobal.Get("Promise")
	jsUint8Array      = jsGlobal.Get("Uint8Array")
	jsBlob            = jsGlobal.Get("Blob")
	jsXHR             = jsGlobal.Get("XMLHttpRequest")
	jsAbortController = jsGlobal.Get("AbortController")
	jsJSON            = jsGlobal.Get("JSON")
	// jsSubtle is undefined outside secure contexts (plain http on a non-loopback
	// host); the Hasher then hashes in Go.
	jsSubtle = func() js.Value {
		c := jsGlobal.Get("crypto")
		if c.Truthy() {
			return c.Get("subtle")
		}
		return js.Undefined()
	}()
)

// JSError is an exception or rejection value thrown by JS.
type JSError struct {
	Name    string // e.g. NotReadableError, TypeError; empty for non-Error values
	Code    string // the value's code property when it is a string (as in ErrorValue)
	Message string
}

func (e *JSError) Error() string {
	if e.Name == "" {
		return e.Message
	}
	return e.Name + ": " + e.Message
}

// jsErrorOf converts a thrown or rejected JS value into an error.
func jsErrorOf(v js.Value) error {
	switch {
	case v.Type() == js.TypeObject && v.Get("message").Type() == js.TypeString:
		name := ""
		if n := v.Get("name"); n.Type() == js.TypeString {
			name = n.String()
		}
		code := ""
		if c := v.Get("code"); c.Type() == js.TypeString {
			code = c.String()
		}
		return &JSError{Name: name, Code: code, Message: v.Get("message").String()}
	case v.Type() == js.TypeString:
		return &JSError{Message: v.String()}
	}
	return &JSError{Message: fmt.Sprintf("JS value %s", v.Type())}
}

// Await waits for the JS promise p to settle and returns its value. It blocks
// the calling goroutine, so it must never run inside a js.FuncOf callback:
// call it from a goroutine. When ctx ends first, Await returns ctx.Err() and
// lets the promise settle on its own.
func Await(ctx context.Context, p js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	// Buffered: the callbacks never block, even after Await has returned.
	ch := make(chan result, 1)
	onValue := js.FuncOf(func(this js.Value, args []js.Value) any {
		ch <- result{v: arg(args, 0)}
		return nil
	})
	onError := js.FuncOf(func(this js.Value, args []js.Value) any {
		ch <- result{err: jsErrorOf(arg(args, 0))}
		return nil
	})
	release := func() {
		onValue.Release()
		onError.Release()
	}
	if err := catch(func() { p.Call("then", onValue, onError) }); err != nil {
		release()
		return js.Undefined(), err
	}
	select {
	case r := <-ch:
		release()
		return r.v, r.err
	case <-ctx.Done():
		// The callbacks may still be called; release them only after that.
		go func() {
			<-ch
			release()
		}()
		return js.Undefined(), ctx.Err()
	}
}

func arg(args []js.Value, i int) js.Value {
	if i < len(args) {
		return args[i]
	}
	return js.Undefined()
}

// catch runs f and turns a JS exception (a panic with js.Error) or any other
// panic into an error, so a throwing browser call cannot crash the program.
func catch(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicError(r)
		}
	}()
	f()
	return nil
}

func panicError(r any) error {
	switch r := r.(type) {
	case js.Error:
		return jsErrorOf(r.Value)
	case error:
		return r
	}
	return fmt.Errorf("%v", r)
}

// NewPromise returns a JS Promise settled by fn, which runs in its own
// goroutine so the JS caller is never blocked. fn's value goes through
// js.ValueOf; an error (or a panic) rejects the promise with ErrorValue.
func NewPromise(fn func() (any, error)) js.Value {
	executor := js.FuncOf(func(this js.Value, args []js.Value) any {
		resolve, reject := args[0], args[1]
		go func() {
			var (
				v   any
				err error
			)
			func() {
				defer func() {
					if r := recover(); r != nil {
						err = upload.Errorf(upload.CodeInternal, "Internal error: %v.", r)
						println("altiup: panic:", fmt.Sprint(r), string(debug.Stack()))
					}
				}()
				v, err = fn()
			}()
			if err != nil {
				reject.Invoke(ErrorValue(err))
				return
			}
			if perr := catch(func() { resolve.Invoke(v) }); perr != nil {
				reject.Invoke(ErrorValue(upload.Errorf(upload.CodeInternal, "Internal error: %v.", perr)))
			}
		}()
		return nil
	})
	// The executor runs synchronously inside the constructor.
	defer executor.Release()
	return jsPromise.New(executor)
}

// Reject returns a Promise already rejected with ErrorValue(err).
func Reject(err error) js.Value {
	return jsPromise.Call("reject", ErrorValue(err))
}

// ErrorFielder is an error that adds fields to its JS form (ErrorValue).
type ErrorFielder interface {
	ErrorFields() map[string]any
}

// ErrorValue is the JS form of an error: a plain object {code, message}, the
// code from upload.Error (a JS error becomes code "internal"), plus the fields
// of an ErrorFielder in the chain.
func ErrorValue(err error) js.Value {
	e := upload.AsError(err)
	o := jsObject.New()
	o.Set("code", e.Code)
	o.Set("message", e.Message)
	var f ErrorFielder
	if errors.As(err, &f) {
		for k, v := range f.ErrorFields() {
			if k != "code" && k != "message" {
				o.Set(k, v)
			}
		}
	}
	return o
}

// Func wraps a Go function as a JS function that never lets a panic escape
// into JS (which would end the whole program): a panic is logged to the
// console and the call returns undefined. The caller releases it.
func Func(fn func(this js.Value, args []js.Value) any) js.Func {
	return js.FuncOf(func(this js.Value, args []js.Value) (out any) {
		defer func() {
			if r := recover(); r != nil {
				jsGlobal.Get("console").Call("error", fmt.Sprint("altiup: internal error: ", r))
				println(string(debug.Stack()))
				out = nil
			}
		}()
		return fn(this, args)
	})
}

// ParseJSON is JSON.parse(s): how Go structs marshalled with encoding/json
// become plain JS objects.
func ParseJSON(s []byte) js.Value {
	return jsJSON.Call("parse", string(s))
}

// StringifyJSON is JSON.stringify(v); undefined becomes "".
func StringifyJSON(v js.Value) (string, error) {
	var s js.Value
	if err := catch(func() { s = jsJSON.Call("stringify", v) }); err != nil {
		return "", err
	}
	if s.Type() != js.TypeString {
		return "", errors.New("the value cannot be written as JSON")
	}
	return s.String(), nil
}
