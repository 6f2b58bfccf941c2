package sandbox_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"altiup/server/sandbox"
	"altiup/server/sandbox/internal/gqltest"
)

func TestGeoIPAndSupport(t *testing.T) {
	e := newEnv(t)
	geo, err := gqltest.GeoIP(ctx, e.anon)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range geo.GetGeoIPInfo.NearestBuckets {
		got = append(got, b.Cloud+":"+b.Bucket)
	}
	if want := []string{"OSS:Hangzhou", "S3:Tokyo", "MINIO:Local"}; !slices.Equal(got, want) {
		t.Errorf("nearestBuckets = %v, want %v", got, want)
	}
	if geo.GetGeoIPInfo.Id != "127.0.0.1" {
		t.Errorf("id = %q, want the caller's address", geo.GetGeoIPInfo.Id)
	}
	if len(geo.GetGeoIPInfo.NearestModelBuckets) == 0 || len(geo.GetGeoIPInfo.NearestMetaBuckets) == 0 {
		t.Error("model and meta buckets are empty")
	}

	sup, err := gqltest.Support(ctx, e.anon, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sup.Support.SystemMode != "Normal" {
		t.Errorf("systemMode = %q", sup.Support.SystemMode)
	}
	if want := []string{"OSS", "S3", "MINIO"}; !slices.Equal(sup.Support.SupportedCloud, want) {
		t.Errorf("supportedCloud = %v, want %v", sup.Support.SupportedCloud, want)
	}
	if sup.Support.Endpoints.Api != "http://api.test" || sup.Support.Endpoints.Web != "http://web.test" {
		t.Errorf("endpoints = %+v", sup.Support.Endpoints)
	}
	// Every kind lists the clouds of its nearest buckets, in their order.
	clouds := map[gqltest.UPLOAD_TYPE][]string{}
	for _, b := range geo.GetGeoIPInfo.NearestBuckets {
		clouds[gqltest.UPLOAD_TYPEImage] = append(clouds[gqltest.UPLOAD_TYPEImage], b.Cloud)
	}
	for _, b := range geo.GetGeoIPInfo.NearestModelBuckets {
		clouds[gqltest.UPLOAD_TYPEModel] = append(clouds[gqltest.UPLOAD_TYPEModel], b.Cloud)
	}
	for _, b := range geo.GetGeoIPInfo.NearestMetaBuckets {
		clouds[gqltest.UPLOAD_TYPEMeta] = append(clouds[gqltest.UPLOAD_TYPEMeta], b.Cloud)
	}
	for k, buckets := range clouds {
		sup, err := gqltest.Support(ctx, e.anon, &k)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, c := range buckets {
			if !slices.Contains(want, c) {
				want = append(want, c)
			}
		}
		if len(want) == 0 || !slices.Equal(sup.Support.SupportedCloud, want) {
			t.Errorf("supportedCloud(%s) = %v, want %v", k, sup.Support.SupportedCloud, want)
		}
	}
}

func TestBucketOrderIsConfigurable(t *testing.T) {
	e := newEnv(t, func(c *sandbox.Config) {
		c.Buckets = []sandbox.Bucket{
			{Cloud: sandbox.CloudS3, Name: "Paris", Display: "Paris"},
			{Cloud: sandbox.CloudOSS, Name: "Shanghai", Display: "Shanghai"},
		}
	})
	geo, err := gqltest.GeoIP(ctx, e.anon)
	if err != nil {
		t.Fatal(err)
	}
	b := geo.GetGeoIPInfo.NearestBuckets
	if len(b) != 2 || b[0].Bucket != "Paris" || b[0].Cloud != "S3" || b[1].Bucket != "Shanghai" {
		t.Errorf("nearestBuckets = %+v", b)
	}
	sup, err := gqltest.Support(ctx, e.anon, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"S3", "OSS"}; !slices.Equal(sup.Support.SupportedCloud, want) {
		t.Errorf("supportedCloud = %v, want %v", sup.Support.SupportedCloud, want)
	}

	_, err = sandbox.New(sandbox.Config{AppKey: "k", Users: []sandbox.User{{Token: "t", Username: "u"}},
		Buckets: []sandbox.Bucket{{Cloud: sandbox.CloudOSS, Name: "Tokyo"}}})
	if err == nil {
		t.Error("New accepted an OSS bucket named Tokyo, which is not a BucketOSS value")
	}
}

func TestOSSBucketNames(t *testing.T) {
	want := []string{"altiup-oss-hangzhou", "altiup-oss-shanghai", "altiup-oss-beijing", "altiup-oss-shenzhen", "altiup-oss-hongkong"}
	if got := sandbox.OSSBucketNames(); !slices.Equal(got, want) {
		t.Errorf("OSSBucketNames() = %v, want %v", got, want)
	}
}

func TestIntrospection(t *testing.T) {
	e := newEnv(t)
	for typ, want := range map[string][]string{
		"BucketOSS":   {"Hangzhou", "Shanghai", "Beijing", "Shenzhen", "HongKong"},
		"BucketMinio": {"Local"},
		"TASK_TYPE":   {"Native", "Dense", "Sparse"},
	} {
		r, err := gqltest.EnumValues(ctx, e.anon, typ)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range r.Type.EnumValues {
			got = append(got, v.Name)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", typ, got, want)
		}
	}
	r, err := gqltest.EnumValues(ctx, e.anon, "BucketS3")
	if err != nil {
		t.Fatal(err)
	}
	var s3 []string
	for _, v := range r.Type.EnumValues {
		s3 = append(s3, v.Name)
	}
	for _, want := range []string{"Tokyo", "Paris", "Stockholm", "HongKong"} {
		if !slices.Contains(s3, want) {
			t.Errorf("BucketS3 lacks %s: %v", want, s3)
		}
	}
}

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

func TestPaging(t *testing.T) {
	e := newEnv(t)
	pid := e.project("paging")
	jpg := gqltest.IMAGE_TYPEJpeg
	var ids []string
	for i := range 5 {
		r, err := gqltest.UploadImageOSS(ctx, e.demo, pid, gqltest.BucketOSSHangzhou, "p.jpg", &jpg, ptr(sha([]byte{byte(i)})))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.UploadImageOSS.Image.Id)
	}
	edges := func(r *gqltest.AllImagesResponse) []string {
		var out []string
		for _, e := range r.Project.AllImages.Edges {
			out = append(out, e.Node.Id)
		}
		return out
	}
	all := gqltest.IMAGE_FILTERAll
	cases := []struct {
		name          string
		first, last   *int
		after, before *string
		want          []string
		next, prev    bool
	}{
		{"default", nil, nil, nil, nil, ids, false, false},
		{"first 2", ptr(2), nil, nil, nil, ids[:2], true, false},
		{"next 2", ptr(2), nil, &ids[1], nil, ids[2:4], true, true},
		{"last page", ptr(2), nil, &ids[3], nil, ids[4:], false, true},
		{"last 2", nil, ptr(2), nil, nil, ids[3:], false, true},
		{"last 2 before", nil, ptr(2), nil, &ids[3], ids[1:3], true, true},
		{"empty cursors as the CLI sends", ptr(3), nil, ptr(""), ptr(""), ids[:3], true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := gqltest.AllImages(ctx, e.demo, pid, &all, c.first, c.after, c.last, c.before)
			if err != nil {
				t.Fatal(err)
			}
			if got := edges(r); !slices.Equal(got, c.want) {
				t.Errorf("edges = %v, want %v", got, c.want)
			}
			pi := r.Project.AllImages.PageInfo
			if pi.HasNextPage != c.next || pi.HasPreviousPage != c.prev {
				t.Errorf("pageInfo = %+v, want next %v prev %v", pi, c.next, c.prev)
			}
			if r.Project.AllImages.TotalCount != 5 {
				t.Errorf("totalCount = %d", r.Project.AllImages.TotalCount)
			}
			if *pi.StartCursor != c.want[0] || *pi.EndCursor != c.want[len(c.want)-1] {
				t.Errorf("cursors %s..%s", *pi.StartCursor, *pi.EndCursor)
			}
		})
	}
	ready := gqltest.IMAGE_FILTERReady
	r, err := gqltest.AllImages(ctx, e.demo, pid, &ready, nil, nil, nil, nil)
	if err != nil || r.Project.AllImages.TotalCount != 0 || len(r.Project.AllImages.Edges) != 0 {
		t.Errorf("Ready filter = %+v, %v", r, err)
	}
	pending := gqltest.IMAGE_FILTERPending
	r, err = gqltest.AllImages(ctx, e.demo, pid, &pending, nil, nil, nil, nil)
	if err != nil || r.Project.AllImages.TotalCount != 5 {
		t.Errorf("Pending filter = %+v, %v", r, err)
	}
	_, err = gqltest.AllImages(ctx, e.demo, pid, &all, nil, ptr("nonsense"), nil, nil)
	if msg, _ := errInfo(err); !strings.Contains(msg, "not an image of this project") {
		t.Errorf("bad cursor: %q", msg)
	}
}

