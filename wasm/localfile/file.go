package localfile

import (
	"container/list"
	"fmt"
	"mime"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"altiup/wasm/upload"
)

// File is an upload.Source over a file on disk.
type File struct {
	osPath  string // where it is on disk
	rel     string // slash-separated, relative to what was named
	size    int64
	modTime time.Time

	mu   sync.RWMutex // read-locked while reading f; locked to open or close it
	f    *os.File
	elem *list.Element // in the open files' list while open
}

var (
	_ upload.Source     = (*File)(nil)
	_ upload.Identified = (*File)(nil)
)

// Stat makes the File of the file at osPath, known to the upload by rel.
func Stat(osPath, rel string) (*File, error) {
	info, err := os.Stat(osPath)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", osPath)
	}
	return &File{osPath: osPath, rel: rel, size: info.Size(), modTime: info.ModTime()}, nil
}

// Name is the file's own name, without folders.
func (f *File) Name() string { return path.Base(f.rel) }

// Path is the file's path relative to what was named on the command line,
// with forward slashes: "flight-1/DJI_0001.JPG".
func (f *File) Path() string { return f.rel }

// OSPath is where the file is on disk.
func (f *File) OSPath() string { return f.osPath }

// Size is the file's length when it was found.
func (f *File) Size() int64 { return f.size }

// Type is the MIME type its extension suggests; may be empty. The upload
// goes by the file's first bytes.
func (f *File) Type() string {
	t := mime.TypeByExtension(strings.ToLower(filepath.Ext(f.rel)))
	t, _, _ = strings.Cut(t, ";")
	return t
}

// Identity names the file by its path, size and modification time, so that
// a later run knows it again; two files of one name in two folders differ.
func (f *File) Identity() string {
	return fmt.Sprintf("%s\x00%d\x00%d", f.rel, f.size, f.modTime.UnixMilli())
}

// ReadAt reads from the file, opening it first when needed. A file whose
// size changed since it was found is refused: its checksum would not be the
// bytes sent.
func (f *File) ReadAt(p []byte, off int64) (int, error) {
	for {
		f.mu.RLock()
		if fd := f.f; fd != nil {
			n, err := fd.ReadAt(p, off)
			f.mu.RUnlock()
			touch(f)
			return n, err
		}
		f.mu.RUnlock()
		if err := f.open(); err != nil {
			return 0, err
		}
	}
}

func (f *File) open() error {
	f.mu.Lock()
	if f.f != nil {
		f.mu.Unlock()
		return nil
	}
	fd, err := os.Open(f.osPath)
	if err != nil {
		f.mu.Unlock()
		return err
	}
	if info, err := fd.Stat(); err != nil || info.Size() != f.size {
		fd.Close()
		f.mu.Unlock()
		if err != nil {
			return err
		}
		return fmt.Errorf("%s changed while it was being uploaded (%d bytes, now %d)", f.rel, f.size, info.Size())
	}
	f.f = fd
	f.mu.Unlock()
	opened(f)
	return nil
}

// close closes the file; the next read opens it again.
func (f *File) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.f != nil {
		f.f.Close()
		f.f = nil
	}
}

// MaxOpen bounds the files kept open at once; the least recently read is
// closed to open another.
const MaxOpen = 64

// open is the list of open files, most recently read first.
var open struct {
	sync.Mutex
	l list.List
}

func opened(f *File) {
	open.Lock()
	if f.elem == nil {
		f.elem = open.l.PushFront(f)
	}
	var evict *File
	if open.l.Len() > MaxOpen {
		last := open.l.Back()
		evict = last.Value.(*File)
		open.l.Remove(last)
		evict.elem = nil
	}
	open.Unlock()
	if evict != nil {
		evict.close()
	}
}

func touch(f *File) {
	open.Lock()
	if f.elem != nil {
		open.l.MoveToFront(f.elem)
	}
	open.Unlock()
}

// openCount is how many files are open (for tests).
func openCount() int {
	open.Lock()
	defer open.Unlock()
	return open.l.Len()
}
