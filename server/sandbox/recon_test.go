package sandbox_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"altiup/server/sandbox"
	"altiup/server/sandbox/internal/gqltest"
)

func TestReconstruction(t *testing.T) {
	e := newEnv(t)
	start := func(pid string) *gqltest.StartReconstructionResponse {
		t.Helper()
		r, err := gqltest.StartReconstruction(ctx, e.demo, pid, nil, []string{"coupon"})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	wantError := func(r *gqltest.StartReconstructionResponse, code gqltest.PROJECT_ERROR_CODE) {
		t.Helper()
		res := r.StartReconstructionWithError
		if res.Error == nil || res.Error.Reason != code || res.Error.Code < 1001 || res.Error.Message == "" || res.Task != nil {
			t.Errorf("got %+v %+v, want error %s", res.Error, res.Task, code)
		} else {
			t.Logf("%s: %s", code, res.Error.Message)
		}
	}

	wantError(start("000000000000000000000000"), gqltest.PROJECT_ERROR_CODEProjectNotFound)
	theirs, _ := gqltest.CreateProject(ctx, e.other, "theirs", nil, nil, nil, nil)
	wantError(start(theirs.CreateProject.Id), gqltest.PROJECT_ERROR_CODEProjectNotFound)

	pid := e.project("recon")
	wantError(start(pid), gqltest.PROJECT_ERROR_CODENoReadyImage)
	e.readyImages(pid, 2)
	wantError(start(pid), gqltest.PROJECT_ERROR_CODETooFewImages)

	// An image on its way holds the start back; a Pending one does not.
	jpg := gqltest.IMAGE_TYPEJpeg
	up, err := gqltest.UploadImageOSS(ctx, e.demo, pid, gqltest.BucketOSSHangzhou, "late.jpg", &jpg, ptr(sha([]byte("late"))))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gqltest.StartImageUpload(ctx, e.demo, up.UploadImageOSS.Image.Id); err != nil {
		t.Fatal(err)
	}
	wantError(start(pid), gqltest.PROJECT_ERROR_CODEImagesNotValidated)
	e.clock.Advance(66 * time.Minute) // the late image expires
	wantError(start(pid), gqltest.PROJECT_ERROR_CODETooFewImages)

	e.readyImages(pid, 1)
	if _, err := gqltest.UploadImageOSS(ctx, e.demo, pid, gqltest.BucketOSSHangzhou, "never.jpg", &jpg, ptr(sha([]byte("never")))); err != nil {
		t.Fatal(err)
	}
	dense := gqltest.TASK_TYPEDense
	r, err := gqltest.StartReconstruction(ctx, e.demo, pid, &gqltest.TaskOptionsInput{TaskType: &dense}, nil)
	if err != nil {
		t.Fatal(err)
	}
	task := r.StartReconstructionWithError.Task
	if r.StartReconstructionWithError.Error != nil || task == nil || task.State != "Queueing" || task.TaskType != dense || task.StartDate == nil || task.Queueing != 1 {
		t.Fatalf("started %+v %+v", r.StartReconstructionWithError.Error, task)
	}
	wantError(start(pid), gqltest.PROJECT_ERROR_CODETaskRunning)

	state := func() (string, *gqltest.TaskFields) {
		p, err := gqltest.Project(ctx, e.demo, pid)
		if err != nil {
			t.Fatal(err)
		}
		var tf *gqltest.TaskFields
		if p.Project.Task != nil {
			tf = &p.Project.Task.TaskFields
		}
		return p.Project.TaskState, tf
	}
	for _, step := range []struct {
		advance time.Duration
		want    string
	}{{0, "Queueing"}, {2 * time.Second, "Processing"}, {2 * time.Second, "Done"}} {
		e.clock.Advance(step.advance)
		ts, tf := state()
		if ts != step.want || tf == nil || tf.State != step.want || tf.Id != task.Id {
			t.Errorf("taskState %s, task %+v; want %s", ts, tf, step.want)
		}
	}
	// Done: a new reconstruction may start.
	if r := start(pid); r.StartReconstructionWithError.Task == nil {
		t.Errorf("restart after Done: %+v", r.StartReconstructionWithError.Error)
	}
}

func TestPreStartReconstruction(t *testing.T) {
	e := newEnv(t)
	pid := e.project("prestart")
	jpg := gqltest.IMAGE_TYPEJpeg
	var ids, keys []string
	var data [][]byte
	for i := range 3 {
		d := jpegBytes(t, 20+i, 10)
		sum := sha(d)
		r, err := gqltest.UploadImageS3(ctx, e.demo, pid, gqltest.BucketS3Tokyo, "s.jpg", &jpg, &sum)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.UploadImageS3.Image.Id)
		keys = append(keys, pid+"/"+r.UploadImageS3.Image.Filename)
		data = append(data, d)
	}
	r, err := gqltest.PreStartReconstruction(ctx, e.demo, pid, nil)
	if err != nil {
		t.Fatal(err)
	}
	task := r.PreStartReconstruction.Task
	if task == nil || task.State != "Pending" || task.TaskType != gqltest.TASK_TYPENative {
		t.Fatalf("preStart = %+v %+v", r.PreStartReconstruction.Error, task)
	}
	again, _ := gqltest.PreStartReconstruction(ctx, e.demo, pid, nil)
	if again.PreStartReconstruction.Error == nil || again.PreStartReconstruction.Error.Code != 1002 {
		t.Errorf("second preStart = %+v", again.PreStartReconstruction)
	}
	for i := range ids {
		e.s3.put(keys[i], data[i])
	}
	for _, id := range ids {
		e.waitFinal(pid, id)
	}
	p, err := gqltest.Project(ctx, e.demo, pid)
	if err != nil {
		t.Fatal(err)
	}
	if p.Project.TaskState != "Queueing" || p.Project.Task.Id != task.Id || p.Project.Task.StartDate == nil {
		t.Errorf("after validation: %s %+v", p.Project.TaskState, p.Project.Task)
	}

	t.Run("too few Ready images", func(t *testing.T) {
		pid := e.project("prestart-few")
		bad := []byte("broken")
		r, err := gqltest.UploadImageOSS(ctx, e.demo, pid, gqltest.BucketOSSHangzhou, "x.jpg", &jpg, ptr(sha(bad)))
		if err != nil {
			t.Fatal(err)
		}
		pre, err := gqltest.PreStartReconstruction(ctx, e.demo, pid, nil)
		if err != nil || pre.PreStartReconstruction.Task == nil {
			t.Fatalf("preStart = %+v, %v", pre, err)
		}
		e.oss.put("altiup-oss-hangzhou/"+pid+"/"+r.UploadImageOSS.Image.Filename, bad)
		if _, err := gqltest.DoneImageUpload(ctx, e.demo, r.UploadImageOSS.Image.Id); err != nil {
			t.Fatal(err)
		}
		e.waitFinal(pid, r.UploadImageOSS.Image.Id)
		p, _ := gqltest.Project(ctx, e.demo, pid)
		if p.Project.TaskState != "Failed" || p.Project.Task.Error == nil || !strings.Contains(*p.Project.Task.Error, "no Ready image") {
			t.Errorf("task %s %+v", p.Project.TaskState, p.Project.Task)
		}
	})
	t.Run("every image already final", func(t *testing.T) {
		pid := e.project("prestart-final")
		e.readyImages(pid, 3)
		pre, err := gqltest.PreStartReconstruction(ctx, e.demo, pid, nil)
		if err != nil || pre.PreStartReconstruction.Task == nil || pre.PreStartReconstruction.Task.State != "Queueing" {
			t.Errorf("preStart = %+v, %v", pre, err)
		}
	})
}

