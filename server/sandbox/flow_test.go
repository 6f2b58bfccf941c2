package sandbox_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"altiup/server/sandbox/internal/gqltest"
)

var expireFormat = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

func TestOSSUpload(t *testing.T) {
	e := newEnv(t)
	pid := e.project("oss")
	data := jpegBytes(t, 40, 30)
	sum := sha(data)

	has, err := gqltest.HasImage(ctx, e.demo, pid, sum)
	if err != nil || has.HasImage != nil {
		t.Fatalf("hasImage before upload = %+v, %v; want null", has.HasImage, err)
	}

	// An STS alone, as clients refresh it.
	r, err := gqltest.UploadImageOSS(ctx, e.demo, pid, gqltest.BucketOSSHangzhou, "", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	sts := r.UploadImageOSS.Sts
	if r.UploadImageOSS.Image != nil {
		t.Errorf("filename \"\" registered an image: %+v", r.UploadImageOSS.Image)
	}
	if sts.Bucket != "altiup-oss-hangzhou" || sts.Endpoint != "http://127.0.0.1:18081" || sts.Id == "" || sts.Secret == "" || sts.Token == "" {
		t.Errorf("sts = %+v", sts)
	}
	if sts.Expire != "2030-01-02T03:04:05Z" || !expireFormat.MatchString(sts.Expire) {
		t.Errorf("expire = %q, want UTC 2030-01-02T03:04:05Z", sts.Expire)
	}
	if got := e.oss.firstIssue(); got.bucket != "altiup-oss-hangzhou" || got.prefix != pid+"/" || got.ttl != time.Hour {
		t.Errorf("STS issued for %+v", got)
	}

	typ := gqltest.IMAGE_TYPEJpeg
	r, err = gqltest.UploadImageOSS(ctx, e.demo, pid, gqltest.BucketOSSHangzhou, "DSC_0001.JPG", &typ, &sum)
	if err != nil {
		t.Fatal(err)
	}
	img := r.UploadImageOSS.Image
	if img.State != gqltest.IMAGE_STATEPending || img.Name != "DSC_0001.JPG" || *img.Checksum != sum {
		t.Errorf("registered image = %+v", img)
	}
	if !regexp.MustCompile(`^[0-9a-f]{40}\.jpg$`).MatchString(img.Filename) {
		t.Errorf("filename = %q, want a hash with .jpg", img.Filename)
	}
	if !regexp.MustCompile(`^[0-9a-f]{24}$`).MatchString(img.Id) {
		t.Errorf("id = %q, want 24 hex digits", img.Id)
	}

	st, err := gqltest.StartImageUpload(ctx, e.demo, img.Id)
	if err != nil || st.StartImageUpload.State != gqltest.IMAGE_STATEUploading {
		t.Fatalf("startImageUpload = %+v, %v", st, err)
	}

	before := e.snapshot()
	_, err = gqltest.DoneImageUpload(ctx, e.demo, img.Id)
	msg, code := errInfo(err)
	if code != "NOT_UPLOADED" || !strings.Contains(msg, "has not arrived") {
		t.Errorf("doneImageUpload before the object: %q (%s)", msg, code)
	}
	if e.snapshot() != before {
		t.Error("a failed doneImageUpload changed the state")
	}

	e.oss.put("altiup-oss-hangzhou/"+pid+"/"+img.Filename, data)
	done, err := gqltest.DoneImageUpload(ctx, e.demo, img.Id)
	if err != nil {
		t.Fatal(err)
	}
	if s := done.DoneImageUpload.State; s != gqltest.IMAGE_STATEUploaded && s != gqltest.IMAGE_STATEProcessing && s != gqltest.IMAGE_STATEReady {
		t.Errorf("after doneImageUpload: %s", s)
	}
	final := e.waitFinal(pid, img.Id)
	if final.State != gqltest.IMAGE_STATEReady || *final.Width != 40 || *final.Height != 30 || final.Size != float64(len(data)) {
		t.Errorf("final image = %+v", final)
	}
	if *final.Cloud != "OSS" || *final.Bucket != "Hangzhou" || *final.Type != gqltest.IMAGE_TYPEJpeg {
		t.Errorf("final image = %+v", final)
	}

	has, err = gqltest.HasImage(ctx, e.demo, pid, sum)
	if err != nil || has.HasImage == nil || has.HasImage.Id != img.Id || has.HasImage.State != gqltest.IMAGE_STATEReady {
		t.Errorf("hasImage after upload = %+v, %v", has.HasImage, err)
	}
	p, err := gqltest.Project(ctx, e.demo, pid)
	if err != nil {
		t.Fatal(err)
	}
	if p.Project.NumImage != 1 || p.Project.GigaPixel != 2073600/1e9 || p.Project.TaskState != "Idle" {
		t.Errorf("project = %+v", p.Project)
	}
	if len(p.Project.CloudPath) != 1 || p.Project.CloudPath[0].Key != "altiup-oss-hangzhou/"+pid+"/" {
		t.Errorf("cloudPath = %+v", p.Project.CloudPath)
	}
	// Calling done again changes nothing.
	again, err := gqltest.DoneImageUpload(ctx, e.demo, img.Id)
	if err != nil || again.DoneImageUpload.State != gqltest.IMAGE_STATEReady {
		t.Errorf("second doneImageUpload = %+v, %v", again, err)
	}
}

func TestS3AndMinioUpload(t *testing.T) {
	e := newEnv(t)
	pid := e.project("s3")
	cases := []struct {
		name  string
		typ   gqltest.IMAGE_TYPE
		data  []byte
		ct    string
		minio bool
		start bool
	}{
		{"a.png", gqltest.IMAGE_TYPEPng, pngBytes(t, 20, 10), "image/png", false, true},
		{"b.tif", gqltest.IMAGE_TYPETiff, tiffBytes(t, 12, 9), "image/tiff", true, true},
		// S3 clients may skip startImageUpload: Pending images are watched too.
		{"c.jpg", gqltest.IMAGE_TYPEJpeg, jpegBytes(t, 8, 8), "image/jpeg", false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sum := sha(c.data)
			var url string
			var img gqltest.ImageFields
			if c.minio {
				r, err := gqltest.UploadImageMinio(ctx, e.demo, pid, gqltest.BucketMinioLocal, c.name, &c.typ, &sum)
				if err != nil {
					t.Fatal(err)
				}
				url, img = r.UploadImageMinio.Url, r.UploadImageMinio.Image.ImageFields
			} else {
				r, err := gqltest.UploadImageS3(ctx, e.demo, pid, gqltest.BucketS3Tokyo, c.name, &c.typ, &sum)
				if err != nil {
					t.Fatal(err)
				}
				url, img = r.UploadImageS3.Url, r.UploadImageS3.Image.ImageFields
			}
			key := pid + "/" + img.Filename
			if !strings.Contains(url, key) {
				t.Errorf("url %q is not for key %s", url, key)
			}
			if got := e.s3.lastPresign(); got.key != key || got.contentType != c.ct {
				t.Errorf("presigned %+v, want key %s with %s", got, key, c.ct)
			}
			if c.start {
				if _, err := gqltest.StartImageUpload(ctx, e.demo, img.Id); err != nil {
					t.Fatal(err)
				}
			}
			e.s3.put(key, c.data)
			final := e.waitFinal(pid, img.Id)
			if final.State != gqltest.IMAGE_STATEReady || *final.Type != c.typ {
				t.Errorf("final = %s %v", final.State, final.Error)
			}
		})
	}
}

