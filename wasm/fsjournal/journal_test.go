//go:build !(js && wasm)

package fsjournal

import (
	"context"
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
