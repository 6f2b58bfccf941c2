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

// hasher hashes the files of a set by index, counting the calls by index.
type hasher struct {
	srcs  []*phototest.File
	mu    sync.Mutex
	calls map[int]int
}

func newHasher(srcs []*phototest.File) *hasher { return &hasher{srcs: srcs, calls: map[int]int{}} }

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
func survey(t testing.TB) ([]inspect.File, []*phototest.File) {
	var files []inspect.File
	var srcs []*phototest.File
	for i, n := range phototest.Set() {
		src := &phototest.File{B: n.Bytes}
		srcs = append(srcs, src)
		files = append(files, inspect.Read(i, n.Name, src))
	}
	return files, srcs
}