func TestValidation(t *testing.T) {
	e := newEnv(t)
	pid := e.project("validation")
	good := jpegBytes(t, 64, 48)
	truncated := good[:len(good)/2]
	pdf := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	cases := []struct {
		name     string
		typ      gqltest.IMAGE_TYPE
		data     []byte
		checksum *string
		state    gqltest.IMAGE_STATE
		reason   string
		w, h     int
	}{
		{"good.jpg", gqltest.IMAGE_TYPEJpeg, good, ptr(sha(good)), gqltest.IMAGE_STATEReady, "", 64, 48},
		{"good.png", gqltest.IMAGE_TYPEPng, pngBytes(t, 33, 17), nil, gqltest.IMAGE_STATEReady, "", 33, 17},
		{"good.tif", gqltest.IMAGE_TYPETiff, tiffBytes(t, 21, 5), nil, gqltest.IMAGE_STATEReady, "", 21, 5},
		{"truncated.jpg", gqltest.IMAGE_TYPEJpeg, truncated, ptr(sha(truncated)), gqltest.IMAGE_STATEInvalid, "damaged or truncated", 0, 0},
		{"document.jpg", gqltest.IMAGE_TYPEJpeg, pdf, ptr(sha(pdf)), gqltest.IMAGE_STATEInvalid, "not a JPEG image", 0, 0},
		{"mismatch.jpg", gqltest.IMAGE_TYPEJpeg, jpegBytes(t, 10, 10), ptr(sha([]byte("other bytes"))), gqltest.IMAGE_STATEInvalid, "checksum mismatch", 0, 0},
		// The CLI registers what it cannot tell as JPEG.
		{"tiff-registered-as-jpeg.tif", gqltest.IMAGE_TYPEJpeg, tiffBytes(t, 9, 7), nil, gqltest.IMAGE_STATEReady, "", 9, 7},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img := e.uploadOSS(pid, c.name, c.typ, c.data, c.checksum)
			got := e.waitFinal(pid, img.Id)
			t.Logf("%s: %s %q", c.name, got.State, got.Error)
			if got.State != c.state {
				t.Fatalf("state = %s %v, want %s", got.State, got.Error, c.state)
			}
			if c.reason == "" {
				if len(got.Error) != 0 {
					t.Errorf("error = %v, want none", got.Error)
				}
				if *got.Width != c.w || *got.Height != c.h {
					t.Errorf("size %d×%d, want %d×%d", *got.Width, *got.Height, c.w, c.h)
				}
				if want := map[string]gqltest.IMAGE_TYPE{"jpg": "JPEG", "png": "PNG", "tif": "TIFF"}[c.name[strings.LastIndex(c.name, ".")+1:]]; *got.Type != want {
					t.Errorf("type %s, want %s (what the bytes are)", *got.Type, want)
				}
			} else if len(got.Error) == 0 || !strings.Contains(strings.Join(got.Error, "; "), c.reason) {
				t.Errorf("error = %q, want %q", got.Error, c.reason)
			}
			if c.checksum == nil {
				// The computed checksum is recorded and found.
				if got.Checksum == nil || *got.Checksum != sha(c.data) {
					t.Errorf("checksum = %v, want %s", got.Checksum, sha(c.data))
				}
				has, err := gqltest.HasImage(ctx, e.demo, pid, sha(c.data))
				if err != nil || has.HasImage == nil || has.HasImage.Id != img.Id {
					t.Errorf("hasImage(computed checksum) = %+v, %v", has.HasImage, err)
				}
			}
		})
	}

	t.Run("same bytes twice without a checksum", func(t *testing.T) {
		data := pngBytes(t, 33, 17) // as good.png
		img := e.uploadOSS(pid, "again.png", gqltest.IMAGE_TYPEPng, data, nil)
		got := e.waitFinal(pid, img.Id)
		if got.State != gqltest.IMAGE_STATEInvalid || !strings.Contains(strings.Join(got.Error, ""), "already has these bytes") {
			t.Errorf("duplicate = %s %v", got.State, got.Error)
		}
	})
}

