package sandbox_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"sync"
	"time"

	"altiup/server/sandbox"
)

// objects is an in-memory object store shared by the fakes.
type objects struct {
	mu   sync.Mutex
	data map[string][]byte
}

func (o *objects) put(k string, b []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.data == nil {
		o.data = map[string][]byte{}
	}
	o.data[k] = append([]byte(nil), b...)
}

func (o *objects) stat(k string) (int64, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	b, ok := o.data[k]
	if !ok {
		return 0, fmt.Errorf("object %s: %w", k, fs.ErrNotExist)
	}
	return int64(len(b)), nil
}

func (o *objects) open(k string) (io.ReadCloser, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	b, ok := o.data[k]
	if !ok {
		return nil, fmt.Errorf("object %s: %w", k, fs.ErrNotExist)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// remove removes an object; the fakes' Delete, which removeProject calls, use it.
func (o *objects) remove(k string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.data, k)
}

func (o *objects) has(k string) bool {
	_, err := o.stat(k)
	return err == nil
}

func (o *objects) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.data)
}

type stsIssue struct {
	bucket, prefix string
	ttl            time.Duration
}

// link is a download link a fake storage signed.
type link struct {
	bucket, key, contentType string
	ttl                      time.Duration
}

type fakeOSS struct {
	objects
	mu     sync.Mutex
	issued []stsIssue
	links  []link
}

var _ sandbox.OSSBackend = (*fakeOSS)(nil)

func (f *fakeOSS) IssueSTS(bucket, prefix string, ttl time.Duration) (sandbox.STS, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.issued = append(f.issued, stsIssue{bucket, prefix, ttl})
	n := len(f.issued)
	return sandbox.STS{
		AccessKeyID:     fmt.Sprintf("STS.id%d", n),
		AccessKeySecret: fmt.Sprintf("secret%d", n),
		SecurityToken:   fmt.Sprintf("token%d", n),
		// An offset zone: the API must still answer in UTC with a Z.
		Expiration: time.Date(2030, 1, 2, 11, 4, 5, 0, time.FixedZone("HKT", 8*3600)),
	}, nil
}

func (f *fakeOSS) SignGetURL(bucket, key, contentType string, ttl time.Duration) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.links = append(f.links, link{bucket, key, contentType, ttl})
	return "http://127.0.0.1:18081/" + bucket + "/" + key + "?Signature=fake", nil
}

func (f *fakeOSS) Endpoint() string { return "http://127.0.0.1:18081" }

func (f *fakeOSS) Stat(ctx context.Context, bucket, key string) (int64, error) {
	return f.stat(bucket + "/" + key)
}

func (f *fakeOSS) Open(ctx context.Context, bucket, key string) (io.ReadCloser, error) {
	return f.open(bucket + "/" + key)
}

type presign struct{ key, contentType string }

type fakeS3 struct {
	objects
	mu        sync.Mutex
	presigned []presign
	puts      []presign
	links     []link
}

var _ sandbox.S3Backend = (*fakeS3)(nil)

func (f *fakeS3) PresignPut(ctx context.Context, key, contentType string, ttl time.Duration) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.presigned = append(f.presigned, presign{key, contentType})
	return "http://127.0.0.1:18082/altiup/" + key + "?X-Amz-Signature=fake", nil
}

func (f *fakeS3) PresignGet(ctx context.Context, key, contentType string, ttl time.Duration) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.links = append(f.links, link{"", key, contentType, ttl})
	return "http://127.0.0.1:18082/altiup/" + key + "?X-Amz-Signature=fake-get", nil
}

func (f *fakeS3) Stat(ctx context.Context, key string) (int64, error) { return f.stat(key) }

func (f *fakeS3) Open(ctx context.Context, key string) (io.ReadCloser, error) { return f.open(key) }

func (f *fakeS3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if int64(len(b)) != size {
		return fmt.Errorf("put %s: %d bytes, announced %d", key, len(b), size)
	}
	f.mu.Lock()
	f.puts = append(f.puts, presign{key, contentType})
	f.mu.Unlock()
	f.put(key, b)
	return nil
}

func (f *fakeOSS) issuedCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.issued)
}

func (f *fakeOSS) firstIssue() stsIssue {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.issued[0]
}

func (f *fakeS3) counts() (presigned, puts int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.presigned), len(f.puts)
}

func (f *fakeS3) lastPut() presign {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.puts[len(f.puts)-1]
}

func (f *fakeS3) lastPresign() presign {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.presigned[len(f.presigned)-1]
}

// fakeClock is a clock that moves only when told.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (f *fakeOSS) Delete(ctx context.Context, bucket, key string) error {
	f.remove(bucket + "/" + key)
	return nil
}

func (f *fakeS3) Delete(ctx context.Context, key string) error {
	f.remove(key)
	return nil
}

// syncBuffer is a log sink tests read while the sandbox writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
