package inspect

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
)

// HashFunc returns the checksum (the uploader's SHA-1) of the file of index.
type HashFunc func(ctx context.Context, index int) (string, error)

// Batch accumulates the files of an upload as they are added, so that its
// Summary can be asked for again after more adds at the cost of hashing only
// new duplicate candidates. Its methods are safe for concurrent use.
type Batch struct {
	hash HashFunc

	mu      sync.Mutex
	files   map[int]added
	gen     uint64 // counts adds, so that a hash of a replaced file is not kept
	sums    map[int]string
	hashing map[int]*flight
}

type added struct {
	File
	gen uint64
}

// flight is a hash under way, which a second Summary waits for.
type flight struct {
	done chan struct{}
	err  error
}

// NewBatch makes an empty batch that confirms duplicates with hash.
func NewBatch(hash HashFunc) *Batch {
	return &Batch{hash: hash, files: map[int]added{}, sums: map[int]string{}, hashing: map[int]*flight{}}
}

// Add adds f, or replaces the file of the same Index (and forgets its checksum).
func (b *Batch) Add(f File) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.sums, f.Index)
	b.gen++
	b.files[f.Index] = added{f, b.gen}
}

// Remove leaves the file of index out of the batch.
func (b *Batch) Remove(index int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.files, index)
	delete(b.sums, index)
}

// Files returns the batch's files, by Index.
func (b *Batch) Files() []File {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.list()
}

func (b *Batch) list() []File {
	// The indexes sorted, not the Files: a File is large to move, and in
	// the page this runs several times slower than natively.
	idx := slices.Sorted(maps.Keys(b.files))
	out := make([]File, len(idx))
	for k, i := range idx {
		out[k] = b.files[i].File
	}
	return out
}

// Checksum returns the checksum of the file of index if it was computed:
// the uploader takes it instead of hashing the file again.
func (b *Batch) Checksum(index int) (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	sum, ok := b.sums[index]
	return sum, ok
}

// SetChecksum records a checksum computed elsewhere (by the uploader), so
// that Summary does not compute it again.
func (b *Batch) SetChecksum(index int, sum string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.files[index]; ok {
		b.sums[index] = sum
	}
}

// Summary hashes the duplicate candidates not hashed yet, then sums the
// batch up (files added meanwhile are in it, their duplicates found by the
// next Summary). Its Cost is nil: see Price.
func (b *Batch) Summary(ctx context.Context) (Summary, error) {
	for _, index := range Candidates(b.Files()) {
		if err := b.ensureSum(ctx, index); err != nil {
			return Summary{}, err
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return Summarize(b.list(), b.sums), nil
}

// ensureSum hashes the file of index unless its checksum is known, or waits
// for the hash under way.
func (b *Batch) ensureSum(ctx context.Context, index int) error {
	b.mu.Lock()
	if _, ok := b.sums[index]; ok {
		b.mu.Unlock()
		return nil
	}
	if fl, ok := b.hashing[index]; ok {
		b.mu.Unlock()
		select {
		case <-fl.done:
			return fl.err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	fl := &flight{done: make(chan struct{})}
	b.hashing[index] = fl
	gen := b.files[index].gen
	b.mu.Unlock()

	sum, err := b.hash(ctx, index)
	if err != nil {
		err = fmt.Errorf("hashing file %d: %w", index, err)
	}
	b.mu.Lock()
	delete(b.hashing, index)
	if f, ok := b.files[index]; ok && f.gen == gen && err == nil {
		b.sums[index] = sum
	}
	b.mu.Unlock()
	fl.err = err
	close(fl.done)
	return err
}

// Positions returns the positions of the batch's photos, by Index.
func (b *Batch) Positions() []Position { return Positions(b.Files()) }
