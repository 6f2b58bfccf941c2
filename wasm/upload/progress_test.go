package upload

import (
	"testing"
	"time"
)

func TestProgressArithmetic(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := t0
	var p progress
	p.init(func() time.Time { return now })
	p.addFile(1000)
	p.addFile(3000)

	type step struct {
		at       time.Duration
		do       func()
		wantSent int64
		wantDone int
		wantRate float64
		wantETA  float64
	}
	steps := []step{
		{0, func() { p.begin() }, 0, 0, 0, 0},
		{time.Second, func() { p.sent(0, 500, 500) }, 500, 0, 500, 7},
		{2 * time.Second, func() { p.sent(0, 500, 1000); p.finish(0, 1000) }, 1000, 1, 500, 6},
		// A retry of file 1 sends 200 bytes again: the total does not go
		// back, but the rate counts every byte sent.
		{3 * time.Second, func() { p.sent(1, 400, 400) }, 1400, 1, 1400.0 / 3, 2600 / (1400.0 / 3)},
		{4 * time.Second, func() { p.sent(1, 200, 200) }, 1400, 1, 1600.0 / 4, 2600 / (1600.0 / 4)},
		// After the window only the last five seconds count.
		{10 * time.Second, func() { p.sent(1, 2600, 2800) }, 3800, 1, (4200.0 - 1600) / 6, 200 / ((4200.0 - 1600) / 6)},
		{11 * time.Second, func() { p.sent(1, 200, 3000); p.finish(1, 3000) }, 4000, 2, (4400.0 - 1600) / 7, 0},
	}
	for _, s := range steps {
		t.Run(s.at.String(), func(t *testing.T) {
			now = t0.Add(s.at)
			s.do()
			got := p.snapshot()
			if got.SentBytes != s.wantSent || got.TotalBytes != 4000 || got.FilesDone != s.wantDone || got.FilesTotal != 2 {
				t.Fatalf("%+v, want sent %d done %d", got, s.wantSent, s.wantDone)
			}
			if diff := got.BytesPerSecond - s.wantRate; diff > 1e-9 || diff < -1e-9 {
				t.Fatalf("rate %v, want %v", got.BytesPerSecond, s.wantRate)
			}
			if diff := got.ETASeconds - s.wantETA; diff > 1e-9 || diff < -1e-9 {
				t.Fatalf("ETA %v, want %v", got.ETASeconds, s.wantETA)
			}
		})
	}
}
