//go:build !(js && wasm)

package fsjournal

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hack-pad/hackpadfs"
	"github.com/hack-pad/hackpadfs/mem"

	"altiup/wasm/upload"
)

func memFS(t *testing.T) *mem.FS {
	t.Helper()
	fsys, err := mem.NewFS()
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

func names(t *testing.T, fsys hackpadfs.FS) []string {
	t.Helper()
	entries, err := hackpadfs.ReadDir(fsys, ".")
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

var big = upload.JournalEntry{
	Checksum: strings.Repeat("ab", 20), ImageID: "img-7", State: upload.JournalUploading,
	Key: "pid1/0123.jpg", UploadID: "0123456789ABCDEF", PartSize: 8 << 20,
	Parts: []upload.Part{{Number: 1, ETag: `"AA"`, Size: 8 << 20}, {Number: 3, ETag: `"CC"`, Size: 8 << 20}},
}

// TestRoundTrip writes with one Journal and reads with another on the same
// store, as a reloaded page or a second run of the command does; on disk
// and in memory.
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	shared := memFS(t)
	for _, tc := range []struct {
		name string
		open func(ctx context.Context) (hackpadfs.FS, error)
	}{
		{"memory", func(context.Context) (hackpadfs.FS, error) { return shared, nil }},
		{"disk", Dir(filepath.Join(t.TempDir(), "a", "journal"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := New(tc.open, Options{})
			key := "pid1\x00IMG 0001 照片 ../x.jpg\x00209715200\x001700000000000"
			if err := j.Put(ctx, key, big); err != nil {
				t.Fatal(err)
			}
			if err := j.Put(ctx, "pid1\x00other", upload.JournalEntry{Checksum: strings.Repeat("cd", 20)}); err != nil {
				t.Fatal(err)
			}
			again := New(tc.open, Options{})
			got, ok, err := again.Get(ctx, key)
			if err != nil || !ok || !reflect.DeepEqual(got, big) {
				t.Fatalf("Get after reopening: %+v, %v, %v", got, ok, err)
			}
			if _, ok, err := again.Get(ctx, "pid2\x00IMG 0001.jpg"); ok || err != nil {
				t.Fatalf("an absent key: %v, %v", ok, err)
			}
			done := big
			done.State, done.UploadID, done.Parts = upload.JournalUploaded, "", nil
			if err := again.Put(ctx, key, done); err != nil {
				t.Fatal(err)
			}
			if got, _, _ := j.Get(ctx, key); !reflect.DeepEqual(got, done) {
				t.Fatalf("after replacing: %+v", got)
			}
			fsys, _ := tc.open(ctx)
			if n := names(t, fsys); len(n) != 2 {
				t.Fatalf("one file per key expected, got %q", n)
			}
			for _, n := range names(t, fsys) {
				if strings.Contains(n, "IMG") || strings.Contains(n, "other") {
					t.Fatalf("a key is stored as a name: %q", n)
				}
			}
			if err := again.Clear(ctx); err != nil {
				t.Fatal(err)
			}
			if _, ok, _ := j.Get(ctx, key); ok {
				t.Fatal("an entry outlived Clear")
			}
		})
	}
}

// TestPutIsWholeOrNothing: a write cut short (the program killed between
// writing the new entry and putting it in place) leaves the previous entry
// readable, a finished Put leaves no temporary file, and the next opening
// removes an old leftover but not a recent one (another program's Put may
// be under way).
func TestPutIsWholeOrNothing(t *testing.T) {
	ctx := context.Background()
	fsys := memFS(t)
	j := Of(fsys, Options{})
	key := "pid1\x00big.jpg\x00200000000\x001700000000000"
	if err := j.Put(ctx, key, big); err != nil {
		t.Fatal(err)
	}
	old := entryName(key) + tempMark + "dead-999"
	recent := entryName(key) + tempMark + "beef-1"
	for _, n := range []string{old, recent} {
		if err := hackpadfs.WriteFullFile(fsys, n, []byte(`{"checksum":"ab`), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if got, ok, err := j.Get(ctx, key); err != nil || !ok || !reflect.DeepEqual(got, big) {
		t.Fatalf("after a cut-short write: %+v, %v, %v", got, ok, err)
	}
	second := big
	second.Parts = append(slices.Clone(big.Parts), upload.Part{Number: 2, ETag: `"BB"`, Size: 8 << 20})
	for range 3 {
		if err := j.Put(ctx, key, second); err != nil {
			t.Fatal(err)
		}
	}
	if want := []string{entryName(key), recent, old}; !reflect.DeepEqual(names(t, fsys), want) {
		t.Fatalf("files after the writes: %q, want %q", names(t, fsys), want)
	}
	long := time.Now().Add(-tempKeep - time.Minute)
	if err := hackpadfs.Chtimes(fsys, old, long, long); err != nil {
		t.Fatal(err)
	}
	again := Of(fsys, Options{})
	if got, ok, err := again.Get(ctx, key); err != nil || !ok || !reflect.DeepEqual(got, second) {
		t.Fatalf("after reopening: %+v, %v, %v", got, ok, err)
	}
	<-again.Pruned()
	if want := []string{entryName(key), recent}; !reflect.DeepEqual(names(t, fsys), want) {
		t.Fatalf("after pruning: %q, want %q", names(t, fsys), want)
	}
}

// TestForgetsOldEntries: entries unchanged for longer than Keep are
// removed when the journal is next opened; recent ones stay.
func TestForgetsOldEntries(t *testing.T) {
	ctx := context.Background()
	fsys := memFS(t)
	j := Of(fsys, Options{})
	for _, k := range []string{"old", "recent"} {
		if err := j.Put(ctx, k, upload.JournalEntry{Checksum: strings.Repeat("12", 20)}); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-DefaultKeep - time.Hour)
	if err := hackpadfs.Chtimes(fsys, entryName("old"), long, long); err != nil {
		t.Fatal(err)
	}
	again := Of(fsys, Options{})
	if _, ok, err := again.Get(ctx, "recent"); !ok || err != nil {
		t.Fatalf("recent entry: %v, %v", ok, err)
	}
	<-again.Pruned()
	if _, ok, _ := again.Get(ctx, "old"); ok {
		t.Fatal("the old entry is still there")
	}
	if _, ok, _ := again.Get(ctx, "recent"); !ok {
		t.Fatal("the recent entry went too")
	}
	// Keep is the journal's: with a longer one the entry would have stayed.
	fsys2 := memFS(t)
	first := Of(fsys2, Options{})
	if err := first.Put(ctx, "old", upload.JournalEntry{Checksum: "x"}); err != nil {
		t.Fatal(err)
	}
	<-first.Pruned()
	_ = hackpadfs.Chtimes(fsys2, entryName("old"), long, long)
	kept := Of(fsys2, Options{Keep: 2 * DefaultKeep})
	_, _, _ = kept.Get(ctx, "old")
	<-kept.Pruned()
	if _, ok, _ := kept.Get(ctx, "old"); !ok {
		t.Fatal("an entry within Keep was removed")
	}
}

// TestPruneAfter: the old entries stay until PruneAfter has passed since
// the store opened, and go then.
func TestPruneAfter(t *testing.T) {
	ctx := context.Background()
	fsys := memFS(t)
	if err := Of(fsys, Options{}).Put(ctx, "old", upload.JournalEntry{Checksum: "x"}); err != nil {
		t.Fatal(err)
	}
	long := time.Now().Add(-DefaultKeep - time.Hour)
	if err := hackpadfs.Chtimes(fsys, entryName("old"), long, long); err != nil {
		t.Fatal(err)
	}
	j := Of(fsys, Options{PruneAfter: 200 * time.Millisecond})
	opened := time.Now()
	if err := j.Open(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := j.Get(ctx, "old"); !ok && time.Since(opened) < 200*time.Millisecond {
		t.Fatal("the old entry went before PruneAfter")
	}
	<-j.Pruned()
	if d := time.Since(opened); d < 200*time.Millisecond {
		t.Fatalf("pruned %v after opening, before PruneAfter", d)
	}
	if _, ok, _ := j.Get(ctx, "old"); ok {
		t.Fatal("the old entry is still there after the pruning")
	}
	// Clear does not wait for a pruning not begun.
	late := Of(fsys, Options{PruneAfter: time.Hour})
	if err := late.Put(ctx, "k", upload.JournalEntry{Checksum: "x"}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- late.Clear(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Clear waited for the pruning an hour away")
	}
	if _, ok, _ := late.Get(ctx, "k"); ok {
		t.Fatal("Clear left an entry")
	}
}

// TestUnreadableEntryIsAbsent: an entry that is not whole JSON (a write in
// place cut short leaves an empty or partial file) reads as no entry.
func TestUnreadableEntryIsAbsent(t *testing.T) {
	ctx := context.Background()
	for _, data := range []string{"{not json", "", `{"checksum":"ab`} {
		fsys := memFS(t)
		if err := hackpadfs.WriteFullFile(fsys, entryName("k"), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := Of(fsys, Options{}).Get(ctx, "k"); ok || err != nil {
			t.Fatalf("an entry %q: %v, %v", data, ok, err)
		}
	}
}

// openLog is a filesystem that records the names of the files opened to
// write.
type openLog struct {
	hackpadfs.FS
	mu     sync.Mutex
	writes []string
}

func (o *openLog) OpenFile(name string, flag int, perm hackpadfs.FileMode) (hackpadfs.File, error) {
	if flag&(hackpadfs.FlagWriteOnly|hackpadfs.FlagReadWrite) != 0 {
		o.mu.Lock()
		o.writes = append(o.writes, name)
		o.mu.Unlock()
	}
	return hackpadfs.OpenFile(o.FS, name, flag, perm)
}

func (o *openLog) Rename(oldname, newname string) error {
	return hackpadfs.Rename(o.FS, oldname, newname)
}

func (o *openLog) Remove(name string) error { return hackpadfs.Remove(o.FS, name) }

func (o *openLog) took() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	w := o.writes
	o.writes = nil
	return w
}

// TestNewEntryWrittenInPlace: the first Put of an entry that Get found
// absent writes it in place, with no temporary file; a later Put replaces
// it through one; and an entry another program wrote since the Get is
// replaced whole, on disk (where opening exclusively fails) as in memory
// (where the file is found not empty).
func TestNewEntryWrittenInPlace(t *testing.T) {
	ctx := context.Background()
	small := upload.JournalEntry{Checksum: strings.Repeat("cd", 20)}
	for _, tc := range []struct {
		name string
		open func(ctx context.Context) (hackpadfs.FS, error)
	}{
		{"memory", func(context.Context) (hackpadfs.FS, error) { return memFS(t), nil }},
		{"disk", Dir(t.TempDir())},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inner, err := tc.open(ctx)
			if err != nil {
				t.Fatal(err)
			}
			fsys := &openLog{FS: inner}
			j := Of(fsys, Options{})
			if _, ok, err := j.Get(ctx, "new"); ok || err != nil {
				t.Fatalf("Get of a new entry: %v, %v", ok, err)
			}
			if err := j.Put(ctx, "new", small); err != nil {
				t.Fatal(err)
			}
			if got, want := fsys.took(), []string{entryName("new")}; !reflect.DeepEqual(got, want) {
				t.Fatalf("files written for a new entry: %q, want %q", got, want)
			}
			if err := j.Put(ctx, "new", big); err != nil {
				t.Fatal(err)
			}
			if got := fsys.took(); len(got) != 1 || !strings.Contains(got[0], tempMark) {
				t.Fatalf("files written to replace an entry: %q, want a temporary one", got)
			}
			// Another program puts "raced" between this one's Get and Put.
			if _, ok, err := j.Get(ctx, "raced"); ok || err != nil {
				t.Fatalf("Get of a new entry: %v, %v", ok, err)
			}
			if err := Of(inner, Options{}).Put(ctx, "raced", big); err != nil {
				t.Fatal(err)
			}
			if err := j.Put(ctx, "raced", small); err != nil {
				t.Fatal(err)
			}
			again := Of(inner, Options{})
			for key, want := range map[string]upload.JournalEntry{"new": big, "raced": small} {
				if got, ok, err := again.Get(ctx, key); err != nil || !ok || !reflect.DeepEqual(got, want) {
					t.Errorf("%s after reopening: %+v, %v, %v; want %+v", key, got, ok, err, want)
				}
			}
			if want := []string{entryName("new"), entryName("raced")}; !reflect.DeepEqual(names(t, inner), slices.Sorted(slices.Values(want))) {
				t.Fatalf("files left: %q", names(t, inner))
			}
		})
	}
}

// stuckFS answers no read until released, as a browser holding IndexedDB.
type stuckFS struct {
	*mem.FS
	release chan struct{}
}

func (s stuckFS) ReadFile(name string) ([]byte, error) {
	<-s.release
	return hackpadfs.ReadFile(s.FS, name)
}

// TestSlowStoreTurnsItOff: one call that overruns Wait turns the journal
// off, in words, and later calls fail at once instead of waiting again.
func TestSlowStoreTurnsItOff(t *testing.T) {
	ctx := context.Background()
	s := stuckFS{FS: memFS(t), release: make(chan struct{})}
	defer close(s.release)
	j := Of(s, Options{Wait: 20 * time.Millisecond, Store: "the test store"})
	_, _, err := j.Get(ctx, "k")
	var ue *upload.Error
	if !errors.As(err, &ue) || ue.Code != upload.CodeTimeout || !strings.Contains(ue.Message, "the test store") {
		t.Fatalf("a stuck read: %v", err)
	}
	err = j.Put(ctx, "k", upload.JournalEntry{Checksum: "x"})
	if !errors.As(err, &ue) || ue.Code != upload.CodeInternal || !strings.Contains(ue.Message, "off") {
		t.Fatalf("after the overrun: %v", err)
	}
}

// TestOpenBeforeUse: Open opens the store once, ahead of the calls, which
// then find it open.
func TestOpenBeforeUse(t *testing.T) {
	ctx := context.Background()
	fsys := memFS(t)
	calls := 0
	j := New(func(context.Context) (hackpadfs.FS, error) { calls++; return fsys, nil }, Options{})
	for range 2 {
		if err := j.Open(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 1 {
		t.Fatalf("opened %d times by Open, want once", calls)
	}
	if err := j.Put(ctx, "k", upload.JournalEntry{Checksum: "x"}); err != nil {
		t.Fatal(err)
	}
	if e, ok, err := j.Get(ctx, "k"); err != nil || !ok || e.Checksum != "x" {
		t.Fatalf("Get after Open: %+v, %v, %v", e, ok, err)
	}
	if calls != 1 {
		t.Fatalf("opened %d times, want once", calls)
	}
	<-j.Pruned()
}

func TestOpenFailureInWords(t *testing.T) {
	ctx := context.Background()
	calls := 0
	j := New(func(context.Context) (hackpadfs.FS, error) { calls++; return nil, errors.New("quota") }, Options{Store: "the test store"})
	for _, call := range []func() error{
		func() error { return j.Open(ctx) },
		func() error { _, _, err := j.Get(ctx, "k"); return err },
		func() error { _, _, err := j.Get(ctx, "k"); return err },
	} {
		var ue *upload.Error
		if err := call(); !errors.As(err, &ue) || !strings.Contains(ue.Message, "could not be opened in the test store") {
			t.Fatalf("open failure: %v", err)
		}
	}
	if calls != 1 {
		t.Fatalf("opened %d times", calls)
	}
	<-j.Pruned()
}

// TestConcurrentUse: Gets and Puts from many goroutines and two journals on
// one folder (two runs of the command at once) always read a whole entry.
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	open := Dir(t.TempDir())
	a, b := New(open, Options{}), New(open, Options{})
	var wg sync.WaitGroup
	for w := range 8 {
		j := a
		if w%2 == 1 {
			j = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				e := upload.JournalEntry{Checksum: strings.Repeat("ab", 20), Parts: []upload.Part{{Number: i + 1, ETag: fmt.Sprint(w), Size: 1}}}
				if err := j.Put(ctx, "shared", e); err != nil {
					t.Error(err)
					return
				}
				if err := j.Put(ctx, fmt.Sprint("own", w), e); err != nil {
					t.Error(err)
					return
				}
				got, ok, err := j.Get(ctx, "shared")
				if err != nil || !ok || len(got.Parts) != 1 || got.Checksum != e.Checksum {
					t.Errorf("a torn entry: %+v, %v, %v", got, ok, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	fsys, _ := open(ctx)
	if n := names(t, fsys); len(n) != 9 {
		t.Fatalf("files left: %q", n)
	}
}
