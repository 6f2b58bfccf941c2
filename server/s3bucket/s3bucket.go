package s3bucket

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// Defaults and limits.
const (
	DefaultRegion = "us-east-1"
	DefaultBucket = "altiup"

	// MinPresignTTL and MaxPresignTTL bound X-Amz-Expires as Signature V4
	// defines it.
	MinPresignTTL = time.Second
	MaxPresignTTL = 7 * 24 * time.Hour

	// maxKeyLen is S3's limit on a key's length in bytes.
	maxKeyLen = 1024
)

// Config says which S3 server holds the bucket.
type Config struct {
	// Endpoint is a real S3 server's URL (e.g. VersityGW); empty serves S3
	// in-process with gofakes3.
	Endpoint string
	// AccessKey and SecretKey sign requests; in-process they are random
	// when empty. Region defaults to DefaultRegion, Bucket to DefaultBucket.
	AccessKey, SecretKey, Region, Bucket string
	// PublicURL (in-process only) is the base URL browsers use to reach
	// Handler, e.g. "http://127.0.0.1:8081"; presigned URLs point there.
	PublicURL string
	// DataDir (in-process only) keeps objects on disk there; in memory when
	// empty.
	DataDir string
	// MaxObjectSize (in-process only) is the largest object accepted, in
	// bytes; 0 means no limit. An external server applies its own.
	MaxObjectSize int64
}

// Backend is the S3 bucket and the client that reaches it.
type Backend struct {
	client  *s3.Client
	presign *s3.PresignClient
	bucket  string
	handler http.Handler // nil with an external endpoint
}

// New connects to the configured S3 server, or starts the in-process one,
// and creates the bucket if it is missing.
func New(ctx context.Context, cfg Config) (*Backend, error) {
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.Bucket == "" {
		cfg.Bucket = DefaultBucket
	}
	if cfg.MaxObjectSize < 0 {
		return nil, &ConfigError{Field: "MaxObjectSize", Reason: "must not be negative"}
	}
	b := &Backend{bucket: cfg.Bucket}
	var endpoint string
	var httpClient *http.Client
	if cfg.Endpoint != "" {
		if cfg.AccessKey == "" || cfg.SecretKey == "" {
			return nil, &ConfigError{Field: "AccessKey", Reason: "an external S3 endpoint needs an access key and a secret key"}
		}
		u, err := baseURL("Endpoint", cfg.Endpoint)
		if err != nil {
			return nil, err
		}
		endpoint = u
		httpClient = &http.Client{}
	} else {
		if cfg.PublicURL == "" {
			return nil, &ConfigError{Field: "PublicURL", Reason: "the in-process S3 server needs the URL browsers reach it at"}
		}
		u, err := baseURL("PublicURL", cfg.PublicURL)
		if err != nil {
			return nil, err
		}
		endpoint = u
		if cfg.AccessKey == "" {
			cfg.AccessKey = randomString(20, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
		}
		if cfg.SecretKey == "" {
			cfg.SecretKey = randomString(40, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
		}
		h, err := newFakeS3(cfg)
		if err != nil {
			return nil, err
		}
		b.handler = h
		httpClient = &http.Client{Transport: handlerTransport{h: h}}
	}
	b.client = s3.New(s3.Options{
		Region:       cfg.Region,
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, ""),
		HTTPClient:   httpClient,
		// Checksums only where an operation requires them: S3-compatible
		// servers other than AWS may refuse the SDK's default of a
		// checksum (trailing, aws-chunked) on every upload.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
	b.presign = s3.NewPresignClient(b.client)
	if err := b.createBucket(ctx, cfg.Region); err != nil {
		return nil, err
	}
	return b, nil
}

// baseURL checks that raw is an http(s) URL with a host and nothing after it.
func baseURL(field, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", &ConfigError{Field: field, Reason: "it is not a URL"} // raw may hold a password
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", &ConfigError{Field: field, Reason: fmt.Sprintf("%q is not an http(s) URL with a host", u.Redacted())}
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", &ConfigError{Field: field, Reason: fmt.Sprintf("%q must be scheme and host only, without path, query or user", u.Redacted())}
	}
	return u.Scheme + "://" + u.Host, nil
}

func (b *Backend) createBucket(ctx context.Context, region string) error {
	in := &s3.CreateBucketInput{Bucket: aws.String(b.bucket)}
	if region != DefaultRegion {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{
			LocationConstraint: types.BucketLocationConstraint(region),
		}
	}
	_, err := b.client.CreateBucket(ctx, in)
	var owned *types.BucketAlreadyOwnedByYou
	var exists *types.BucketAlreadyExists
	if err == nil || errors.As(err, &owned) || errors.As(err, &exists) {
		return nil
	}
	return fmt.Errorf("s3bucket: create bucket %s: %w", b.bucket, err)
}

// Bucket is the name of the real bucket.
func (b *Backend) Bucket() string { return b.bucket }

// Handler is the in-process S3 server (V4 authentication, CORS, size limit);
// nil when an external endpoint holds the bucket.
func (b *Backend) Handler() http.Handler { return b.handler }

// PresignPut returns a URL that lets anyone holding it PUT the object key
// with exactly this Content-Type for ttl. The URL is a secret: callers must
// not log it.
func (b *Backend) PresignPut(ctx context.Context, key, contentType string, ttl time.Duration) (string, error) {
	if err := validateKey(key); err != nil {
		return "", err
	}
	if err := checkTTL(ttl); err != nil {
		return "", err
	}
	if contentType == "" {
		return "", &ArgumentError{Name: "contentType", Reason: "a presigned PUT needs a Content-Type to sign"}
	}
	req, err := b.presign.PresignPutObject(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(b.bucket),
		Key:         aws.String(key),
		ContentType: aws.String(contentType),
	}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", &fs.PathError{Op: "presign", Path: b.bucket + "/" + key, Err: err}
	}
	return req.URL, nil
}

// PresignGet returns a URL that lets anyone holding it GET the object key
// for ttl, answered with contentType (signed as response-content-type) when
// it is set. The URL is a secret: callers must not log it.
func (b *Backend) PresignGet(ctx context.Context, key, contentType string, ttl time.Duration) (string, error) {
	if err := validateKey(key); err != nil {
		return "", err
	}
	if err := checkTTL(ttl); err != nil {
		return "", err
	}
	in := &s3.GetObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)}
	if contentType != "" {
		in.ResponseContentType = aws.String(contentType)
	}
	req, err := b.presign.PresignGetObject(ctx, in, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", &fs.PathError{Op: "presign", Path: b.bucket + "/" + key, Err: err}
	}
	return req.URL, nil
}

