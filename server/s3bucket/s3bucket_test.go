package s3bucket_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"altiup/server/s3bucket"
	"altiup/server/s3bucket/versitytest"
)

func TestPutOpenStat(t *testing.T) {
	cases := []struct {
		name string
		size int
		body func(b []byte) io.Reader
	}{
		{name: "seekable", size: 100 << 10, body: func(b []byte) io.Reader { return bytes.NewReader(b) }},
		// A reader with no length or Seek, as a stream from elsewhere.
		{name: "stream", size: 300 << 10, body: func(b []byte) io.Reader { return io.MultiReader(bytes.NewReader(b)) }},
		{name: "empty", size: 0, body: func(b []byte) io.Reader { return bytes.NewReader(b) }},
		// Over 2 MB the SDK asks for 100-continue.
		{name: "large stream", size: 3 << 20, body: func(b []byte) io.Reader { return io.MultiReader(bytes.NewReader(b)) }},
	}
	for _, s := range setups {
		t.Run(s.name, func(t *testing.T) {
			b := s.start(t)
			ctx := context.Background()
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					key := "p9/" + tc.name + ".png"
					assertAbsent(t, b, key)
					if _, err := b.Open(ctx, key); !errors.Is(err, fs.ErrNotExist) {
						t.Errorf("Open absent = %v, want fs.ErrNotExist", err)
					}
					data := randomBytes(t, tc.size)
					if err := b.Put(ctx, key, tc.body(data), int64(len(data)), "image/png"); err != nil {
						t.Fatalf("Put: %v", err)
					}
					if n, err := b.Stat(ctx, key); err != nil || n != int64(len(data)) {
						t.Errorf("Stat = %d, %v; want %d", n, err, len(data))
					}
					if got := readAll(t, b, key); !bytes.Equal(got, data) {
						t.Errorf("Open read %d bytes that differ from the %d put", len(got), len(data))
					}
					for range 2 { // deleting an absent object is no error
						if err := b.Delete(ctx, key); err != nil {
							t.Errorf("Delete: %v", err)
						}
						assertAbsent(t, b, key)
					}
				})
			}
		})
	}
}

func TestPreflight(t *testing.T) {
	cases := []struct {
		name, method, requestHeaders string
	}{
		{name: "content-type", method: "PUT", requestHeaders: "content-type"},
		{name: "content-type and amz", method: "PUT", requestHeaders: "content-type,x-amz-meta-name"},
		{name: "any header", method: "PUT", requestHeaders: "content-type,x-custom-thing"},
	}
	for _, s := range setups {
		t.Run(s.name, func(t *testing.T) {
			b := s.start(t)
			u, err := b.PresignPut(context.Background(), "p1/a.jpg", "image/jpeg", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					req, err := http.NewRequest(http.MethodOptions, u, nil)
					if err != nil {
						t.Fatal(err)
					}
					req.Header.Set("Origin", "http://page.example:8080")
					req.Header.Set("Access-Control-Request-Method", tc.method)
					req.Header.Set("Access-Control-Request-Headers", tc.requestHeaders)
					resp, err := httpClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					resp.Body.Close()
					h := resp.Header
					t.Logf("preflight %s: %d Allow-Origin %q Allow-Methods %q Allow-Headers %q Expose-Headers %q",
						tc.requestHeaders, resp.StatusCode, h.Get("Access-Control-Allow-Origin"), h.Get("Access-Control-Allow-Methods"),
						h.Get("Access-Control-Allow-Headers"), h.Get("Access-Control-Expose-Headers"))
					if resp.StatusCode < 200 || resp.StatusCode > 299 {
						t.Fatalf("preflight status %d", resp.StatusCode)
					}
					if o := h.Get("Access-Control-Allow-Origin"); o != "*" && o != "http://page.example:8080" {
						t.Errorf("Access-Control-Allow-Origin = %q", o)
					}
					if !containsFold(h.Get("Access-Control-Allow-Methods"), tc.method) {
						t.Errorf("Access-Control-Allow-Methods = %q, want %s", h.Get("Access-Control-Allow-Methods"), tc.method)
					}
					for _, want := range strings.Split(tc.requestHeaders, ",") {
						if !containsFold(h.Get("Access-Control-Allow-Headers"), want) {
							t.Errorf("Access-Control-Allow-Headers = %q, want %s", h.Get("Access-Control-Allow-Headers"), want)
						}
					}
				})
			}
		})
	}
}

func containsFold(list, want string) bool {
	for _, v := range strings.Split(list, ",") {
		if strings.EqualFold(strings.TrimSpace(v), strings.TrimSpace(want)) {
			return true
		}
	}
	return false
}

func TestNotAPreflight(t *testing.T) {
	// An OPTIONS without Origin is no preflight: gofakes3 refuses it.
	b := startInProcess(t, s3bucket.Config{})
	u, err := b.PresignPut(context.Background(), "p1/a.jpg", "image/jpeg", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodOptions, u, nil)
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status %d, want 400", resp.StatusCode)
	}
}

