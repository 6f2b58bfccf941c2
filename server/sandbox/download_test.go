package sandbox_test

import (
	"strings"
	"testing"
	"time"

	"altiup/server/sandbox"
	"altiup/server/sandbox/internal/gqltest"
)

// The links themselves (bytes, expiry, tampering, CORS) are the storage
// endpoints' to check: ossbucket's TestSignGetURL, s3bucket's
// TestPresignedGet, and the server's TestImageURLDownload through both.
func TestImageURL(t *testing.T) {
	for _, tc := range []struct {
		name    string
		linkTTL time.Duration
		wantTTL time.Duration
	}{
		{"default lifetime", 0, 15 * time.Minute},
		{"configured lifetime", 5 * time.Minute, 5 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *sandbox.Config) { c.LinkTTL = tc.linkTTL })
			pid := e.project("links")
			data := jpegBytes(t, 20, 10)

			oss := e.uploadOSS(pid, "a.jpg", gqltest.IMAGE_TYPEJpeg, data, ptr(sha(data)))
			u := e.waitFinal(pid, oss.Id).Url
			if u == nil {
				t.Fatal("a stored OSS image has no url")
			}
			e.oss.mu.Lock()
			links := append([]link(nil), e.oss.links...)
			e.oss.mu.Unlock()
			if len(links) == 0 {
				t.Fatal("the OSS endpoint signed no link")
			}
			l := links[len(links)-1]
			if want := pid + "/" + oss.Filename; l.key != want || !strings.HasPrefix(l.bucket, "altiup-oss-") || l.contentType != "image/jpeg" || l.ttl != tc.wantTTL {
				t.Errorf("OSS link signed for %+v, want key %s, an OSS bucket, image/jpeg, %v", l, want, tc.wantTTL)
			}
			if !strings.Contains(*u, "Signature=fake") {
				t.Errorf("url %s is not the one the OSS endpoint signed", *u)
			}

			jpg := gqltest.IMAGE_TYPEJpeg
			r, err := gqltest.UploadImageS3(ctx, e.demo, pid, gqltest.BucketS3Tokyo, "b.jpg", &jpg, nil)
			if err != nil {
				t.Fatal(err)
			}
			s3 := r.UploadImageS3.Image
			if _, err := gqltest.StartImageUpload(ctx, e.demo, s3.Id); err != nil {
				t.Fatal(err)
			}
			if u := e.image(pid, s3.Id).Url; u != nil {
				t.Errorf("an image whose object has not arrived has url %s", *u)
			}
			e.s3.put(pid+"/"+s3.Filename, jpegBytes(t, 21, 10))
			u = e.waitFinal(pid, s3.Id).Url
			if u == nil || !strings.Contains(*u, "X-Amz-Signature=fake-get") {
				t.Fatalf("S3 image url %v, want the presigned GET", u)
			}
			e.s3.mu.Lock()
			l = e.s3.links[len(e.s3.links)-1]
			e.s3.mu.Unlock()
			if want := pid + "/" + s3.Filename; l.key != want || l.contentType != "image/jpeg" || l.ttl != tc.wantTTL {
				t.Errorf("S3 link presigned for %+v, want key %s, image/jpeg, %v", l, want, tc.wantTTL)
			}

			// An empty object is stored too: it has a link (and is Invalid).
			empty := e.uploadOSS(pid, "empty.jpg", gqltest.IMAGE_TYPEJpeg, nil, nil)
			if got := e.waitFinal(pid, empty.Id); got.State != gqltest.IMAGE_STATEInvalid || got.Url == nil {
				t.Errorf("empty image: %s, url %v", got.State, got.Url)
			}
		})
	}
}
