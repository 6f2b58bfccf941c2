//go:build js && wasm

package browser

import (
	"bytes"
	"context"
	"testing"
	"time"

	"altiup/wasm/upload"
)

// TestHeadPool: the workers read the first bytes of each File of a batch,
// in order, a short file whole, and read on at an offset (ReadOn), short at
// the file's end; what they cannot read (a Source that is no File, every
// file when the workers cannot start) comes back nil, or not ok, for the
// caller to read itself. The same whether the pool was waited for (Ready)
// or not: a batch is posted while the workers load.
func TestHeadPool(t *testing.T) {
	const n = 1000
	long, short := pattern(5000), pattern(300)
	empty := []byte{}
	mem := memSource{bytes.NewReader(pattern(2000)), "mem.bin"}
	srcs := []upload.Source{
		newJSFile(t, long, "long.jpg", "image/jpeg"),
		mem,
		newJSFile(t, short, "short.jpg", "image/jpeg"),
		newJSFile(t, empty, "empty.jpg", "image/jpeg"),
	}
	want := [][]byte{long[:n], nil, short, empty}

	cors := serverURL(t, "ALTIUP_TEST_CORS_URL")
	ctx := context.Background()
	type poolCase struct {
		name    string
		pool    *HeadPool
		workers bool
		ready   bool // Ready before the first batch
	}
	var cases []poolCase
	for _, ready := range []bool{true, false} {
		for _, c := range []struct {
			name, url string
			workers   bool
		}{
			{"cross-origin script with CORS", cors + "/head-worker.js", true},
			{"cross-origin script without CORS", serverURL(t, "ALTIUP_TEST_NOCORS_URL") + "/head-worker.js", false},
			{"script not found", revokedScriptURL(), false},
			{"script fails", scriptURL(t, "throw new Error('no');"), false},
		} {
			name := c.name + "/batch while loading"
			if ready {
				name = c.name + "/batch once ready"
			}
			pool := NewHeadPool(c.url, 2)
			t.Cleanup(pool.terminate)
			cases = append(cases, poolCase{name, pool, c.workers, ready})
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.ready {
				defer func() {
					if err := tc.pool.Ready(); (err == nil) != tc.workers {
						t.Fatalf("Ready after the batches: %v, want workers running: %v", err, tc.workers)
					}
				}()
			} else if err := tc.pool.Ready(); (err == nil) != tc.workers {
				t.Fatalf("Ready: %v, want workers running: %v", err, tc.workers)
			}
			// Twice: both workers of a pool answer, the second into the
			// buffer of the first answer, handed back to it.
			for round := range 2 {
				got := headsOf(ctx, tc.pool, srcs, n)
				if len(got) != len(srcs) {
					t.Fatalf("%d heads for %d files", len(got), len(srcs))
				}
				for i := range srcs {
					w := want[i]
					if !tc.workers {
						w = nil
					}
					if !bytes.Equal(got[i], w) || (got[i] == nil) != (w == nil) {
						t.Errorf("round %d, %s: %d bytes (nil %v), want %d (nil %v)", round, srcs[i].Name(), len(got[i]), got[i] == nil, len(w), w == nil)
					}
				}
			}
			// A shorter batch is answered in the buffer the longer one's
			// answer left: the page keeps it, larger than the answer.
			small := headsOf(ctx, tc.pool, srcs[2:], 10)
			if w := tc.workers; (small[0] != nil) != w || w && !bytes.Equal(small[0], short[:10]) {
				t.Errorf("a short batch: %q, want read: %v", small[0], w)
			}
			tc.pool.mu.Lock()
			var spare []int
			for _, b := range tc.pool.spare {
				spare = append(spare, b.Get("byteLength").Int())
			}
			tc.pool.mu.Unlock()
			if tc.workers && (len(spare) != 1 || spare[0] < 4*(1+3)+n+300) {
				t.Errorf("buffers kept for the workers: %v bytes, want one of at least the first answer's %d", spare, 4*(1+3)+n+300)
			}
			if !tc.workers && len(spare) != 0 {
				t.Errorf("buffers kept from workers that cannot run: %v", spare)
			}
			for _, r := range []struct {
				src    upload.Source
				off, n int
				want   []byte // nil: not read
			}{
				{srcs[0], 1000, 1500, long[1000:2500]},
				{srcs[0], 4000, 2000, long[4000:]},
				{srcs[0], 6000, 10, []byte{}},
				{srcs[2], 0, 300, short},
				{mem, 0, 10, nil},
			} {
				buf := make([]byte, r.n)
				got, ok := tc.pool.ReadOn(ctx, r.src, buf, int64(r.off))
				w := r.want
				if !tc.workers {
					w = nil
				}
				if ok != (w != nil) || ok && !bytes.Equal(buf[:got], w) {
					t.Errorf("ReadOn %s at %d: %d bytes, ok %v; want %d bytes, ok %v", r.src.Name(), r.off, got, ok, len(w), w != nil)
				}
			}
		})
	}
}

