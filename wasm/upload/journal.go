package upload

import (
	"context"
	"slices"
	"sync"
)

// Journal remembers what is known of each file across page reloads, so that a
// file added again is not hashed again, and a large file sent in parts goes
// on with the parts the storage does not have yet; hasImage then skips what
// already arrived. Its failures are ignored: it only saves work. In the
// browser it lives in IndexedDB. It never holds secrets: checksums, ids and
// part numbers only, no token, credential or signed URL.
type Journal interface {
	Get(ctx context.Context, key string) (JournalEntry, bool, error)
	Put(ctx context.Context, key string, e JournalEntry) error
}

// Journal states of a file.
const (
	JournalHashed     = "hashed"     // the checksum is known
	JournalRegistered = "registered" // the service has an image for it
	JournalUploading  = "uploading"  // a multipart upload is under way
	JournalUploaded   = "uploaded"   // the bytes are stored
)

// JournalEntry is what the journal keeps of one file.
type JournalEntry struct {
	Checksum string `json:"checksum"`
	ImageID  string `json:"imageId,omitempty"`
	State    string `json:"state,omitempty"`
	// Key, UploadID and PartSize name an OSS multipart upload under way, and
	// Parts are those of its parts known to be stored.
	Key      string `json:"key,omitempty"`
	UploadID string `json:"uploadId,omitempty"`
	PartSize int64  `json:"partSize,omitempty"`
	Parts    []Part `json:"parts,omitempty"`
}

// Identified is a Source that can name its content without reading it, e.g. a
// browser File by name, size and last-modified time. Only such Sources use the
// Journal: a name alone would let an edited file pass as the old one.
type Identified interface {
	Identity() string
}

// journalKey is the key of src in the journal, or "" when it has none.
func (u *Uploader) journalKey(src Source) string {
	id, ok := src.(Identified)
	if !ok || u.deps.Journal == nil || src.Size() < u.opts.JournalFrom {
		return ""
	}
	ident := id.Identity()
	if ident == "" {
		return ""
	}
	return u.opts.Project + "\x00" + ident
}

// remembered returns what the journal knows of src, if it knows its checksum.
func (u *Uploader) remembered(ctx context.Context, src Source) (JournalEntry, bool) {
	key := u.journalKey(src)
	if key == "" {
		return JournalEntry{}, false
	}
	e, ok, err := u.deps.Journal.Get(ctx, key)
	if err != nil || !ok || len(e.Checksum) != 40 {
		return JournalEntry{}, false
	}
	return e, true
}

// note changes the journal entry of f and queues it for writing.
func (u *Uploader) note(ctx context.Context, f *file, change func(e *JournalEntry)) {
	key := u.journalKey(f.src)
	if key == "" {
		return
	}
	u.jmu.Lock()
	change(&f.journal)
	e := f.journal
	e.Parts = slices.Clone(e.Parts)
	u.jmu.Unlock()
	u.jw.put(u.deps.Journal, key, e)
}

// FlushJournal waits until the journal has recorded what is known so far.
// Start does not wait for it: an entry lost (a tab closed meanwhile) only
// costs work later.
func (u *Uploader) FlushJournal() { u.jw.flush() }

// journalWriter writes journal entries from a goroutine of its own, so a
// slow store (IndexedDB: a write takes some 20 ms) never holds up the
// uploads; of several entries queued for one key only the newest is
// written.
type journalWriter struct {
	mu      sync.Mutex
	idle    *sync.Cond
	pending map[string]JournalEntry
	order   []string // keys in pending, oldest first
	busy    bool
}

func (w *journalWriter) put(j Journal, key string, e JournalEntry) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pending == nil {
		w.pending = map[string]JournalEntry{}
		w.idle = sync.NewCond(&w.mu)
	}
	if _, ok := w.pending[key]; !ok {
		w.order = append(w.order, key)
	}
	w.pending[key] = e
	if !w.busy {
		w.busy = true
		go w.drain(j)
	}
}

func (w *journalWriter) drain(j Journal) {
	for {
		w.mu.Lock()
		if len(w.order) == 0 {
			w.busy = false
			w.idle.Broadcast()
			w.mu.Unlock()
			return
		}
		key := w.order[0]
		w.order = w.order[1:]
		e := w.pending[key]
		delete(w.pending, key)
		w.mu.Unlock()
		_ = j.Put(context.Background(), key, e) // failures only cost work later
	}
}

// flush waits until every entry queued so far is written.
func (w *journalWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.busy {
		w.idle.Wait()
	}
}

// remember records what became of f (uploaded or present).
func (u *Uploader) remember(ctx context.Context, f *file, imageID string) {
	u.note(ctx, f, func(e *JournalEntry) {
		*e = JournalEntry{Checksum: f.checksum, ImageID: imageID, State: JournalUploaded}
	})
}
