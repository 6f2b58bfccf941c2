//go:build js && wasm

package browser

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall/js"
	"testing"
	"time"
)

// workerScriptURL serves web/hash-worker.js to the workers from a blob: URL:
// the test page is not served from web/, and a Worker script must have the
// page's origin. The CORS test server hands out the file itself.
func workerScriptURL(t *testing.T) string {
	t.Helper()
	return scriptURL(t, workerScriptText(t))
}

// workerScriptText is web/hash-worker.js, as the test server serves it.
func workerScriptText(t *testing.T) string {
	t.Helper()
	cors := serverURL(t, "ALTIUP_TEST_CORS_URL")
	resp, err := (&http.Client{}).Get(cors + "/hash-worker.js")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	text, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("hash-worker.js: %d %v", resp.StatusCode, err)
	}
	return string(text)
}

// scriptURL is a blob: URL of a worker script.
func scriptURL(t *testing.T, text string) string {
	opts := jsObject.New()
	opts.Set("type", "text/javascript")
	url := jsGlobal.Get("URL").Call("createObjectURL", jsBlob.New(jsGlobal.Get("Array").New(text), opts)).String()
	if t != nil {
		t.Cleanup(func() { jsGlobal.Get("URL").Call("revokeObjectURL", url) })
	}
	return url
}

// revokedScriptURL is a same-origin URL that does not load. (A missing path
// will not do: the test page's server answers every path.)
func revokedScriptURL() string {
	url := scriptURL(nil, "postMessage({ready: true, subtle: true});")
	jsGlobal.Get("URL").Call("revokeObjectURL", url)
	return url
}