func TestPersistence(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	first := startInProcess(t, s3bucket.Config{DataDir: dir, AccessKey: "AKPERSIST", SecretKey: "persist-secret"})
	uploaded := randomBytes(t, 50<<10)
	u, err := first.PresignPut(ctx, "p1/up.jpg", "image/jpeg", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if resp, body := upload(t, u, map[string]string{"Content-Type": "image/jpeg"}, bytes.NewReader(uploaded)); resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT %d: %s", resp.StatusCode, body)
	}
	put := randomBytes(t, 20<<10)
	if err := first.Put(ctx, "p1/put.tif", bytes.NewReader(put), int64(len(put)), "image/tiff"); err != nil {
		t.Fatal(err)
	}

	// Another process life: same directory, other keys and port.
	second := startInProcess(t, s3bucket.Config{DataDir: dir})
	for key, want := range map[string][]byte{"p1/up.jpg": uploaded, "p1/put.tif": put} {
		if got := readAll(t, second, key); !bytes.Equal(got, want) {
			t.Errorf("%s: read %d bytes that differ from the %d stored", key, len(got), len(want))
		}
	}
	assertAbsent(t, second, "p1/never.jpg")

	replaced := randomBytes(t, 10)
	if err := second.Put(ctx, "p1/up.jpg", bytes.NewReader(replaced), int64(len(replaced)), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	third := startInProcess(t, s3bucket.Config{DataDir: dir})
	if got := readAll(t, third, "p1/up.jpg"); !bytes.Equal(got, replaced) {
		t.Errorf("after replacing: read %q, want %q", got, replaced)
	}
}

func TestSizeLimit(t *testing.T) {
	const max = 1000
	b := startInProcess(t, s3bucket.Config{MaxObjectSize: max})
	ctx := context.Background()
	cases := []struct {
		name    string
		size    int
		chunked bool // no Content-Length: the body's end decides
		wantOK  bool
	}{
		{name: "at the limit", size: max, wantOK: true},
		{name: "over the limit", size: max + 1},
		{name: "chunked at the limit", size: max, chunked: true, wantOK: true},
		{name: "chunked over the limit", size: 3 * max, chunked: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key := "p1/" + strings.ReplaceAll(tc.name, " ", "-") + ".jpg"
			u, err := b.PresignPut(ctx, key, "image/jpeg", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			var body io.Reader = bytes.NewReader(randomBytes(t, tc.size))
			if tc.chunked {
				body = io.MultiReader(body) // hides the length from net/http
			}
			resp, respBody := upload(t, u, map[string]string{"Content-Type": "image/jpeg"}, body)
			if tc.wantOK {
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status %d: %s", resp.StatusCode, respBody)
				}
				if n, err := b.Stat(ctx, key); err != nil || n != int64(tc.size) {
					t.Errorf("Stat = %d, %v; want %d", n, err, tc.size)
				}
				return
			}
			if resp.StatusCode != http.StatusBadRequest || s3Code(respBody) != "EntityTooLarge" || !strings.Contains(respBody, "1000 bytes") {
				t.Errorf("got %d %s, want 400 EntityTooLarge naming the limit", resp.StatusCode, respBody)
			}
			if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
				t.Error("the error is not readable cross-origin")
			}
			assertAbsent(t, b, key)
		})
	}
	t.Run("server-side Put", func(t *testing.T) {
		err := b.Put(ctx, "p1/big.png", bytes.NewReader(randomBytes(t, max+1)), max+1, "image/png")
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "EntityTooLarge" {
			t.Errorf("Put over the limit = %v, want EntityTooLarge", err)
		}
		assertAbsent(t, b, "p1/big.png")
	})
}

func TestBadArguments(t *testing.T) {
	b := startInProcess(t, s3bucket.Config{})
	ctx := context.Background()
	cases := []struct {
		name, key, contentType string
		ttl                    time.Duration
		wantArg                string
	}{
		{name: "empty key", key: "", wantArg: "key"},
		{name: "dot-dot", key: "p1/../p2/a.jpg", wantArg: "key"},
		{name: "leading slash", key: "/p1/a.jpg", wantArg: "key"},
		{name: "empty segment", key: "p1//a.jpg", wantArg: "key"},
		{name: "control character", key: "p1/a\n.jpg", wantArg: "key"},
		{name: "too long", key: "p1/" + strings.Repeat("a", 1100), wantArg: "key"},
		{name: "ttl zero", key: "p1/a.jpg", ttl: 0, wantArg: "ttl"},
		{name: "ttl over 7 days", key: "p1/a.jpg", ttl: 8 * 24 * time.Hour, wantArg: "ttl"},
		{name: "no content type", key: "p1/a.jpg", ttl: time.Hour, wantArg: "contentType"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ct := tc.contentType
			if ct == "" && tc.wantArg != "contentType" {
				ct = "image/jpeg"
			}
			u, err := b.PresignPut(ctx, tc.key, ct, tc.ttl)
			var argErr *s3bucket.ArgumentError
			if !errors.As(err, &argErr) || argErr.Name != tc.wantArg || u != "" {
				t.Fatalf("PresignPut = %q, %v; want an ArgumentError on %s", u, err, tc.wantArg)
			}
			if tc.wantArg == "key" {
				if _, err := b.Stat(ctx, tc.key); !errors.As(err, &argErr) {
					t.Errorf("Stat = %v, want an ArgumentError", err)
				}
				if err := b.Put(ctx, tc.key, strings.NewReader("x"), 1, "image/jpeg"); !errors.As(err, &argErr) {
					t.Errorf("Put = %v, want an ArgumentError", err)
				}
			}
		})
	}
}

