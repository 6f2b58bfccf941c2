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
	"strconv"
	"syscall/js"
	"testing"

	"altiup/wasm/upload"
)

// pattern returns n reproducible bytes that do not repeat with a short period.
func pattern(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// newJSFile makes a JS File holding data, as a file picker would give.
func newJSFile(t *testing.T, data []byte, name, typ string) *File {
	t.Helper()
	arr := jsUint8Array.New(len(data))
	js.CopyBytesToJS(arr, data)
	parts := jsGlobal.Get("Array").New(arr)
	opts := jsObject.New()
	opts.Set("type", typ)
	f, err := NewFile(jsGlobal.Get("File").New(parts, name, opts))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// memSource is a Source that is not a JS File, for the fallback paths.
type memSource struct {
	*bytes.Reader
	name string
}

func (m memSource) Name() string { return m.name }
func (m memSource) Type() string { return "application/octet-stream" }

func TestNewFileRejects(t *testing.T) {
	tests := []struct {
		name string
		v    js.Value
	}{
		{"undefined", js.Undefined()},
		{"string", js.ValueOf("a.jpg")},
		{"plain object", jsObject.New()},
		{"blob without a name", jsBlob.New(jsGlobal.Get("Array").New())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewFile(tt.v)
			var e *upload.Error
			if !errors.As(err, &e) || e.Code != upload.CodeInvalidInput {
				t.Fatalf("err = %v, want an invalid_input error", err)
			}
		})
	}
}

func TestFileReadAt(t *testing.T) {
	data := pattern(5<<20 + 17)
	f := newJSFile(t, data, "photo.jpg", "image/jpeg")
	if f.Name() != "photo.jpg" || f.Size() != int64(len(data)) || f.Type() != "image/jpeg" {
		t.Fatalf("name, size, type = %q, %d, %q", f.Name(), f.Size(), f.Type())
	}
	for _, chunk := range []int{1 << 20, 4<<20 + 3, upload.ChunkSize, len(data) + 5} {
		t.Run("chunk "+itoa(chunk), func(t *testing.T) {
			var got []byte
			buf := make([]byte, chunk)
			for off := int64(0); ; {
				n, err := f.ReadAt(buf, off)
				got = append(got, buf[:n]...)
				off += int64(n)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if n != chunk {
					t.Fatalf("short read %d of %d without EOF at %d", n, chunk, off)
				}
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("read %d bytes that differ from the %d written", len(got), len(data))
			}
		})
	}
	t.Run("past the end", func(t *testing.T) {
		if n, err := f.ReadAt(make([]byte, 10), f.Size()); n != 0 || err != io.EOF {
			t.Fatalf("n, err = %d, %v; want 0, EOF", n, err)
		}
	})
	t.Run("middle", func(t *testing.T) {
		buf := make([]byte, 1000)
		n, err := f.ReadAt(buf, 3<<20+1)
		if err != nil || n != len(buf) || !bytes.Equal(buf, data[3<<20+1:3<<20+1+1000]) {
			t.Fatalf("n, err = %d, %v; or bytes differ", n, err)
		}
	})
}

func TestSHA1(t *testing.T) {
	big := pattern(4<<20 + 1)
	sum := sha1.Sum(big)
	multi := pattern(2*upload.ChunkSize + 3)
	msum := sha1.Sum(multi)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
		{"one byte", []byte("a"), "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8"},
		{"abc", []byte("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{"4 MiB + 1", big, hex.EncodeToString(sum[:])},
		{"two chunks + 3", multi, hex.EncodeToString(msum[:])},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newJSFile(t, tt.data, "x.bin", "")
			paths := []struct {
				name string
				fn   func() (string, error)
			}{
				{"webcrypto", func() (string, error) { return SHA1WebCrypto(ctx, f) }},
				{"stream", func() (string, error) { return SHA1Stream(ctx, f) }},
				{"hasher", func() (string, error) { return (&Hasher{}).SHA1(ctx, f) }},
				{"hasher without webcrypto", func() (string, error) { return (&Hasher{OneShotMax: -1}).SHA1(ctx, f) }},
				{"hasher, not a File", func() (string, error) {
					return (&Hasher{}).SHA1(ctx, memSource{bytes.NewReader(tt.data), "m.bin"})
				}},
			}
			for _, p := range paths {
				got, err := p.fn()
				if err != nil {
					t.Fatalf("%s: %v", p.name, err)
				}
				if got != tt.want {
					t.Errorf("%s: got %s, want %s", p.name, got, tt.want)
				}
			}
		})
	}
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		f := newJSFile(t, big, "x.bin", "")
		if _, err := SHA1Stream(ctx, f); !errors.Is(err, context.Canceled) {
			t.Errorf("stream: err = %v, want context.Canceled", err)
		}
		if _, err := SHA1WebCrypto(ctx, f); !errors.Is(err, context.Canceled) {
			t.Errorf("webcrypto: err = %v, want context.Canceled", err)
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestPromise(t *testing.T) {
	ctx := context.Background()
	v, err := Await(ctx, NewPromise(func() (any, error) { return 42, nil }))
	if err != nil || v.Int() != 42 {
		t.Fatalf("resolve: %v, %v", v, err)
	}
	_, err = Await(ctx, NewPromise(func() (any, error) {
		return nil, upload.Errorf(upload.CodeInvalidInput, "No project given.")
	}))
	var je *JSError
	if !errors.As(err, &je) || je.Code != upload.CodeInvalidInput || je.Message != "No project given." {
		t.Fatalf("reject: %#v", err)
	}
	_, err = Await(ctx, NewPromise(func() (any, error) { panic("boom") }))
	if !errors.As(err, &je) || je.Code != upload.CodeInternal {
		t.Fatalf("panic: %#v", err)
	}
	_, err = Await(ctx, jsPromise.Call("reject", jsGlobal.Get("TypeError").New("bad")))
	if !errors.As(err, &je) || je.Name != "TypeError" || je.Message != "bad" {
		t.Fatalf("JS error: %#v", err)
	}
	// A promise that never settles gives way to the context.
	cctx, cancel := context.WithCancel(ctx)
	never := jsPromise.New(js.FuncOf(func(js.Value, []js.Value) any { return nil }))
	go cancel()
	if _, err := Await(cctx, never); !errors.Is(err, context.Canceled) {
		t.Fatalf("never: %v", err)
	}
}

func serverURL(t *testing.T, env string) string {
	t.Helper()
	u := os.Getenv(env)
	if u == "" {
		t.Skipf("%s is not set: run these tests through TestInBrowser (go test ./wasm/browser)", env)
	}
	return u
}

func TestFetchCORS(t *testing.T) {
	cors := serverURL(t, "ALTIUP_TEST_CORS_URL")
	nocors := serverURL(t, "ALTIUP_TEST_NOCORS_URL")
	// The plain client: a Dial func would make Go leave fetch for a fake network.
	c := &http.Client{}
	resp, err := c.Get(cors + "/hello")
	if err != nil {
		t.Fatalf("GET through fetch: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "hello" {
		t.Fatalf("GET: %d %q", resp.StatusCode, b)
	}
	if _, err := c.Get(nocors + "/hello"); err == nil {
		t.Fatal("GET from a server without CORS headers succeeded; the browser should refuse it")
	}
}

// BenchmarkSHA1 prints the hashing rate of each path for a 32 MiB File, and
// of its parts: reading the Blob in chunks, crypto/sha1 alone, WebCrypto on
// bytes already in an ArrayBuffer.
//
//	GOOS=js GOARCH=wasm go test -run '^$' -bench SHA1 -exec wasmbrowsertest ./wasm/browser
func BenchmarkSHA1(b *testing.B) {
	data := pattern(OneShotMax)
	arr := jsUint8Array.New(len(data))
	js.CopyBytesToJS(arr, data)
	f, err := NewFile(jsGlobal.Get("File").New(jsGlobal.Get("Array").New(arr), "bench.jpg"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	buf := make([]byte, upload.ChunkSize)
	for _, p := range []struct {
		name string
		fn   func() error
	}{
		{"webcrypto", func() error { _, err := SHA1WebCrypto(ctx, f); return err }},
		{"stream", func() error { _, err := SHA1Stream(ctx, f); return err }},
		{"part=read-chunks", func() error {
			for off := int64(0); off < f.Size(); off += int64(len(buf)) {
				if _, err := f.ReadAt(buf, off); err != nil && err != io.EOF {
					return err
				}
			}
			return nil
		}},
		{"part=crypto-sha1", func() error { sha1.Sum(data); return nil }},
		{"part=digest-arraybuffer", func() error {
			_, err := Await(ctx, jsSubtle.Call("digest", "SHA-1", arr))
			return err
		}},
	} {
		b.Run(p.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if err := p.fn(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
