package ossbucket

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
	"time"

	alioss "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

func TestNewRejectsBadConfig(t *testing.T) {
	good := Config{Buckets: []string{bucketA}, Endpoint: "http://127.0.0.1:8081", Store: NewMemStore(), SigningKey: testKey}
	cases := []struct {
		name string
		edit func(c *Config)
		want string
	}{
		{"no buckets", func(c *Config) { c.Buckets = nil }, "no bucket"},
		{"bad bucket name", func(c *Config) { c.Buckets = []string{"Bad_Name"} }, "bucket name"},
		{"no store", func(c *Config) { c.Store = nil }, "no store"},
		{"short key", func(c *Config) { c.SigningKey = []byte("short") }, "at least 16 bytes"},
		{"bad endpoint", func(c *Config) { c.Endpoint = "ftp://x" }, "not an http(s) URL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := good
			c.edit(&cfg)
			if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error with %q", err, c.want)
			}
		})
	}
	s, err := New(good)
	if err != nil {
		t.Fatal(err)
	}
	if s.Endpoint() != "http://127.0.0.1:8081" || !s.HasBucket(bucketA) || s.HasBucket(bucketB) {
		t.Fatal("endpoint or buckets not as configured")
	}
}

func TestIssueSTS(t *testing.T) {
	f := newFixture(t, nil, 0)
	cases := []struct {
		name, bucket, prefix string
		ttl                  time.Duration
		ok                   bool
	}{
		{"good", bucketA, "pid-1/", time.Hour, true},
		{"unknown bucket", "nope-bucket", "pid-1/", time.Hour, false},
		{"empty prefix", bucketA, "", time.Hour, false},
		{"prefix without slash", bucketA, "pid-1", time.Hour, false},
		{"dot-dot prefix", bucketA, "../", time.Hour, false},
		{"zero ttl", bucketA, "pid-1/", 0, false},
		{"huge ttl", bucketA, "pid-1/", 30 * 24 * time.Hour, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cred, err := f.s.IssueSTS(c.bucket, c.prefix, c.ttl)
			if (err == nil) != c.ok {
				t.Fatalf("err = %v, want ok=%v", err, c.ok)
			}
			if !c.ok {
				return
			}
			if !strings.HasPrefix(cred.AccessKeyID, "STS.") || cred.AccessKeySecret == "" || cred.SecurityToken == "" ||
				cred.Bucket != c.bucket || cred.Prefix != c.prefix || !cred.Expiration.Equal(f.clock.Now().Add(c.ttl).Truncate(time.Second)) {
				t.Fatalf("credentials %+v", cred)
			}
			if strings.Contains(cred.SecurityToken, cred.AccessKeySecret) {
				t.Fatal("the token carries the secret")
			}
		})
	}
	// Another signing key does not accept these tokens.
	cred := f.issue(t, bucketA, "pid-1/", time.Hour)
	other := deriveKeys([]byte("another signing key, 32 bytes!!"))
	if _, ok := other.parse(cred.SecurityToken); ok {
		t.Fatal("a token was accepted under another signing key")
	}
	if _, ok := f.s.keys.parse(cred.SecurityToken); !ok {
		t.Fatal("own token refused")
	}
}

func TestServerSideAccess(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, nil, 0)
	data := []byte("imported from a URL")
	if err := f.s.Put(ctx, bucketA, "pid-1/imported 图.jpg", bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}
	if n, err := f.s.Stat(ctx, bucketA, "pid-1/imported 图.jpg"); err != nil || n != int64(len(data)) {
		t.Fatalf("stat %d %v", n, err)
	}
	f.mustEqual(t, bucketA, "pid-1/imported 图.jpg", data)

	cases := []struct {
		name        string
		bucket, key string
		body        io.Reader
		size        int64
		code        string
	}{
		{"short body", bucketA, "pid-1/short.jpg", strings.NewReader("abc"), 10, "IncompleteBody"},
		{"long body", bucketA, "pid-1/long.jpg", strings.NewReader("abcdef"), 3, "InvalidArgument"},
		{"cut body", bucketA, "pid-1/cut.jpg", &failingReader{n: 5}, -1, "IncompleteBody"},
		{"bad key", bucketA, "pid-1/../x", strings.NewReader("a"), 1, "InvalidObjectName"},
		{"unknown bucket", "nope-bucket", "pid-1/x", strings.NewReader("a"), 1, "NoSuchBucket"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := f.s.Put(ctx, c.bucket, c.key, c.body, c.size)
			var e *Error
			if !errors.As(err, &e) || e.Code != c.code {
				t.Fatalf("got %v, want %s", err, c.code)
			}
			if _, err := f.s.Stat(ctx, c.bucket, c.key); err == nil {
				t.Fatal("object exists after a failed put")
			}
		})
	}
	for _, k := range []string{"pid-1/none", "../../x"} {
		if _, err := f.s.Stat(ctx, bucketA, k); err == nil {
			t.Fatalf("stat %q succeeded", k)
		}
	}
	if _, err := f.s.Stat(ctx, "nope-bucket", "x"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("stat in unknown bucket: %v", err)
	}
	if _, err := f.s.Open(ctx, bucketA, "pid-1/none"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("open absent: %v", err)
	}
}