func TestBadConfig(t *testing.T) {
	cases := []struct {
		name      string
		cfg       s3bucket.Config
		wantField string
	}{
		{name: "in-process without PublicURL", cfg: s3bucket.Config{}, wantField: "PublicURL"},
		{name: "PublicURL not http", cfg: s3bucket.Config{PublicURL: "ftp://127.0.0.1:21"}, wantField: "PublicURL"},
		{name: "PublicURL with path", cfg: s3bucket.Config{PublicURL: "http://127.0.0.1:8081/s3"}, wantField: "PublicURL"},
		{name: "endpoint without keys", cfg: s3bucket.Config{Endpoint: "http://127.0.0.1:7070"}, wantField: "AccessKey"},
		{name: "endpoint not a URL", cfg: s3bucket.Config{Endpoint: "127.0.0.1:7070", AccessKey: "a", SecretKey: "b"}, wantField: "Endpoint"},
		{name: "negative size limit", cfg: s3bucket.Config{PublicURL: "http://127.0.0.1:8081", MaxObjectSize: -1}, wantField: "MaxObjectSize"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s3bucket.New(context.Background(), tc.cfg)
			var cfgErr *s3bucket.ConfigError
			if !errors.As(err, &cfgErr) || cfgErr.Field != tc.wantField {
				t.Errorf("New = %v, want a ConfigError on %s", err, tc.wantField)
			}
		})
	}
}

func TestNewKeepsExistingBucket(t *testing.T) {
	// New creates the bucket if missing; a second New on the same server
	// finds it there and keeps its objects.
	endpoint, ak, sk := versitytest.Start(t)
	ctx := context.Background()
	cfg := s3bucket.Config{Endpoint: endpoint, AccessKey: ak, SecretKey: sk}
	first, err := s3bucket.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if first.Bucket() != s3bucket.DefaultBucket {
		t.Errorf("Bucket() = %q, want %q", first.Bucket(), s3bucket.DefaultBucket)
	}
	if err := first.Put(ctx, "p1/a.jpg", strings.NewReader("abc"), 3, "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	second, err := s3bucket.New(ctx, cfg)
	if err != nil {
		t.Fatalf("second New: %v", err)
	}
	if got := readAll(t, second, "p1/a.jpg"); string(got) != "abc" {
		t.Errorf("read %q, want abc", got)
	}
}

func TestConcurrentUploads(t *testing.T) {
	for _, dataDir := range []string{"", t.TempDir()} {
		name := map[bool]string{true: "memory", false: "disk"}[dataDir == ""]
		t.Run(name, func(t *testing.T) {
			b := startInProcess(t, s3bucket.Config{DataDir: dataDir})
			ctx := context.Background()
			const n = 8
			bodies := make([][]byte, n)
			var wg sync.WaitGroup
			for i := range n {
				bodies[i] = randomBytes(t, 10<<10+i)
				wg.Add(1)
				go func() {
					defer wg.Done()
					// Each writes its own key and the shared one.
					for _, key := range []string{fmt.Sprintf("p1/%d.jpg", i), "p1/shared.jpg"} {
						u, err := b.PresignPut(ctx, key, "image/jpeg", time.Minute)
						if err != nil {
							t.Error(err)
							return
						}
						resp, body, err := tryUpload(u, map[string]string{"Content-Type": "image/jpeg"}, bytes.NewReader(bodies[i]))
						if err != nil {
							t.Error(err)
						} else if resp.StatusCode != http.StatusOK {
							t.Errorf("PUT %s: %d %s", key, resp.StatusCode, body)
						}
					}
				}()
			}
			wg.Wait()
			for i := range n {
				if got := readAll(t, b, fmt.Sprintf("p1/%d.jpg", i)); !bytes.Equal(got, bodies[i]) {
					t.Errorf("object %d differs", i)
				}
			}
			shared := readAll(t, b, "p1/shared.jpg")
			if !slices.ContainsFunc(bodies, func(b []byte) bool { return bytes.Equal(b, shared) }) {
				t.Error("the shared key holds a mix of uploads")
			}
			if size, err := b.Stat(ctx, "p1/shared.jpg"); err != nil || size != int64(len(shared)) {
				t.Errorf("Stat = %d, %v; want %d", size, err, len(shared))
			}
		})
	}
}
