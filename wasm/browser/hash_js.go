//go:build js && wasm

package browser

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall/js"

	"altiup/wasm/upload"
)

// OneShotMax is the largest file the Hasher hashes with WebCrypto. WebCrypto
// has no streaming digest, so the whole file is read into one ArrayBuffer on
// the JS side; above this size that costs too much memory and the Hasher
// streams through crypto/sha1 instead.
const OneShotMax = 32 << 20

// Hasher computes SHA-1 of files. Small Files go to WebCrypto in one shot
// (about twice as fast as crypto/sha1 in wasm, and the bytes never cross into
// Go): in the Workers of a WorkerPool when there is one, so the page's main
// thread stays free, else on the page; larger files and non-File sources are
// streamed through crypto/sha1 in upload.ChunkSize reads.
type Hasher struct {
	// OneShotMax overrides the size limit of the WebCrypto path: 0 means the
	// package's OneShotMax, a negative value never uses WebCrypto.
	OneShotMax int64
	// Workers, when set, hashes Files of up to OneShotMax; when its workers
	// cannot run on this page, those files are hashed on the page.
	Workers *WorkerPool

	// serial lets one file at a time be hashed on the page: a caller that
	// hashes several files at once for the Workers' sake must not double the
	// memory of the paths that hold bytes here.
	serial sync.Mutex
}

var _ upload.Hasher = (*Hasher)(nil)

// SHA1 returns the lowercase hex SHA-1 of src.
func (h *Hasher) SHA1(ctx context.Context, src upload.Source) (string, error) {
	limit := h.OneShotMax
	if limit == 0 {
		limit = OneShotMax
	}
	f, isFile := src.(*File)
	oneShot := isFile && src.Size() <= limit
	if oneShot && h.Workers != nil {
		sum, err := h.Workers.SHA1(ctx, f)
		if !errors.Is(err, ErrNoWorkers) {
			return sum, err
		}
	}
	h.serial.Lock()
	defer h.serial.Unlock()
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if oneShot && jsSubtle.Truthy() {
		return SHA1WebCrypto(ctx, f)
	}
	return SHA1Stream(ctx, src)
}

// SHA1WebCrypto hashes a whole File with crypto.subtle.digest.
func SHA1WebCrypto(ctx context.Context, f *File) (string, error) {
	if !jsSubtle.Truthy() {
		return "", upload.Errorf(upload.CodeInternal, "WebCrypto is not available on this page (it needs https or localhost).")
	}
	var p js.Value
	if err := catch(func() { p = f.Blob().Call("arrayBuffer") }); err != nil {
		return "", f.readError(err)
	}
	buf, err := Await(ctx, p)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", f.readError(err)
	}
	if err := catch(func() { p = jsSubtle.Call("digest", "SHA-1", buf) }); err != nil {
		return "", hashError(f.name, err)
	}
	digest, err := Await(ctx, p)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", hashError(f.name, err)
	}
	head := make([]byte, min(f.size, headMax))
	js.CopyBytesToGo(head, jsUint8Array.New(buf, 0, len(head)))
	f.setHead(head)
	releaseLater(f.size)
	sum := make([]byte, sha1.Size)
	if n := js.CopyBytesToGo(sum, jsUint8Array.New(digest)); n != sha1.Size {
		return "", upload.Errorf(upload.CodeInternal, "WebCrypto returned a %d-byte SHA-1 of %q.", n, f.name)
	}
	return hex.EncodeToString(sum), nil
}

// retained counts the bytes of JS buffers that Go's js.Values still refer to.
var retained atomic.Int64

// releaseGCEvery bounds them: a js.Value lets its JS object go only when Go's
// collector finalizes it, and hashing with WebCrypto allocates nothing in Go,
// so without this every hashed file's ArrayBuffer would stay in the JS heap.
const releaseGCEvery = 64 << 20

func releaseLater(n int64) {
	if retained.Add(n) >= releaseGCEvery {
		retained.Store(0)
		runtime.GC()
	}
}

func hashError(name string, err error) error {
	return &upload.Error{Code: upload.CodeInternal, Message: "Could not compute the checksum of \"" + name + "\".", Err: err}
}

// SHA1Stream hashes src with crypto/sha1, reading upload.ChunkSize bytes at a
// time. The next chunk is read while the current one is hashed: the browser
// reads the file on its own thread while Go computes.
func SHA1Stream(ctx context.Context, src upload.Source) (string, error) {
	size := src.Size()
	h := sha1.New()
	type chunk struct {
		b   []byte
		err error
	}
	read := func(buf []byte, off int64, out chan<- chunk) {
		n := int64(len(buf))
		if size-off < n {
			n = size - off
		}
		got, err := src.ReadAt(buf[:n], off)
		if err == io.EOF && int64(got) == n {
			err = nil
		}
		out <- chunk{buf[:got], err}
	}
	if size == 0 {
		return hex.EncodeToString(h.Sum(nil)), nil
	}
	bufLen := min(int64(upload.ChunkSize), size)
	bufs := [2][]byte{make([]byte, bufLen), nil}
	next := make(chan chunk, 1) // buffered: a read left behind by cancellation never blocks
	go read(bufs[0], 0, next)
	for off, i := int64(0), 0; off < size; i = 1 - i {
		var c chunk
		select {
		case c = <-next:
		case <-ctx.Done():
			return "", ctx.Err()
		}
		if c.err != nil {
			return "", c.err
		}
		if len(c.b) == 0 {
			return "", upload.Errorf(upload.CodeInvalidInput, "The file %q ended before its size; choose it again.", src.Name())
		}
		if off == 0 {
			if f, ok := src.(*File); ok {
				f.setHead(c.b)
			}
		}
		off += int64(len(c.b))
		if off < size {
			if bufs[1-i] == nil {
				bufs[1-i] = make([]byte, bufLen)
			}
			go read(bufs[1-i], off, next)
		}
		h.Write(c.b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
