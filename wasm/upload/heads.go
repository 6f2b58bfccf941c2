package upload

import (
	"context"
	"io"

	"altiup/wasm/photometa"
)

// HeadReader reads the first bytes of many Sources at once. In the browser
// a Web Worker reads a batch of Files and answers with one buffer, so the
// page's main thread makes no read (and no stat of the file) per file. The
// metadata reader hands it MetaBatch files at a time, MetaConcurrency
// batches at once.
type HeadReader interface {
	// Heads reads the first n bytes of each of srcs (fewer at a file's
	// end) at once and hands them to each, one source at a time in their
	// order. A head is nil for a source it did not read (one it cannot
	// take, or one whose read failed): that file is then read through its
	// own ReadAt, which reports any error as before. A head is lent for
	// the call of each only: the reader reuses its memory for the next, so
	// that a batch costs one head's memory and reading thousands of heads
	// makes no garbage.
	Heads(ctx context.Context, srcs []Source, n int, each func(i int, head []byte))
	// ReadOn reads len(p) bytes of src at off in the same way, for a
	// parser that needs more than the head (a frame header behind a long
	// EXIF block, or none before the image data): in the browser those
	// reads too stay off the page's main thread. n is short only at the
	// file's end. ok is false for a read it did not make (as for a nil
	// head): the file is then read through its own ReadAt.
	ReadOn(ctx context.Context, src Source, p []byte, off int64) (n int, ok bool)
}

// MetaBatch is the most files handed to a HeadReader at once. The browser
// reads a batch's heads as one stream, and the larger the batch, the less
// each file costs it: inspect() of 1,000 photos of 8 MiB took 1.68-2.48 s
// (median 1.82 s, 6 runs) in batches of 64 against 2.2-2.5 s in batches of
// 8. A batch is parsed one file at a time with the page let run in between
// (Pacer), so its size does not lengthen the page's tasks.
const MetaBatch = 64

// Pacer is a HeadReader that wants a pause between two files of a batch
// parsed one after the other: in the browser, the parse runs on the page's
// main thread.
type Pacer interface{ Pace() }

// headSource is a Source with its head read ahead: photometa parses the head
// without copying it (photometa.ReadAhead), and a parser that needs more
// (EXIF past it, a TIFF directory far in) reads on through the HeadReader,
// else from the Source. Its ReadAt serves what the head covers all the same.
type headSource struct {
	Source
	head []byte
	on   HeadReader
}

var _ photometa.ReadAhead = headSource{}

func (h headSource) Head() []byte { return h.head }

func (h headSource) ReadAt(p []byte, off int64) (int, error) {
	n := int64(len(h.head))
	whole := n == h.Size() // a file shorter than the head is held whole
	if off < 0 || off >= n || off+int64(len(p)) > n && !whole {
		if off >= 0 && h.on != nil {
			if got, ok := h.on.ReadOn(context.Background(), h.Source, p, off); ok {
				if got < len(p) {
					return got, io.EOF
				}
				return got, nil
			}
		}
		return h.Source.ReadAt(p, off)
	}
	c := copy(p, h.head[off:])
	if c < len(p) {
		return c, io.EOF
	}
	return c, nil
}
