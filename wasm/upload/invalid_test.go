package upload_test

import (
	"context"
	"fmt"
	"testing"

	"altiup/wasm/upload"
)

// pathed is a Source with a relative path.
type pathed struct {
	src
	path string
}

func (p pathed) Path() string { return p.path }

// TestInvalidSentAgain: the content of an image that ended Invalid is sent
// again when its file is added again (the same file or a renamed copy), and
// is nobody's original; the new upload replaces the Invalid image.
func TestInvalidSentAgain(t *testing.T) {
	for _, cloud := range []string{"oss", "s3"} {
		t.Run(cloud, func(t *testing.T) {
			w := newWorld(t)
			u := w.uploader(upload.Options{Cloud: cloud})
			bad := jpeg("bad.jpg", 300) // the fake finds bad* images invalid
			u.Add(pathed{bad, "day1/bad.jpg"})
			if rep, err := u.Start(context.Background()); err != nil || rep.Uploaded != 1 {
				t.Fatalf("first run %+v, %v", rep, err)
			}
			res, err := u.WaitProcessed(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			want := upload.InvalidFile{Index: 0, Name: "bad.jpg", Path: "day1/bad.jpg", ImageID: "img1", Errors: []string{"The image could not be decoded."}}
			if res.Invalid != 1 || len(res.InvalidFiles) != 1 || fmtV(res.InvalidFiles[0]) != fmtV(want) {
				t.Fatalf("processed %+v, want %+v", res, want)
			}

			// Added again, renamed: sent again, not skipped as a copy of
			// the Invalid one.
			good := src{name: "good.jpg", typ: bad.typ, data: bad.data}
			u.Add(good)
			rep, err := u.Start(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if p := rep.Files[0].Path; p != "day1/bad.jpg" {
				t.Fatalf("report path %q", p)
			}
			if f := rep.Files[1]; f.State != upload.StateUploaded || f.ImageID != "img1" {
				t.Fatalf("the file added again ended %+v, want uploaded onto img1", f)
			}
			if n := w.count("PUT pid1/"); n != 2 {
				t.Fatalf("%d PUTs, want 2", n)
			}
			// The image is replaced: every file that has it follows it.
			res, err = u.WaitProcessed(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if res.Ready != 2 || res.Invalid != 0 {
				t.Fatalf("after sending again: %+v", res)
			}
		})
	}
}

// TestCopyOfInvalidNotADuplicate: within one run, hasImage's Invalid image is
// sent again, and a later copy of the content waits for that upload.
func TestCopyOfInvalidNotADuplicate(t *testing.T) {
	w := newWorld(t)
	bad := jpeg("bad.jpg", 300)
	w.images["img1"] = &upload.Image{ID: "img1", State: upload.ImageInvalid, Name: "bad.jpg", Filename: sha(bad.data)[:8] + ".obj", Checksum: sha(bad.data)}
	w.byChecksum[sha(bad.data)] = "img1"
	u := w.uploader(upload.Options{Cloud: "s3", Concurrency: 1})
	u.Add(bad, src{name: "copy.jpg", typ: bad.typ, data: bad.data})
	rep, err := u.Start(context.Background())
	if err != nil || rep.Uploaded != 1 || rep.Skipped != 1 || rep.Files[0].State != upload.StateUploaded {
		t.Fatalf("report %+v, %v", rep, err)
	}
	if n := w.count("PUT pid1/"); n != 1 {
		t.Fatalf("%d PUTs, want 1", n)
	}
}

// fmtV formats a value for comparison.
func fmtV(v any) string { return fmt.Sprintf("%+v", v) }