func TestPersistence(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, func(c *sandbox.Config) { c.DataDir = dir })
	pid := e.project("kept")
	e.readyImages(pid, 3)
	jpg := gqltest.IMAGE_TYPEJpeg
	pending, err := gqltest.UploadImageS3(ctx, e.demo, pid, gqltest.BucketS3Tokyo, "pending.jpg", &jpg, ptr(sha([]byte("p"))))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gqltest.StartReconstruction(ctx, e.demo, pid, nil, nil); err != nil {
		t.Fatal(err)
	}
	// Balances (in the snapshot's my.self) and meta files are kept too.
	if r, err := gqltest.TransferCoins(ctx, e.demo, 10, "other@example.com"); err != nil || r.TransferCoins.Result != "Success" {
		t.Fatalf("transferCoins = %+v, %v", r, err)
	}
	meta, err := gqltest.UploadMetaFileS3(ctx, e.demo, pid, gqltest.BucketS3Tokyo, "gcp.txt", nil)
	if err != nil {
		t.Fatal(err)
	}
	e.s3.put(e.s3.lastPresign().key, []byte("gcp"))
	waitFor(t, func() bool { return e.metaState(pid, meta.UploadMetaFileS3.File.Id) == "Ready" })
	before := e.snapshot()
	e.stop()

	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "sandbox.json" {
		t.Errorf("data dir holds %v, want only sandbox.json", entries)
	}

	// The demo user comes back with a new token, as with a random -user-token.
	e.cfg.Users[0].Token = "new-demo-token"
	e.start()
	e.demo = e.client(map[string]string{"key": appKey, "altitoken": "new-demo-token"})
	if after := e.snapshot(); after != before {
		t.Errorf("state after restart:\n%s\nwant:\n%s", after, before)
	}
	if f := e.metaFile(pid, meta.UploadMetaFileS3.File.Id); f == nil || f.State != "Ready" || f.Filesize != 3 {
		t.Errorf("meta file after restart = %+v", f)
	}
	has, err := gqltest.HasImage(ctx, e.demo, pid, sha([]byte("p")))
	if err != nil || has.HasImage == nil || has.HasImage.Id != pending.UploadImageS3.Image.Id {
		t.Errorf("hasImage after restart = %+v, %v", has, err)
	}
	// Work goes on: the S3 watcher picks the pending image up.
	data := jpegBytes(t, 5, 5)
	if _, err := gqltest.UploadImageS3(ctx, e.demo, pid, gqltest.BucketS3Tokyo, "new.jpg", &jpg, ptr(sha(data))); err != nil {
		t.Fatal(err)
	}
	e.s3.put(pid+"/"+pending.UploadImageS3.Image.Filename, []byte("p"))
	if got := e.waitFinal(pid, pending.UploadImageS3.Image.Id); got.State != gqltest.IMAGE_STATEInvalid {
		t.Errorf("pending image ended %s", got.State)
	}

	t.Run("a damaged state file stops New", func(t *testing.T) {
		bad := t.TempDir()
		if err := os.WriteFile(filepath.Join(bad, "sandbox.json"), []byte("{"), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg := e.cfg
		cfg.DataDir = bad
		if _, err := sandbox.New(cfg); err == nil || !strings.Contains(err.Error(), "not a valid state file") {
			t.Errorf("New = %v", err)
		}
	})
}

// TestReconstructionErrorCodeIsANumber reads the answer as JSON: the
// service's own client decodes error.code into an int, so a string there
// loses the whole answer.
func TestReconstructionErrorCodeIsANumber(t *testing.T) {
	e := newEnv(t)
	pid := e.project("empty")
	r := e.query(`mutation ($id: ID!) { startReconstructionWithError(id: $id) { error { code message } task { id } } }`, map[string]any{"id": pid})
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	res := r.Data["startReconstructionWithError"].(map[string]any)
	e1, _ := res["error"].(map[string]any)
	code, isNumber := e1["code"].(float64)
	if !isNumber || code != float64(1004) || e1["message"] == "" {
		t.Errorf("error = %#v (code of type %T), want the number 1004 and a message", e1, e1["code"])
	}
}
