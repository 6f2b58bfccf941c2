package s3bucket_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"altiup/server/s3bucket"
	"altiup/server/s3bucket/versitytest"
)

// setup makes a Backend for a test, one per kind of S3 server.
type setup struct {
	name      string
	inProcess bool
	start     func(t *testing.T) *s3bucket.Backend
}

var setups = []setup{
	{name: "in-process", inProcess: true, start: func(t *testing.T) *s3bucket.Backend {
		return startInProcess(t, s3bucket.Config{})
	}},
	{name: "versitygw", start: startVersity},
}

// startInProcess serves a new in-process Backend on a loopback port, as the
// server does, with cfg's PublicURL pointing at it.
func startInProcess(t *testing.T, cfg s3bucket.Config) *s3bucket.Backend {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	cfg.PublicURL = "http://" + srv.Listener.Addr().String()
	b, err := s3bucket.New(context.Background(), cfg)
	if err != nil {
		srv.Close()
		t.Fatalf("New: %v", err)
	}
	if b.Handler() == nil {
		srv.Close()
		t.Fatal("Handler() is nil in-process")
	}
	srv.Config.Handler = b.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return b
}

func startVersity(t *testing.T) *s3bucket.Backend {
	t.Helper()
	endpoint, ak, sk := versitytest.Start(t)
	b, err := s3bucket.New(context.Background(), s3bucket.Config{Endpoint: endpoint, AccessKey: ak, SecretKey: sk, Bucket: "altiup-test"})
	if err != nil {
		t.Fatalf("New against VersityGW: %v", err)
	}
	if b.Handler() != nil {
		t.Fatal("Handler() is not nil with an external endpoint")
	}
	return b
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

var httpClient = &http.Client{Timeout: 20 * time.Second}

// upload PUTs body to a presigned URL as a browser's fetch would, with
// Origin set; a nil header map sends no Content-Type.
func upload(t *testing.T, rawURL string, header map[string]string, body io.Reader) (*http.Response, string) {
	t.Helper()
	resp, got, err := tryUpload(rawURL, header, body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, got
}

// tryUpload is upload for goroutines, which must not call t.Fatal.
func tryUpload(rawURL string, header map[string]string, body io.Reader) (*http.Response, string, error) {
	req, err := http.NewRequest(http.MethodPut, rawURL, body)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Origin", "http://page.example")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("PUT: %w", err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	return resp, string(got), err
}

func readAll(t *testing.T, b *s3bucket.Backend, key string) []byte {
	t.Helper()
	rc, err := b.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading %q: %v", key, err)
	}
	return got
}

func assertAbsent(t *testing.T, b *s3bucket.Backend, key string) {
	t.Helper()
	if _, err := b.Stat(context.Background(), key); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat(%q) = %v, want fs.ErrNotExist", key, err)
	}
}