// TestHeadsWaitForSizes: while the sizes of chosen files are being read
// (Stat), the pool reads no heads, since its reads would make each size
// wait several times as long; it reads them once the sizes are in, and a
// caller that gives up meanwhile gets nil heads.
func TestHeadsWaitForSizes(t *testing.T) {
	pool := NewHeadPool(serverURL(t, "ALTIUP_TEST_CORS_URL")+"/head-worker.js", 1)
	t.Cleanup(pool.terminate)
	if err := pool.Ready(); err != nil {
		t.Fatal(err)
	}
	body := pattern(100)
	srcs := []upload.Source{newJSFile(t, body, "a.jpg", "image/jpeg")}
	endStat := holdStat(t)

	// Given up while the sizes are read: nothing read.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got := headsOf(ctx, pool, srcs, 10); got[0] != nil {
		t.Fatalf("a head read while sizes were read: %q", got[0])
	}

	heads := make(chan [][]byte, 1)
	go func() {
		got := headsOf(context.Background(), pool, srcs, 10)
		heads <- got
	}()
	select {
	case got := <-heads:
		t.Fatalf("heads read while sizes were read: %q", got)
	case <-time.After(100 * time.Millisecond):
	}
	endStat()
	if got := <-heads; !bytes.Equal(got[0], body[:10]) {
		t.Fatalf("head %q once the sizes were in, want %q", got[0], body[:10])
	}
}

// TestStartIdle: StartIdle starts a pool's workers on its own once its
// delay has passed, but not while the sizes of chosen files are being read
// (workers loading then make each size wait longer): it waits for them.
func TestStartIdle(t *testing.T) {
	type pool struct {
		startIdle func(time.Duration)
		started   func() int
		ready     func() error
	}
	base := serverURL(t, "ALTIUP_TEST_CORS_URL")
	tests := []struct {
		name string
		make func(t *testing.T) pool
	}{
		{"head workers", func(t *testing.T) pool {
			p := NewHeadPool(base+"/head-worker.js", 2)
			t.Cleanup(p.terminate)
			return pool{p.StartIdle, func() int { p.mu.Lock(); defer p.mu.Unlock(); return len(p.all) }, p.Ready}
		}},
		{"hash workers", func(t *testing.T) pool {
			p := NewWorkerPool(base+"/hash-worker.js", 2)
			t.Cleanup(p.terminate)
			return pool{p.StartIdle, func() int { p.mu.Lock(); defer p.mu.Unlock(); return len(p.all) }, p.Ready}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.make(t)
			endStat := holdStat(t)
			p.startIdle(10 * time.Millisecond)
			time.Sleep(200 * time.Millisecond)
			if n := p.started(); n != 0 {
				t.Fatalf("%d workers started while sizes were read", n)
			}
			endStat()
			deadline := time.Now().Add(workerStartTimeout)
			for p.started() < 2 {
				if time.Now().After(deadline) {
					t.Fatalf("%d workers started once the sizes were in, want 2", p.started())
				}
				time.Sleep(10 * time.Millisecond)
			}
			if err := p.ready(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// holdStat starts a Stat of a file and holds it under way until end is
// called; end returns once it is over.
func holdStat(t *testing.T) (end func()) {
	t.Helper()
	arr := jsGlobal.Get("Array").New(newJSFile(t, pattern(10), "held.jpg", "image/jpeg").Blob())
	picked, err := Pick(arr)
	if err != nil {
		t.Fatal(err)
	}
	inStat, endStat, statDone := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(statDone)
		picked.Stat(false, func([]*File) bool {
			close(inStat)
			<-endStat
			return true
		})
	}()
	<-inStat
	return func() {
		close(endStat)
		<-statDone
	}
}

// headsOf is what Heads hands over, copied (each head is lent for its call).
func headsOf(ctx context.Context, p *HeadPool, srcs []upload.Source, n int) [][]byte {
	out := make([][]byte, len(srcs))
	p.Heads(ctx, srcs, n, func(i int, head []byte) { out[i] = bytes.Clone(head) })
	return out
}
