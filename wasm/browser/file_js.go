//go:build js && wasm

package browser

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"syscall/js"

	"altiup/wasm/upload"
)

// File is a JS File (or Blob) seen as an upload.Source. The JS object is kept
// so the Putter can send it as the request body as it is. A File of
// NewFiles holds the list and its place in it, and takes the object out
// when first asked: adding 10,000 files then costs no call into JS per file.
type File struct {
	blob     js.Value // valid once blobOnce has run
	list     js.Value // the Array the object is taken from, at index at
	at       int
	blobOnce sync.Once
	name     string
	path     string // relative path inside what was chosen; "" means the name
	typ      string
	size     int64
	modified int64 // File.lastModified in ms; 0 for a Blob

	// head is the start of the file, kept by the hashing that read it whole
	// so that the format check need not read it again.
	headMu sync.Mutex
	head   []byte
}

// headMax is how much of a file's start hashing keeps for the format check.
const headMax = 64

// setHead keeps b (the file's first bytes, at most headMax of them kept).
func (f *File) setHead(b []byte) {
	if len(b) == 0 {
		return
	}
	f.headMu.Lock()
	f.head = slices.Clone(b[:min(len(b), headMax)])
	f.headMu.Unlock()
}

// fromHead serves a read at off that the kept head covers: up to the end
// of p, or to the end of a file short enough to be kept whole.
func (f *File) fromHead(p []byte, off int64) (int, bool) {
	f.headMu.Lock()
	defer f.headMu.Unlock()
	n := int64(len(f.head))
	whole := n == f.size
	if off < 0 || off >= n || off+int64(len(p)) > n && !whole {
		return 0, false
	}
	return copy(p, f.head[off:]), true
}

var (
	_ upload.Source     = (*File)(nil)
	_ upload.Identified = (*File)(nil)
	_ upload.Pathed     = (*File)(nil)
)

// NewFile wraps a JS File or Blob. A Blob has no name; give it one with
// NewNamedFile.
func NewFile(v js.Value) (*File, error) {
	name := ""
	if v.Type() == js.TypeObject {
		if n := v.Get("name"); n.Type() == js.TypeString {
			name = n.String()
		}
	}
	return NewNamedFile(v, name)
}

// NewNamedFile wraps a JS Blob under the given name.
func NewNamedFile(v js.Value, name string) (*File, error) {
	if v.Type() != js.TypeObject || !v.InstanceOf(jsBlob) {
		return nil, upload.Errorf(upload.CodeInvalidInput, "Expected a File, got a %s.", describe(v))
	}
	if name == "" {
		return nil, upload.Errorf(upload.CodeInvalidInput, "The file has no name.")
	}
	f := &File{blob: v, name: name, size: int64(v.Get("size").Float())}
	f.blobOnce.Do(func() {})
	if t := v.Get("type"); t.Type() == js.TypeString {
		f.typ = t.String()
	}
	if p := v.Get("webkitRelativePath"); p.Type() == js.TypeString {
		f.path = p.String()
	}
	if m := v.Get("lastModified"); m.Type() == js.TypeNumber {
		f.modified = int64(m.Float())
	}
	return f, nil
}

func describe(v js.Value) string {
	if v.Type() == js.TypeObject {
		if c := v.Get("constructor"); c.Truthy() && c.Get("name").Type() == js.TypeString {
			return c.Get("name").String()
		}
	}
	return v.Type().String()
}

// Name is the file's name as the person chose it (no directory).
func (f *File) Name() string { return f.name }

// Size is the file's length in bytes.
func (f *File) Size() int64 { return f.size }

// Type is the MIME type the browser guessed from the name; may be empty.
func (f *File) Type() string { return f.typ }

// Path is the file's relative path inside what the person chose (a
// picked or dropped folder): File.webkitRelativePath, or the path add was
// given for it; the name when there is none.
func (f *File) Path() string {
	if f.path == "" {
		return f.name
	}
	return f.path
}

// SetPath sets the relative path ("" for none, i.e. the name).
func (f *File) SetPath(p string) { f.path = p }

// Identity names the file by path, size and last-modified time, so that
// the journal knows it again after a reload, and two files of one name in
// two folders are two files; a Blob without a modification time has none
// (and is hashed every time).
func (f *File) Identity() string {
	if f.modified == 0 {
		return ""
	}
	return fmt.Sprintf("%s\x00%d\x00%d", f.Path(), f.size, f.modified)
}

// Blob is the JS object itself.
func (f *File) Blob() js.Value {
	f.blobOnce.Do(func() {
		f.blob = f.list.Index(f.at)
		f.list = js.Undefined()
	})
	return f.blob
}

// ReadAt reads len(p) bytes at off by awaiting blob.slice(off, off+n).arrayBuffer().
// Each call crosses into JS and waits for the browser, so callers read large
// chunks. It must be called from a goroutine, never from a JS callback.
func (f *File) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, upload.Errorf(upload.CodeInternal, "Negative read offset %d in %q.", off, f.name)
	}
	if off >= f.size {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.EOF
	}
	want := int64(len(p))
	end := min(off+want, f.size)
	if end == off {
		return 0, nil
	}
	if n, ok := f.fromHead(p, off); ok {
		if end < off+want {
			return n, io.EOF
		}
		return n, nil
	}
	buf, err := Await(context.Background(), f.Blob().Call("slice", off, end).Call("arrayBuffer"))
	if err != nil {
		return 0, f.readError(err)
	}
	n := js.CopyBytesToGo(p, jsUint8Array.New(buf))
	if int64(n) != end-off {
		// The browser gave fewer bytes than the size it reported: the file
		// changed on disk after it was chosen.
		return n, upload.Errorf(upload.CodeInvalidInput, "The file %q changed while it was being read; choose it again.", f.name)
	}
	if end < off+want {
		return n, io.EOF
	}
	return n, nil
}

func (f *File) readError(err error) error {
	return &upload.Error{
		Code:    upload.CodeInvalidInput,
		Message: "Could not read the file \"" + f.name + "\"; it may have been moved or changed since it was chosen.",
		Err:     err,
	}
}
