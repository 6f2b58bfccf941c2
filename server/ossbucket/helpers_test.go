package ossbucket

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	alioss "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

const (
	bucketA = "altiup-oss-hangzhou"
	bucketB = "altiup-oss-beijing"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

// fakeClock starts at the real time (the SDK signs with the real clock) and
// moves only when told.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	s     *Server
	ts    *httptest.Server
	clock *fakeClock
	// served is signalled after each request the server has finished.
	served chan struct{}

	mu      sync.Mutex
	schemes map[string]bool // authentication schemes seen
}

func (f *fixture) sawScheme(s string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.schemes[s]
}

func newFixture(t testing.TB, store Store, max int64) *fixture {
	t.Helper()
	f := &fixture{clock: &fakeClock{t: time.Now()}, served: make(chan struct{}, 1000), schemes: map[string]bool{}}
	if store == nil {
		store = NewMemStore()
	}
	ts := httptest.NewUnstartedServer(nil)
	ts.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			select {
			case f.served <- struct{}{}:
			default: // nobody counts requests beyond the buffer
			}
		}()
		scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if q := r.URL.Query(); q.Has("Signature") {
			scheme = "V1 query"
		} else if q.Has("x-oss-signature") {
			scheme = "V4 query"
		}
		f.mu.Lock()
		f.schemes[scheme] = true
		f.mu.Unlock()
		f.s.ServeHTTP(w, r)
	})
	ts.Start()
	t.Cleanup(ts.Close)
	s, err := New(Config{
		Buckets:       []string{bucketA, bucketB},
		Endpoint:      ts.URL,
		Store:         store,
		SigningKey:    testKey,
		MaxObjectSize: max,
		Now:           f.clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	f.s, f.ts = s, ts
	return f
}

func (f *fixture) issue(t testing.TB, bucket, prefix string, ttl time.Duration) Credentials {
	t.Helper()
	c, err := f.s.IssueSTS(bucket, prefix, ttl)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// authVariants are the ways the SDK signs.
var authVariants = []struct {
	name    string
	opts    []alioss.ClientOption
	schemes []string
}{
	{"V1", nil, []string{"OSS", "V1 query"}},
	{"V4", []alioss.ClientOption{alioss.AuthVersion(alioss.AuthV4), alioss.Region("cn-hangzhou")}, []string{"OSS4-HMAC-SHA256", "V4 query"}},
}

func sdkBucket(t testing.TB, endpoint, bucket, id, secret, token string, opts ...alioss.ClientOption) *alioss.Bucket {
	t.Helper()
	all := []alioss.ClientOption{alioss.Timeout(10, 30)}
	if token != "" {
		all = append(all, alioss.SecurityToken(token))
	}
	c, err := alioss.New(endpoint, id, secret, append(all, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Bucket(bucket)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (f *fixture) bucket(t testing.TB, c Credentials, opts ...alioss.ClientOption) *alioss.Bucket {
	return sdkBucket(t, f.ts.URL, c.Bucket, c.AccessKeyID, c.AccessKeySecret, c.SecurityToken, opts...)
}

func randBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)}))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func (f *fixture) read(t *testing.T, bucket, key string) []byte {
	t.Helper()
	rc, err := f.s.Open(context.Background(), bucket, key)
	if err != nil {
		t.Fatalf("open %s: %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (f *fixture) mustEqual(t *testing.T, bucket, key string, want []byte) {
	t.Helper()
	if got := f.read(t, bucket, key); !bytes.Equal(got, want) {
		t.Fatalf("object %q: got %d bytes, want %d bytes (contents differ)", key, len(got), len(want))
	}
}

func (f *fixture) mustBeAbsent(t *testing.T, bucket, key string) {
	t.Helper()
	if _, err := f.s.Stat(context.Background(), bucket, key); !errors.Is(err, errNotExist) {
		t.Fatalf("object %q should not exist; Stat error = %v", key, err)
	}
}

// serviceError extracts the SDK's view of an OSS error.
func serviceError(t *testing.T, err error) alioss.ServiceError {
	t.Helper()
	var se alioss.ServiceError
	if !errors.As(err, &se) {
		t.Fatalf("want an OSS service error, got %v", err)
	}
	return se
}

// noSecrets fails if text contains any part of the credentials' secrets.
func noSecrets(t *testing.T, text string, c Credentials) {
	t.Helper()
	for _, s := range []string{c.AccessKeySecret, c.SecurityToken} {
		if s != "" && strings.Contains(text, s) {
			t.Fatalf("response leaks a secret: %q", text)
		}
	}
}

// dialTo makes an HTTP client that connects every host name to addr, for
// virtual-hosted bucket names.
func dialTo(addr string) *http.Client {
	d := &net.Dialer{}
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
	}}
}

func base64Std(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
