//go:build js && wasm

package main

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"syscall/js"
	"testing"
	"time"
)

// photo is a small JPEG whose pixels follow seed; truncated, the sandbox
// finds it Invalid.
func photo(t *testing.T, seed int, truncated bool) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{uint8(x*4 + seed), uint8(y*5 + seed*7), uint8(seed * 13), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	if truncated {
		return b.Bytes()[:b.Len()/2]
	}
	return b.Bytes()
}

// jsFile makes a JS File of data.
func jsFile(name string, data []byte) js.Value {
	arr := js.Global().Get("Uint8Array").New(len(data))
	js.CopyBytesToJS(arr, data)
	return js.Global().Get("File").New(js.Global().Get("Array").New(arr), name, jsonValue(`{"type":"image/jpeg","lastModified":1700000000000}`))
}

// sandboxUploader makes an uploader of a new project of the sandbox, over
// S3, without a journal.
func sandboxUploader(t *testing.T) js.Value {
	t.Helper()
	api, key, token := sandboxAPI(t)
	pid := newProject(t, t.Name())
	up, err := await(t, create(js.Undefined(), []js.Value{object(map[string]any{
		"api": api, "key": key, "token": token, "project": pid, "cloud": "s3", "journal": false,
	})}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { up.Call("dispose") })
	return up
}

// watch notes when a promise settles.
func watch(p js.Value) (settled func() bool) {
	s := object(map[string]any{"done": false})
	js.Global().Get("Function").New("p", "s", "p.then(() => { s.done = true; }, () => { s.done = true; });").Invoke(p, s)
	return func() bool { return s.Get("done").Bool() }
}

func stringify(v js.Value) string { return js.Global().Get("JSON").Call("stringify", v).String() }

// TestPauseAndCancel: through the JS API, a pause() before start() holds
// the batch until resume(), and cancel() ends a pause, so a start() after
// pause() and cancel() runs.
func TestPauseAndCancel(t *testing.T) {
	t.Run("pause, cancel, start", func(t *testing.T) {
		up := sandboxUploader(t)
		if _, err := await(t, up.Call("add", jsFile("a.jpg", photo(t, 1, false)))); err != nil {
			t.Fatal(err)
		}
		up.Call("pause")
		up.Call("cancel")
		rep, err := await(t, up.Call("start"))
		if err != nil || rep.Get("uploaded").Int() != 1 {
			t.Fatalf("start after pause and cancel: %v, %v", stringify(rep), err)
		}
	})
	t.Run("pause before start holds until resume", func(t *testing.T) {
		up := sandboxUploader(t)
		states := map[string]bool{}
		listener := js.FuncOf(func(_ js.Value, args []js.Value) any {
			states[args[0].Get("state").String()] = true
			return nil
		})
		defer listener.Release()
		up.Call("on", "file", listener)
		if _, err := await(t, up.Call("add", jsFile("b.jpg", photo(t, 2, false)))); err != nil {
			t.Fatal(err)
		}
		up.Call("pause")
		p := up.Call("start")
		settled := watch(p)
		// Long enough for a small file to go up when nothing holds it.
		time.Sleep(2 * time.Second)
		if settled() || states["uploading"] || states["uploaded"] {
			t.Fatalf("the batch went on while paused: settled %v, states %v", settled(), states)
		}
		up.Call("resume")
		rep, err := await(t, p)
		if err != nil || rep.Get("uploaded").Int() != 1 {
			t.Fatalf("start after resume: %v, %v", stringify(rep), err)
		}
	})
}

// TestInvalidSentAgain: a file whose image ended Invalid, added again, is
// sent again, and the invalid files are told by index.
func TestInvalidSentAgain(t *testing.T) {
	up := sandboxUploader(t)
	bad := jsFile("bad.jpg", photo(t, 3, true))
	if _, err := await(t, up.Call("add", js.Global().Get("Array").New(jsFile("good.jpg", photo(t, 4, false)), bad))); err != nil {
		t.Fatal(err)
	}
	if rep, err := await(t, up.Call("start")); err != nil || rep.Get("uploaded").Int() != 2 {
		t.Fatalf("first start: %v, %v", stringify(rep), err)
	}
	res, err := await(t, up.Call("waitProcessed"))
	if err != nil || res.Get("invalid").Int() != 1 || res.Get("ready").Int() != 1 {
		t.Fatalf("first wait: %v, %v", stringify(res), err)
	}
	if f := res.Get("invalidFiles").Index(0); f.Get("index").Int() != 1 || f.Get("imageId").String() == "" || f.Get("path").String() != "bad.jpg" {
		t.Fatalf("invalid file %s", stringify(f))
	}

	if _, err := await(t, up.Call("add", bad)); err != nil {
		t.Fatal(err)
	}
	rep, err := await(t, up.Call("start"))
	if err != nil {
		t.Fatal(err)
	}
	again := rep.Get("files").Index(2)
	if again.Get("state").String() != "uploaded" || rep.Get("uploaded").Int() < 1 {
		t.Fatalf("the invalid file added again was not sent: %s", stringify(rep))
	}
}
