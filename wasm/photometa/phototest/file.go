package phototest

import (
	"io"
	"sync/atomic"
)

// File is an in-memory file that fits photometa.Source and upload.Source's
// reading: its bytes B, then zeros up to FileSize (when larger), so that a
// real header can stand for a large photo. It counts the bytes read.
type File struct {
	B        []byte
	FileSize int64 // 0: len(B)
	read     atomic.Int64
}

// Size returns FileSize, or len(B) when FileSize is 0.
func (f *File) Size() int64 {
	if f.FileSize > 0 {
		return f.FileSize
	}
	return int64(len(f.B))
}

// ReadAt reads like io.ReaderAt.
func (f *File) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off >= f.Size() {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), f.Size()-off))
	clear(p[:n])
	if off < int64(len(f.B)) {
		copy(p[:n], f.B[off:])
	}
	f.read.Add(int64(n))
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Read returns the bytes read so far; ResetRead sets it back to 0.
func (f *File) Read() int64 { return f.read.Load() }
func (f *File) ResetRead()  { f.read.Store(0) }
