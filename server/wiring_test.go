package main

import (
	"net/http/httptest"
	"testing"

	"altiup/server/ossbucket"
)

func TestStorageRouting(t *testing.T) {
	oss, err := ossbucket.New(ossbucket.Config{
		Buckets: []string{"altiup-oss-hangzhou"}, Endpoint: "http://127.0.0.1:8081",
		Store: ossbucket.NewMemStore(), SigningKey: make([]byte, 32),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, method, target string
		header               map[string]string
		oss                  bool
	}{
		{"OSS path style", "PUT", "/altiup-oss-hangzhou/p/a.jpg", nil, true},
		{"OSS virtual-hosted", "PUT", "http://altiup-oss-hangzhou.localhost:8081/p/a.jpg", nil, true},
		{"OSS without bucket, header auth", "PUT", "/p/a.jpg", map[string]string{"Authorization": "OSS id:sig"}, true},
		{"OSS without bucket, signed URL", "PUT", "/p/a.jpg?OSSAccessKeyId=x&Expires=1&Signature=s", nil, true},
		{"OSS preflight without bucket", "OPTIONS", "/p/a.jpg", map[string]string{"Access-Control-Request-Headers": "content-type,x-oss-date"}, true},
		{"S3 presigned", "PUT", "/altiup/p/a.jpg?X-Amz-Signature=s", nil, false},
		{"S3 preflight", "OPTIONS", "/altiup/p/a.jpg", map[string]string{"Access-Control-Request-Headers": "content-type"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.target, nil)
			for k, v := range tc.header {
				r.Header.Set(k, v)
			}
			if got := isOSS(oss, r); got != tc.oss {
				t.Errorf("isOSS = %v, want %v", got, tc.oss)
			}
		})
	}
}
