package upload_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"altiup/wasm/photometa/phototest"
	"altiup/wasm/upload"
)

// named is a phototest.File as a Source.
type named struct {
	*phototest.File
	name string
}

func (n named) Name() string { return n.name }
func (n named) Type() string { return "image/jpeg" }

// inspectFlight adds a flight of 8 MiB photos to a new Uploader and sums
// it up; it returns the share of their bytes read.
func inspectFlight(tb testing.TB, files []*phototest.File) float64 {
	w := newWorld(tb)
	u := w.uploader(upload.Options{Cloud: "s3"})
	var total int64
	for i, f := range files {
		f.ResetRead()
		total += f.Size()
		u.Add(named{f, fmt.Sprintf("DJI_%04d.JPG", i)})
	}
	s, err := u.Inspect(context.Background())
	if err != nil || s.Images != len(files) || s.WithGPS != len(files) || len(s.Warnings) != 0 {
		tb.Fatalf("summary %d images, %d with GPS, %v; %v", s.Images, s.WithGPS, s.Warnings, err)
	}
	var read int64
	for _, f := range files {
		read += f.Read()
	}
	return float64(read) / float64(total)
}

// TestInspectReadsLittle: the Uploader sums up a thousand 8 MiB photos from
// at most 1% of their bytes.
func TestInspectReadsLittle(t *testing.T) {
	if share := inspectFlight(t, phototest.Flight(1000)); share > 0.01 {
		t.Errorf("read %.2f%% of the bytes, want at most 1%%", 100*share)
	}
}

// BenchmarkInspect1000 adds 1,000 photos of 8 MiB and waits for their
// summary, reporting the share of their bytes read and the time per batch.
func BenchmarkInspect1000(b *testing.B) {
	files := phototest.Flight(1000)
	var share float64
	start := time.Now()
	n := 0
	for b.Loop() {
		share = inspectFlight(b, files)
		n++
	}
	b.ReportMetric(100*share, "%read")
	b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(n), "ms/batch")
}

// BenchmarkAdd10000 adds 10,000 files: Add only queues them.
func BenchmarkAdd10000(b *testing.B) {
	srcs := manyFiles(10_000)
	w := newWorld(b)
	for b.Loop() {
		u := w.uploader(upload.Options{Cloud: "s3"})
		u.Add(srcs...)
	}
}
