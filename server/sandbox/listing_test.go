package sandbox_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"altiup/server/sandbox/internal/gqltest"
)

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
