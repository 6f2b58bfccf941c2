package upload

import "context"

// Journal remembers what is known of each file across page reloads, so that a
// file added again is not hashed again; hasImage then skips what already
// arrived. Its failures are ignored: it only saves work. In the browser it
// lives in IndexedDB.
type Journal interface {
	Get(ctx context.Context, key string) (JournalEntry, bool, error)
	Put(ctx context.Context, key string, e JournalEntry) error
}

// JournalEntry is what the journal keeps of one file.
type JournalEntry struct {
	Checksum string `json:"checksum"`
	ImageID  string `json:"imageId,omitempty"`
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
	if !ok || u.deps.Journal == nil {
		return ""
	}
	ident := id.Identity()
	if ident == "" {
		return ""
	}
	return u.opts.Project + "\x00" + ident
}

// remembered returns the checksum the journal knows for src, if any.
func (u *Uploader) remembered(ctx context.Context, src Source) string {
	key := u.journalKey(src)
	if key == "" {
		return ""
	}
	e, ok, err := u.deps.Journal.Get(ctx, key)
	if err != nil || !ok || len(e.Checksum) != 40 {
		return ""
	}
	return e.Checksum
}

// remember records what became of f (uploaded or present).
func (u *Uploader) remember(ctx context.Context, f *file, imageID string) {
	key := u.journalKey(f.src)
	if key == "" {
		return
	}
	_ = u.deps.Journal.Put(ctx, key, JournalEntry{Checksum: f.checksum, ImageID: imageID})
}