func checkTTL(ttl time.Duration) error {
	if ttl < MinPresignTTL || ttl > MaxPresignTTL {
		return &ArgumentError{Name: "ttl", Value: ttl.String(), Reason: fmt.Sprintf("a presigned URL lives from %v to %v", MinPresignTTL, MaxPresignTTL)}
	}
	return nil
}

// Stat returns the object's size; an error matching fs.ErrNotExist when it
// is absent.
func (b *Backend) Stat(ctx context.Context, key string) (int64, error) {
	if err := validateKey(key); err != nil {
		return 0, err
	}
	out, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)})
	if err != nil {
		return 0, b.pathError("stat", key, err)
	}
	return aws.ToInt64(out.ContentLength), nil
}

// Open returns the object's bytes; an error matching fs.ErrNotExist when it
// is absent. The caller closes the reader.
func (b *Backend) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := validateKey(key); err != nil {
		return nil, err
	}
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)})
	if err != nil {
		return nil, b.pathError("open", key, err)
	}
	return out.Body, nil
}

// Put writes size bytes from r as the object key.
func (b *Backend) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := validateKey(key); err != nil {
		return err
	}
	if size < 0 {
		return &ArgumentError{Name: "size", Value: fmt.Sprint(size), Reason: "it is negative"}
	}
	in := &s3.PutObjectInput{
		Bucket:        aws.String(b.bucket),
		Key:           aws.String(key),
		Body:          r,
		ContentLength: aws.Int64(size),
	}
	if contentType != "" {
		in.ContentType = aws.String(contentType)
	}
	// The body is a stream that can't be hashed before sending over plain
	// HTTP, so it goes unsigned as presigned uploads do; the request itself
	// stays signed.
	_, err := b.client.PutObject(ctx, in, s3.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware))
	if err != nil {
		return b.pathError("put", key, err)
	}
	return nil
}

// Delete removes the object key; deleting an absent object is no error.
func (b *Backend) Delete(ctx context.Context, key string) error {
	if err := validateKey(key); err != nil {
		return err
	}
	if _, err := b.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)}); err != nil {
		return b.pathError("delete", key, err)
	}
	return nil
}

// pathError wraps an SDK error, turning "no such key" into fs.ErrNotExist.
func (b *Backend) pathError(op, key string, err error) error {
	if isNotFound(err) {
		err = fs.ErrNotExist
	}
	return &fs.PathError{Op: op, Path: b.bucket + "/" + key, Err: err}
}

func isNotFound(err error) bool {
	var noKey *types.NoSuchKey
	var notFound *types.NotFound
	if errors.As(err, &noKey) || errors.As(err, &notFound) {
		return true
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && (apiErr.ErrorCode() == "NoSuchKey" || apiErr.ErrorCode() == "NotFound") {
		return true
	}
	var respErr *awshttp.ResponseError
	return errors.As(err, &respErr) && respErr.HTTPStatusCode() == http.StatusNotFound
}

// validateKey refuses keys that S3 would refuse or that would mean another
// path once stored as files (VersityGW's posix backend, the disk store).
func validateKey(key string) error {
	bad := func(reason string) error { return &ArgumentError{Name: "key", Value: key, Reason: reason} }
	switch {
	case key == "":
		return bad("it is empty")
	case len(key) > maxKeyLen:
		return bad(fmt.Sprintf("it is longer than %d bytes", maxKeyLen))
	case !utf8.ValidString(key):
		return bad("it is not UTF-8")
	case strings.HasPrefix(key, "/") || strings.HasSuffix(key, "/"):
		return bad("it starts or ends with a slash")
	}
	for _, r := range key {
		if r < 0x20 || r == 0x7f {
			return bad("it contains a control character")
		}
	}
	for _, seg := range strings.Split(key, "/") {
		switch seg {
		case "":
			return bad("it has an empty path segment")
		case ".", "..":
			return bad("it has a . or .. path segment")
		}
	}
	return nil
}

func randomString(n int, alphabet string) string {
	buf := make([]byte, n)
	_, _ = rand.Read(buf) // crypto/rand.Read never fails
	for i, c := range buf {
		buf[i] = alphabet[int(c)%len(alphabet)]
	}
	return string(buf)
}
