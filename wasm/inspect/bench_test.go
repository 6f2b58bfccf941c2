package inspect_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"altiup/wasm/inspect"
	"altiup/wasm/photometa/phototest"
)

// inspectAll reads the metadata of srcs into a batch and sums it up, and
// returns the share of their bytes read (hashing included).
func inspectAll(tb testing.TB, srcs []*phototest.File) (inspect.Summary, float64) {
	h := newHasher(srcs)
	b := inspect.NewBatch(h.hash)
	for i, src := range srcs {
		src.ResetRead()
		b.Add(inspect.Read(i, fmt.Sprintf("DJI_%04d.JPG", i), src))
	}
	s, err := b.Summary(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	var read, total int64
	for _, src := range srcs {
		read += src.Read()
		total += src.Size()
	}
	return s, float64(read) / float64(total)
}

// TestInspectReadsLittle: a thousand 8 MiB photos are summed up from at
// most 1% of their bytes.
func TestInspectReadsLittle(t *testing.T) {
	s, share := inspectAll(t, phototest.Flight(1000))
	if s.Images != 1000 || s.WithGPS != 1000 || len(s.Warnings) != 0 {
		t.Errorf("summary: %d images, %d with GPS, warnings %v", s.Images, s.WithGPS, s.Warnings)
	}
	if share > 0.01 {
		t.Errorf("read %.2f%% of the bytes, want at most 1%%", 100*share)
	}
}

// BenchmarkInspect1000 reads the metadata of 1,000 photos of 8 MiB and sums
// them up, reporting the share of their bytes read and the time per batch.
func BenchmarkInspect1000(b *testing.B) {
	srcs := phototest.Flight(1000)
	var share float64
	start := time.Now()
	n := 0
	for b.Loop() {
		_, share = inspectAll(b, srcs)
		n++
	}
	b.ReportMetric(100*share, "%read")
	b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(n), "ms/batch")
	if share > 0.01 {
		b.Fatalf("read %.2f%% of the bytes, want at most 1%%", 100*share)
	}
}
