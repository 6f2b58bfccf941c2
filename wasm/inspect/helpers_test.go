package inspect_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"io"
	"sync"
	"testing"

	"altiup/wasm/inspect"
	"altiup/wasm/photometa/phototest"
)

// mem is an in-memory file: b, then zeros up to size (0: len(b)). It counts
// the bytes read.
type mem struct {
	b    []byte
	size int64
	mu   sync.Mutex
	read int64
}

func (m *mem) Size() int64 {
	if m.size > 0 {
		return m.size
	}
	return int64(len(m.b))
}

func (m *mem) ReadAt(p []byte, off int64) (int, error) {
	if off >= m.Size() {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), m.Size()-off))
	clear(p[:n])
	if off < int64(len(m.b)) {
		copy(p[:n], m.b[off:])
	}
	m.mu.Lock()
	m.read += int64(n)
	m.mu.Unlock()
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// hasher hashes the files of a set by index, counting the calls by index.
type hasher struct {
	srcs  []*mem
	mu    sync.Mutex
	calls map[int]int
}

func newHasher(srcs []*mem) *hasher { return &hasher{srcs: srcs, calls: map[int]int{}} }

func (h *hasher) hash(ctx context.Context, i int) (string, error) {
	h.mu.Lock()
	h.calls[i]++
	h.mu.Unlock()
	s := h.srcs[i]
	sum := sha1.New()
	if _, err := io.Copy(sum, io.NewSectionReader(s, 0, s.Size())); err != nil {
		return "", err
	}
	return hex.EncodeToString(sum.Sum(nil)), nil
}

// survey reads phototest.Set into Files, indexed from 0.
func survey(t testing.TB) ([]inspect.File, []*mem) {
	var files []inspect.File
	var srcs []*mem
	for i, n := range phototest.Set() {
		src := &mem{b: n.Bytes}
		srcs = append(srcs, src)
		files = append(files, inspect.Read(i, n.Name, src))
	}
	return files, srcs
}
