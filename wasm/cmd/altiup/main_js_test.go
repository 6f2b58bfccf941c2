//go:build js && wasm

package main

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall/js"
	"testing"
	"time"

	"altiup/wasm/browser"
	"altiup/wasm/upload"
)

const goodOptions = `{"api":"http://127.0.0.1:1/graphql","key":"k","token":"secret-token","project":"p1","cloud":"s3","concurrency":2}`

func await(t *testing.T, p any) (js.Value, error) {
	t.Helper()
	v, ok := p.(js.Value)
	if !ok || v.Type() != js.TypeObject || v.Get("then").Type() != js.TypeFunction {
		t.Fatalf("not a Promise: %v", p)
	}
	return browser.Await(context.Background(), v)
}

func newUploader(t *testing.T) js.Value {
	t.Helper()
	up, err := await(t, create(js.Undefined(), []js.Value{jsonValue(goodOptions)}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { up.Call("dispose") })
	return up
}

func wantCode(t *testing.T, err error, code, words string) {
	t.Helper()
	var je *browser.JSError
	if !errors.As(err, &je) || je.Code != code {
		t.Fatalf("err = %#v, want code %s", err, code)
	}
	if !strings.Contains(je.Message, words) {
		t.Fatalf("message %q does not say %q", je.Message, words)
	}
	if strings.Contains(je.Message, "secret-token") {
		t.Fatalf("message %q shows the token", je.Message)
	}
}

func TestCreateRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name  string
		opts  js.Value
		words string
	}{
		{"nothing", js.Undefined(), "must be an object"},
		{"a string", js.ValueOf("x"), "must be an object"},
		{"no project", jsonValue(`{"api":"http://h","key":"k","token":"secret-token"}`), "(project) is missing"},
		{"unknown cloud", jsonValue(`{"api":"http://h","key":"k","token":"secret-token","project":"p","cloud":"gcs"}`), `"gcs" is not known`},
		{"too many at once", jsonValue(`{"api":"http://h","key":"k","token":"secret-token","project":"p","concurrency":65}`), "between 1 and 64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := await(t, create(js.Undefined(), []js.Value{tt.opts}))
			wantCode(t, err, upload.CodeInvalidInput, tt.words)
		})
	}
}

func TestUploaderObject(t *testing.T) {
	up := newUploader(t)
	for _, m := range []string{"on", "add", "start", "pause", "resume", "cancel", "waitProcessed", "task", "startReconstruction", "preStartReconstruction", "dispose"} {
		if up.Get(m).Type() != js.TypeFunction {
			t.Errorf("%s is %s, not a function", m, up.Get(m).Type())
		}
	}
	if up.Get("version").String() != Version {
		t.Errorf("version %q", up.Get("version").String())
	}
	// The id is not enumerable: the object shows only the API.
	keys := js.Global().Get("Object").Call("keys", up)
	for i := range keys.Length() {
		if strings.HasPrefix(keys.Index(i).String(), "__") {
			t.Errorf("enumerable internal key %s", keys.Index(i).String())
		}
	}
}

// fileEvents listens to the file events of up; wait(n) returns them once n
// came (or after ten seconds, whatever came).
func fileEvents(t *testing.T, up js.Value) (listener js.Func, wait func(n int) []js.Value) {
	t.Helper()
	var mu sync.Mutex
	var events []js.Value
	listener = js.FuncOf(func(_ js.Value, args []js.Value) any {
		mu.Lock()
		events = append(events, args[0])
		mu.Unlock()
		return nil
	})
	t.Cleanup(listener.Release)
	return listener, func(n int) []js.Value {
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			mu.Lock()
			got := len(events)
			mu.Unlock()
			if got >= n {
				break
			}
		}
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(events)
	}
}

func TestOnAndAdd(t *testing.T) {
	needLoader(t)
	up := newUploader(t)
	listener, wait := fileEvents(t, up)
	if got := up.Call("on", "file", listener); !got.Equal(up) {
		t.Fatal("on does not return the uploader")
	}
	up.Call("on", "nonsense", listener) // reported on the console, ignored

	mk := func(name string, data string) js.Value {
		opts := js.Global().Get("Object").New()
		opts.Set("type", "image/jpeg")
		return js.Global().Get("File").New(js.Global().Get("Array").New(data), name, opts)
	}
	files := js.Global().Get("Array").New(mk("a.jpg", "aaaa"), mk("b.jpg", "bb"))
	n, err := await(t, up.Call("add", files))
	if err != nil || n.Int() != 2 {
		t.Fatalf("add: %v, %v", n, err)
	}
	n, err = await(t, up.Call("add", mk("c.jpg", "c")))
	if err != nil || n.Int() != 1 {
		t.Fatalf("add one File: %v, %v", n, err)
	}
	_, err = await(t, up.Call("add", js.Global().Get("Array").New(mk("d.jpg", "d"), js.ValueOf("e.jpg"))))
	wantCode(t, err, upload.CodeInvalidInput, "File 2 of 2")
	_, err = await(t, up.Call("add", js.ValueOf(5)))
	wantCode(t, err, upload.CodeInvalidInput, "FileList")

	// Wait until the three queued events are in (delivered in order). A
	// file's metadata, once read, comes in a later event of the same file:
	// the first event of each file is its queued one, and no other file
	// has any (the bad adds must add nothing).
	all := wait(3)
	time.Sleep(100 * time.Millisecond)
	all = wait(len(all))
	var events []js.Value
	for _, e := range all {
		if i := e.Get("index").Int(); i >= len(events) {
			events = append(events, e)
		}
	}
	if len(events) != 3 {
		t.Fatalf("events of %d files, want 3 (the bad add must add nothing)", len(events))
	}
	for _, e := range all {
		if i := e.Get("index").Int(); i < 0 || i > 2 {
			t.Errorf("an event of file %d (the bad add must add nothing)", i)
		}
	}
	for i, want := range []string{"a.jpg", "b.jpg", "c.jpg"} {
		e := events[i]
		if e.Get("name").String() != want || e.Get("state").String() != "queued" || e.Get("index").Int() != i {
			t.Errorf("event %d: %s", i, js.Global().Get("JSON").Call("stringify", e).String())
		}
	}
	if events[0].Get("size").Int() != 4 {
		t.Errorf("size %d", events[0].Get("size").Int())
	}
}

