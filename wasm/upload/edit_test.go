package upload_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"altiup/wasm/upload"
)

// codeOf is the code of an *upload.Error, "" for nil.
func codeOf(err error) string {
	var e *upload.Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err != nil {
		return "not an *upload.Error"
	}
	return ""
}

// TestExcludeInclude: files left out are neither sent nor counted, in the
// progress, the report, the summary or the wanted images, until included.
func TestExcludeInclude(t *testing.T) {
	w := newWorld(t)
	u := w.uploader(upload.Options{Cloud: "s3"})
	var mu sync.Mutex
	var last upload.Progress
	u.OnProgress(func(p upload.Progress) { mu.Lock(); last = p; mu.Unlock() })
	ps := photos(t)[:4]
	u.Add(ps...)
	ctx := context.Background()
	if err := u.Exclude(1, 3); err != nil {
		t.Fatal(err)
	}
	if s, err := u.Inspect(ctx); err != nil || s.Files != 2 || s.Bytes != ps[0].Size()+ps[2].Size() {
		t.Fatalf("summary of %d files, %d bytes, %v", s.Files, s.Bytes, err)
	}
	rep, err := u.Start(ctx)
	if err != nil || rep.Uploaded != 2 || rep.Excluded != 2 || rep.Failed != 0 || rep.Files[1].State != upload.StateExcluded {
		t.Fatalf("report %+v, %v", rep, err)
	}
	if n := w.count("PUT pid1/"); n != 2 {
		t.Fatalf("%d PUTs, want 2", n)
	}
	mu.Lock()
	if want := ps[0].Size() + ps[2].Size(); last.FilesTotal != 2 || last.FilesDone != 2 || last.TotalBytes != want || last.SentBytes != want {
		t.Errorf("progress %+v, want 2 files of %d bytes, all sent", last, want)
	}
	mu.Unlock()
	if res, err := u.WaitProcessed(ctx); err != nil || res.Wanted != 2 || res.Ready != 2 {
		t.Fatalf("processed %+v, %v", res, err)
	}

	if err := u.Include(3); err != nil {
		t.Fatal(err)
	}
	if s, _ := u.Inspect(ctx); s.Files != 3 {
		t.Fatalf("summary of %d files after including one", s.Files)
	}
	rep, err = u.Start(ctx)
	if err != nil || rep.Uploaded != 3 || rep.Excluded != 1 || rep.Files[3].State != upload.StateUploaded {
		t.Fatalf("report after including %+v, %v", rep, err)
	}
	if res, err := u.WaitProcessed(ctx); err != nil || res.Wanted != 3 || res.Ready != 3 {
		t.Fatalf("processed %+v, %v", res, err)
	}
}

// TestExcludeRefused: what cannot be left out changes nothing.
func TestExcludeRefused(t *testing.T) {
	tests := []struct {
		name     string
		indexes  []int
		code     string
		excluded int
		failed   int // c.txt, unless left out
	}{
		{"unknown", []int{3, 7}, upload.CodeInvalidInput, 0, 1},
		{"negative", []int{-1}, upload.CodeInvalidInput, 0, 1},
		{"sent", []int{3, 0}, upload.CodeInvalidInput, 0, 1},
		{"failed", []int{2}, "", 1, 0},
		{"left out twice", []int{3, 3}, "", 1, 1},
		{"none", nil, "", 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			u := w.uploader(upload.Options{Cloud: "s3"})
			u.Add(jpeg("a.jpg", 100))
			if _, err := u.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			u.Add(jpeg("b.jpg", 110), src{name: "c.txt", data: []byte("text")})
			if _, err := u.Start(context.Background()); err != nil { // c.txt fails
				t.Fatal(err)
			}
			u.Add(jpeg("d.jpg", 120)) // 0, 1 sent, 2 failed, 3 queued
			err := u.Exclude(tt.indexes...)
			if codeOf(err) != tt.code {
				t.Fatalf("error %v, want code %q", err, tt.code)
			}
			rep, _ := u.Start(context.Background())
			if rep.Excluded != tt.excluded || rep.Failed != tt.failed {
				t.Errorf("report %+v, want %d excluded", rep, tt.excluded)
			}
		})
	}
}

