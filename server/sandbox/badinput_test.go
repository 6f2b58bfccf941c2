package sandbox_test

import (
	"strings"
	"testing"

	"altiup/server/sandbox/internal/gqltest"
)

// Bad input gets an error in words and changes nothing.
func TestBadInput(t *testing.T) {
	e := newEnv(t)
	pid := e.project("mine")
	theirs, err := gqltest.CreateProject(ctx, e.other, "theirs", nil, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	foreignPID := theirs.CreateProject.Id
	jpg := gqltest.IMAGE_TYPEJpeg
	sum := sha([]byte("a"))
	r, err := gqltest.UploadImageOSS(ctx, e.other, foreignPID, gqltest.BucketOSSHangzhou, "theirs.jpg", &jpg, &sum)
	if err != nil {
		t.Fatal(err)
	}
	foreignImage := r.UploadImageOSS.Image.Id
	r, err = gqltest.UploadImageOSS(ctx, e.demo, pid, gqltest.BucketOSSHangzhou, "mine.jpg", &jpg, &sum)
	if err != nil {
		t.Fatal(err)
	}
	myImage := r.UploadImageOSS.Image.Id

	cases := []struct {
		name string
		op   func() error
		want string
	}{
		{"uploadImageOSS to an unknown project", func() error {
			_, err := gqltest.UploadImageOSS(ctx, e.demo, "000000000000000000000000", gqltest.BucketOSSHangzhou, "a.jpg", &jpg, &sum)
			return err
		}, `project "000000000000000000000000" not found`},
		{"uploadImageOSS to another user's project", func() error {
			_, err := gqltest.UploadImageOSS(ctx, e.demo, foreignPID, gqltest.BucketOSSHangzhou, "a.jpg", &jpg, &sum)
			return err
		}, "not found"},
		{"STS for another user's project", func() error {
			_, err := gqltest.UploadImageOSS(ctx, e.demo, foreignPID, gqltest.BucketOSSHangzhou, "", nil, nil)
			return err
		}, "not found"},
		{"uploadImageS3 to another user's project", func() error {
			_, err := gqltest.UploadImageS3(ctx, e.demo, foreignPID, gqltest.BucketS3Tokyo, "a.jpg", &jpg, &sum)
			return err
		}, "not found"},
		{"uploadImageMinio to an unknown project", func() error {
			_, err := gqltest.UploadImageMinio(ctx, e.demo, "nope", gqltest.BucketMinioLocal, "a.jpg", &jpg, &sum)
			return err
		}, "not found"},
		{"uploadImageURL to another user's project", func() error {
			_, err := gqltest.UploadImageURL(ctx, e.demo, foreignPID, "http://127.0.0.1:1/a.jpg", nil, nil)
			return err
		}, "not found"},
		{"hasImage in another user's project", func() error {
			_, err := gqltest.HasImage(ctx, e.demo, foreignPID, sum)
			return err
		}, "not found"},
		{"malformed checksum (upper case)", func() error {
			_, err := gqltest.UploadImageOSS(ctx, e.demo, pid, gqltest.BucketOSSHangzhou, "b.jpg", &jpg, ptr(strings.ToUpper(sha([]byte("b")))))
			return err
		}, "40 lowercase hexadecimal characters"},
		{"malformed checksum (short)", func() error {
			_, err := gqltest.UploadImageS3(ctx, e.demo, pid, gqltest.BucketS3Tokyo, "b.jpg", &jpg, ptr("abc123"))
			return err
		}, `checksum "abc123" is not a SHA-1`},
		{"malformed checksum in hasImage", func() error {
			_, err := gqltest.HasImage(ctx, e.demo, pid, "not-a-sha1")
			return err
		}, "40 lowercase hexadecimal characters"},
		{"unknown OSS bucket", func() error {
			_, err := gqltest.UploadImageOSS(ctx, e.demo, pid, gqltest.BucketOSS("Atlantis"), "b.jpg", &jpg, nil)
			return err
		}, "Atlantis"},
		{"an S3 bucket named as OSS", func() error {
			_, err := gqltest.UploadImageOSS(ctx, e.demo, pid, gqltest.BucketOSS("Tokyo"), "b.jpg", &jpg, nil)
			return err
		}, "BucketOSS"},
		{"unknown S3 bucket", func() error {
			_, err := gqltest.UploadImageS3(ctx, e.demo, pid, gqltest.BucketS3("Mars"), "b.jpg", &jpg, nil)
			return err
		}, "Mars"},
		{"unknown image type", func() error {
			_, err := gqltest.UploadImageOSS(ctx, e.demo, pid, gqltest.BucketOSSHangzhou, "b.gif", ptr(gqltest.IMAGE_TYPE("GIF")), nil)
			return err
		}, "GIF"},
		{"startImageUpload on another user's image", func() error {
			_, err := gqltest.StartImageUpload(ctx, e.demo, foreignImage)
			return err
		}, "image " + `"` + foreignImage + `"` + " not found"},
		{"doneImageUpload on another user's image", func() error {
			_, err := gqltest.DoneImageUpload(ctx, e.demo, foreignImage)
			return err
		}, "not found"},
		{"doneImageUpload before any object", func() error {
			_, err := gqltest.DoneImageUpload(ctx, e.demo, myImage)
			return err
		}, "has not arrived"},
		{"startImageUpload on an unknown image", func() error {
			_, err := gqltest.StartImageUpload(ctx, e.demo, "ffffffffffffffffffffffff")
			return err
		}, "not found"},
		{"empty project name", func() error {
			_, err := gqltest.CreateProject(ctx, e.demo, "  ", nil, nil, nil, nil)
			return err
		}, "project name is empty"},
		{"unknown project type", func() error {
			_, err := gqltest.CreateProject(ctx, e.demo, "x", ptr(gqltest.PROJECT_TYPE("huge")), nil, nil, nil)
			return err
		}, "huge"},
		{"uploadImageURL with an ftp URL", func() error {
			_, err := gqltest.UploadImageURL(ctx, e.demo, pid, "ftp://example.com/a.jpg", nil, nil)
			return err
		}, "absolute http or https URL"},
		{"uploadImageURL with a malformed checksum", func() error {
			_, err := gqltest.UploadImageURL(ctx, e.demo, pid, "http://127.0.0.1:1/a.jpg", nil, ptr("xyz"))
			return err
		}, "not a SHA-1"},
		{"uploadImageS3 without a filename", func() error {
			_, err := gqltest.UploadImageS3(ctx, e.demo, pid, gqltest.BucketS3Tokyo, "", &jpg, nil)
			return err
		}, "filename is empty"},
		{"negative page size", func() error {
			_, err := gqltest.AllImages(ctx, e.demo, pid, nil, ptr(-1), nil, nil, nil)
			return err
		}, "must not be negative"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.snapshot()
			issued := e.oss.issuedCount()
			presigned, _ := e.s3.counts()
			msg, _ := errInfo(c.op())
			t.Logf("%s", msg)
			if !strings.Contains(msg, c.want) {
				t.Errorf("error %q, want %q", msg, c.want)
			}
			if e.snapshot() != before {
				t.Error("the state changed")
			}
			if p, _ := e.s3.counts(); e.oss.issuedCount() != issued || p != presigned {
				t.Error("credentials were handed out")
			}
		})
	}
}
