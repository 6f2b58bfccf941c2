package ossbucket

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	alioss "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

var errNotExist = fs.ErrNotExist

func quotedMD5(b []byte) string {
	s := md5.Sum(b)
	return `"` + strings.ToUpper(hex.EncodeToString(s[:])) + `"`
}

func TestSDKUploads(t *testing.T) {
	for _, v := range authVariants {
		t.Run(v.name, func(t *testing.T) {
			f := newFixture(t, nil, 0)
			cred := f.issue(t, bucketA, "pid-1/", time.Hour)
			b := f.bucket(t, cred, v.opts...)

			t.Run("PutObject", func(t *testing.T) {
				data := randBytes(300<<10, 1)
				key := "pid-1/照片 一.jpg"
				if err := b.PutObject(key, bytes.NewReader(data)); err != nil {
					t.Fatal(err)
				}
				f.mustEqual(t, bucketA, key, data)
				// Overwriting replaces the object.
				if err := b.PutObject(key, bytes.NewReader(data[:10])); err != nil {
					t.Fatal(err)
				}
				f.mustEqual(t, bucketA, key, data[:10])
			})

			t.Run("PutObjectFromFile", func(t *testing.T) {
				data := randBytes(70<<10, 2)
				path := filepath.Join(t.TempDir(), "a b.png")
				if err := os.WriteFile(path, data, 0o644); err != nil {
					t.Fatal(err)
				}
				key := "pid-1/sub dir/a b.png"
				if err := b.PutObjectFromFile(key, path); err != nil {
					t.Fatal(err)
				}
				f.mustEqual(t, bucketA, key, data)
			})

			t.Run("ContentMD5", func(t *testing.T) {
				data := randBytes(1000, 3)
				sum := md5.Sum(data)
				good := alioss.ContentMD5(b64(sum[:]))
				if err := b.PutObject("pid-1/md5.jpg", bytes.NewReader(data), good); err != nil {
					t.Fatal(err)
				}
				f.mustEqual(t, bucketA, "pid-1/md5.jpg", data)
				other := md5.Sum([]byte("other"))
				err := b.PutObject("pid-1/md5-bad.jpg", bytes.NewReader(data), alioss.ContentMD5(b64(other[:])))
				if se := serviceError(t, err); se.StatusCode != 400 || se.Code != "InvalidDigest" {
					t.Fatalf("got %d %s, want 400 InvalidDigest", se.StatusCode, se.Code)
				}
				f.mustBeAbsent(t, bucketA, "pid-1/md5-bad.jpg")
			})

			for _, ct := range []string{"", "image/jpeg"} {
				t.Run("SignURL content-type="+ct, func(t *testing.T) {
					data := randBytes(5000, 4)
					key := "pid-1/signed 图.jpg"
					var opts []alioss.Option
					if ct != "" {
						opts = append(opts, alioss.ContentType(ct))
					}
					u, err := b.SignURL(key, alioss.HTTPPut, 600, opts...)
					if err != nil {
						t.Fatal(err)
					}
					req, _ := http.NewRequest(http.MethodPut, u, bytes.NewReader(data))
					if ct != "" {
						req.Header.Set("Content-Type", ct)
					}
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					resp.Body.Close()
					if resp.StatusCode != 200 {
						t.Fatalf("status %d", resp.StatusCode)
					}
					if got := resp.Header.Get("ETag"); got != quotedMD5(data) {
						t.Fatalf("ETag %s, want %s", got, quotedMD5(data))
					}
					f.mustEqual(t, bucketA, key, data)
				})
			}

			t.Run("Multipart", func(t *testing.T) {
				data := randBytes(350<<10, 5)
				key := "pid-1/big 大.tif"
				imur, err := b.InitiateMultipartUpload(key)
				if err != nil {
					t.Fatal(err)
				}
				if imur.Key != key || imur.Bucket != bucketA || imur.UploadID == "" {
					t.Fatalf("initiate result %+v", imur)
				}
				chunks := [][]byte{data[:150<<10], data[150<<10 : 300<<10], data[300<<10:]}
				var parts []alioss.UploadPart
				for i, c := range chunks {
					p, err := b.UploadPart(imur, bytes.NewReader(c), int64(len(c)), i+1)
					if err != nil {
						t.Fatal(err)
					}
					if p.ETag != quotedMD5(c) {
						t.Fatalf("part %d ETag %s, want %s", i+1, p.ETag, quotedMD5(c))
					}
					parts = append(parts, p)
				}
				lp, err := b.ListUploadedParts(imur)
				if err != nil {
					t.Fatal(err)
				}
				if lp.Key != key || len(lp.UploadedParts) != 3 {
					t.Fatalf("list parts: key %q, %d parts", lp.Key, len(lp.UploadedParts))
				}
				for i, p := range lp.UploadedParts {
					if p.PartNumber != i+1 || p.ETag != parts[i].ETag || p.Size != len(chunks[i]) {
						t.Fatalf("listed part %d = %+v", i+1, p)
					}
				}
				// Parts in the wrong order are refused and change nothing.
				_, err = b.CompleteMultipartUpload(imur, []alioss.UploadPart{parts[0], {PartNumber: 2, ETag: parts[0].ETag}})
				if se := serviceError(t, err); se.Code != "InvalidPart" {
					t.Fatalf("code %s, want InvalidPart", se.Code)
				}
				res, err := b.CompleteMultipartUpload(imur, parts)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasSuffix(res.ETag, `-3"`) || res.Key != key {
					t.Fatalf("complete result %+v", res)
				}
				f.mustEqual(t, bucketA, key, data)
				if _, err := b.ListUploadedParts(imur); serviceError(t, err).Code != "NoSuchUpload" {
					t.Fatalf("upload should be gone after completion: %v", err)
				}
			})

			t.Run("Abort", func(t *testing.T) {
				key := "pid-1/aborted.jpg"
				imur, err := b.InitiateMultipartUpload(key)
				if err != nil {
					t.Fatal(err)
				}
				c := randBytes(200<<10, 6)
				if _, err := b.UploadPart(imur, bytes.NewReader(c), int64(len(c)), 1); err != nil {
					t.Fatal(err)
				}
				if err := b.AbortMultipartUpload(imur); err != nil {
					t.Fatal(err)
				}
				_, err = b.ListUploadedParts(imur)
				if se := serviceError(t, err); se.StatusCode != 404 || se.Code != "NoSuchUpload" {
					t.Fatalf("got %d %s, want 404 NoSuchUpload", se.StatusCode, se.Code)
				}
				f.mustBeAbsent(t, bucketA, key)
			})

			t.Run("VirtualHosted", func(t *testing.T) {
				// A host name, not an IP, makes the SDK address <bucket>.<host>.
				endpoint := "http://oss-test.internal:" + f.ts.URL[strings.LastIndex(f.ts.URL, ":")+1:]
				opts := append([]alioss.ClientOption{alioss.HTTPClient(dialTo(f.ts.Listener.Addr().String()))}, v.opts...)
				vb := sdkBucket(t, endpoint, bucketA, cred.AccessKeyID, cred.AccessKeySecret, cred.SecurityToken, opts...)
				data := randBytes(1234, 7)
				if err := vb.PutObject("pid-1/virtual host.jpg", bytes.NewReader(data)); err != nil {
					t.Fatal(err)
				}
				f.mustEqual(t, bucketA, "pid-1/virtual host.jpg", data)
			})

			for _, scheme := range v.schemes {
				if !f.sawScheme(scheme) {
					t.Errorf("no request was signed with %q", scheme)
				}
			}
		})
	}
}

func b64(b []byte) string { return base64Std(b) }
