//go:build js && wasm

package browser

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hack-pad/hackpadfs"
	"github.com/hack-pad/hackpadfs/indexeddb"

	"altiup/wasm/upload"
)

// JournalDB is the IndexedDB database the Journal lives in.
const JournalDB = "altiup-journal"

// Journal is upload.Journal in IndexedDB (through hackpadfs), so that it
// outlives a reload of the page. Each entry is one small file named by the
// SHA-256 of its key: the key holds the project id and the file's name, size
// and modification time, none of which is stored as such. Entries hold
// checksums, image ids and multipart upload ids and part ETags: no token, no
// credential, no signed URL.
//
// Its methods block on IndexedDB, so they must be called from a goroutine,
// never from a JS callback. The database is opened on first use.
type Journal struct {
	name   string
	once   sync.Once
	fs     *indexeddb.FS
	err    error
	broken atomic.Bool  // a call took too long: the journal is no longer used
	seq    atomic.Int64 // numbers the temporary files of Put
}

// journalWait bounds each call: a browser that holds IndexedDB requests
// (another tab's upgrade, storage trouble) must not hold up the uploads,
// which only lose the work the journal would have saved.
const journalWait = 5 * time.Second

var _ upload.Journal = (*Journal)(nil)

// NewJournal returns the journal kept in the IndexedDB database name
// (JournalDB when empty).
func NewJournal(name string) *Journal {
	if name == "" {
		name = JournalDB
	}
	return &Journal{name: name}
}

// guard runs fn with a time limit; after one overrun the journal is off.
func (j *Journal) guard(ctx context.Context, fn func() error) error {
	if j.broken.Load() {
		return upload.Errorf(upload.CodeInternal, "The upload journal is off: this browser's storage (IndexedDB) answered too slowly.")
	}
	done := make(chan error, 1)
	go func() { done <- fn() }()
	t := time.NewTimer(journalWait)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		j.broken.Store(true)
		return upload.Errorf(upload.CodeTimeout, "This browser's storage (IndexedDB) did not answer; the upload journal is off.")
	case <-ctx.Done():
		return ctx.Err()
	}
}

// JournalKeep is how long an entry is kept after its last change: a file
// not added again within it is forgotten (the next open removes it).
const JournalKeep = 60 * 24 * time.Hour

func (j *Journal) open(ctx context.Context) (*indexeddb.FS, error) {
	j.once.Do(func() {
		j.fs, j.err = indexeddb.NewFS(context.WithoutCancel(ctx), j.name, indexeddb.Options{})
		if j.err != nil {
			j.err = upload.Errorf(upload.CodeInternal, "The upload journal could not be opened in this browser's storage (IndexedDB).")
			return
		}
		go j.prune(time.Now().Add(-JournalKeep))
	})
	return j.fs, j.err
}

// prune removes the entries last changed before cutoff, so the journal does
// not grow without end, and the temporary files of writes a closed page
// left behind. Failures leave them for the next time.
func (j *Journal) prune(cutoff time.Time) {
	entries, err := hackpadfs.ReadDir(j.fs, ".")
	if err != nil {
		return
	}
	stale := time.Now().Add(-tempKeep)
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || e.IsDir() {
			continue
		}
		if t := info.ModTime(); t.Before(cutoff) || strings.Contains(e.Name(), tempMark) && t.Before(stale) {
			_ = hackpadfs.Remove(j.fs, e.Name())
		}
	}
}

// tempMark marks the temporary file of a Put; tempKeep is how long one may
// stay before prune takes it for a leftover (a Put takes milliseconds).
const (
	tempMark = ".new-"
	tempKeep = time.Hour
)

func entryName(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// Get returns the entry of key, if there is one.
func (j *Journal) Get(ctx context.Context, key string) (e upload.JournalEntry, ok bool, err error) {
	err = j.guard(ctx, func() error {
		fsys, err := j.open(ctx)
		if err != nil {
			return err
		}
		b, err := hackpadfs.ReadFile(fsys, entryName(key))
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if json.Unmarshal(b, &e) == nil { // unreadable: as if absent
			ok = true
		}
		return nil
	})
	if err != nil {
		// fn may still run: e and ok are not read.
		return upload.JournalEntry{}, false, err
	}
	if !ok {
		return upload.JournalEntry{}, false, nil
	}
	return e, true, nil
}

// Put replaces the entry of key, whole or not at all: a page closed or
// reloaded mid-write must leave the previous entry, not an empty one (the
// filesystem's WriteFullFile truncates and writes in two transactions). So
// the entry is written to a temporary file, then renamed over the old one,
// which the filesystem does in one IndexedDB transaction.
func (j *Journal) Put(ctx context.Context, key string, e upload.JournalEntry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return j.guard(ctx, func() error {
		fsys, err := j.open(ctx)
		if err != nil {
			return err
		}
		name := entryName(key)
		tmp := name + tempMark + strconv.FormatInt(j.seq.Add(1), 10)
		if err := hackpadfs.WriteFullFile(fsys, tmp, b, 0o600); err != nil {
			_ = hackpadfs.Remove(fsys, tmp)
			return err
		}
		if err := hackpadfs.Rename(fsys, tmp, name); err != nil {
			_ = hackpadfs.Remove(fsys, tmp)
			return err
		}
		return nil
	})
}

// Clear removes every entry.
func (j *Journal) Clear(ctx context.Context) error {
	fsys, err := j.open(ctx)
	if err != nil {
		return err
	}
	return fsys.Clear(ctx)
}
