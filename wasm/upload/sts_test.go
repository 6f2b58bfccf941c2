package upload

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// renewAPI answers uploadImageOSS("") once release is closed, counting calls.
type renewAPI struct {
	API
	calls   atomic.Int32
	entered chan struct{}
	release chan struct{}
	expire  time.Time
}

func (a *renewAPI) UploadImageOSS(ctx context.Context, pid, bucket, filename, imageType, checksum string) (*OSSUpload, error) {
	a.calls.Add(1)
	a.entered <- struct{}{}
	<-a.release
	return &OSSUpload{STS: STS{ID: "id", Secret: "s", Token: "t", Bucket: "b", Endpoint: "http://127.0.0.1:1", Expire: a.expire}}, nil
}

// BucketNames lists none: any bucket is taken.
func (a *renewAPI) BucketNames(ctx context.Context, cloud string) ([]string, error) { return nil, nil }

type nopSigner struct{}

func (nopSigner) SignPut(key, contentType string, expires time.Duration) (string, error) {
	return "http://127.0.0.1:1/" + key, nil
}

func TestConcurrentRenewalsCoalesce(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	api := &renewAPI{entered: make(chan struct{}, 100), release: make(chan struct{}), expire: now.Add(time.Hour)}
	var made atomic.Int32
	u, err := New(Options{Project: "p", Cloud: "oss", Bucket: "Hangzhou"}, Deps{
		API: api, Putter: HTTPPutter{}, Now: func() time.Time { return now },
		OSS: func(STS) (OSSSigner, error) { made.Add(1); return nopSigner{}, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := u.resolveBucket(context.Background()); err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	got := make([]*ossClient, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl, err := u.creds.get(context.Background())
			if err != nil {
				t.Error(err)
			}
			got[i] = cl
		}()
	}
	<-api.entered // one renewal is under way; let the others pile up on it
	for range 100 {
		u.creds.mu.Lock()
		waiting := u.creds.renewing != nil
		u.creds.mu.Unlock()
		if !waiting {
			t.Fatal("the renewal ended before it was released")
		}
		time.Sleep(time.Millisecond)
	}
	close(api.release)
	wg.Wait()
	if c := api.calls.Load(); c != 1 {
		t.Fatalf("%d renewals for %d concurrent callers, want 1", c, n)
	}
	if m := made.Load(); m != 1 {
		t.Fatalf("%d clients made, want 1", m)
	}
	for i := range got {
		if got[i] != got[0] {
			t.Fatalf("caller %d got another client", i)
		}
	}
}
