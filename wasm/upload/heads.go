package upload

import (
	"context"
	"io"

	"altiup/wasm/photometa"
)

// HeadReader reads the first bytes of many Sources at once. In the browser
// a Web Worker reads a batch of Files and answers with one buffer, so the
// page's main thread crosses into JS once per batch instead of once (and a
// stat of the file) per file. The metadata reader hands it MetaBatch files
// at a time, MetaConcurrency batches at once.
type HeadReader interface {
	// Heads returns the first n bytes of each of srcs (fewer at a file's
	// end), in their order. An entry is nil for a source it did not read
	// (one it cannot take, or one whose read failed): that file is then
	// read through its own ReadAt, which reports any error as before.
	Heads(ctx context.Context, srcs []Source, n int) [][]byte
}

// MetaBatch is the most files handed to a HeadReader at once: enough that
// the crossings are few, few enough that the page parses one batch's
// metadata well within a frame.
const MetaBatch = 32

// headSource is a Source with its head read ahead: photometa parses the head
// without copying it (photometa.ReadAhead), and a parser that needs more
// (EXIF past it, a TIFF directory far in) reads on from the Source. Its
// ReadAt serves what the head covers all the same.
type headSource struct {
	Source
	head []byte
}

var _ photometa.ReadAhead = headSource{}

func (h headSource) Head() []byte { return h.head }

func (h headSource) ReadAt(p []byte, off int64) (int, error) {
	n := int64(len(h.head))
	whole := n == h.Size() // a file shorter than the head is held whole
	if off < 0 || off >= n || off+int64(len(p)) > n && !whole {
		return h.Source.ReadAt(p, off)
	}
	c := copy(p, h.head[off:])
	if c < len(p) {
		return c, io.EOF
	}
	return c, nil
}