func TestMultipartErrors(t *testing.T) {
	f := newFixture(t, nil, 300<<10)
	cred := f.issue(t, bucketA, "pid-1/", time.Hour)
	b := f.bucket(t, cred)
	start := func(t *testing.T, key string, sizes ...int) (alioss.InitiateMultipartUploadResult, []alioss.UploadPart) {
		t.Helper()
		imur, err := b.InitiateMultipartUpload(key)
		if err != nil {
			t.Fatal(err)
		}
		var parts []alioss.UploadPart
		for i, n := range sizes {
			p, err := b.UploadPart(imur, bytes.NewReader(randBytes(n, uint64(i))), int64(n), i+1)
			if err != nil {
				t.Fatal(err)
			}
			parts = append(parts, p)
		}
		return imur, parts
	}
	code := func(t *testing.T, err error, status int, want string) {
		t.Helper()
		se := serviceError(t, err)
		if se.StatusCode != status || se.Code != want {
			t.Fatalf("got %d %s (%s), want %d %s", se.StatusCode, se.Code, se.Message, status, want)
		}
	}
	t.Run("part too small", func(t *testing.T) {
		imur, parts := start(t, "pid-1/small.tif", 1000, 1000)
		_, err := b.CompleteMultipartUpload(imur, parts)
		code(t, err, 400, "EntityTooSmall")
		f.mustBeAbsent(t, bucketA, "pid-1/small.tif")
	})
	t.Run("whole too large", func(t *testing.T) {
		imur, parts := start(t, "pid-1/large.tif", 200<<10, 200<<10)
		_, err := b.CompleteMultipartUpload(imur, parts)
		code(t, err, 400, "EntityTooLarge")
		f.mustBeAbsent(t, bucketA, "pid-1/large.tif")
	})
	t.Run("part too large", func(t *testing.T) {
		imur, _ := start(t, "pid-1/part.tif")
		_, err := b.UploadPart(imur, bytes.NewReader(randBytes(301<<10, 1)), 301<<10, 1)
		code(t, err, 400, "EntityTooLarge")
	})
	t.Run("bad part number", func(t *testing.T) {
		imur, _ := start(t, "pid-1/num.tif")
		_, err := b.UploadPart(imur, strings.NewReader("x"), 1, 10001)
		code(t, err, 400, "InvalidArgument")
	})
	t.Run("upload id of another key", func(t *testing.T) {
		imur, _ := start(t, "pid-1/one.tif")
		imur.Key = "pid-1/two.tif"
		_, err := b.UploadPart(imur, strings.NewReader("x"), 1, 1)
		code(t, err, 404, "NoSuchUpload")
	})
	t.Run("unknown upload id", func(t *testing.T) {
		imur := alioss.InitiateMultipartUploadResult{Bucket: bucketA, Key: "pid-1/x.tif", UploadID: "../../etc/passwd"}
		_, err := b.UploadPart(imur, strings.NewReader("x"), 1, 1)
		code(t, err, 404, "NoSuchUpload")
	})
	t.Run("unordered parts", func(t *testing.T) {
		imur, parts := start(t, "pid-1/order.tif", 100<<10, 100<<10)
		_, err := b.CompleteMultipartUpload(imur, nil, alioss.SetHeader("x", "y"))
		code(t, err, 400, "MalformedXML")
		// The SDK sorts parts, so send the XML by hand through a signed call.
		parts[0], parts[1] = parts[1], parts[0]
		_, err = b.Client.Conn.Do("POST", bucketA, imur.Key, map[string]interface{}{"uploadId": imur.UploadID}, nil,
			strings.NewReader("<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>"+parts[0].ETag+
				"</ETag></Part><Part><PartNumber>1</PartNumber><ETag>"+parts[1].ETag+"</ETag></Part></CompleteMultipartUpload>"), 0, nil)
		code(t, err, 400, "InvalidPartOrder")
	})
	t.Run("complete all", func(t *testing.T) {
		imur, _ := start(t, "pid-1/all.tif", 100<<10, 5)
		if _, err := b.CompleteMultipartUpload(imur, nil, alioss.SetHeader("x-oss-complete-all", "yes")); err != nil {
			t.Fatal(err)
		}
		if n, err := f.s.Stat(context.Background(), bucketA, "pid-1/all.tif"); err != nil || n != 100<<10+5 {
			t.Fatalf("stat %d %v", n, err)
		}
	})
	t.Run("invalid key", func(t *testing.T) {
		err := b.PutObject("pid-1/a//b.jpg", strings.NewReader("x"))
		code(t, err, 400, "InvalidObjectName")
	})
}
