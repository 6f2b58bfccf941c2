package browser

import (
	"sync"
	"time"
)

// DefaultQuickPut is how long a PUT may be expected to take and still go by
// fetch: shorter than a second, its progress within the file says little
// that the end of the file does not.
const DefaultQuickPut = time.Second

// assumedPutRate is what a PUT is taken to send per second before one has
// ended: a slow link's, so that a large first file shows its progress.
const assumedPutRate = 1 << 20

// minRateSample is the smallest body whose PUT tells the rate: below it the
// round trip, not the link, sets the time.
const minRateSample = 256 << 10

// putClock estimates how long a PUT of n bytes takes, from the PUTs that
// ended (each PUT's own rate, so the concurrency is in it).
type putClock struct {
	mu  sync.Mutex
	bps float64 // bytes per second of one PUT, smoothed; 0 before a sample
}

// expect is the time a PUT of n bytes is expected to take.
func (c *putClock) expect(n int64) time.Duration {
	c.mu.Lock()
	bps := c.bps
	c.mu.Unlock()
	if bps <= 0 {
		bps = assumedPutRate
	}
	return time.Duration(float64(n) / bps * float64(time.Second))
}

// ended records a PUT of n bytes that took d; ok false for one that
// failed, after which the rate is not known any more (the link may have
// changed).
func (c *putClock) ended(n int64, d time.Duration, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !ok {
		c.bps = 0
		return
	}
	if n < minRateSample || d <= 0 {
		return
	}
	r := float64(n) / d.Seconds()
	if c.bps <= 0 {
		c.bps = r
		return
	}
	// Smoothed over the last few PUTs: one slow PUT moves it, a run of
	// them turns it.
	c.bps = 0.7*c.bps + 0.3*r
}