func TestRegistrationRules(t *testing.T) {
	e := newEnv(t)
	pid := e.project("rules")
	data := jpegBytes(t, 10, 10)
	sum := sha(data)
	jpg := gqltest.IMAGE_TYPEJpeg

	first, err := gqltest.UploadImageOSS(ctx, e.demo, pid, gqltest.BucketOSSHangzhou, "a.jpg", &jpg, &sum)
	if err != nil {
		t.Fatal(err)
	}
	id := first.UploadImageOSS.Image.Id

	t.Run("same checksum returns the same image", func(t *testing.T) {
		again, err := gqltest.UploadImageOSS(ctx, e.demo, pid, gqltest.BucketOSSHangzhou, "a.jpg", &jpg, &sum)
		if err != nil {
			t.Fatal(err)
		}
		if again.UploadImageOSS.Image.Id != id {
			t.Errorf("got a new image %s, want %s", again.UploadImageOSS.Image.Id, id)
		}
	})
	t.Run("a Pending image moves to another cloud", func(t *testing.T) {
		moved, err := gqltest.UploadImageS3(ctx, e.demo, pid, gqltest.BucketS3Tokyo, "a.jpg", &jpg, &sum)
		if err != nil {
			t.Fatal(err)
		}
		img := moved.UploadImageS3.Image
		if img.Id != id || *img.Cloud != "S3" || *img.Bucket != "Tokyo" {
			t.Errorf("moved image = %+v", img)
		}
		e.s3.put(pid+"/"+img.Filename, data)
		if got := e.waitFinal(pid, id); got.State != gqltest.IMAGE_STATEReady {
			t.Errorf("moved image ended %s %v", got.State, got.Error)
		}
		p, _ := gqltest.Project(ctx, e.demo, pid)
		if p.Project.NumImage != 1 {
			t.Errorf("numImage = %d, want 1", p.Project.NumImage)
		}
	})
	t.Run("an Invalid image is replaced", func(t *testing.T) {
		bad := []byte("not an image at all")
		badSum := sha(bad)
		img := e.uploadOSS(pid, "bad.jpg", jpg, bad, &badSum)
		if got := e.waitFinal(pid, img.Id); got.State != gqltest.IMAGE_STATEInvalid {
			t.Fatalf("bad image is %s", got.State)
		}
		has, _ := gqltest.HasImage(ctx, e.demo, pid, badSum)
		if has.HasImage == nil || has.HasImage.State != gqltest.IMAGE_STATEInvalid {
			t.Errorf("hasImage of an Invalid image = %+v", has.HasImage)
		}
		again, err := gqltest.UploadImageOSS(ctx, e.demo, pid, gqltest.BucketOSSHangzhou, "bad.jpg", &jpg, &badSum)
		if err != nil {
			t.Fatal(err)
		}
		repl := again.UploadImageOSS.Image
		if repl.Id == img.Id || repl.Filename == img.Filename || repl.State != gqltest.IMAGE_STATEPending {
			t.Errorf("replacement = %+v (old %s %s)", repl, img.Id, img.Filename)
		}
		r, _ := gqltest.ProjectImage(ctx, e.demo, pid, img.Id)
		if r.Project.Image != nil {
			t.Errorf("the Invalid image is still there")
		}
		p, _ := gqltest.Project(ctx, e.demo, pid)
		if p.Project.NumImage != 2 {
			t.Errorf("numImage = %d, want 2", p.Project.NumImage)
		}
	})
	t.Run("startImageUpload leaves later states alone", func(t *testing.T) {
		st, err := gqltest.StartImageUpload(ctx, e.demo, id)
		if err != nil || st.StartImageUpload.State != gqltest.IMAGE_STATEReady {
			t.Errorf("startImageUpload on a Ready image = %+v, %v", st, err)
		}
	})
}

