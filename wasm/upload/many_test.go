package upload_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"altiup/wasm/upload"
)

// memPutter stores bodies in memory, skipping HTTP, for big batches.
type memPutter struct {
	mu   sync.Mutex
	puts int
}

func (m *memPutter) Put(ctx context.Context, req upload.PutRequest, s upload.Source, progress func(int64)) (*upload.PutResponse, error) {
	m.mu.Lock()
	m.puts++
	m.mu.Unlock()
	if progress != nil {
		progress(s.Size())
	}
	return &upload.PutResponse{StatusCode: http.StatusOK}, nil
}

func (m *memPutter) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.puts
}

func manyFiles(n int) []upload.Source {
	out := make([]upload.Source, n)
	for i := range out {
		out[i] = jpeg(fmt.Sprintf("p%05d.jpg", i), 64+i%32)
		// Distinct content: stamp the index into the bytes.
		d := out[i].(src).data
		d[10], d[11], d[12] = byte(i), byte(i>>8), byte(i>>16)
	}
	return out
}

func TestManyFiles(t *testing.T) {
	const n = 3000
	w := newWorld(t)
	d := w.deps()
	mp := &memPutter{}
	d.Putter = mp
	u, err := upload.New(upload.Options{Project: "pid1", Cloud: "s3", Concurrency: 8}, d)
	if err != nil {
		t.Fatal(err)
	}
	u.Add(manyFiles(n)...)
	rep, err := u.Start(context.Background())
	if err != nil || rep.Uploaded != n || mp.puts != n {
		t.Fatalf("uploaded %d, puts %d, %v", rep.Uploaded, mp.puts, err)
	}
}

func BenchmarkBatch10k(b *testing.B) {
	files := manyFiles(10000)
	for b.Loop() {
		w := newWorld(b)
		d := w.deps()
		d.Putter = &memPutter{}
		u, err := upload.New(upload.Options{Project: "pid1", Cloud: "s3"}, d)
		if err != nil {
			b.Fatal(err)
		}
		u.Add(files...)
		if rep, err := u.Start(context.Background()); err != nil || rep.Uploaded != len(files) {
			b.Fatalf("%+v %v", rep.Uploaded, err)
		}
	}
}

// BenchmarkAdd10k measures adding 10,000 files with a file listener set, up
// to the delivery of their last event.
func BenchmarkAdd10k(b *testing.B) {
	files := manyFiles(10000)
	for b.Loop() {
		w := newWorld(b)
		d := w.deps()
		d.Putter = &memPutter{}
		u, err := upload.New(upload.Options{Project: "pid1", Cloud: "s3"}, d)
		if err != nil {
			b.Fatal(err)
		}
		got := make(chan struct{})
		n := 0
		u.OnFile(func(e upload.FileEvent) {
			if n++; n == len(files) {
				close(got)
			}
		})
		u.Add(files...)
		<-got
	}
}
