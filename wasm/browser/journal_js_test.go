//go:build js && wasm

package browser

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"syscall/js"
	"testing"
	"time"

	"github.com/hack-pad/hackpadfs"

	"altiup/wasm/upload"
)

// TestJournalRoundTrip writes entries with one Journal and reads them with
// another on the same database, as a reloaded page does.
func TestJournalRoundTrip(t *testing.T) {
	ctx := context.Background()
	name := "altiup-journal-test-" + t.Name()
	j := NewJournal(name)
	if err := j.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	key := "pid1\x00IMG 0001 照片 ../x.jpg\x00209715200\x001700000000000"
	want := upload.JournalEntry{
		Checksum: strings.Repeat("ab", 20), ImageID: "img-7", State: upload.JournalUploading,
		Key: "pid1/0123.jpg", UploadID: "0123456789ABCDEF", PartSize: 8 << 20,
		Parts: []upload.Part{{Number: 1, ETag: `"AA"`, Size: 8 << 20}, {Number: 3, ETag: `"CC"`, Size: 8 << 20}},
	}
	if err := j.Put(ctx, key, want); err != nil {
		t.Fatal(err)
	}
	if err := j.Put(ctx, "pid1\x00other", upload.JournalEntry{Checksum: strings.Repeat("cd", 20)}); err != nil {
		t.Fatal(err)
	}

	again := NewJournal(name)
	got, ok, err := again.Get(ctx, key)
	if err != nil || !ok {
		t.Fatalf("Get after reopening: %v, %v", ok, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if _, ok, err := again.Get(ctx, "pid2\x00IMG 0001.jpg"); ok || err != nil {
		t.Fatalf("an absent key: %v, %v", ok, err)
	}
	// Replacing keeps one entry per key.
	want.State, want.UploadID, want.Parts = upload.JournalUploaded, "", nil
	if err := again.Put(ctx, key, want); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := j.Get(ctx, key); !reflect.DeepEqual(got, want) {
		t.Fatalf("after replacing: %+v", got)
	}
	if err := again.Clear(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestJournalHoldsNoNames checks what lands in IndexedDB: entries under
// hashed names, without the file's name.
func TestJournalHoldsNoNames(t *testing.T) {
	ctx := context.Background()
	name := "altiup-journal-test-names"
	j := NewJournal(name)
	if err := j.Put(ctx, "pid1\x00holiday-secret-name.jpg\x001\x002", upload.JournalEntry{Checksum: strings.Repeat("ef", 20)}); err != nil {
		t.Fatal(err)
	}
	dump, err := Await(ctx, jsGlobal.Get("Promise").New(js.FuncOf(func(this js.Value, args []js.Value) any {
		resolve := args[0]
		req := jsGlobal.Get("indexedDB").Call("open", name)
		var onOpen js.Func
		onOpen = js.FuncOf(func(js.Value, []js.Value) any {
			onOpen.Release()
			db := req.Get("result")
			out := jsGlobal.Get("Array").New()
			stores := db.Get("objectStoreNames")
			var names []string
			for i := range stores.Length() {
				names = append(names, stores.Index(i).String())
			}
			tx := db.Call("transaction", jsGlobal.Get("Array").Call("from", stores), "readonly")
			pending := len(names)
			for _, s := range names {
				all := tx.Call("objectStore", s).Call("getAllKeys")
				var done js.Func
				done = js.FuncOf(func(js.Value, []js.Value) any {
					done.Release()
					out.Call("push", all.Get("result"))
					pending--
					if pending == 0 {
						db.Call("close")
						resolve.Invoke(out)
					}
					return nil
				})
				all.Set("onsuccess", done)
			}
			return nil
		})
		req.Set("onsuccess", onOpen)
		return nil
	})))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(jsGlobal.Get("JSON").Call("stringify", dump).String())
	if strings.Contains(string(b), "holiday-secret-name") {
		t.Fatalf("the file name is stored: %s", b)
	}
	if !strings.Contains(string(b), entryName("pid1\x00holiday-secret-name.jpg\x001\x002")) {
		t.Fatalf("the entry is not where expected: %s", b)
	}
	j.Clear(ctx)
}

func TestFileIdentity(t *testing.T) {
	mk := func(name string, data []byte, modified int64) *File {
		arr := jsUint8Array.New(len(data))
		js.CopyBytesToJS(arr, data)
		opts := jsObject.New()
		opts.Set("lastModified", modified)
		f, err := NewFile(jsGlobal.Get("File").New(jsGlobal.Get("Array").New(arr), name, opts))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	a := mk("a.jpg", []byte("abc"), 1700000000000)
	if a.Identity() != mk("a.jpg", []byte("xyz"), 1700000000000).Identity() {
		t.Fatal("the same name, size and time gave two identities")
	}
	for _, other := range []*File{mk("a.jpg", []byte("abcd"), 1700000000000), mk("a.jpg", []byte("abc"), 1700000000001), mk("b.jpg", []byte("abc"), 1700000000000)} {
		if other.Identity() == a.Identity() {
			t.Fatalf("%q and %q share an identity", other.Identity(), a.Identity())
		}
	}
}

// TestJournalForgetsOldEntries: entries unchanged for longer than
// JournalKeep are removed when the journal is next opened.
func TestJournalForgetsOldEntries(t *testing.T) {
	ctx := context.Background()
	name := "altiup-journal-test-prune"
	j := NewJournal(name)
	if err := j.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	e := upload.JournalEntry{Checksum: strings.Repeat("12", 20)}
	for _, k := range []string{"old", "recent"} {
		if err := j.Put(ctx, k, e); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-JournalKeep - time.Hour)
	if err := hackpadfs.Chtimes(j.fs, entryName("old"), long, long); err != nil {
		t.Fatal(err)
	}
	again := NewJournal(name)
	if _, ok, err := again.Get(ctx, "recent"); !ok || err != nil {
		t.Fatalf("recent entry: %v, %v", ok, err)
	}
	// The pruning runs beside the first call; wait for it to remove "old".
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, ok, err := again.Get(ctx, "old")
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the old entry is still there")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, ok, _ := again.Get(ctx, "recent"); !ok {
		t.Fatal("the recent entry went too")
	}
	again.Clear(ctx)
}

// TestJournalPutIsWholeOrNothing: a write cut short (a page closed between
// writing the new entry and putting it in place) leaves the previous entry
// readable, a finished Put leaves no temporary file, and the next opening
// removes what a cut-short write left.
func TestJournalPutIsWholeOrNothing(t *testing.T) {
	ctx := context.Background()
	name := "altiup-journal-test-atomic"
	j := NewJournal(name)
	if err := j.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	key := "pid1\x00big.jpg\x00200000000\x001700000000000"
	first := upload.JournalEntry{Checksum: strings.Repeat("ab", 20), State: upload.JournalUploading, UploadID: "U1", PartSize: 8 << 20,
		Parts: []upload.Part{{Number: 1, ETag: `"AA"`, Size: 8 << 20}}}
	if err := j.Put(ctx, key, first); err != nil {
		t.Fatal(err)
	}
	// What a page closed mid-write leaves: a temporary file, empty or cut.
	left := entryName(key) + tempMark + "999"
	if err := hackpadfs.WriteFullFile(j.fs, left, []byte(`{"checksum":"ab`), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := j.Get(ctx, key); err != nil || !ok || !reflect.DeepEqual(got, first) {
		t.Fatalf("after a cut-short write: %+v, %v, %v", got, ok, err)
	}
	second := first
	second.Parts = append(slices.Clone(first.Parts), upload.Part{Number: 2, ETag: `"BB"`, Size: 8 << 20})
	for range 3 {
		if err := j.Put(ctx, key, second); err != nil {
			t.Fatal(err)
		}
	}
	if got, ok, err := j.Get(ctx, key); err != nil || !ok || !reflect.DeepEqual(got, second) {
		t.Fatalf("after Put: %+v, %v, %v", got, ok, err)
	}
	names := func() []string {
		entries, err := hackpadfs.ReadDir(j.fs, ".")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		slices.Sort(out)
		return out
	}
	if got, want := names(), []string{entryName(key), left}; !reflect.DeepEqual(got, want) {
		t.Fatalf("files after the writes: %q, want %q", got, want)
	}
	long := time.Now().Add(-tempKeep - time.Minute)
	if err := hackpadfs.Chtimes(j.fs, left, long, long); err != nil {
		t.Fatal(err)
	}
	again := NewJournal(name)
	if got, ok, err := again.Get(ctx, key); err != nil || !ok || !reflect.DeepEqual(got, second) {
		t.Fatalf("after reopening: %+v, %v, %v", got, ok, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !reflect.DeepEqual(names(), []string{entryName(key)}) {
		if time.Now().After(deadline) {
			t.Fatalf("the leftover temporary file is still there: %q", names())
		}
		time.Sleep(50 * time.Millisecond)
	}
	again.Clear(ctx)
}
