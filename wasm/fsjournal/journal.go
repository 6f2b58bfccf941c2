package fsjournal

import (
	"context"
	"crypto/rand"
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

	"altiup/wasm/upload"
)

// Options tune a Journal. Zero values take the defaults noted.
type Options struct {
	// Wait bounds each call; after one call overruns it the journal is
	// off for good, so a store that stops answering (a browser holding
	// IndexedDB) costs the uploads nothing but the work the journal would
	// have saved. 0 means no bound.
	Wait time.Duration
	// Keep is how long an entry is kept after its last change. Default
	// DefaultKeep.
	Keep time.Duration
	// Store names the store in messages, e.g. "this browser's storage
	// (IndexedDB)". Default "the journal's folder".
	Store string
	// PruneAfter is how long after the store opens its old entries are
	// pruned (0: at once): that reads the date of every entry, one request
	// each in a store such as IndexedDB, which the first files of an upload
	// would otherwise wait behind.
	PruneAfter time.Duration
	// Now defaults to time.Now.
	Now func() time.Time
}

// DefaultKeep is how long an entry is kept after its last change by default:
// a file not added again within it is forgotten.
const DefaultKeep = 60 * 24 * time.Hour

// Journal is upload.Journal in a hackpadfs filesystem. Entries hold
// checksums, image ids and multipart upload ids and part ETags: no token, no
// credential, no signed URL, and no file name (keys are hashed).
type Journal struct {
	openFS func(ctx context.Context) (hackpadfs.FS, error)
	opts   Options

	once    sync.Once
	fs      hackpadfs.FS
	err     error
	opening atomic.Bool // the store is being opened

	broken atomic.Bool  // a call overran Wait: the journal is off
	seq    atomic.Int64 // numbers the temporary files of Put
	// absent holds the names of the entries Get found none of, until they
	// are put: see Put.
	absent sync.Map
	tag    string // tells this program's temporary files from another's on the same store
	pruned chan struct{}
	// cleared is closed by Clear: a pruning not begun is then skipped
	// rather than waited for.
	cleared   chan struct{}
	clearOnce sync.Once
}

var _ upload.Journal = (*Journal)(nil)

