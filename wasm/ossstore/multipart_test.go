package ossstore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"testing"
	"time"

	"altiup/server/ossbucket"
	"altiup/wasm/upload"
)

// TestMultipartAgainstOSSBucket drives every multipart call against the
// OSS-compatible endpoint of the sandbox (server/ossbucket), which checks V1
// query signatures with their sub-resources.
func TestMultipartAgainstOSSBucket(t *testing.T) {
	const bucket = "altiup-oss-hangzhou"
	ts := httptest.NewUnstartedServer(nil)
	srv, err := ossbucket.New(ossbucket.Config{Buckets: []string{bucket}, Endpoint: "http://" + ts.Listener.Addr().String(),
		Store: ossbucket.NewMemStore(), SigningKey: []byte("0123456789abcdef0123456789abcdef")})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv
	ts.Start()
	defer ts.Close()
	c, err := srv.IssueSTS(bucket, "pid1/", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(upload.STS{ID: c.AccessKeyID, Secret: c.AccessKeySecret, Token: c.SecurityToken, Bucket: bucket, Endpoint: srv.Endpoint(), Expire: c.Expiration})
	if err != nil {
		t.Fatal(err)
	}
	m := s.(upload.OSSMultipart)
	ctx := context.Background()
	key := "pid1/big photo 照片.jpg"
	data := bytes.Repeat([]byte("0123456789abcdef"), 3<<16) // 3 MiB
	const partSize = 1 << 20

	id, err := m.InitiateMultipart(ctx, key, "image/jpeg")
	if err != nil || id == "" {
		t.Fatalf("initiate: %q, %v", id, err)
	}
	var parts []upload.Part
	for n := 1; n <= 3; n++ {
		u, err := m.SignPart(key, id, n, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		src := memSource{name: "big.jpg", data: data}
		resp, err := upload.HTTPPutter{}.Put(ctx, upload.PutRequest{Method: "PUT", URL: u, Offset: int64(n-1) * partSize, Length: partSize}, src, nil)
		if err != nil || resp.StatusCode != 200 || resp.Header.Get("ETag") == "" {
			t.Fatalf("part %d: %+v, %v", n, resp, err)
		}
		parts = append(parts, upload.Part{Number: n, ETag: resp.Header.Get("ETag"), Size: partSize})
		if n == 2 {
			listed, err := m.ListParts(ctx, key, id)
			if err != nil || len(listed) != 2 || listed[1] != parts[1] {
				t.Fatalf("list after 2 parts: %+v, %v; want %+v", listed, err, parts)
			}
		}
	}
	if _, err := m.ListParts(ctx, key, "0123456789ABCDEF0123456789ABCDEF"); err == nil || upload.AsError(err).Code != upload.CodeNotFound {
		t.Fatalf("listing an unknown upload: %v, want not_found", err)
	}
	if err := m.CompleteMultipart(ctx, key, id, parts); err != nil {
		t.Fatal(err)
	}
	r, err := srv.Open(ctx, bucket, key)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(got, data) {
		t.Fatal("the object differs from the parts sent")
	}
	// Outside the STS's prefix the storage refuses, in words.
	_, err = m.InitiateMultipart(ctx, "pid2/x.jpg", "image/jpeg")
	var e *upload.Error
	if !errors.As(err, &e) || e.Code != upload.CodeStorageDenied || !bytes.Contains([]byte(e.Message), []byte("403")) {
		t.Fatalf("another project's prefix: %v", err)
	}
}