// TestReplaceInvalid: a file whose image ended Invalid is replaced in its
// place; the next Start sends the new one and it ends Ready. A corrected
// file is a new image (the Invalid one stays so); the same content sent
// again makes the Invalid image start over.
func TestReplaceInvalid(t *testing.T) {
	ps := photos(t)
	truncated, whole := ps[7].(src), ps[1].(src)
	tests := []struct {
		name      string
		by        src
		image     string
		oldImage  string // img1's state at the end
		sameBytes bool
	}{
		{"corrected file", whole, "img2", upload.ImageInvalid, false},
		{"same file again", src{name: "dji-2-again.jpg", typ: "image/jpeg", data: truncated.data}, "img1", upload.ImageReady, true},
	}
	for _, cloud := range []string{"oss", "s3"} {
		for _, tt := range tests {
			t.Run(cloud+"/"+tt.name, func(t *testing.T) {
				w := newWorld(t)
				u := w.uploader(upload.Options{Cloud: cloud})
				var mu sync.Mutex
				var lastEvent upload.FileEvent
				u.OnFile(func(e upload.FileEvent) { mu.Lock(); lastEvent = e; mu.Unlock() })
				ctx := context.Background()
				// The fake finds images named bad* invalid.
				u.Add(src{name: "bad-dji-2.jpg", typ: "image/jpeg", data: truncated.data})
				if _, err := u.Start(ctx); err != nil {
					t.Fatal(err)
				}
				res, err := u.WaitProcessed(ctx)
				if err != nil || res.Wanted != 1 || res.Ready != 0 || res.Invalid != 1 {
					t.Fatalf("first %+v, %v", res, err)
				}
				if err := u.Replace(0, tt.by); err != nil {
					t.Fatal(err)
				}
				s, err := u.Inspect(ctx)
				if err != nil || s.Files != 1 || s.Bytes != tt.by.Size() {
					t.Fatalf("summary of %d files, %d bytes, %v", s.Files, s.Bytes, err)
				}
				rep, err := u.Start(ctx)
				if err != nil || rep.Uploaded != 1 || rep.Files[0].Name != tt.by.name || rep.Files[0].ImageID != tt.image {
					t.Fatalf("report %+v, %v", rep, err)
				}
				mu.Lock()
				if lastEvent.Index != 0 || lastEvent.Name != tt.by.name || lastEvent.Meta == nil || lastEvent.Meta.Model != "FC6310" {
					t.Errorf("last event %+v", lastEvent)
				}
				mu.Unlock()
				res, err = u.WaitProcessed(ctx)
				if err != nil || res.Wanted != 1 || res.Ready != 1 || res.Invalid != 0 {
					t.Fatalf("after replacing %+v, %v", res, err)
				}
				if st := w.images["img1"].State; st != tt.oldImage {
					t.Errorf("the first image is %s, want %s", st, tt.oldImage)
				}
				if err := u.Replace(0, whole); codeOf(err) != upload.CodeInvalidInput {
					t.Errorf("replacing a Ready file: %v", err)
				}
			})
		}
	}
}

func TestReplaceRefused(t *testing.T) {
	w := newWorld(t)
	u := w.uploader(upload.Options{Cloud: "s3"})
	u.Add(jpeg("a.jpg", 100))
	tests := []struct {
		name  string
		index int
		by    upload.Source
		code  string
	}{
		{"unknown index", 1, jpeg("b.jpg", 100), upload.CodeInvalidInput},
		{"no file", 0, nil, upload.CodeInvalidInput},
		{"queued", 0, jpeg("b.jpg", 110), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := u.Replace(tt.index, tt.by); codeOf(err) != tt.code {
				t.Errorf("error %v, want code %q", err, tt.code)
			}
		})
	}
	rep, err := u.Start(context.Background())
	if err != nil || rep.Total != 1 || rep.Files[0].Name != "b.jpg" || rep.Uploaded != 1 {
		t.Fatalf("report %+v, %v", rep, err)
	}
}

// TestReplaceWhileReading: the metadata of a file replaced while it was read
// shows in no event: the index is the new file's.
func TestReplaceWhileReading(t *testing.T) {
	w := newWorld(t)
	u := w.uploader(upload.Options{Cloud: "s3", MetaConcurrency: 2})
	var mu sync.Mutex
	var names []string // of the events of file 0 that carry meta
	metaOf2 := make(chan struct{})
	u.OnFile(func(e upload.FileEvent) {
		if e.Meta == nil {
			return
		}
		switch e.Index {
		case 0:
			mu.Lock()
			names = append(names, e.Name)
			mu.Unlock()
		case 2:
			close(metaOf2)
		}
	})
	var entered sync.Map
	releaseOld, releaseGate := make(chan struct{}), make(chan struct{})
	defer close(releaseGate)
	u.Add(blocking{jpeg("old.jpg", 100), 0, releaseOld, &entered})
	waitEntered(&entered, 0)
	if err := u.Replace(0, jpeg("new.jpg", 100)); err != nil {
		t.Fatal(err)
	}
	if _, err := u.Inspect(context.Background()); err != nil { // new.jpg is read
		t.Fatal(err)
	}
	// The gate holds the second slot, so file 2 is read only once the old
	// read is over, and its event comes after any the old read queued.
	u.Add(blocking{jpeg("gate.jpg", 100), 1, releaseGate, &entered})
	waitEntered(&entered, 1)
	u.Add(jpeg("c.jpg", 100))
	close(releaseOld)
	<-metaOf2
	mu.Lock()
	defer mu.Unlock()
	if len(names) != 1 || names[0] != "new.jpg" {
		t.Errorf("events of file 0 with meta: %v, want [new.jpg]", names)
	}
}

// waitEntered waits until the read of file i has begun.
func waitEntered(entered *sync.Map, i int) {
	for {
		if _, ok := entered.Load(i); ok {
			return
		}
		time.Sleep(time.Millisecond)
	}
}
