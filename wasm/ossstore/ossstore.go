package ossstore

import (
	"fmt"
	"net/http"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"altiup/wasm/upload"
)

// Signer signs PUT URLs (signature V1 in the query, with the security token)
// for one STS credential.
type Signer struct {
	bucket *oss.Bucket
}

var (
	_ upload.OSSSigner    = (*Signer)(nil)
	_ upload.NewOSSSigner = New
)

// New makes the SDK client for sts. The client is given a plain http.Client:
// in the browser Go's net/http then goes through fetch. It never dials here;
// signing is local.
func New(sts upload.STS) (upload.OSSSigner, error) {
	if sts.Endpoint == "" || sts.Bucket == "" || sts.ID == "" || sts.Secret == "" {
		return nil, fmt.Errorf("ossstore: the STS credential is incomplete")
	}
	client, err := oss.New(sts.Endpoint, sts.ID, sts.Secret,
		oss.SecurityToken(sts.Token),
		oss.HTTPClient(&http.Client{}),
		// Part ETags and the storage's own checks cover the bytes; the
		// SDK's CRC check is for its own uploads only.
		oss.EnableCRC(false))
	if err != nil {
		return nil, fmt.Errorf("ossstore: endpoint %q: %w", sts.Endpoint, err)
	}
	b, err := client.Bucket(sts.Bucket)
	if err != nil {
		return nil, fmt.Errorf("ossstore: bucket %q: %w", sts.Bucket, err)
	}
	return &Signer{bucket: b}, nil
}

// SignPut returns a URL that accepts a PUT of key with exactly contentType
// until expires from now.
func (s *Signer) SignPut(key, contentType string, expires time.Duration) (string, error) {
	secs := int64(expires / time.Second)
	if secs < 1 {
		secs = 1
	}
	u, err := s.bucket.SignURL(key, oss.HTTPPut, secs, oss.ContentType(contentType))
	if err != nil {
		// The SDK's errors name the key only, never the secret.
		return "", fmt.Errorf("ossstore: signing %q: %w", key, err)
	}
	return u, nil
}
