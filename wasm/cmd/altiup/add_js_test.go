//go:build js && wasm

package main

import (
	"syscall/js"
	"testing"
)

// TestStartWithAddsUnderWay: start() called right after add(), its
// promise not awaited, starts with what is in, and its run takes every file
// of the adds called before it (more than the first slice of sizes read),
// in the order of the adds: the report covers them all, each once.
func TestStartWithAddsUnderWay(t *testing.T) {
	up := sandboxUploader(t)
	first := js.Global().Get("Array").New()
	for i := range 20 {
		first.Call("push", jsFile("a"+string(rune('a'+i))+".jpg", photo(t, 10+i, false)))
	}
	added := up.Call("add", first)
	again := up.Call("add", jsFile("b.jpg", photo(t, 40, false)))
	rep, err := await(t, up.Call("start"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []js.Value{added, again} {
		if _, err := await(t, p); err != nil {
			t.Fatal(err)
		}
	}
	files := rep.Get("files")
	if rep.Get("total").Int() != 21 || rep.Get("uploaded").Int() != 21 || files.Length() != 21 {
		t.Fatalf("report %s", stringify(rep))
	}
	for i := range 21 {
		want := "b.jpg"
		if i < 20 {
			want = "a" + string(rune('a'+i)) + ".jpg"
		}
		if got := files.Index(i).Get("name").String(); got != want {
			t.Fatalf("file %d is %s, want %s", i, got, want)
		}
	}
}
