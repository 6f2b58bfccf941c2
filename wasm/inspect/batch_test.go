package inspect_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"

	"altiup/wasm/inspect"
)

// TestBatchIncremental adds files in two steps and leaves one out: nothing
// is hashed twice, and a checksum the uploader already has is used.
func TestBatchIncremental(t *testing.T) {
	files, srcs := survey(t)
	h := newHasher(srcs)
	b := inspect.NewBatch(h.hash)
	ctx := context.Background()
	for _, f := range files[:6] {
		b.Add(f)
	}
	s, err := b.Summary(ctx)
	if err != nil || s.Files != 6 || len(h.calls) != 0 {
		t.Fatalf("first: %d files, hashed %v, %v", s.Files, h.calls, err)
	}
	b.Add(files[6]) // the copy of 0
	if _, err := b.Summary(ctx); err != nil {
		t.Fatal(err)
	}
	sum0, _ := b.Checksum(0)
	b.Add(files[7])
	b.SetChecksum(7, "known")
	s, err = b.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[int]int{0: 1, 6: 1}; !reflect.DeepEqual(h.calls, want) {
		t.Errorf("hashed %v, want %v", h.calls, want)
	}
	if got := codes(s.Warnings)[inspect.DuplicateContent]; !reflect.DeepEqual(got, []int{6}) {
		t.Errorf("duplicates %v", got)
	}
	b.Remove(6)
	s, _ = b.Summary(ctx)
	if _, dup := codes(s.Warnings)[inspect.DuplicateContent]; dup || s.Files != 7 {
		t.Errorf("after leaving the copy out: %d files, %v", s.Files, codes(s.Warnings))
	}
	if sum, ok := b.Checksum(0); !ok || sum != sum0 {
		t.Errorf("checksum of 0 lost: %q", sum)
	}
	if _, ok := b.Checksum(6); ok {
		t.Error("checksum of a file left out kept")
	}
}

// TestBatchConcurrent asks for summaries while files are added: each
// candidate is hashed once (run with -race).
func TestBatchConcurrent(t *testing.T) {
	files, srcs := survey(t)
	h := newHasher(srcs)
	b := inspect.NewBatch(h.hash)
	var wg sync.WaitGroup
	for _, f := range files {
		wg.Go(func() { b.Add(f) })
		wg.Go(func() {
			if _, err := b.Summary(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	s, err := b.Summary(context.Background())
	if err != nil || s.Files != len(files) {
		t.Fatal(s.Files, err)
	}
	for i, n := range h.calls {
		if n != 1 {
			t.Errorf("file %d hashed %d times", i, n)
		}
	}
}

func TestBatchHashError(t *testing.T) {
	files, _ := survey(t)
	broken := errors.New("disk gone")
	b := inspect.NewBatch(func(context.Context, int) (string, error) { return "", broken })
	for _, f := range files {
		b.Add(f)
	}
	if _, err := b.Summary(context.Background()); !errors.Is(err, broken) {
		t.Errorf("got %v", err)
	}
}
