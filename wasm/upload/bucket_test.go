package upload_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"altiup/wasm/upload"
)

func TestNewValidatesOptions(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		name string
		opts upload.Options
		deps func(upload.Deps) upload.Deps
		want string // part of the message; "" means valid
	}{
		{"valid", upload.Options{Project: "p"}, nil, ""},
		{"no project", upload.Options{}, nil, "project id is missing"},
		{"blank project", upload.Options{Project: "  "}, nil, "project id is missing"},
		{"unknown cloud", upload.Options{Project: "p", Cloud: "gcs"}, nil, `cloud "gcs" is not known`},
		{"bucket without cloud", upload.Options{Project: "p", Bucket: "Tokyo"}, nil, "without its cloud"},
		{"concurrency too high", upload.Options{Project: "p", Concurrency: 1000}, nil, "between 1 and 64"},
		{"negative concurrency", upload.Options{Project: "p", Concurrency: -1}, nil, "between 1 and 64"},
		{"no API", upload.Options{Project: "p"}, func(d upload.Deps) upload.Deps { d.API = nil; return d }, "No API client"},
		{"no putter", upload.Options{Project: "p"}, func(d upload.Deps) upload.Deps { d.Putter = nil; return d }, "No storage client"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := w.deps()
			if tc.deps != nil {
				d = tc.deps(d)
			}
			u, err := upload.New(tc.opts, d)
			if tc.want == "" {
				if err != nil || u == nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			var e *upload.Error
			if !errors.As(err, &e) || e.Code != upload.CodeInvalidInput || !strings.Contains(e.Message, tc.want) {
				t.Fatalf("New error %v, want invalid_input containing %q", err, tc.want)
			}
		})
	}
}

func TestBucketChoice(t *testing.T) {
	tests := []struct {
		name, cloud, bucket string
		buckets             []upload.Bucket
		wantCall            string // the register call expected
		wantCode            string
	}{
		{"auto skips MinIO", "auto", "", nil, `uploadImageS3 "a.jpg"`, ""},
		{"oss by cloud, any case", "oss", "", nil, `uploadImageOSS "a.jpg"`, ""},
		{"forced bucket", "s3", "Paris", nil, `uploadImageS3 "a.jpg"`, ""},
		{"no such cloud", "oss", "", []upload.Bucket{{Bucket: "Tokyo", Cloud: "S3"}}, "", upload.CodeNoBucket},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			if tc.buckets != nil {
				w.buckets = tc.buckets
			}
			u := w.uploader(upload.Options{Cloud: tc.cloud, Bucket: tc.bucket})
			u.Add(jpeg("a.jpg", 100))
			rep, err := u.Start(context.Background())
			if tc.wantCode != "" {
				var e *upload.Error
				if !errors.As(err, &e) || e.Code != tc.wantCode {
					t.Fatalf("Start error %v, want code %s", err, tc.wantCode)
				}
				if !strings.Contains(e.Message, "Tokyo (S3)") {
					t.Fatalf("message %q does not list what is offered", e.Message)
				}
				if rep.Failed != 1 {
					t.Fatalf("report %+v, want the file failed", rep)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(w.calls(), tc.wantCall) {
				t.Fatalf("calls %q lack %s", w.calls(), tc.wantCall)
			}
			if n := w.count("nearestBuckets"); (tc.bucket == "") != (n == 1) {
				t.Fatalf("nearestBuckets called %d times with bucket %q", n, tc.bucket)
			}
		})
	}
}

