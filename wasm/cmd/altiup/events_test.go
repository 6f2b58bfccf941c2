package main

import (
	"encoding/json"
	"testing"

	"altiup/wasm/coalesce"
)

// TestEventsToThePage: events reach the page in order, in batches of at
// most eventBatch, with progress events in a row merged into the latest,
// each as [kind, value].
func TestEventsToThePage(t *testing.T) {
	var got []string
	gate, taken := make(chan struct{}), make(chan struct{})
	first := true
	q := coalesce.New(func(batch []event) {
		if first {
			first = false
			close(taken)
			<-gate // the page is busy: the rest waits
		}
		if len(batch) > eventBatch {
			t.Errorf("a batch of %d", len(batch))
		}
		for _, e := range batch {
			b, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, string(b))
		}
	}, mergeProgress, eventBatch)
	q.Push(event{"file", map[string]int{"index": 0}})
	<-taken
	q.Push(event{"progress", map[string]int{"sent": 1}})
	q.Push(event{"progress", map[string]int{"sent": 2}})
	q.Push(event{"file", map[string]int{"index": 1}})
	q.Push(event{"progress", map[string]int{"sent": 3}})
	q.Push(event{"progress", map[string]int{"sent": 4}})
	for i := range 2 * eventBatch {
		q.Push(event{"file", map[string]int{"index": 2 + i}})
	}
	close(gate)
	q.Flush()
	want := []string{`["file",{"index":0}]`, `["progress",{"sent":2}]`, `["file",{"index":1}]`, `["progress",{"sent":4}]`}
	if len(got) != len(want)+2*eventBatch {
		t.Fatalf("%d events delivered: %v", len(got), got[:min(len(got), 8)])
	}
	for i, w := range want {
		if got[i] != w {
			t.Fatalf("event %d: %s, want %s", i, got[i], w)
		}
	}
}