// TestListenersApart: through the loader's deliver, a listener that changes
// its event and then throws neither changes the next one's event nor keeps
// it from the next.
func TestListenersApart(t *testing.T) {
	needLoader(t)
	up := newUploader(t)
	rude := js.Global().Get("Function").New("e", "e.name = 'changed'; throw new Error('listener failure');")
	got := make(chan string, 1)
	polite := js.FuncOf(func(_ js.Value, args []js.Value) any {
		got <- args[0].Get("name").String()
		return nil
	})
	defer polite.Release()
	up.Call("on", "file", rude).Call("on", "file", polite)
	opts := js.Global().Get("Object").New()
	file := js.Global().Get("File").New(js.Global().Get("Array").New("x"), "a.jpg", opts)
	if _, err := await(t, up.Call("add", file)); err != nil {
		t.Fatal(err)
	}
	select {
	case name := <-got:
		if name != "a.jpg" {
			t.Fatalf("the second listener saw name %q", name)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the second listener got no event")
	}
}

// TestAddPaths: add(files, {paths}) gives each file its path (by default
// its name), which its events carry.
func TestAddPaths(t *testing.T) {
	needLoader(t)
	up := newUploader(t)
	listener, wait := fileEvents(t, up)
	up.Call("on", "file", listener)
	mk := func() js.Value {
		return js.Global().Get("File").New(js.Global().Get("Array").New("x"), "DJI_0001.JPG", jsonValue(`{"lastModified":1700000000000}`))
	}
	files := js.Global().Get("Array").New(mk(), mk(), mk())
	if _, err := await(t, up.Call("add", files, jsonValue(`{"paths":["north/DJI_0001.JPG","south/DJI_0001.JPG",null]}`))); err != nil {
		t.Fatal(err)
	}
	_, err := await(t, up.Call("add", files, jsonValue(`{"paths":["one"]}`)))
	wantCode(t, err, upload.CodeInvalidInput, "one path per file")
	_, err = await(t, up.Call("add", files, jsonValue(`{"paths":[1,2,3]}`)))
	wantCode(t, err, upload.CodeInvalidInput, "paths must be text")
	events := wait(3)
	if len(events) != 3 {
		t.Fatalf("%d file events, want 3", len(events))
	}
	for i, want := range []string{"north/DJI_0001.JPG", "south/DJI_0001.JPG", "DJI_0001.JPG"} {
		if got := events[i].Get("path"); got.Type() != js.TypeString || got.String() != want {
			t.Errorf("event %d: path %v, want %q", i, got, want)
		}
	}
}

func TestReconstructionArguments(t *testing.T) {
	up := newUploader(t)
	_, err := await(t, up.Call("startReconstruction", jsonValue(`{"taskType":5}`)))
	wantCode(t, err, upload.CodeInvalidInput, "taskType must be text")
	_, err = await(t, up.Call("preStartReconstruction", js.ValueOf("Native")))
	wantCode(t, err, upload.CodeInvalidInput, "must be an object")
}

func TestDisposed(t *testing.T) {
	up, err := await(t, create(js.Undefined(), []js.Value{jsonValue(goodOptions)}))
	if err != nil {
		t.Fatal(err)
	}
	up.Call("dispose")
	_, err = await(t, up.Call("start"))
	wantCode(t, err, upload.CodeInvalidInput, "disposed")
	// A method taken off the object keeps its uploader.
	start := up.Get("waitProcessed")
	_, err = await(t, start.Invoke())
	wantCode(t, err, upload.CodeInvalidInput, "disposed")
}

// BenchmarkAdd10k measures add() of 10,000 Files up to the delivery of their
// last 'file' event to a JS listener.
func BenchmarkAdd10k(b *testing.B) {
	if loaderErr != nil {
		b.Skipf("no loader: %v", loaderErr)
	}
	const n = 10000
	files := js.Global().Get("Array").New()
	opts := js.Global().Get("Object").New()
	opts.Set("type", "image/jpeg")
	for i := range n {
		files.Call("push", js.Global().Get("File").New(js.Global().Get("Array").New("x"), "p"+strconv.Itoa(i)+".jpg", opts))
	}
	counter := js.Global().Get("Function").New("c", "return function (e) { c.n++; }")
	for b.Loop() {
		up, err := browser.Await(context.Background(), create(js.Undefined(), []js.Value{jsonValue(goodOptions)}).(js.Value))
		if err != nil {
			b.Fatal(err)
		}
		c := js.Global().Get("Object").New()
		c.Set("n", 0)
		up.Call("on", "file", counter.Invoke(c))
		t0 := time.Now()
		pr := up.Call("add", files)
		if _, err := browser.Await(context.Background(), pr); err != nil {
			b.Fatal(err)
		}
		added := time.Since(t0)
		for c.Get("n").Int() < n {
			time.Sleep(time.Millisecond)
		}
		b.Logf("add returned after %v; its %d events were delivered after %v", added, n, time.Since(t0))
		up.Call("dispose")
	}
}