func TestExpiry(t *testing.T) {
	e := newEnv(t)
	pid := e.project("expiry")
	jpg := gqltest.IMAGE_TYPEJpeg
	r, err := gqltest.UploadImageOSS(ctx, e.demo, pid, gqltest.BucketOSSHangzhou, "slow.jpg", &jpg, ptr(sha([]byte("slow"))))
	if err != nil {
		t.Fatal(err)
	}
	id := r.UploadImageOSS.Image.Id
	if _, err := gqltest.StartImageUpload(ctx, e.demo, id); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(64 * time.Minute)
	if got := e.image(pid, id); got.State != gqltest.IMAGE_STATEUploading {
		t.Fatalf("after 64 minutes: %s", got.State)
	}
	e.clock.Advance(2 * time.Minute)
	got := e.image(pid, id)
	if got.State != gqltest.IMAGE_STATEInvalid || len(got.Error) != 1 || got.Error[0] != "upload not finished within 65 minutes" {
		t.Errorf("after 66 minutes: %s %q", got.State, got.Error)
	}
	// An object arriving late changes nothing.
	e.oss.put("altiup-oss-hangzhou/"+pid+"/"+got.Filename, []byte("late"))
	done, err := gqltest.DoneImageUpload(ctx, e.demo, id)
	if err != nil || done.DoneImageUpload.State != gqltest.IMAGE_STATEInvalid {
		t.Errorf("doneImageUpload after expiry = %+v, %v", done, err)
	}
}