func TestWorkerSHA1(t *testing.T) {
	big := pattern(4<<20 + 1)
	sum := sha1.Sum(big)
	vectors := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
		{"one byte", []byte("a"), "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8"},
		{"4 MiB + 1", big, hex.EncodeToString(sum[:])},
	}
	ctx := context.Background()
	good := NewWorkerPool(workerScriptURL(t), 2)
	t.Cleanup(good.terminate)
	if err := good.Ready(); err != nil {
		t.Fatalf("the workers did not start: %v", err)
	}
	pools := []struct {
		name    string
		pool    *WorkerPool
		workers bool // whether the workers run, or the page hashes instead
	}{
		{"workers", good, true},
		{"cross-origin script with CORS", NewWorkerPool(serverURL(t, "ALTIUP_TEST_CORS_URL")+"/hash-worker.js", 2), true},
		{"cross-origin script without CORS", NewWorkerPool(serverURL(t, "ALTIUP_TEST_NOCORS_URL")+"/hash-worker.js", 2), false},
		{"script not found", NewWorkerPool(revokedScriptURL(), 2), false},
		{"script fails", NewWorkerPool(scriptURL(t, "throw new Error('no');"), 2), false},
		{"no WebCrypto in the worker", NewWorkerPool(scriptURL(t, "postMessage({ready: true, subtle: false});"), 2), false},
	}
	for _, p := range pools {
		t.Run(p.name, func(t *testing.T) {
			if err := p.pool.Ready(); (err == nil) != p.workers || err != nil && !errors.Is(err, ErrNoWorkers) {
				t.Fatalf("Ready: %v, want workers running: %v", err, p.workers)
			}
			h := &Hasher{Workers: p.pool}
			for _, v := range vectors {
				f := newJSFile(t, v.data, v.name+".bin", "")
				if p.workers {
					got, err := p.pool.SHA1(ctx, f)
					if err != nil || got != v.want {
						t.Errorf("%s in a worker: %s, %v; want %s", v.name, got, err, v.want)
					}
				}
				got, err := h.SHA1(ctx, f)
				if err != nil || got != v.want {
					t.Errorf("%s through the Hasher: %s, %v; want %s", v.name, got, err, v.want)
				}
			}
		})
	}
	// More files than workers at once: each gets its own checksum.
	t.Run("concurrent", func(t *testing.T) {
		var wg sync.WaitGroup
		for i := range 6 {
			data := pattern(1<<20 + i)
			want := sha1.Sum(data)
			f := newJSFile(t, data, "c.bin", "")
			wg.Go(func() {
				got, err := good.SHA1(ctx, f)
				if err != nil || got != hex.EncodeToString(want[:]) {
					t.Errorf("file %d: %s, %v", i, got, err)
				}
			})
		}
		wg.Wait()
	})
	// Many small files at once: a worker takes several (never more than
	// WorkerFiles, nor past WorkerBytes unless alone), each gets its own
	// checksum, and the format check then reads the head the worker kept.
	t.Run("small files share a worker", func(t *testing.T) {
		var wg sync.WaitGroup
		most := 0
		for i := range 40 {
			data := pattern(100_000 + i)
			data[0], data[1], data[2] = 0xFF, 0xD8, 0xFF
			want := sha1.Sum(data)
			f := newJSFile(t, data, "s.jpg", "")
			wg.Go(func() {
				got, err := good.SHA1(ctx, f)
				if err != nil || got != hex.EncodeToString(want[:]) {
					t.Errorf("file %d: %s, %v", i, got, err)
				}
				good.mu.Lock()
				for _, w := range good.all {
					if w.files > WorkerFiles || w.files > 1 && w.bytes > WorkerBytes {
						t.Errorf("a worker holds %d files, %d bytes", w.files, w.bytes)
					}
					most = max(most, w.files)
				}
				good.mu.Unlock()
				head := make([]byte, 16)
				if n, ok := f.fromHead(head, 0); !ok || n != 16 || !bytes.Equal(head, data[:16]) {
					t.Errorf("file %d: head %x (%v), want %x", i, head[:n], ok, data[:16])
				}
			})
		}
		wg.Wait()
		// All 40 ask before any answer can come back (Go yields to the
		// page only once every goroutine waits), so the workers fill up.
		if most != WorkerFiles {
			t.Errorf("a worker held at most %d files at once, want %d", most, WorkerFiles)
		}
	})
	// Photos of 8 MiB: a worker holds two, reading the second while it
	// digests the first (the worker reads in order, one at a time), and
	// each answer is its own file's.
	t.Run("a worker reads the next photo while it digests one", func(t *testing.T) {
		one := NewWorkerPool(workerScriptURL(t), 1)
		if err := one.Ready(); err != nil {
			t.Fatal(err)
		}
		defer one.terminate()
		var wg sync.WaitGroup
		for i := range 4 {
			data := pattern(8<<20 - i)
			want := sha1.Sum(data)
			f := newJSFile(t, data, "p.jpg", "")
			wg.Go(func() {
				got, err := one.SHA1(ctx, f)
				if err != nil || got != hex.EncodeToString(want[:]) {
					t.Errorf("photo %d: %s, %v", i, got, err)
				}
			})
		}
		// How many the worker holds, looked at while they are hashed.
		finished := make(chan struct{})
		most := 0
		go func() { wg.Wait(); close(finished) }()
		for watching := true; watching; {
			one.mu.Lock()
			most = max(most, one.all[0].files)
			one.mu.Unlock()
			select {
			case <-finished:
				watching = false
			case <-time.After(time.Millisecond):
			}
		}
		if most != 2 {
			t.Errorf("the worker held at most %d photos at once, want 2", most)
		}
	})
}

