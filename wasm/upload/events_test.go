package upload_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"altiup/wasm/upload"
)

func TestProgressEvents(t *testing.T) {
	w := newWorld(t)
	u := w.uploader(upload.Options{Cloud: "oss", Concurrency: 3})
	var mu sync.Mutex
	var progs []upload.Progress
	sent := map[string]int64{}
	u.OnProgress(func(p upload.Progress) { mu.Lock(); progs = append(progs, p); mu.Unlock() })
	u.OnFile(func(e upload.FileEvent) {
		mu.Lock()
		defer mu.Unlock()
		if e.Sent < sent[e.Name] && e.State == upload.StateUploading {
			t.Errorf("%s: sent went down from %d to %d", e.Name, sent[e.Name], e.Sent)
		}
		sent[e.Name] = max(sent[e.Name], e.Sent)
	})
	var total int64
	for i := range 5 {
		f := jpeg(fmt.Sprintf("f%d.jpg", i), 100000*(i+1))
		total += f.Size()
		u.Add(f)
	}
	if _, err := u.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	var last upload.Progress
	for _, p := range progs {
		if p.SentBytes < last.SentBytes || p.FilesDone < last.FilesDone {
			t.Fatalf("progress went back: %+v after %+v", p, last)
		}
		if p.TotalBytes > total || p.SentBytes > p.TotalBytes {
			t.Fatalf("progress out of bounds: %+v", p)
		}
		last = p
	}
	want := upload.Progress{SentBytes: total, TotalBytes: total, FilesDone: 5, FilesTotal: 5}
	if last.SentBytes != want.SentBytes || last.TotalBytes != want.TotalBytes || last.FilesDone != 5 || last.FilesTotal != 5 {
		t.Fatalf("final progress %+v, want %+v", last, want)
	}
	for i := range 5 {
		if n := sent[fmt.Sprintf("f%d.jpg", i)]; n != int64(100000*(i+1)) {
			t.Fatalf("file %d: sent %d", i, n)
		}
	}
}

func TestJSONFieldNames(t *testing.T) {
	tests := []struct {
		v    any
		want []string
	}{
		{upload.FileEvent{Name: "a", Checksum: "c", ImageID: "i", Error: &upload.Error{Code: "x", Message: "m"}}, []string{`"name"`, `"size"`, `"state"`, `"checksum"`, `"imageId"`, `"error":{"code":"x","message":"m"}`}},
		{upload.Progress{}, []string{`"sentBytes"`, `"totalBytes"`, `"filesDone"`, `"filesTotal"`, `"bytesPerSecond"`, `"etaSeconds"`}},
		{upload.Report{Files: []upload.FileReport{{ImageID: "i", Checksum: "c"}}}, []string{`"total"`, `"uploaded"`, `"skipped"`, `"failed"`, `"files":[{"name"`, `"state"`, `"imageId"`, `"checksum"`}},
		{upload.Processed{InvalidFiles: []upload.InvalidFile{{Index: 3, Path: "a/b.jpg", ImageID: "i"}}, FailedFiles: []upload.InvalidFile{{Name: "x"}}}, []string{`"ready"`, `"invalid"`, `"invalidFiles":[{"index":3,"name":"","path":"a/b.jpg","imageId":"i","errors":null}]`, `"failed":0`, `"failedFiles":[{"index":0,"name":"x"`}},
		{upload.FileEvent{Path: "d/a.jpg"}, []string{`"path":"d/a.jpg"`}},
		{upload.FileReport{Path: "d/a.jpg"}, []string{`"path":"d/a.jpg"`}},
		{upload.Reconstruction{}, []string{`"task":null`, `"error":null`}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%T", tc.v), func(t *testing.T) {
			b, err := json.Marshal(tc.v)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(b), w) {
					t.Fatalf("%s lacks %s", b, w)
				}
			}
		})
	}
}