// TestBucketOverrideChecked: a bucket the service does not offer fails the
// batch once, at the start, naming the buckets it does; no file is tried.
// A good one is checked once per Uploader.
func TestBucketOverrideChecked(t *testing.T) {
	tests := []struct {
		name, cloud, bucket string
		fault               error
		wantCode            string
		wantMsg             string
	}{
		{"unknown S3 bucket", "s3", "Mars", nil, upload.CodeNoBucket, `"Mars"; its S3 buckets are Tokyo, Paris`},
		{"an OSS name for S3", "s3", "Hangzhou", nil, upload.CodeNoBucket, "Tokyo, Paris"},
		{"unknown OSS bucket", "oss", "Tokyo", nil, upload.CodeNoBucket, "Hangzhou, Shenzhen"},
		{"a listed bucket", "s3", "Paris", nil, "", ""},
		{"a service that does not tell", "s3", "Paris", upload.Errorf(upload.CodeAPI, "Introspection is off."), "", ""},
		{"a refused token", "s3", "Paris", upload.Errorf(upload.CodeUnauthorized, "The token was refused."), upload.CodeUnauthorized, "Checking the bucket: The token was refused."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			if tc.fault != nil {
				w.apiFault["bucketNames"] = []error{tc.fault}
			}
			u := w.uploader(upload.Options{Cloud: tc.cloud, Bucket: tc.bucket})
			u.Add(jpeg("a.jpg", 100), jpeg("b.jpg", 110))
			rep, err := u.Start(context.Background())
			if tc.wantCode == "" {
				if err != nil || rep.Uploaded != 2 {
					t.Fatalf("report %+v, %v", rep, err)
				}
				u.Add(jpeg("c.jpg", 120))
				if _, err := u.Start(context.Background()); err != nil {
					t.Fatal(err)
				}
				if n := w.count("bucketNames"); n != 1 {
					t.Fatalf("bucketNames asked %d times, want once", n)
				}
				return
			}
			e := upload.AsError(err)
			if e == nil || e.Code != tc.wantCode || !strings.Contains(e.Message, tc.wantMsg) {
				t.Fatalf("Start error %v, want %s with %q", err, tc.wantCode, tc.wantMsg)
			}
			if rep.Failed != 2 {
				t.Fatalf("report %+v, want both files failed", rep)
			}
			if c := w.calls(); len(c) != 1 || !strings.HasPrefix(c[0], "bucketNames") {
				t.Fatalf("calls %q, want the bucket check alone", c)
			}
		})
	}
}

// slowBuckets answers nearestBuckets only once the first file's hash has
// begun, or after a while.
type slowBuckets struct {
	*world
	hashing <-chan struct{}
	early   atomic.Bool // the hash began before the buckets came
}

func (s *slowBuckets) NearestBuckets(ctx context.Context) ([]upload.Bucket, error) {
	select {
	case <-s.hashing:
		s.early.Store(true)
	case <-time.After(5 * time.Second):
	}
	return s.world.NearestBuckets(ctx)
}

// firstHash closes began when its first SHA1 begins.
type firstHash struct {
	once  sync.Once
	began chan struct{}
}

func (h *firstHash) SHA1(ctx context.Context, s upload.Source) (string, error) {
	h.once.Do(func() { close(h.began) })
	return upload.StreamHasher{}.SHA1(ctx, s)
}

// TestHashingWhileBucketResolves: the first files are hashed while the
// bucket is looked up (the first byte waits on both, not one after the
// other), and when there is no bucket to be had, no file is registered and
// each fails with the batch's reason.
func TestHashingWhileBucketResolves(t *testing.T) {
	tests := []struct {
		name     string
		fault    error
		wantCode string
	}{
		{"resolved", nil, ""},
		{"refused token", upload.Errorf(upload.CodeUnauthorized, "The token was refused."), upload.CodeUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			if tc.fault != nil {
				w.apiFault["nearestBuckets"] = []error{tc.fault}
			}
			h := &firstHash{began: make(chan struct{})}
			api := &slowBuckets{world: w, hashing: h.began}
			u := w.uploaderWith(upload.Options{Cloud: "s3"}, func(d *upload.Deps) { d.API, d.Hasher = api, h })
			var mu sync.Mutex
			last := map[string]upload.FileEvent{}
			u.OnFile(func(e upload.FileEvent) {
				mu.Lock()
				last[e.Name] = e
				mu.Unlock()
			})
			u.Add(jpeg("a.jpg", 100), jpeg("b.jpg", 110), jpeg("c.jpg", 120))
			rep, err := u.Start(context.Background())
			if !api.early.Load() {
				t.Error("the bucket was resolved before any file was hashed")
			}
			if tc.wantCode == "" {
				if err != nil || rep.Uploaded != 3 {
					t.Fatalf("report %+v, %v", rep, err)
				}
				return
			}
			if e := upload.AsError(err); e == nil || e.Code != tc.wantCode {
				t.Fatalf("Start error %v, want %s", err, tc.wantCode)
			}
			if rep.Failed != 3 {
				t.Fatalf("report %+v, want every file failed", rep)
			}
			if c := w.calls(); len(c) != 1 || c[0] != "nearestBuckets" {
				t.Fatalf("calls %q, want the bucket lookup alone", c)
			}
			mu.Lock()
			defer mu.Unlock()
			for name, e := range last {
				if e.State != upload.StateFailed || e.Error == nil || e.Error.Code != tc.wantCode {
					t.Errorf("%s ended %s with %+v, want failed with %s", name, e.State, e.Error, tc.wantCode)
				}
			}
		})
	}
}