// BenchmarkWorkerSHA1 hashes 8 files of 8 MiB two at a time in the workers,
// beside one at a time with WebCrypto on the page (the path without workers).
func BenchmarkWorkerSHA1(b *testing.B) {
	const n, size = 8, 8 << 20
	cors := os.Getenv("ALTIUP_TEST_CORS_URL")
	if cors == "" {
		b.Skip("ALTIUP_TEST_CORS_URL is not set")
	}
	resp, err := (&http.Client{}).Get(cors + "/hash-worker.js")
	if err != nil {
		b.Fatal(err)
	}
	text, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	pool := NewWorkerPool(scriptURL(nil, string(text)), 2)
	defer pool.terminate()
	if err := pool.Ready(); err != nil {
		b.Fatal(err)
	}
	files := make([]*File, n)
	for i := range files {
		data := pattern(size + i)
		arr := jsUint8Array.New(len(data))
		js.CopyBytesToJS(arr, data)
		files[i], _ = NewFile(jsGlobal.Get("File").New(jsGlobal.Get("Array").New(arr), "b.jpg"))
	}
	ctx := context.Background()
	b.Run("workers", func(b *testing.B) {
		b.SetBytes(n * size)
		for b.Loop() {
			var wg sync.WaitGroup
			for _, f := range files {
				wg.Go(func() {
					if _, err := pool.SHA1(ctx, f); err != nil {
						b.Error(err)
					}
				})
			}
			wg.Wait()
		}
	})
	b.Run("page", func(b *testing.B) {
		b.SetBytes(n * size)
		for b.Loop() {
			for _, f := range files {
				if _, err := SHA1WebCrypto(ctx, f); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// TestWorkerSHA1Early: a file is hashed as soon as one worker has loaded,
// not once all have; and a pool whose workers cannot hash, used before
// anything waited for it, still leaves the Hasher to hash by itself.
func TestWorkerSHA1Early(t *testing.T) {
	ctx := context.Background()
	data := pattern(100_000)
	sum := sha1.Sum(data)
	want := hex.EncodeToString(sum[:])

	t.Run("one worker loaded", func(t *testing.T) {
		// The first worker to take the lock says hello at once, the
		// others a minute later.
		text := workerScriptText(t)
		hello := "self.postMessage({ ready: true, subtle: !!subtle });"
		if !strings.Contains(text, hello) {
			t.Fatalf("hash-worker.js no longer says hello as %q", hello)
		}
		text = strings.Replace(text, hello, `navigator.locks.request('altiup-test-first-hash-worker', { ifAvailable: true }, (lock) => {
			if (lock) { self.postMessage({ ready: true, subtle: !!subtle }); return new Promise(() => {}); }
			setTimeout(() => self.postMessage({ ready: true, subtle: !!subtle }), 60000);
		});`, 1)
		// Workers still loading after the timeout are let go; the pool
		// keeps those that loaded.
		defer func(d time.Duration) { workerStartTimeout = d }(workerStartTimeout)
		workerStartTimeout = 2 * time.Second
		pool := NewWorkerPool(scriptURL(t, text), 3)
		t.Cleanup(pool.terminate)
		ready := make(chan error, 1)
		go func() { ready <- pool.Ready() }()
		for i := range 3 {
			got, err := pool.SHA1(ctx, newJSFile(t, data, "early.bin", ""))
			if err != nil || got != want {
				t.Fatalf("file %d: %s, %v; want %s", i, got, err, want)
			}
		}
		select {
		case err := <-ready:
			t.Fatalf("Ready returned (%v) before the slow workers loaded: the test proves nothing", err)
		default:
		}
		pool.mu.Lock()
		n := 0
		for _, w := range pool.all {
			if w.ready {
				n++
			}
		}
		pool.mu.Unlock()
		if n != 1 {
			t.Fatalf("%d workers ready, want 1", n)
		}
		if err := <-ready; err != nil {
			t.Fatalf("Ready after the timeout: %v, want the pool kept with its loaded worker", err)
		}
		pool.mu.Lock()
		n = len(pool.all)
		pool.mu.Unlock()
		if got, err := pool.SHA1(ctx, newJSFile(t, data, "later.bin", "")); err != nil || got != want || n != 1 {
			t.Fatalf("after the timeout: %d workers, %s, %v; want 1 worker and %s", n, got, err, want)
		}
	})
	for _, tc := range []struct{ name, script string }{
		{"script fails", "throw new Error('no');"},
		{"no WebCrypto in the worker", "postMessage({ready: true, subtle: false});"},
	} {
		t.Run(tc.name+", not waited for", func(t *testing.T) {
			pool := NewWorkerPool(scriptURL(t, tc.script), 2)
			t.Cleanup(pool.terminate)
			f := newJSFile(t, data, "fallback.bin", "")
			if _, err := pool.SHA1(ctx, f); !errors.Is(err, ErrNoWorkers) {
				t.Fatalf("SHA1 in the pool: %v, want an error matching ErrNoWorkers", err)
			}
			got, err := (&Hasher{Workers: pool}).SHA1(ctx, f)
			if err != nil || got != want {
				t.Fatalf("through the Hasher: %s, %v; want %s", got, err, want)
			}
		})
	}
}