func TestProjectsSearchAndUsers(t *testing.T) {
	e := newEnv(t)
	free, public := gqltest.PROJECT_TYPEFree, gqltest.PROJECT_VISIBILITYPublic
	pro, private := gqltest.PROJECT_TYPEPro, gqltest.PROJECT_VISIBILITYPrivate
	a, err := gqltest.CreateProject(ctx, e.demo, "first", &free, nil, nil, &public)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Second)
	b, err := gqltest.CreateProject(ctx, e.demo, "second", &pro, ptr(true), ptr(gqltest.IMPORTED_MODEL_TYPEPtcloud), &private)
	if err != nil {
		t.Fatal(err)
	}
	if p := b.CreateProject; p.Name != "second" || p.ProjectType != pro || p.Visibility != private || !p.IsImported || p.TaskState != "Idle" {
		t.Errorf("created %+v", p)
	}
	if d := a.CreateProject.Date; d == nil || !d.Equal(time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("date = %v", d)
	}
	theirs, err := gqltest.CreateProject(ctx, e.other, "theirs", nil, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}

	s, err := gqltest.SearchProjects(ctx, e.demo, nil, nil, ptr(true))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range s.Search.ProjectID {
		names = append(names, p.Name)
	}
	if want := []string{"second", "first"}; !slices.Equal(names, want) {
		t.Errorf("search = %v, want %v (newest first, own projects only)", names, want)
	}
	s, err = gqltest.SearchProjects(ctx, e.demo, ptr(a.CreateProject.Id[:20]), ptr(1), ptr(false))
	if err != nil || len(s.Search.ProjectID) != 1 || s.Search.ProjectID[0].Id != a.CreateProject.Id {
		t.Errorf("search by prefix = %+v, %v", s, err)
	}
	s, err = gqltest.SearchProjects(ctx, e.demo, ptr(theirs.CreateProject.Id), nil, ptr(false))
	if err != nil || len(s.Search.ProjectID) != 0 {
		t.Errorf("search found another user's project: %+v, %v", s, err)
	}
	p, err := gqltest.Project(ctx, e.demo, theirs.CreateProject.Id)
	if err != nil || p.Project != nil {
		t.Errorf("project(another user's) = %+v, %v; want null", p.Project, err)
	}

	me, err := gqltest.Me(ctx, e.other)
	if err != nil || me.My.Self.Username != "other" || me.My.Self.Email != "other@example.com" || me.My.Self.Name != "Other User" {
		t.Errorf("my self = %+v, %v", me, err)
	}

	id, err := e.sb.CreateProject(demoToken, "demo project")
	if err != nil {
		t.Fatal(err)
	}
	p, err = gqltest.Project(ctx, e.demo, id)
	if err != nil || p.Project == nil || p.Project.Name != "demo project" || p.Project.ProjectType != free {
		t.Errorf("CreateProject made %+v, %v", p, err)
	}
	if _, err := e.sb.CreateProject("nobody", "x"); err == nil {
		t.Error("CreateProject accepted an unknown token")
	}
}

func TestBank(t *testing.T) {
	e := newEnv(t)
	cny := gqltest.CURRENCYCny
	for _, c := range []struct {
		coins    *float64
		currency *gqltest.CURRENCY
		want     float64
	}{
		{ptr(100.0), nil, 10},
		{ptr(100.0), &cny, 70},
		{nil, nil, 0},
	} {
		r, err := gqltest.CoinsToMoney(ctx, e.anon, c.coins, c.currency)
		if err != nil || r.Bank.CoinsToMoney != c.want {
			t.Errorf("coinsToMoney(%v, %v) = %+v, %v; want %v", c.coins, c.currency, r, err, c.want)
		}
	}
}
