//go:build js && wasm

package browser

import (
	"context"
	"time"

	"github.com/hack-pad/go-indexeddb/idb"
	"github.com/hack-pad/hackpadfs"
	"github.com/hack-pad/hackpadfs/indexeddb"

	"altiup/wasm/fsjournal"
)

// JournalDB is the IndexedDB database the Journal lives in.
const JournalDB = "altiup-journal"

// Journal is the upload journal of the page: wasm/fsjournal over IndexedDB
// (hackpadfs/indexeddb), so that it outlives a reload. Its methods block on
// IndexedDB, so they must be called from a goroutine, never from a JS
// callback. The database is opened on first use.
type Journal = fsjournal.Journal

// JournalKeep is how long an entry is kept after its last change.
const JournalKeep = fsjournal.DefaultKeep

// journalWait bounds each call: a browser that holds IndexedDB requests
// (another tab's upgrade, storage trouble) must not hold up the uploads,
// which only lose the work the journal would have saved.
const journalWait = 5 * time.Second

// journalPruneAfter is how long after it opens the journal drops its old
// entries: at once, the reads of every entry's date took the main thread
// and IndexedDB while an upload's first files waited on the journal.
const journalPruneAfter = 30 * time.Second

// NewJournal returns the journal kept in the IndexedDB database name
// (JournalDB when empty). Its transactions are relaxed: the browser need
// not flush each to disk before it answers, since an entry lost to a crash
// of the machine only costs the work it would have saved.
func NewJournal(name string) *Journal { return newJournal(name, journalPruneAfter) }

func newJournal(name string, pruneAfter time.Duration) *Journal {
	if name == "" {
		name = JournalDB
	}
	return fsjournal.New(func(ctx context.Context) (hackpadfs.FS, error) {
		return indexeddb.NewFS(ctx, name, indexeddb.Options{TransactionDurability: idb.DurabilityRelaxed})
	}, fsjournal.Options{
		Wait: journalWait, Keep: JournalKeep, PruneAfter: pruneAfter, Store: "this browser's storage (IndexedDB)",
	})
}
