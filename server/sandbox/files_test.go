package sandbox_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"altiup/server/sandbox/internal/gqltest"
)

// waitFor polls cond until it holds, failing after 10 seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("gave up waiting")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (e *env) metaFile(pid, id string) *gqltest.MetaFields {
	e.t.Helper()
	r, err := gqltest.MetaFile(ctx, e.demo, pid, id, strings.Repeat("0", 40))
	if err != nil {
		e.t.Fatal(err)
	}
	if r.Project == nil || r.Project.MetaFile == nil {
		return nil
	}
	return &r.Project.MetaFile.MetaFields
}

func (e *env) metaState(pid, id string) string {
	if f := e.metaFile(pid, id); f != nil {
		return f.State
	}
	return ""
}

func TestMetaFiles(t *testing.T) {
	e := newEnv(t)
	pid := e.project("meta")
	body := []byte("1 22.3 114.1 10\n")
	good, err := gqltest.UploadMetaFileS3(ctx, e.demo, pid, gqltest.BucketS3Tokyo, "gcp.txt", ptr(sha(body)))
	if err != nil {
		t.Fatal(err)
	}
	if ps := e.s3.lastPresign(); ps.contentType != "text/plain; charset=utf-8" || !strings.HasPrefix(ps.key, pid+"/meta/") || good.UploadMetaFileS3.Url == "" {
		t.Errorf("presigned %+v", ps)
	}
	e.s3.put(e.s3.lastPresign().key, body)
	bad, err := gqltest.UploadMetaFileS3(ctx, e.demo, pid, gqltest.BucketS3Tokyo, "gcp2.txt", ptr(sha([]byte("other"))))
	if err != nil {
		t.Fatal(err)
	}
	e.s3.put(e.s3.lastPresign().key, body)
	waitFor(t, func() bool { return e.metaState(pid, bad.UploadMetaFileS3.File.Id) == "Invalid" })
	waitFor(t, func() bool { return e.metaState(pid, good.UploadMetaFileS3.File.Id) == "Ready" })
	f := e.metaFile(pid, good.UploadMetaFileS3.File.Id)
	if f.Filesize != float64(len(body)) || f.Checksum == nil || *f.Checksum != sha(body) || f.Name != "gcp.txt" {
		t.Errorf("meta file = %+v", f)
	}
	if b := e.metaFile(pid, bad.UploadMetaFileS3.File.Id); len(b.Error) == 0 || !strings.Contains(b.Error[0], "checksum") {
		t.Errorf("mismatched file = %+v", b)
	}
	has, err := gqltest.MetaFile(ctx, e.demo, pid, "x", sha(body))
	if err != nil || has.Project.HasMetaFile == nil || has.Project.HasMetaFile.Id != good.UploadMetaFileS3.File.Id {
		t.Errorf("hasMetaFile = %+v, %v", has, err)
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "fetched") }))
	defer srv.Close()
	byURL, err := gqltest.UploadMetaURL(ctx, e.demo, pid, srv.URL+"/dir/pos.csv", nil, nil)
	if err != nil || byURL.UploadMetaURL.Name != "pos.csv" {
		t.Fatalf("uploadMetaURL = %+v, %v", byURL, err)
	}
	waitFor(t, func() bool { return e.metaState(pid, byURL.UploadMetaURL.Id) == "Ready" })

	before := e.snapshot()
	for name, call := range map[string]func() error{
		"another's project": func() error {
			_, err := gqltest.UploadMetaFileS3(ctx, e.other, pid, gqltest.BucketS3Tokyo, "x.txt", nil)
			return err
		},
		"empty name": func() error {
			_, err := gqltest.UploadMetaFileS3(ctx, e.demo, pid, gqltest.BucketS3Tokyo, " ", nil)
			return err
		},
		"bad checksum": func() error {
			_, err := gqltest.UploadMetaFileS3(ctx, e.demo, pid, gqltest.BucketS3Tokyo, "x.txt", ptr("abc"))
			return err
		},
		"ftp url": func() error { _, err := gqltest.UploadMetaURL(ctx, e.demo, pid, "ftp://x/y", nil, nil); return err },
	} {
		if err := call(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if e.snapshot() != before {
		t.Error("refused registrations changed the state")
	}
}

func TestImportedModels(t *testing.T) {
	e := newEnv(t)
	plain := e.project("photos")
	if _, err := gqltest.UploadModelS3(ctx, e.demo, plain, gqltest.BucketS3ModelTokyo, "m.obj", nil); err == nil {
		t.Error("a model was registered on a project that is not imported")
	}
	ptc := gqltest.IMPORTED_MODEL_TYPEPtcloud
	p, err := gqltest.CreateProject(ctx, e.demo, "cloud", nil, ptr(true), &ptc, nil)
	if err != nil {
		t.Fatal(err)
	}
	pid := p.CreateProject.Id
	if _, err := gqltest.DoneModelUpload(ctx, e.demo, pid); err == nil {
		t.Error("doneModelUpload without a model file was accepted")
	}
	m, err := gqltest.UploadModelS3(ctx, e.demo, pid, gqltest.BucketS3ModelTokyo, "cloud.las", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gqltest.DoneModelUpload(ctx, e.demo, pid); err == nil {
		t.Error("doneModelUpload before the object arrived was accepted")
	}
	e.s3.put(e.s3.lastPresign().key, []byte("LASF"))
	d, err := gqltest.DoneModelUpload(ctx, e.demo, pid)
	if err != nil || d.DoneModelUpload.ImportedState == nil || *d.DoneModelUpload.ImportedState != "Done" {
		t.Fatalf("doneModelUpload = %+v, %v", d, err)
	}
	me, _ := gqltest.Me(ctx, e.demo)
	if me.My.Self.ModelUsage != 4.0/(1<<20) {
		t.Errorf("modelUsage = %g MiB, want 4 bytes' worth", me.My.Self.ModelUsage)
	}
	_ = m
}
