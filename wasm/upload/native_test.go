package upload_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"altiup/wasm/upload"
)

func TestStreamHasher(t *testing.T) {
	big := make([]byte, upload.ChunkSize*2+1)
	for i := range big {
		big[i] = byte(i * 13)
	}
	sum := sha1.Sum(big)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
		{"one byte", []byte("a"), "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8"},
		{"abc", []byte("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{"two chunks and a byte", big, hex.EncodeToString(sum[:])},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := upload.StreamHasher{}.SHA1(context.Background(), src{name: "x", data: tc.data})
			if err != nil || got != tc.want {
				t.Fatalf("%s, %v; want %s", got, err, tc.want)
			}
		})
	}
	t.Run("short read", func(t *testing.T) {
		_, err := upload.StreamHasher{}.SHA1(context.Background(), shortSource{src{name: "x", data: []byte("abcdef")}})
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("error %v", err)
		}
	})
}

// shortSource claims one byte more than it has.
type shortSource struct{ src }

func (s shortSource) Size() int64 { return s.src.Size() + 1 }

func TestHTTPPutterRangeAndProgress(t *testing.T) {
	var got []byte
	var gotLen int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		gotLen = r.ContentLength
		if r.Header.Get("Content-Type") != "image/png" {
			w.WriteHeader(400)
			return
		}
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, "<Error><Code>AccessDenied</Code></Error>")
	}))
	defer ts.Close()
	data := []byte(strings.Repeat("0123456789", 10000))
	var last int64
	resp, err := upload.HTTPPutter{Client: ts.Client()}.Put(context.Background(), upload.PutRequest{
		URL: ts.URL + "/k?Signature=s", Header: http.Header{"Content-Type": {"image/png"}}, Offset: 5, Length: 50000,
	}, src{name: "x", data: data}, func(n int64) {
		if n < last {
			t.Errorf("progress went back to %d from %d", n, last)
		}
		last = n
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 403 || !strings.Contains(string(resp.Body), "AccessDenied") {
		t.Fatalf("response %d %q", resp.StatusCode, resp.Body)
	}
	if string(got) != string(data[5:50005]) || gotLen != 50000 || last != 50000 {
		t.Fatalf("sent %d bytes (Content-Length %d, progress %d)", len(got), gotLen, last)
	}
}

func TestHTTPPutterHidesURL(t *testing.T) {
	ts := httptest.NewServer(http.NotFoundHandler())
	addr := ts.URL
	ts.Close()
	_, err := upload.HTTPPutter{}.Put(context.Background(), upload.PutRequest{URL: addr + "/k?Signature=SECRETSIG", Length: -1}, src{name: "x", data: []byte("a")}, nil)
	if err == nil || strings.Contains(err.Error(), "SECRETSIG") {
		t.Fatalf("error %v", err)
	}
}

func BenchmarkStreamHasher(b *testing.B) {
	data := make([]byte, 64<<20)
	s := src{name: "x", data: data}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := (upload.StreamHasher{}).SHA1(context.Background(), s); err != nil {
			b.Fatal(err)
		}
	}
}
