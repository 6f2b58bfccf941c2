package photometa

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Read limits: the first read, and the most ever read of one file. Metadata
// sits in a file's first tens of KiB; a longer header is read only as far as
// its segments say, and never past MaxRead.
const (
	FirstRead = 32 << 10
	MaxRead   = 256 << 10
)

// Read reads src's metadata from its first bytes (never the whole file). A
// file that is not a JPEG, PNG or TIFF gives ErrNotImage; one whose metadata
// is broken, ErrUnreadable (a parser panic included). A photo that simply
// carries no EXIF is no error: its Meta has what the image header gives.
// Meta.BytesRead is filled in every case.
func Read(src Source) (m Meta, err error) {
	h := &head{src: src, size: src.Size()}
	if r, ok := src.(ReadAhead); ok {
		// Taken as it is: the parsers only read it, and growing copies it.
		b := r.Head()
		h.buf = b[:min(int64(len(b)), h.size, MaxRead)]
		h.read = int64(len(h.buf))
	}
	defer func() {
		if r := recover(); r != nil {
			m, err = Meta{}, fmt.Errorf("%w: %v", ErrUnreadable, r)
		}
		m.BytesRead = h.read
	}()
	return read(h)
}

// read is Read without its recover, for the fuzz target to see panics.
func read(h *head) (Meta, error) {
	var m Meta
	b, err := h.upTo(16)
	if err != nil {
		return m, err
	}
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		m.Format = "JPEG"
		err = readJPEG(h, &m)
	case bytes.HasPrefix(b, []byte(pngMagic)):
		m.Format = "PNG"
		err = readPNG(h, &m)
	case bytes.HasPrefix(b, []byte("II*\x00")), bytes.HasPrefix(b, []byte("MM\x00*")):
		m.Format = "TIFF"
		err = readTIFFFile(h, &m)
	default:
		return m, ErrNotImage
	}
	if err != nil {
		return Meta{Format: m.Format}, err
	}
	return m, nil
}

// unreadable wraps a description of what is broken.
func unreadable(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnreadable, fmt.Sprintf(format, args...))
}

// head holds a file's first bytes, read from src as the parsers ask for them.
type head struct {
	src  Source
	size int64
	buf  []byte
	read int64 // bytes read from src, including reads outside buf
}

// upTo returns the file's first n bytes (fewer at its end), reading more when
// buf is shorter: at least FirstRead, and at least twice as much as before so
// that a long header takes few reads; never more than MaxRead in all.
func (h *head) upTo(n int64) ([]byte, error) {
	n = min(n, h.size, MaxRead)
	start := int64(len(h.buf))
	if n <= start {
		return h.buf[:n], nil
	}
	want := min(max(n, FirstRead, 2*start), h.size, start+MaxRead-h.read)
	if want <= start {
		return h.buf, nil
	}
	grown := make([]byte, want)
	copy(grown, h.buf)
	got, err := h.src.ReadAt(grown[start:], start)
	h.read += int64(got)
	h.buf = grown[:start+int64(got)]
	if start+int64(got) < want && err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	return h.buf[:min(n, int64(len(h.buf)))], nil
}

// at returns n bytes at off, from buf when it holds them, else by one read
// of src as long as the whole stays within MaxRead; nil when out of reach.
// TIFF files may keep their directories anywhere.
func (h *head) at(off, n int64) []byte {
	if off < 0 || n < 0 || off > h.size || n > h.size-off {
		return nil
	}
	if off+n <= MaxRead {
		b, err := h.upTo(off + n)
		if err != nil || int64(len(b)) < off+n {
			return nil
		}
		return b[off : off+n]
	}
	if h.read+n > MaxRead {
		return nil
	}
	p := make([]byte, n)
	got, _ := h.src.ReadAt(p, off)
	h.read += int64(got)
	if int64(got) < n {
		return nil
	}
	return p
}
