//go:build js && wasm

package browser

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"sync"

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
	name string
	once sync.Once
	fs   *indexeddb.FS
	err  error
}

var _ upload.Journal = (*Journal)(nil)

// NewJournal returns the journal kept in the IndexedDB database name
// (JournalDB when empty).
func NewJournal(name string) *Journal {
	if name == "" {
		name = JournalDB
	}
	return &Journal{name: name}
}

func (j *Journal) open(ctx context.Context) (*indexeddb.FS, error) {
	j.once.Do(func() {
		j.fs, j.err = indexeddb.NewFS(context.WithoutCancel(ctx), j.name, indexeddb.Options{})
		if j.err != nil {
			j.err = upload.Errorf(upload.CodeInternal, "The upload journal could not be opened in this browser's storage (IndexedDB).")
		}
	})
	return j.fs, j.err
}

func entryName(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// Get returns the entry of key, if there is one.
func (j *Journal) Get(ctx context.Context, key string) (upload.JournalEntry, bool, error) {
	fsys, err := j.open(ctx)
	if err != nil {
		return upload.JournalEntry{}, false, err
	}
	b, err := hackpadfs.ReadFile(fsys, entryName(key))
	if errors.Is(err, fs.ErrNotExist) {
		return upload.JournalEntry{}, false, nil
	}
	if err != nil {
		return upload.JournalEntry{}, false, err
	}
	var e upload.JournalEntry
	if err := json.Unmarshal(b, &e); err != nil {
		return upload.JournalEntry{}, false, nil // unreadable: as if absent
	}
	return e, true, nil
}

// Put replaces the entry of key.
func (j *Journal) Put(ctx context.Context, key string, e upload.JournalEntry) error {
	fsys, err := j.open(ctx)
	if err != nil {
		return err
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return hackpadfs.WriteFullFile(fsys, entryName(key), b, 0o600)
}

// Clear removes every entry.
func (j *Journal) Clear(ctx context.Context) error {
	fsys, err := j.open(ctx)
	if err != nil {
		return err
	}
	return fsys.Clear(ctx)
}
