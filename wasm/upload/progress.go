package upload

import (
	"sync"
	"time"
)

// rateWindow is how far back the transfer rate looks.
const rateWindow = 5 * time.Second

// progress accounts the bytes of a batch. SentBytes counts finished files
// whole and files in flight by the most bytes any attempt has sent, so it
// never goes down when a PUT is retried; the rate counts every byte put on
// the wire, retries included.
type progress struct {
	mu          sync.Mutex
	now         func() time.Time
	total       int64
	finished    int64         // bytes of finished files
	inflight    map[int]int64 // most bytes sent so far per file in flight
	filesDone   int
	filesTotal  int
	transferred int64        // every byte sent, retries included
	samples     []rateSample // (time, transferred), oldest first
}

type rateSample struct {
	t time.Time
	n int64
}

func (p *progress) init(now func() time.Time) {
	p.now = now
	p.inflight = map[int]int64{}
}

func (p *progress) addFile(size int64) {
	p.mu.Lock()
	p.total += size
	p.filesTotal++
	p.mu.Unlock()
}

// begin marks the start of a PUT attempt, so that the rate does not count
// the time before it as idle.
func (p *progress) begin() {
	p.mu.Lock()
	p.sample()
	p.mu.Unlock()
}

// sent records that an attempt for file idx has sent delta more bytes,
// sent in all.
func (p *progress) sent(idx int, delta, sent int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if delta > 0 {
		p.transferred += delta
	}
	if sent > p.inflight[idx] {
		p.inflight[idx] = sent
	}
	p.sample()
}

// finish counts file idx of the given size as done.
func (p *progress) finish(idx int, size int64) {
	p.mu.Lock()
	delete(p.inflight, idx)
	p.finished += size
	p.filesDone++
	p.mu.Unlock()
}

// removeFile takes back an addFile, and the finish of a file that was
// done, for a file left out or replaced.
func (p *progress) removeFile(size int64, done bool) {
	p.mu.Lock()
	p.total -= size
	p.filesTotal--
	if done {
		p.finished -= size
		p.filesDone--
	}
	p.mu.Unlock()
}

// unfinish takes back a finish, for a file queued again.
func (p *progress) unfinish(size int64) {
	p.mu.Lock()
	p.finished -= size
	p.filesDone--
	p.mu.Unlock()
}

// sample records the current total; p.mu is held. Samples older than the
// window are dropped, except the newest of them, which is the baseline.
func (p *progress) sample() {
	now := p.now()
	p.samples = append(p.samples, rateSample{now, p.transferred})
	cut := 0
	for cut+1 < len(p.samples) && now.Sub(p.samples[cut+1].t) >= rateWindow {
		cut++
	}
	if cut > 0 {
		p.samples = append(p.samples[:0], p.samples[cut:]...)
	}
}

func (p *progress) snapshot() Progress {
	p.mu.Lock()
	defer p.mu.Unlock()
	pr := Progress{
		SentBytes:  p.finished,
		TotalBytes: p.total,
		FilesDone:  p.filesDone,
		FilesTotal: p.filesTotal,
	}
	for _, n := range p.inflight {
		pr.SentBytes += n
	}
	if pr.SentBytes > pr.TotalBytes {
		pr.SentBytes = pr.TotalBytes
	}
	if n := len(p.samples); n >= 2 {
		first, last := p.samples[0], p.samples[n-1]
		if dt := last.t.Sub(first.t).Seconds(); dt > 0 {
			pr.BytesPerSecond = float64(last.n-first.n) / dt
		}
	}
	if pr.BytesPerSecond > 0 {
		pr.ETASeconds = float64(pr.TotalBytes-pr.SentBytes) / pr.BytesPerSecond
	}
	return pr
}
