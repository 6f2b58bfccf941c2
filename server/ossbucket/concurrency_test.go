package ossbucket

import (
	"bytes"
	"sync"
	"testing"
	"time"

	alioss "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// TestConcurrentParts uploads the parts of one object in parallel, some of
// them twice, as a resuming uploader does.
func TestConcurrentParts(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			f := newFixture(t, st.new(t), 0)
			cred := f.issue(t, bucketA, "pid-1/", time.Hour)
			b := f.bucket(t, cred)
			const partSize, n = 100 << 10, 8
			data := randBytes(partSize*n-123, 11)
			imur, err := b.InitiateMultipartUpload("pid-1/parallel.tif")
			if err != nil {
				t.Fatal(err)
			}
			parts := make([]alioss.UploadPart, n)
			errs := make([]error, 2*n)
			var wg sync.WaitGroup
			for i := range 2 * n {
				wg.Go(func() {
					k := i % n
					chunk := data[k*partSize : min((k+1)*partSize, len(data))]
					p, err := b.UploadPart(imur, bytes.NewReader(chunk), int64(len(chunk)), k+1)
					errs[i] = err
					if i < n {
						parts[k] = p
					}
				})
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if _, err := b.CompleteMultipartUpload(imur, parts); err != nil {
				t.Fatal(err)
			}
			f.mustEqual(t, bucketA, "pid-1/parallel.tif", data)
		})
	}
}

// BenchmarkPutObject measures PutObject through the SDK into each store.
func BenchmarkPutObject(b *testing.B) {
	data := randBytes(8<<20, 1)
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			f := newFixture(b, st.new(b), 0)
			cred, _ := f.s.IssueSTS(bucketA, "pid-1/", time.Hour)
			bk := sdkBucket(b, f.ts.URL, bucketA, cred.AccessKeyID, cred.AccessKeySecret, cred.SecurityToken)
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if err := bk.PutObject("pid-1/bench.jpg", bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
