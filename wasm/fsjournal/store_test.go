//go:build !(js && wasm)

package fsjournal

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hack-pad/hackpadfs"
	"github.com/hack-pad/hackpadfs/mem"

	"altiup/wasm/upload"
)

// The store's life: opening, pruning, a store that stops answering.

// TestForgetsOldEntries: entries unchanged for longer than Keep are
// removed when the journal is next opened; recent ones stay.
func TestForgetsOldEntries(t *testing.T) {
	ctx := context.Background()
	fsys := memFS(t)
	j := Of(fsys, Options{})
	for _, k := range []string{"old", "recent"} {
		if err := j.Put(ctx, k, upload.JournalEntry{Checksum: strings.Repeat("12", 20)}); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-DefaultKeep - time.Hour)
	if err := hackpadfs.Chtimes(fsys, entryName("old"), long, long); err != nil {
		t.Fatal(err)
	}
	again := Of(fsys, Options{})
	if _, ok, err := again.Get(ctx, "recent"); !ok || err != nil {
		t.Fatalf("recent entry: %v, %v", ok, err)
	}
	<-again.Pruned()
	if _, ok, _ := again.Get(ctx, "old"); ok {
		t.Fatal("the old entry is still there")
	}
	if _, ok, _ := again.Get(ctx, "recent"); !ok {
		t.Fatal("the recent entry went too")
	}
	// Keep is the journal's: with a longer one the entry would have stayed.
	fsys2 := memFS(t)
	first := Of(fsys2, Options{})
	if err := first.Put(ctx, "old", upload.JournalEntry{Checksum: "x"}); err != nil {
		t.Fatal(err)
	}
	<-first.Pruned()
	_ = hackpadfs.Chtimes(fsys2, entryName("old"), long, long)
	kept := Of(fsys2, Options{Keep: 2 * DefaultKeep})
	_, _, _ = kept.Get(ctx, "old")
	<-kept.Pruned()
	if _, ok, _ := kept.Get(ctx, "old"); !ok {
		t.Fatal("an entry within Keep was removed")
	}
}

// TestPruneAfter: the old entries stay until PruneAfter has passed since
// the store opened, and go then.
func TestPruneAfter(t *testing.T) {
	ctx := context.Background()
	fsys := memFS(t)
	writer := Of(fsys, Options{})
	if err := writer.Put(ctx, "old", upload.JournalEntry{Checksum: "x"}); err != nil {
		t.Fatal(err)
	}
	// The writer prunes as it opens: once that is over, the entry is made
	// old (before, the writer's pruning could take it first).
	<-writer.Pruned()
	long := time.Now().Add(-DefaultKeep - time.Hour)
	if err := hackpadfs.Chtimes(fsys, entryName("old"), long, long); err != nil {
		t.Fatal(err)
	}
	j := Of(fsys, Options{PruneAfter: 200 * time.Millisecond})
	opened := time.Now()
	if err := j.Open(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := j.Get(ctx, "old"); !ok && time.Since(opened) < 200*time.Millisecond {
		t.Fatal("the old entry went before PruneAfter")
	}
	<-j.Pruned()
	if d := time.Since(opened); d < 200*time.Millisecond {
		t.Fatalf("pruned %v after opening, before PruneAfter", d)
	}
	if _, ok, _ := j.Get(ctx, "old"); ok {
		t.Fatal("the old entry is still there after the pruning")
	}
	// Clear does not wait for a pruning not begun.
	late := Of(fsys, Options{PruneAfter: time.Hour})
	if err := late.Put(ctx, "k", upload.JournalEntry{Checksum: "x"}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- late.Clear(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Clear waited for the pruning an hour away")
	}
	if _, ok, _ := late.Get(ctx, "k"); ok {
		t.Fatal("Clear left an entry")
	}
}

type stuckFS struct {
	*mem.FS
	release chan struct{}
}

func (s stuckFS) ReadFile(name string) ([]byte, error) {
	<-s.release
	return hackpadfs.ReadFile(s.FS, name)
}

// TestSlowStoreTurnsItOff: one call that overruns Wait turns the journal
// off, in words, and later calls fail at once instead of waiting again.
func TestSlowStoreTurnsItOff(t *testing.T) {
	ctx := context.Background()
	s := stuckFS{FS: memFS(t), release: make(chan struct{})}
	defer close(s.release)
	j := Of(s, Options{Wait: 20 * time.Millisecond, Store: "the test store"})
	_, _, err := j.Get(ctx, "k")
	var ue *upload.Error
	if !errors.As(err, &ue) || ue.Code != upload.CodeTimeout || !strings.Contains(ue.Message, "the test store") {
		t.Fatalf("a stuck read: %v", err)
	}
	err = j.Put(ctx, "k", upload.JournalEntry{Checksum: "x"})
	if !errors.As(err, &ue) || ue.Code != upload.CodeInternal || !strings.Contains(ue.Message, "off") {
		t.Fatalf("after the overrun: %v", err)
	}
}

// TestOpenBeforeUse: Open opens the store once, ahead of the calls, which
// then find it open.
func TestOpenBeforeUse(t *testing.T) {
	ctx := context.Background()
	fsys := memFS(t)
	calls := 0
	j := New(func(context.Context) (hackpadfs.FS, error) { calls++; return fsys, nil }, Options{})
	for range 2 {
		if err := j.Open(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 1 {
		t.Fatalf("opened %d times by Open, want once", calls)
	}
	if err := j.Put(ctx, "k", upload.JournalEntry{Checksum: "x"}); err != nil {
		t.Fatal(err)
	}
	if e, ok, err := j.Get(ctx, "k"); err != nil || !ok || e.Checksum != "x" {
		t.Fatalf("Get after Open: %+v, %v, %v", e, ok, err)
	}
	if calls != 1 {
		t.Fatalf("opened %d times, want once", calls)
	}
	<-j.Pruned()
}

func TestOpenFailureInWords(t *testing.T) {
	ctx := context.Background()
	calls := 0
	j := New(func(context.Context) (hackpadfs.FS, error) { calls++; return nil, errors.New("quota") }, Options{Store: "the test store"})
	for _, call := range []func() error{
		func() error { return j.Open(ctx) },
		func() error { _, _, err := j.Get(ctx, "k"); return err },
		func() error { _, _, err := j.Get(ctx, "k"); return err },
	} {
		var ue *upload.Error
		if err := call(); !errors.As(err, &ue) || !strings.Contains(ue.Message, "could not be opened in the test store") {
			t.Fatalf("open failure: %v", err)
		}
	}
	if calls != 1 {
		t.Fatalf("opened %d times", calls)
	}
	<-j.Pruned()
}

// TestOpening: Opening is true while the store is being opened, and only
// then.
func TestOpening(t *testing.T) {
	ctx := context.Background()
	fsys := memFS(t)
	release := make(chan struct{})
	j := New(func(context.Context) (hackpadfs.FS, error) { <-release; return fsys, nil }, Options{})
	if j.Opening() {
		t.Fatal("opening before any call")
	}
	done := make(chan error, 1)
	go func() { done <- j.Open(ctx) }()
	for deadline := time.Now().Add(5 * time.Second); !j.Opening(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("not opening while the store opens")
		}
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if j.Opening() {
		t.Fatal("still opening once open")
	}
	<-j.Pruned()
}
