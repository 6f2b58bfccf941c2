package main

import (
	"encoding/json"
	"testing"

	"altiup/wasm/coalesce"
	"altiup/wasm/upload"
)

// TestEventsToThePage: events reach the page in order, in batches of at
// most eventBatch, each as [kind, value]; while they wait, a later progress
// event replaces the waiting one, and a file's later figures in the same
// state replace its waiting event, but a change of state or an error is
// never folded away.
func TestEventsToThePage(t *testing.T) {
	type sent struct {
		Index int          `json:"index"`
		State upload.State `json:"state"`
		Sent  int64        `json:"sent"`
	}
	var got []string
	gate, taken := make(chan struct{}), make(chan struct{})
	first := true
	q := coalesce.NewKeyed(func(batch []event) {
		if first {
			first = false
			close(taken)
			<-gate // the page is busy: the rest waits
		}
		if len(batch) > eventBatch {
			t.Errorf("a batch of %d", len(batch))
		}
		for _, e := range batch {
			b, err := marshalEvents([]event{e})
			if err != nil {
				t.Fatal(err)
			}
			b = b[1 : len(b)-1] // the pair alone
			if f, ok := e.v.(upload.FileEvent); ok {
				// The figures the test looks at, in short.
				errText := ""
				if f.Error != nil {
					errText = " " + f.Error.Code
				}
				b, _ = json.Marshal([2]any{e.kind, sent{f.Index, f.State, f.Sent}})
				b = append(b, errText...)
			}
			got = append(got, string(b))
		}
	}, eventKey, foldEvent, eventBatch)
	file := func(i int, s upload.State, n int64) event {
		return event{"file", upload.FileEvent{Index: i, State: s, Sent: n}}
	}
	progress := func(n int64) event { return event{"progress", upload.Progress{SentBytes: n}} }
	q.Push(file(0, upload.StateQueued, 0))
	<-taken
	q.Push(progress(1))
	q.Push(file(1, upload.StateUploading, 10))
	q.Push(progress(2))
	q.Push(file(1, upload.StateUploading, 20))
	q.Push(file(2, upload.StateUploading, 5))
	q.Push(file(1, upload.StateUploaded, 30))
	failed := file(2, upload.StateUploading, 5)
	failed.v = upload.FileEvent{Index: 2, State: upload.StateUploading, Error: &upload.Error{Code: upload.CodeTimeout}}
	q.Push(failed)
	q.Push(progress(3))
	for i := range 2 * eventBatch {
		q.Push(file(3+i, upload.StateQueued, 0))
	}
	close(gate)
	q.Flush()
	want := []string{
		`["file",{"index":0,"state":"queued","sent":0}]`,
		`["progress",{"sentBytes":3,"totalBytes":0,"filesDone":0,"filesTotal":0,"bytesPerSecond":0,"etaSeconds":0}]`,
		`["file",{"index":1,"state":"uploading","sent":20}]`,
		`["file",{"index":2,"state":"uploading","sent":5}]`,
		`["file",{"index":1,"state":"uploaded","sent":30}]`,
		`["file",{"index":2,"state":"uploading","sent":0}] timeout`,
	}
	if len(got) != len(want)+2*eventBatch {
		t.Fatalf("%d events delivered: %v", len(got), got[:min(len(got), 8)])
	}
	for i, w := range want {
		if got[i] != w {
			t.Fatalf("event %d: %s, want %s", i, got[i], w)
		}
	}
}

// TestMarshalEvents: a batch is one JSON array of [kind, value] pairs, the
// same as encoding/json makes of them one by one; none is [].
func TestMarshalEvents(t *testing.T) {
	meta := upload.FileEvent{Index: 7, Name: "a \"b\".jpg", State: upload.StateFailed, Error: &upload.Error{Code: upload.CodeTimeout, Message: "<slow>"}}
	for _, tc := range []struct {
		name  string
		batch []event
	}{
		{"none", nil},
		{"one", []event{{"progress", upload.Progress{SentBytes: 5}}}},
		{"several", []event{{"file", meta}, {"progress", upload.Progress{FilesDone: 1}}, {"file", upload.FileEvent{Index: 8}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := marshalEvents(tc.batch)
			if err != nil {
				t.Fatal(err)
			}
			pairs := make([][2]any, len(tc.batch))
			for i, e := range tc.batch {
				pairs[i] = [2]any{e.kind, e.v}
			}
			want, _ := json.Marshal(pairs)
			if string(got) != string(want) {
				t.Errorf("got  %s\nwant %s", got, want)
			}
			if !json.Valid(got) {
				t.Errorf("not JSON: %s", got)
			}
		})
	}
}
