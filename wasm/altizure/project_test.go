package altizure

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"altiup/wasm/upload"
)

// TestPageCalls covers the calls the page makes through the JS API:
// createProject, project(id), task(), and the calls of the wait for
// validation and the bucket check.
func TestPageCalls(t *testing.T) {
	const task = `{"id":"t1","taskType":"Native","state":"Failed","startDate":null,"queueing":0,"error":"too dark"}`
	g, c := newServer(t, map[string]func(map[string]any) (int, string){
		"CreateProject": func(v map[string]any) (int, string) {
			return 200, `{"data":{"createProject":{"id":"p9","name":` + jsonText(v["name"]) + `,"numImage":0,"taskState":"Idle","task":null}}}`
		},
		"GetProject": func(v map[string]any) (int, string) {
			if v["id"] != "p1" {
				return 200, `{"data":{"project":null}}`
			}
			return 200, `{"data":{"project":{"id":"p1","name":"Hall","numImage":12,"taskState":"Failed","task":` + task + `}}}`
		},
		"ProjectTask": canned(`{"data":{"project":{"id":"p1","task":` + task + `}}}`),
		"Image": func(v map[string]any) (int, string) {
			if v["iid"] != "i1" {
				return 200, `{"data":{"project":{"id":"p1","image":null}}}`
			}
			return 200, `{"data":{"project":{"id":"p1","image":{"id":"i1","state":"Invalid","name":"a.jpg","filename":"f1","checksum":"abc","error":["blurred"]}}}}`
		},
		"BucketNames": func(v map[string]any) (int, string) {
			if v["enum"] != "BucketS3" {
				return 200, `{"data":{"__type":null}}`
			}
			return 200, `{"data":{"__type":{"enumValues":[{"name":"Tokyo"},{"name":"Paris"}]}}}`
		},
	})
	ctx := context.Background()
	tests := []callCase{
		{"createProject", func() (any, error) { return c.CreateProject(ctx, " Hall ") },
			`{"id":"p9","name":"Hall","numImage":0,"taskState":"Idle","task":null}`, ""},
		{"createProject without a name", func() (any, error) { return c.CreateProject(ctx, " ") }, "", upload.CodeInvalidInput},
		{"project", func() (any, error) { return c.Project(ctx, "p1") },
			`{"id":"p1","name":"Hall","numImage":12,"taskState":"Failed","task":{"id":"t1","taskType":"Native","state":"Failed","queueing":0,"error":"too dark"}}`, ""},
		{"no such project", func() (any, error) { return c.Project(ctx, "p2") }, `null`, ""},
		{"task", func() (any, error) { return c.Task(ctx, "p1") },
			`{"id":"t1","taskType":"Native","state":"Failed","queueing":0,"error":"too dark"}`, ""},
		{"image", func() (any, error) { return c.Image(ctx, "p1", "i1") },
			`{"id":"i1","state":"Invalid","name":"a.jpg","filename":"f1","checksum":"abc","errors":["blurred"]}`, ""},
		{"no such image", func() (any, error) { return c.Image(ctx, "p1", "i2") }, `null`, ""},
		{"bucket names", func() (any, error) { return c.BucketNames(ctx, "S3") }, `["Tokyo","Paris"]`, ""},
		{"bucket names of an enum the API does not list", func() (any, error) { return c.BucketNames(ctx, "oss") }, "", upload.CodeAPI},
		{"bucket names of another cloud", func() (any, error) { return c.BucketNames(ctx, "minio") }, "", upload.CodeInvalidInput},
	}
	runCalls(t, tests)
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, r := range g.seen {
		if r.op == "CreateProject" && r.rawVars != `{"name":"Hall"}` {
			t.Errorf("createProject sent %s", r.rawVars)
		}
	}
}

// callCase is a call of the client the page makes, and what it answers.
type callCase struct {
	name string
	call func() (any, error)
	want string // the result as JSON, as the page gets it
	code string // the error's code; "" for none
}

// runCalls makes each call and holds its answer (never holding the token)
// or its error's code against the case.
func runCalls(t *testing.T, tests []callCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := tt.call()
			if tt.code != "" {
				if e := upload.AsError(err); e == nil || e.Code != tt.code {
					t.Fatalf("error %v, want code %s", err, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := jsonText(v)
			if got != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
			if strings.Contains(got, testToken) {
				t.Fatal("the token is in the answer")
			}
		})
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
