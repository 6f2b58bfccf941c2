// Package fsjournal is upload.Journal kept in a hackpadfs filesystem, so one
// implementation serves both programs: the page keeps it in IndexedDB
// (hackpadfs/indexeddb, see wasm/browser), the command in a folder on disk
// (hackpadfs/os), and the tests in memory (hackpadfs/mem).
//
// Each entry is one small file named by the SHA-256 of its key, written
// whole or not at all (a temporary file renamed over the old one), so a
// program killed mid-write leaves the previous entry. Entries not changed
// for Keep are removed when the journal is opened, and so are temporary
// files a killed writer left behind.
package fsjournal
