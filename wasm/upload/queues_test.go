package upload

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
)

// TestDispatcherMerges: while the listener is busy, a file's newer byte
// count replaces its waiting one and the newest progress replaces the
// waiting one; state changes are all delivered, in order.
func TestDispatcherMerges(t *testing.T) {
	d := newDispatcher()
	var got []string
	hold := make(chan struct{})
	first := true
	d.setFile(func(e FileEvent) {
		if first {
			first = false
			<-hold
		}
		got = append(got, fmt.Sprintf("%d:%s:%d", e.Index, e.State, e.Sent))
	})
	d.setProgress(func(p Progress) { got = append(got, fmt.Sprintf("p%d", p.SentBytes)) })
	d.file(FileEvent{Index: 9, State: StateQueued}) // held by the listener
	for d.q.Len() != 0 {                            // until the first is taken
		runtime.Gosched()
	}
	d.file(FileEvent{Index: 0, State: StateUploading, Sent: 1})
	d.progress(Progress{SentBytes: 1})
	d.file(FileEvent{Index: 1, State: StateUploading, Sent: 2})
	d.file(FileEvent{Index: 0, State: StateUploading, Sent: 5})
	d.progress(Progress{SentBytes: 7})
	d.file(FileEvent{Index: 0, State: StateUploaded, Sent: 5})
	d.file(FileEvent{Index: 0, State: StateUploaded, Sent: 5, Error: &Error{Code: CodeInternal}})
	close(hold)
	d.flush()
	want := "[9:queued:0 0:uploading:5 p7 1:uploading:2 0:uploaded:5 0:uploaded:5]"
	if fmt.Sprint(got) != want {
		t.Fatalf("delivered %v, want %s", got, want)
	}
}

// heldJournal holds its first Put until released, recording every Put.
type heldJournal struct {
	mu   sync.Mutex
	puts []string
	hold chan struct{}
}

func (j *heldJournal) Get(ctx context.Context, key string) (JournalEntry, bool, error) {
	return JournalEntry{}, false, nil
}

func (j *heldJournal) Put(ctx context.Context, key string, e JournalEntry) error {
	j.mu.Lock()
	first := len(j.puts) == 0
	j.puts = append(j.puts, key+"="+e.State)
	j.mu.Unlock()
	if first {
		<-j.hold
	}
	return nil
}

// TestJournalWritesNewest: of the entries of one key waiting for a slow
// store, only the newest is written.
func TestJournalWritesNewest(t *testing.T) {
	j := &heldJournal{hold: make(chan struct{})}
	q := newJournalWriter(j)
	q.Push(journalWrite{"a", JournalEntry{State: JournalHashed}})
	for q.Len() != 0 { // until the first is taken
		runtime.Gosched()
	}
	q.Push(journalWrite{"b", JournalEntry{State: JournalHashed}})
	q.Push(journalWrite{"c", JournalEntry{State: JournalHashed}})
	q.Push(journalWrite{"b", JournalEntry{State: JournalUploading}})
	q.Push(journalWrite{"b", JournalEntry{State: JournalUploaded}})
	close(j.hold)
	q.Flush()
	want := "[a=hashed b=uploaded c=hashed]"
	if got := fmt.Sprint(j.puts); got != want {
		t.Fatalf("written %s, want %s", got, want)
	}
}
