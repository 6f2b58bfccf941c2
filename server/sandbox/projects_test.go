package sandbox_test

import (
	"slices"
	"testing"
	"time"

	"altiup/server/sandbox/internal/gqltest"
)

func TestAllProjects(t *testing.T) {
	e := newEnv(t)
	var ids []string // newest first
	for _, name := range []string{"Harbour", "Bridge", "harbour west", "Tower", "Dam"} {
		ids = append([]string{e.project(name)}, ids...)
		e.clock.Advance(time.Second)
	}
	gqltest.CreateProject(ctx, e.other, "Harbour of another", nil, nil, nil, nil)
	names := func(r *gqltest.MyProjectsResponse) []string {
		var out []string
		for _, ed := range r.My.AllProjects.Edges {
			out = append(out, ed.Node.Id)
		}
		return out
	}
	// Forward through all of them, two at a time.
	var seen []string
	var after *string
	for range 3 {
		r, err := gqltest.MyProjects(ctx, e.demo, ptr(2), nil, nil, after, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.My.AllProjects.TotalCount != 5 {
			t.Errorf("totalCount = %d", r.My.AllProjects.TotalCount)
		}
		seen = append(seen, names(r)...)
		after = r.My.AllProjects.PageInfo.EndCursor
		if r.My.AllProjects.PageInfo.HasNextPage != (len(seen) < 5) || r.My.AllProjects.PageInfo.HasPreviousPage != (len(seen) > 2) {
			t.Errorf("pageInfo after %d = %+v", len(seen), r.My.AllProjects.PageInfo)
		}
	}
	if !slices.Equal(seen, ids) {
		t.Errorf("paged %v, want %v", seen, ids)
	}
	// Backward from the end.
	r, err := gqltest.MyProjects(ctx, e.demo, nil, ptr(2), ptr(ids[4]), nil, nil)
	if err != nil || !slices.Equal(names(r), ids[2:4]) || !r.My.AllProjects.PageInfo.HasPreviousPage {
		t.Errorf("last 2 before the oldest = %v, %v; want %v", names(r), err, ids[2:4])
	}
	// Search by name, ignoring case, and by id prefix.
	r, err = gqltest.MyProjects(ctx, e.demo, nil, nil, nil, nil, ptr("HARBOUR"))
	if err != nil || !slices.Equal(names(r), []string{ids[2], ids[4]}) || r.My.AllProjects.TotalCount != 2 {
		t.Errorf("search harbour = %v, %v", names(r), err)
	}
	r, err = gqltest.MyProjects(ctx, e.demo, nil, nil, nil, nil, ptr(ids[0]))
	if err != nil || !slices.Equal(names(r), ids[:1]) {
		t.Errorf("search by id = %v, %v", names(r), err)
	}
	for _, bad := range []func() error{
		func() error { _, err := gqltest.MyProjects(ctx, e.demo, ptr(-1), nil, nil, nil, nil); return err },
		func() error { _, err := gqltest.MyProjects(ctx, e.demo, nil, nil, nil, ptr("nope"), nil); return err },
		func() error { _, err := gqltest.MyProjects(ctx, e.anon, nil, nil, nil, nil, nil); return err },
	} {
		if bad() == nil {
			t.Error("a bad allProjects call answered")
		}
	}
}

func TestRemoveProject(t *testing.T) {
	e := newEnv(t)
	pid := e.project("gone")
	keep := e.project("kept")
	e.readyImages(pid, 2)
	e.readyImages(keep, 1)
	up, err := gqltest.UploadMetaFileS3(ctx, e.demo, pid, gqltest.BucketS3Tokyo, "gcp.txt", nil)
	if err != nil {
		t.Fatal(err)
	}
	e.s3.put(e.s3.lastPresign().key, []byte("gcp"))
	waitFor(t, func() bool { return e.metaState(pid, up.UploadMetaFileS3.File.Id) == "Ready" })
	if n := e.oss.count(); n != 3 {
		t.Fatalf("%d OSS objects before", n)
	}
	if _, err := gqltest.RemoveProject(ctx, e.other, pid); err == nil {
		t.Error("another user removed the project")
	}
	r, err := gqltest.RemoveProject(ctx, e.demo, pid)
	if err != nil || r.RemoveProject.Id != pid || r.RemoveProject.NumImage != 2 {
		t.Fatalf("removeProject = %+v, %v", r, err)
	}
	if p, _ := gqltest.Project(ctx, e.demo, pid); p.Project != nil {
		t.Error("the project is still there")
	}
	if n, s := e.oss.count(), e.s3.count(); n != 1 || s != 0 {
		t.Errorf("%d OSS and %d S3 objects left, want only the kept project's", n, s)
	}
	if _, err := gqltest.RemoveProject(ctx, e.demo, pid); err == nil {
		t.Error("removing twice answered")
	}
}

func TestTransferAndReportProject(t *testing.T) {
	e := newEnv(t)
	pid := e.project("gift")
	before := e.snapshot()
	for _, c := range []struct {
		id, email string
		code      int
	}{{pid, "nobody@example.com", 2001}, {pid, "demo@example.com", 2002}, {"000000000000000000000000", "other@example.com", 2001}} {
		r, err := gqltest.TransferProject(ctx, e.demo, c.id, c.email, nil)
		if err != nil || r.TransferProject.Result != "Fail" || r.TransferProject.Error.Code != c.code {
			t.Errorf("transfer %s to %s = %+v, %v", c.id, c.email, r, err)
		}
	}
	if e.snapshot() != before {
		t.Error("refused transfers changed the state")
	}
	if _, err := gqltest.ReportProject(ctx, e.other, pid, "  "); err == nil {
		t.Error("an empty report was accepted")
	}
	if r, err := gqltest.ReportProject(ctx, e.other, pid, "not mine, but public"); err != nil || r.ReportProject.Id != pid {
		t.Errorf("reportProject = %+v, %v", r, err)
	}
	r, err := gqltest.TransferProject(ctx, e.demo, pid, "other@example.com", ptr("yours"))
	if err != nil || r.TransferProject.Result != "Success" {
		t.Fatalf("transferProject = %+v, %v", r, err)
	}
	if p, _ := gqltest.Project(ctx, e.demo, pid); p.Project != nil {
		t.Error("the giver still sees the project")
	}
	if p, _ := gqltest.Project(ctx, e.other, pid); p.Project == nil {
		t.Error("the recipient does not see the project")
	}
	private := gqltest.PROJECT_VISIBILITYPrivate
	hidden, _ := gqltest.CreateProject(ctx, e.other, "hidden", nil, nil, nil, &private)
	if _, err := gqltest.ReportProject(ctx, e.demo, hidden.CreateProject.Id, "spam"); err == nil {
		t.Error("another user's private project was reported")
	}
}

func TestStopReconstruction(t *testing.T) {
	e := newEnv(t)
	pid := e.project("stop")
	if _, err := gqltest.StopReconstruction(ctx, e.demo, pid); err == nil {
		t.Error("stopping a project with no task answered")
	}
	e.readyImages(pid, 3)
	if _, err := gqltest.StartReconstruction(ctx, e.demo, pid, nil, nil); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(3 * time.Second)
	r, err := gqltest.StopReconstruction(ctx, e.demo, pid)
	if err != nil || r.StopReconstruction.State != "Stopped" || r.StopReconstruction.EndDate == nil {
		t.Fatalf("stopReconstruction = %+v, %v", r, err)
	}
	e.clock.Advance(time.Minute)
	if p, _ := gqltest.Project(ctx, e.demo, pid); p.Project.TaskState != "Stopped" {
		t.Errorf("taskState = %s", p.Project.TaskState)
	}
	if _, err := gqltest.StopReconstruction(ctx, e.demo, pid); err == nil {
		t.Error("stopping twice answered")
	}
	// A stopped reconstruction may start again.
	if s, err := gqltest.StartReconstruction(ctx, e.demo, pid, nil, nil); err != nil || s.StartReconstructionWithError.Task == nil {
		t.Errorf("restart = %+v, %v", s, err)
	}
}
