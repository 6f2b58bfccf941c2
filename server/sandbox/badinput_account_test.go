package sandbox_test

import (
	"strings"
	"testing"

	"altiup/server/sandbox/internal/gqltest"
)

// Bad input to the operations around the upload gets an error in words and
// changes nothing.
func TestBadInputAroundUploads(t *testing.T) {
	e := newEnv(t)
	pid := e.project("mine")
	theirs, err := gqltest.CreateProject(ctx, e.other, "theirs", nil, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	foreign := theirs.CreateProject.Id
	cases := []struct {
		name string
		op   func() error
		want string
	}{
		{"allProjects with a negative page", func() error {
			_, err := gqltest.MyProjects(ctx, e.demo, ptr(-2), nil, nil, nil, nil)
			return err
		}, "must not be negative"},
		{"allProjects after an unknown cursor", func() error {
			_, err := gqltest.MyProjects(ctx, e.demo, nil, nil, nil, ptr(foreign), nil)
			return err
		}, "not a project of yours"},
		{"stop a project without a task", func() error { _, err := gqltest.StopReconstruction(ctx, e.demo, pid); return err }, "no reconstruction"},
		{"stop another user's project", func() error { _, err := gqltest.StopReconstruction(ctx, e.demo, foreign); return err }, "not found"},
		{"remove another user's project", func() error { _, err := gqltest.RemoveProject(ctx, e.demo, foreign); return err }, "not found"},
		{"transfer no coins", func() error { _, err := gqltest.TransferCoins(ctx, e.demo, 0, "other@example.com"); return err }, "positive"},
		{"report with no description", func() error { _, err := gqltest.ReportProject(ctx, e.demo, pid, ""); return err }, "description is empty"},
		{"report an unknown project", func() error { _, err := gqltest.ReportProject(ctx, e.demo, "nope", "x"); return err }, "not found"},
		{"a profile picture that is no image", func() error {
			_, err := gqltest.SetProfileFace(ctx, e.demo, "aGVsbG8=")
			return err
		}, "not a JPEG or PNG"},
		{"login code for no phone", func() error { _, err := gqltest.RequestLoginCode(ctx, e.anon, " "); return err }, "phone is empty"},
		{"a model on a photo project", func() error {
			_, err := gqltest.UploadModelS3(ctx, e.demo, pid, gqltest.BucketS3ModelTokyo, "m.obj", nil)
			return err
		}, "not an imported project"},
		{"done models of a photo project", func() error { _, err := gqltest.DoneModelUpload(ctx, e.demo, pid); return err }, "not an imported project"},
		{"a meta file on another user's project", func() error {
			_, err := gqltest.UploadMetaFileS3(ctx, e.demo, foreign, gqltest.BucketS3Tokyo, "gcp.txt", nil)
			return err
		}, "not found"},
		{"hasMetaFile with a malformed checksum", func() error {
			_, err := gqltest.MetaFile(ctx, e.demo, pid, "x", "XYZ")
			return err
		}, "not a SHA-1"},
		{"negative money", func() error { _, err := gqltest.MoneyToCoins(ctx, e.anon, ptr(-1.0), nil); return err }, "not negative"},
		{"hello without a token", func() error { _, err := gqltest.Hello(ctx, e.anon); return err }, "user token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.snapshot()
			presigned, _ := e.s3.counts()
			err := c.op()
			msg, _ := errInfo(err)
			if err == nil || !strings.Contains(msg, c.want) {
				t.Errorf("error %q, want one saying %q", msg, c.want)
			}
			if e.snapshot() != before {
				t.Error("the state changed")
			}
			if p, _ := e.s3.counts(); p != presigned {
				t.Error("an upload URL was handed out")
			}
		})
	}
}