// New returns the journal in the filesystem that open returns. open is
// called once, on the first use, so a store that takes time to open (an
// IndexedDB database) is opened off the caller's path.
func New(open func(ctx context.Context) (hackpadfs.FS, error), opts Options) *Journal {
	if opts.Keep <= 0 {
		opts.Keep = DefaultKeep
	}
	if opts.Store == "" {
		opts.Store = "the journal's folder"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return &Journal{openFS: open, opts: opts, tag: hex.EncodeToString(b[:]), pruned: make(chan struct{}), cleared: make(chan struct{})}
}

// Of returns the journal in fsys.
func Of(fsys hackpadfs.FS, opts Options) *Journal {
	return New(func(context.Context) (hackpadfs.FS, error) { return fsys, nil }, opts)
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

// guard runs fn within Wait; after one overrun the journal is off.
func (j *Journal) guard(ctx context.Context, fn func() error) error {
	if j.broken.Load() {
		return upload.Errorf(upload.CodeInternal, "The upload journal is off: %s answered too slowly.", j.opts.Store)
	}
	if j.opts.Wait <= 0 {
		return fn()
	}
	done := make(chan error, 1)
	go func() { done <- fn() }()
	t := time.NewTimer(j.opts.Wait)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		j.broken.Store(true)
		return upload.Errorf(upload.CodeTimeout, "The upload journal is off: %s did not answer.", j.opts.Store)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// open opens the store on first use and starts pruning it.
func (j *Journal) open(ctx context.Context) (hackpadfs.FS, error) {
	j.once.Do(func() {
		j.opening.Store(true)
		defer j.opening.Store(false)
		j.fs, j.err = j.openFS(context.WithoutCancel(ctx))
		if j.err != nil {
			j.err = &upload.Error{Code: upload.CodeInternal, Message: "The upload journal could not be opened in " + j.opts.Store + ".", Err: j.err}
			close(j.pruned)
			return
		}
		go func() {
			defer close(j.pruned)
			select {
			case <-time.After(j.opts.PruneAfter):
				j.prune()
			case <-j.cleared:
				// Nothing is left to prune.
			}
		}()
	})
	return j.fs, j.err
}

// Open opens the store now, if it is not open (within Wait, like every
// call): the uploader calls it as the first file that uses the journal is
// added, so that the first Get of a run does not wait for it.
func (j *Journal) Open(ctx context.Context) error {
	return j.guard(ctx, func() error {
		_, err := j.open(ctx)
		return err
	})
}

// Opening reports whether the store is being opened at this moment: a
// caller for whom a missed entry costs little may go on without it rather
// than wait (see upload's journalOpener).
func (j *Journal) Opening() bool { return j.opening.Load() }

// prune removes the entries last changed more than Keep ago, so the journal
// does not grow without end, and the temporary files of writes cut short.
// Failures leave them for the next time.
func (j *Journal) prune() {
	entries, err := hackpadfs.ReadDir(j.fs, ".")
	if err != nil {
		return
	}
	now := j.opts.Now()
	cutoff, stale := now.Add(-j.opts.Keep), now.Add(-tempKeep)
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

// Get returns the entry of key, if there is one. An unreadable entry is as
// if absent.
func (j *Journal) Get(ctx context.Context, key string) (upload.JournalEntry, bool, error) {
	var b []byte
	err := j.guard(ctx, func() error {
		fsys, err := j.open(ctx)
		if err != nil {
			return err
		}
		name := entryName(key)
		data, err := hackpadfs.ReadFile(fsys, name)
		if errors.Is(err, fs.ErrNotExist) {
			j.absent.Store(name, struct{}{})
			return nil
		}
		b = data
		return err
	})
	if err != nil {
		// fn may still run after an overrun: b is not read.
		return upload.JournalEntry{}, false, err
	}
	var e upload.JournalEntry
	if b == nil || json.Unmarshal(b, &e) != nil {
		return upload.JournalEntry{}, false, nil
	}
	return e, true, nil
}

// Put replaces the entry of key, whole or not at all: a program stopped
// mid-write must leave the previous entry, not an empty one (writing a file
// truncates it first). So the entry is written to a temporary file, then
// renamed over the old one, which the stores do at once (rename(2); one
// IndexedDB transaction). An entry Get found absent has nothing to lose:
// it is written in place (in IndexedDB three transactions instead of
// six), and a write cut short leaves an empty or partial file, which
// reads as no entry, as before.
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
		if _, ok := j.absent.LoadAndDelete(name); ok {
			if done, err := writeNew(fsys, name, b); done || err != nil {
				return err
			}
		}
		tmp := name + tempMark + j.tag + "-" + strconv.FormatInt(j.seq.Add(1), 10)
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

// writeNew writes b as the file name if there is none, or an empty one (a
// write cut short). It reports false, having written nothing, when the
// file holds something: another program's entry since Get, which Put then
// replaces whole.
func writeNew(fsys hackpadfs.FS, name string, b []byte) (bool, error) {
	// FlagExclusive stops a second writer on a folder; IndexedDB's store
	// does not heed it, but writes a file's record whole (the size says).
	f, err := hackpadfs.OpenFile(fsys, name, hackpadfs.FlagWriteOnly|hackpadfs.FlagCreate|hackpadfs.FlagExclusive, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	info, err := f.Stat()
	empty := err == nil && info.Size() == 0 // info may follow the writes
	if empty {
		_, err = hackpadfs.WriteFile(f, b)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return false, err
	}
	return empty, nil
}

// Clear removes every entry.
func (j *Journal) Clear(ctx context.Context) error {
	return j.guard(ctx, func() error {
		fsys, err := j.open(ctx)
		if err != nil {
			return err
		}
		j.clearOnce.Do(func() { close(j.cleared) })
		<-j.pruned // not beside a pruning under way, which would find files gone
		if c, ok := fsys.(interface{ Clear(context.Context) error }); ok {
			return c.Clear(ctx) // IndexedDB: one call
		}
		entries, err := hackpadfs.ReadDir(fsys, ".")
		if err != nil {
			return err
		}
		for _, e := range entries {
			if !e.IsDir() {
				if err := hackpadfs.Remove(fsys, e.Name()); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return err
				}
			}
		}
		return nil
	})
}

// Pruned is closed once the pruning that the first use started is over
// (for tests and for a program that exits soon after).
func (j *Journal) Pruned() <-chan struct{} { return j.pruned }
