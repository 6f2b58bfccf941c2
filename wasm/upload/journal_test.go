package upload_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"altiup/wasm/upload"
)

type memJournal struct {
	mu sync.Mutex
	m  map[string]upload.JournalEntry
}

func (j *memJournal) Get(ctx context.Context, key string) (upload.JournalEntry, bool, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	e, ok := j.m[key]
	return e, ok, nil
}

func (j *memJournal) Put(ctx context.Context, key string, e upload.JournalEntry) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.m[key] = e
	return nil
}

type identified struct {
	src
	id string
}

func (i identified) Identity() string { return i.id }

// countingHasher counts its calls, in all and by file name.
type countingHasher struct {
	mu     sync.Mutex
	n      int
	byName map[string]int
}

func (c *countingHasher) SHA1(ctx context.Context, s upload.Source) (string, error) {
	c.mu.Lock()
	c.n++
	if c.byName == nil {
		c.byName = map[string]int{}
	}
	c.byName[s.Name()]++
	c.mu.Unlock()
	return upload.StreamHasher{}.SHA1(ctx, s)
}

func TestJournalSkipsHashingAfterReload(t *testing.T) {
	w := newWorld(t)
	j := &memJournal{m: map[string]upload.JournalEntry{}}
	a := identified{jpeg("a.jpg", 300), "a.jpg|300|1700000000"}
	plain := jpeg("plain.jpg", 310)
	run := func() (upload.Report, int) {
		h := &countingHasher{}
		d := w.deps()
		d.Journal, d.Hasher = j, h
		u, err := upload.New(upload.Options{Project: "pid1", Cloud: "s3", JournalFrom: -1}, d)
		if err != nil {
			t.Fatal(err)
		}
		u.Add(a, plain)
		rep, err := u.Start(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		u.FlushJournal()
		return rep, h.n
	}
	rep, hashed := run()
	if rep.Uploaded != 2 || hashed != 2 {
		t.Fatalf("first run: %+v, %d hashed", rep, hashed)
	}
	if e := j.m["pid1\x00a.jpg|300|1700000000"]; e.Checksum != sha(a.data) || e.State != upload.JournalHashed {
		t.Fatalf("journal %v", j.m)
	}
	if len(j.m) != 1 {
		t.Fatalf("a Source without identity was journalled: %v", j.m)
	}
	rep, hashed = run() // as after a reload: a new Uploader, the same files
	if rep.Skipped != 2 || hashed != 1 {
		t.Fatalf("second run: %+v, %d hashed, want 2 skipped and only plain.jpg hashed", rep, hashed)
	}
	if rep.Files[0].Checksum != sha(a.data) {
		t.Fatalf("checksum from the journal %q", rep.Files[0].Checksum)
	}
}

// openingJournal is a memJournal that opens (like one in IndexedDB): its
// Gets wait for Open to have been called (5 s at most, then they say so).
type openingJournal struct {
	memJournal
	opened     atomic.Int32
	once       sync.Once
	open       chan struct{} // closed by the first Open
	getsUnopen atomic.Int32
}

func (j *openingJournal) Opening() bool { return false }

func (j *openingJournal) Open(ctx context.Context) error {
	j.opened.Add(1)
	j.once.Do(func() { close(j.open) })
	return nil
}

func (j *openingJournal) Get(ctx context.Context, key string) (upload.JournalEntry, bool, error) {
	select {
	case <-j.open:
	case <-time.After(5 * time.Second):
		j.getsUnopen.Add(1)
	}
	return j.memJournal.Get(ctx, key)
}

// TestJournalOpenedOnAdd: a journal that opens is opened once, as the
// first file that will use it is added, before any run; files that do not
// use it (small, or without an identity) leave it closed.
func TestJournalOpenedOnAdd(t *testing.T) {
	tests := []struct {
		name  string
		files []upload.Source
		want  int32
	}{
		{"identified", []upload.Source{identified{jpeg("a.jpg", 300), "a|300|1"}, identified{jpeg("b.jpg", 310), "b|310|1"}}, 1},
		{"small", []upload.Source{identified{jpeg("a.jpg", 300), "a|300|1"}}, 0},
		{"no identity", []upload.Source{jpeg("a.jpg", 300)}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			j := &openingJournal{memJournal: memJournal{m: map[string]upload.JournalEntry{}}, open: make(chan struct{})}
			from := int64(1)
			if tc.name == "small" {
				from = 1 << 20
			}
			u := w.uploaderWith(upload.Options{Cloud: "s3", JournalFrom: from}, func(d *upload.Deps) { d.Journal = j })
			for _, f := range tc.files {
				u.Add(f)
			}
			if tc.want > 0 {
				select {
				case <-j.open:
				case <-time.After(5 * time.Second):
					t.Fatal("the journal was not opened as the files were added")
				}
			}
			rep, err := u.Start(context.Background())
			if err != nil || rep.Uploaded != len(tc.files) {
				t.Fatalf("report %+v, %v", rep, err)
			}
			if n := j.getsUnopen.Load(); n != 0 {
				t.Fatalf("%d Gets waited in vain for the journal to be opened", n)
			}
			if n := j.opened.Load(); n != tc.want {
				t.Errorf("opened %d times, want %d", n, tc.want)
			}
		})
	}
}

// stillOpening is a memJournal whose store is forever being opened.
type stillOpening struct{ memJournal }

func (j *stillOpening) Open(ctx context.Context) error { return nil }
func (j *stillOpening) Opening() bool                  { return true }

// TestJournalStillOpening: while the journal opens, a file not sent in
// parts is hashed rather than looked up (its entry only spares the hash);
// one sent in parts still waits for its entry, which holds the parts.
func TestJournalStillOpening(t *testing.T) {
	w := newWorld(t)
	small, big := identified{jpeg("small.jpg", 200), "small|200|1"}, identified{jpeg("big.jpg", 300), "big|300|1"}
	j := &stillOpening{memJournal{m: map[string]upload.JournalEntry{}}}
	for _, f := range []identified{small, big} {
		j.m["pid1\x00"+f.id] = upload.JournalEntry{Checksum: sha(f.data), State: upload.JournalHashed}
	}
	h := &countingHasher{}
	u := w.uploaderWith(upload.Options{Cloud: "s3", JournalFrom: 1, MultipartFrom: 250}, func(d *upload.Deps) { d.Journal, d.Hasher = j, h })
	u.Add(small, big)
	if rep, err := u.Start(context.Background()); err != nil || rep.Uploaded != 2 {
		t.Fatalf("report %+v, %v", rep, err)
	}
	if h.byName["small.jpg"] != 1 || h.byName["big.jpg"] != 0 {
		t.Fatalf("hashed %v, want small.jpg alone", h.byName)
	}
}
