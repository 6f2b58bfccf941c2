package altizure

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"altiup/server/sandbox"
	"altiup/wasm/upload"
)

// TestProjectListCalls covers projects, profile and stopReconstruction
// against canned answers: what the page gets, and what is sent.
func TestProjectListCalls(t *testing.T) {
	const node = `{"id":"p1","name":"Hall","numImage":12,"gigaPixel":0.025,"taskState":"Processing","date":"2026-01-02T03:04:05Z"}`
	g, c := newServer(t, map[string]func(map[string]any) (int, string){
		"Projects": func(v map[string]any) (int, string) {
			if v["after"] == "c1" {
				return 200, `{"data":{"my":{"allProjects":{"totalCount":2,"pageInfo":{"hasNextPage":false,"endCursor":"c2"},"edges":[{"node":{"id":"p2","name":"Tower","numImage":0,"gigaPixel":0,"taskState":"Idle","date":null}}]}}}}`
			}
			return 200, `{"data":{"my":{"allProjects":{"totalCount":2,"pageInfo":{"hasNextPage":true,"endCursor":"c1"},"edges":[{"node":` + node + `}]}}}}`
		},
		"Self": canned(`{"data":{"my":{"self":{"email":"demo@example.com","name":"Demo","balance":120.5,"freeGPQuota":3,"membership":{"coinPerGP":10,"planName":"Pro"}}}}}`),
		"StopReconstruction": func(v map[string]any) (int, string) {
			if v["id"] != "p1" {
				return 200, `{"errors":[{"message":"the project has no reconstruction to stop"}],"data":{"stopReconstruction":null}}`
			}
			return 200, `{"data":{"stopReconstruction":{"id":"t1","taskType":"Native","state":"Stopped","startDate":null,"queueing":0,"error":null}}}`
		},
	})
	ctx := context.Background()
	tests := []callCase{
		{"first page", func() (any, error) { return c.Projects(ctx, ProjectQuery{Search: " hal ", First: 1}) },
			`{"totalCount":2,"hasNextPage":true,"endCursor":"c1","projects":[` + node + `]}`, ""},
		{"last page", func() (any, error) { return c.Projects(ctx, ProjectQuery{After: "c1"}) },
			`{"totalCount":2,"hasNextPage":false,"endCursor":"","projects":[{"id":"p2","name":"Tower","numImage":0,"gigaPixel":0,"taskState":"Idle","date":null}]}`, ""},
		{"page too large", func() (any, error) { return c.Projects(ctx, ProjectQuery{First: maxProjectsPage + 1}) }, "", upload.CodeInvalidInput},
		{"profile", func() (any, error) { return c.Profile(ctx) },
			`{"email":"demo@example.com","name":"Demo","balance":120.5,"freeGPQuota":3,"coinPerGP":10,"planName":"Pro"}`, ""},
		{"stop", func() (any, error) { return c.StopReconstruction(ctx, " p1 ") },
			`{"id":"t1","taskType":"Native","state":"Stopped","queueing":0}`, ""},
		{"stop without an id", func() (any, error) { return c.StopReconstruction(ctx, "") }, "", upload.CodeInvalidInput},
		{"stop with nothing running", func() (any, error) { return c.StopReconstruction(ctx, "p2") }, "", upload.CodeAPI},
	}
	runCalls(t, tests)
	g.mu.Lock()
	defer g.mu.Unlock()
	var sent []string
	for _, r := range g.seen {
		if r.op == "Projects" {
			sent = append(sent, r.rawVars)
		}
	}
	// Unset options are left out, so the API's defaults hold.
	if want := []string{`{"search":"hal","first":1}`, `{"after":"c1"}`}; fmt.Sprint(sent) != fmt.Sprint(want) {
		t.Errorf("projects sent %q, want %q", sent, want)
	}
}

// TestProjectListSandbox pages and searches the projects of a user of the
// sandbox, reads the user's account, and is refused a stop with nothing
// running.
func TestProjectListSandbox(t *testing.T) {
	const key, token = "k", "user-token"
	sb, err := sandbox.New(sandbox.Config{AppKey: key, OSS: stubOSS{}, Users: []sandbox.User{{
		Token: token, Username: "u", Name: "Una", Email: "una@example.com",
		Account: sandbox.Account{Balance: 42, FreeGPQuota: 1.5, Membership: sandbox.Membership{PlanName: "Basic", CoinPerGP: 8}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	names := []string{"Bridge north", "Bridge south", "Tower", "Hall"}
	for _, n := range names {
		if _, err := sb.CreateProject(token, n); err != nil {
			t.Fatal(err)
		}
	}
	c := New(srv.URL+"/graphql", key, token, srv.Client())
	ctx := context.Background()

	var seen []string
	q := ProjectQuery{First: 3}
	for pages := 0; ; pages++ {
		if pages > len(names) {
			t.Fatal("the pages do not end")
		}
		p, err := c.Projects(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if p.TotalCount != len(names) {
			t.Fatalf("totalCount %d, want %d", p.TotalCount, len(names))
		}
		for _, l := range p.Projects {
			seen = append(seen, l.Name)
			if l.ID == "" || l.TaskState != "Idle" || l.Date == nil {
				t.Errorf("project %+v", l)
			}
		}
		if !p.HasNextPage {
			break
		}
		q.After = p.EndCursor
	}
	if len(seen) != len(names) {
		t.Fatalf("paged through %q, want all of %q", seen, names)
	}

	found, err := c.Projects(ctx, ProjectQuery{Search: "bridge"})
	if err != nil {
		t.Fatal(err)
	}
	if found.TotalCount != 2 || len(found.Projects) != 2 || found.HasNextPage {
		t.Fatalf("search found %+v", found)
	}
	for _, l := range found.Projects {
		if !strings.HasPrefix(l.Name, "Bridge") {
			t.Errorf("search found %q", l.Name)
		}
	}

	me, err := c.Profile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := Profile{Email: "una@example.com", Name: "Una", Balance: 42, FreeGPQuota: 1.5, CoinPerGP: 8, PlanName: "Basic"}
	if *me != want {
		t.Fatalf("profile %+v, want %+v", *me, want)
	}

	pid, err := sb.CreateProject(token, "Idle")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.StopReconstruction(ctx, pid); upload.AsError(err) == nil {
		t.Fatalf("stopping a project with no task: %v", err)
	}

	bad := New(srv.URL+"/graphql", key, "not-a-token", srv.Client())
	if _, err := bad.Projects(ctx, ProjectQuery{}); upload.AsError(err) == nil || upload.AsError(err).Code != upload.CodeUnauthorized {
		t.Fatalf("projects with a wrong token: %v", err)
	}
}
