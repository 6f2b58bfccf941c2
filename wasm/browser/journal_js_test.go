//go:build js && wasm

package browser

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"syscall/js"
	"testing"
	"time"

	"github.com/hack-pad/hackpadfs"
	"github.com/hack-pad/hackpadfs/indexeddb"

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
	// An entry found absent is written in place; one another page wrote
	// since it was found absent is replaced whole.
	small := upload.JournalEntry{Checksum: strings.Repeat("ef", 20)}
	if err := again.Put(ctx, "pid2\x00IMG 0001.jpg", small); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := again.Get(ctx, "pid2\x00raced"); ok || err != nil {
		t.Fatalf("an absent key: %v, %v", ok, err)
	}
	if err := j.Put(ctx, "pid2\x00raced", want); err != nil {
		t.Fatal(err)
	}
	if err := again.Put(ctx, "pid2\x00raced", small); err != nil {
		t.Fatal(err)
	}
	third := NewJournal(name)
	for _, k := range []string{"pid2\x00IMG 0001.jpg", "pid2\x00raced"} {
		if got, ok, err := third.Get(ctx, k); err != nil || !ok || !reflect.DeepEqual(got, small) {
			t.Fatalf("%q written after it was found absent: %+v, %v, %v", k, got, ok, err)
		}
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
	if !regexp.MustCompile(`[0-9a-f]{64}`).Match(b) {
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
// JournalKeep are removed when the journal is next opened (here with no
// delay before the pruning), which proves that
// IndexedDB keeps the times the pruning reads.
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
	// Age "old" through a second connection to the database; the journal
	// names each file by the SHA-256 of its key.
	fsys, err := indexeddb.NewFS(ctx, name, indexeddb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("old"))
	long := time.Now().Add(-JournalKeep - time.Hour)
	if err := hackpadfs.Chtimes(fsys, hex.EncodeToString(sum[:]), long, long); err != nil {
		t.Fatal(err)
	}
	again := newJournal(name, 0)
	if _, ok, err := again.Get(ctx, "recent"); !ok || err != nil {
		t.Fatalf("recent entry: %v, %v", ok, err)
	}
	<-again.Pruned()
	if _, ok, err := again.Get(ctx, "old"); ok || err != nil {
		t.Fatalf("the old entry: %v, %v", ok, err)
	}
	if _, ok, _ := again.Get(ctx, "recent"); !ok {
		t.Fatal("the recent entry went too")
	}
	again.Clear(ctx)
}
