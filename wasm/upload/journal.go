package upload

import (
	"context"
	"slices"

	"altiup/wasm/coalesce"
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

// journalOpener is a Journal that opens its store on first use, which
// takes a while (an IndexedDB database, on a page's busy main thread):
// the first file that will use it has it opened as it is added, so that a
// run's first file does not wait for it before its hash. While it is still
// opening, a file not sent in parts does not look in it: its entry could
// only spare its hash, which costs less than the wait (an 8 MiB photo
// hashes in tens of milliseconds; IndexedDB took 0.1-0.2 s to open beside
// an upload's start), whereas a file sent in parts would lose the parts
// already stored.
type journalOpener interface {
	Open(ctx context.Context) error
	Opening() bool
}

// openJournalFor has the journal opened in the background when src is
// the first file added that may use it (journaled); u.mu is held. A
// failure is the Gets' to meet, and ignore.
func (u *Uploader) openJournalFor(src Source) {
	if u.journalOpened {
		return
	}
	if _, ok := u.journaled(src); !ok {
		return
	}
	u.journalOpened = true
	if o, ok := u.deps.Journal.(journalOpener); ok {
		go func() { _ = o.Open(context.Background()) }()
	}
}

// Journal states of a file. An entry is written only when what a later run
// does would change: once the checksum is known, while a multipart upload
// is under way, and once that upload is over. (The service is asked about
// each checksum whatever the journal says.)
const (
	JournalHashed    = "hashed"    // the checksum is known
	JournalUploading = "uploading" // a multipart upload is under way
	JournalUploaded  = "uploaded"  // the bytes of a multipart upload are stored
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

// journaled is src as Identified when it may use the journal: there is
// one, src can name its content, and it has JournalFrom bytes. Its
// identity, which may cost a look at the file, is not asked.
func (u *Uploader) journaled(src Source) (Identified, bool) {
	id, ok := src.(Identified)
	if !ok || u.deps.Journal == nil || src.Size() < u.opts.JournalFrom {
		return nil, false
	}
	return id, true
}

// journalKey is the key of src in the journal, or "" when it has none.
func (u *Uploader) journalKey(src Source) string {
	id, ok := u.journaled(src)
	if !ok {
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
	// Before the key: a file that will not look in a journal still
	// opening need not name its content.
	if o, ok := u.deps.Journal.(journalOpener); ok && src.Size() < u.opts.MultipartFrom && o.Opening() {
		return JournalEntry{}, false
	}
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
func (u *Uploader) note(f *file, change func(e *JournalEntry)) {
	key := u.journalKey(f.src)
	if key == "" {
		return
	}
	u.mu.Lock()
	change(&f.journal)
	e := f.journal
	e.Parts = slices.Clone(e.Parts)
	u.mu.Unlock()
	u.jw.Push(journalWrite{key, e})
}

// remember records what became of f (uploaded or present) when the journal
// has a multipart upload of it, which a later run would otherwise look up.
func (u *Uploader) remember(f *file, imageID string) {
	u.mu.Lock()
	parts := f.journal.State == JournalUploading
	u.mu.Unlock()
	if !parts {
		return
	}
	u.note(f, func(e *JournalEntry) {
		*e = JournalEntry{Checksum: f.checksum, ImageID: imageID, State: JournalUploaded}
	})
}

// FlushJournal waits until the journal has recorded what is known so far.
// Start does not wait for it: an entry lost (a tab closed meanwhile) only
// costs work later.
func (u *Uploader) FlushJournal() {
	if u.jw != nil {
		u.jw.Flush()
	}
}

// journalWrite is an entry waiting to be written.
type journalWrite struct {
	key string
	e   JournalEntry
}

// newJournalWriter makes the queue that writes journal entries from a
// goroutine of its own, so a slow store (IndexedDB: a write takes some
// 20 ms) never holds up the uploads; of several entries waiting for one key
// only the newest is written. Nil when there is no journal.
func newJournalWriter(j Journal) *coalesce.Queue[journalWrite] {
	if j == nil {
		return nil
	}
	deliver := func(batch []journalWrite) {
		for _, w := range batch {
			_ = j.Put(context.Background(), w.key, w.e) // failures only cost work later
		}
	}
	key := func(w journalWrite) (any, bool) { return w.key, true }
	newest := func(waiting *journalWrite, w journalWrite) bool { *waiting = w; return true }
	return coalesce.NewKeyed(deliver, key, newest, 0)
}
