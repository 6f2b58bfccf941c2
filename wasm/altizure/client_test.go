package altizure

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"altiup/wasm/upload"
)

const (
	testKey   = "app-key-1"
	testToken = "user-token-SECRET"
)

// gqlServer answers each operation with canned JSON and records what came in.
type gqlServer struct {
	mu      sync.Mutex
	answers map[string]func(vars map[string]any) (status int, body string)
	seen    []request
}

type request struct {
	op      string
	vars    map[string]any
	key     string
	token   string
	ctype   string
	rawVars string
}

func (g *gqlServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Query         string          `json:"query"`
		OperationName string          `json:"operationName"`
		Variables     json.RawMessage `json:"variables"`
	}
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, &body); err != nil {
		http.Error(w, "bad json", 400)
		return
	}
	var vars map[string]any
	json.Unmarshal(body.Variables, &vars)
	g.mu.Lock()
	g.seen = append(g.seen, request{op: body.OperationName, vars: vars, key: r.Header.Get("key"), token: r.Header.Get("altitoken"), ctype: r.Header.Get("Content-Type"), rawVars: string(body.Variables)})
	answer := g.answers[body.OperationName]
	g.mu.Unlock()
	if answer == nil {
		http.Error(w, `{"errors":[{"message":"no answer for `+body.OperationName+`"}]}`, 500)
		return
	}
	status, out := answer(vars)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, out)
}

func canned(body string) func(map[string]any) (int, string) {
	return func(map[string]any) (int, string) { return 200, body }
}

func newServer(t *testing.T, answers map[string]func(map[string]any) (int, string)) (*gqlServer, *Client) {
	g := &gqlServer{answers: answers}
	ts := httptest.NewServer(g)
	t.Cleanup(ts.Close)
	return g, New(ts.URL+"/graphql", testKey, testToken, ts.Client())
}

func TestOperations(t *testing.T) {
	g, c := newServer(t, map[string]func(map[string]any) (int, string){
		"NearestBuckets": canned(`{"data":{"getGeoIPInfo":{"id":"127.0.0.1","nearestBuckets":[{"bucket":"Tokyo","display":"Tokyo","cloud":"S3"},{"bucket":"Hangzhou","display":"Hangzhou","cloud":"OSS"}]}}}`),
		"HasImage": func(v map[string]any) (int, string) {
			if v["checksum"] == "abc" {
				return 200, `{"data":{"hasImage":{"id":"i1","state":"Ready","name":"a.jpg","filename":"f1","checksum":"abc","error":[]}}}`
			}
			return 200, `{"data":{"hasImage":null}}`
		},
		"UploadImageOSS": func(v map[string]any) (int, string) {
			img := `{"id":"i2","state":"Pending","name":"b.jpg","filename":"h2.jpg","checksum":"def","error":[]}`
			if v["filename"] == "" {
				img = "null"
			}
			return 200, `{"data":{"uploadImageOSS":{"sts":{"id":"STS.x","secret":"sec","token":"tok","bucket":"hz","endpoint":"http://127.0.0.1:9","expire":"2026-01-02T03:04:05Z"},"image":` + img + `}}}`
		},
		"UploadImageS3":                canned(`{"data":{"uploadImageS3":{"url":"http://s3/put?sig=1","image":{"id":"i3","state":"Pending","name":"c.jpg","filename":"h3.jpg","checksum":"ghi","error":[]}}}}`),
		"StartImageUpload":             canned(`{"data":{"startImageUpload":{"id":"i3","state":"Uploading","name":"c.jpg","filename":"h3.jpg","checksum":"ghi","error":[]}}}`),
		"DoneImageUpload":              canned(`{"data":{"doneImageUpload":null}}`),
		"StartReconstructionWithError": canned(`{"data":{"startReconstructionWithError":{"error":{"message":"need 3 ready images"},"task":null}}}`),
		"PreStartReconstruction":       canned(`{"data":{"preStartReconstruction":{"error":null,"task":{"id":"t1","taskType":"Native","state":"Pending","startDate":"2026-01-02T03:04:05Z","queueing":2}}}}`),
	})
	ctx := context.Background()
	check := func(t *testing.T, op, wantVars string) {
		t.Helper()
		g.mu.Lock()
		defer g.mu.Unlock()
		r := g.seen[len(g.seen)-1]
		if r.op != op || r.key != testKey || r.token != testToken || r.ctype != "application/json" {
			t.Fatalf("request %+v: want %s with key, altitoken and JSON", r, op)
		}
		if wantVars != "" && r.rawVars != wantVars {
			t.Fatalf("variables %s, want %s", r.rawVars, wantVars)
		}
	}
	t.Run("nearestBuckets", func(t *testing.T) {
		b, err := c.NearestBuckets(ctx)
		if err != nil || len(b) != 2 || b[1] != (upload.Bucket{Bucket: "Hangzhou", Display: "Hangzhou", Cloud: "OSS"}) {
			t.Fatalf("%+v, %v", b, err)
		}
		check(t, "NearestBuckets", "")
	})
	t.Run("hasImage present", func(t *testing.T) {
		img, err := c.HasImage(ctx, "p1", "abc")
		if err != nil || img == nil || img.ID != "i1" || img.State != "Ready" {
			t.Fatalf("%+v, %v", img, err)
		}
		check(t, "HasImage", `{"pid":"p1","checksum":"abc"}`)
	})
	t.Run("hasImage absent", func(t *testing.T) {
		img, err := c.HasImage(ctx, "p1", "zzz")
		if err != nil || img != nil {
			t.Fatalf("%+v, %v", img, err)
		}
	})
	t.Run("uploadImageOSS", func(t *testing.T) {
		up, err := c.UploadImageOSS(ctx, "p1", "Hangzhou", "b.jpg", "JPEG", "def")
		if err != nil || up.Image == nil || up.Image.Filename != "h2.jpg" || up.STS.Token != "tok" || !up.STS.Expire.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
			t.Fatalf("%+v, %v", up, err)
		}
		check(t, "UploadImageOSS", `{"pid":"p1","bucket":"Hangzhou","filename":"b.jpg","imageType":"JPEG","checksum":"def"}`)
	})
	t.Run("uploadImageOSS renewal only", func(t *testing.T) {
		up, err := c.UploadImageOSS(ctx, "p1", "Hangzhou", "", "", "")
		if err != nil || up.Image != nil || up.STS.ID != "STS.x" {
			t.Fatalf("%+v, %v", up, err)
		}
		check(t, "UploadImageOSS", `{"pid":"p1","bucket":"Hangzhou","filename":""}`)
	})
	t.Run("uploadImageS3", func(t *testing.T) {
		up, err := c.UploadImageS3(ctx, "p1", "Tokyo", "c.jpg", "PNG", "ghi")
		if err != nil || up.URL != "http://s3/put?sig=1" || up.Image.ID != "i3" {
			t.Fatalf("%+v, %v", up, err)
		}
		check(t, "UploadImageS3", `{"pid":"p1","bucket":"Tokyo","filename":"c.jpg","imageType":"PNG","checksum":"ghi"}`)
	})
	t.Run("startImageUpload", func(t *testing.T) {
		img, err := c.StartImageUpload(ctx, "i3")
		if err != nil || img.State != "Uploading" {
			t.Fatalf("%+v, %v", img, err)
		}
		check(t, "StartImageUpload", `{"id":"i3"}`)
	})
	t.Run("doneImageUpload null", func(t *testing.T) {
		_, err := c.DoneImageUpload(ctx, "i9")
		var e *upload.Error
		if !errors.As(err, &e) || e.Code != upload.CodeNotFound {
			t.Fatalf("error %v, want not_found", err)
		}
	})
	t.Run("startReconstructionWithError", func(t *testing.T) {
		r, err := c.StartReconstruction(ctx, "p1", "Native", false)
		if err != nil || r.Task != nil || r.Error == nil || r.Error.Code != upload.CodeAPI || r.Error.Message != "Need 3 ready images." {
			t.Fatalf("%+v, %v", r, err)
		}
		check(t, "StartReconstructionWithError", `{"id":"p1","options":{"taskType":"Native"}}`)
	})
	t.Run("preStartReconstruction", func(t *testing.T) {
		r, err := c.StartReconstruction(ctx, "p1", "Dense", true)
		if err != nil || r.Error != nil || r.Task == nil || r.Task.ID != "t1" || r.Task.Queueing != 2 || r.Task.StartDate == nil {
			t.Fatalf("%+v, %v", r, err)
		}
		check(t, "PreStartReconstruction", `{"id":"p1","options":{"taskType":"Dense"}}`)
	})
}

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		wantCode  string
		wantMsg   string
		wantHTTP  bool // errors.As finds *graphql.HTTPError
		wantList  bool // errors.As finds gqlerror.List
		temporary bool
	}{
		{"502 with HTML", 502, "<html>Bad Gateway</html>", upload.CodeServer, "status 502", true, false, true},
		{"503 with GraphQL errors", 503, `{"errors":[{"message":"overloaded"}]}`, upload.CodeServer, "overloaded", true, false, true},
		{"429", 429, `{"errors":[{"message":"slow down"}]}`, upload.CodeRateLimited, "slow down", true, false, true},
		{"401", 401, `{"errors":[{"message":"bad token"}]}`, upload.CodeUnauthorized, "refused the key or token", true, false, false},
		{"400", 400, `{"errors":[{"message":"Cannot query field"}]}`, upload.CodeAPI, "Cannot query field", true, false, false},
		{"token refused in errors", 200, `{"data":null,"errors":[{"message":"invalid altitoken"}]}`, upload.CodeUnauthorized, "Invalid altitoken.", false, true, false},
		{"extension code", 200, `{"data":null,"errors":[{"message":"nope","extensions":{"code":"NOT_FOUND"}}]}`, upload.CodeNotFound, "Nope.", false, true, false},
		{"bad input", 200, `{"data":null,"errors":[{"message":"Expected type ID!"}]}`, upload.CodeInvalidInput, "Expected type", false, true, false},
		{"other error", 200, `{"data":null,"errors":[{"message":"the moon is full"}]}`, upload.CodeAPI, "The moon is full.", false, true, false},
		{"not JSON", 200, `hello`, upload.CodeAPI, "other than GraphQL JSON", false, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, c := newServer(t, map[string]func(map[string]any) (int, string){
				"HasImage": func(map[string]any) (int, string) { return tc.status, tc.body },
			})
			_, err := c.HasImage(context.Background(), "p1", "abc")
			var e *upload.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *upload.Error", err)
			}
			if e.Code != tc.wantCode || !strings.Contains(e.Message, tc.wantMsg) {
				t.Fatalf("error %s %q, want %s containing %q", e.Code, e.Message, tc.wantCode, tc.wantMsg)
			}
			if e.Temporary() != tc.temporary {
				t.Fatalf("temporary %v", e.Temporary())
			}
			var he *graphql.HTTPError
			if errors.As(err, &he) != tc.wantHTTP || tc.wantHTTP && he.StatusCode != tc.status {
				t.Fatalf("HTTPError found: %v", errors.As(err, &he))
			}
			var list gqlerror.List
			if errors.As(err, &list) != tc.wantList {
				t.Fatalf("gqlerror.List found: %v", errors.As(err, &list))
			}
			if strings.Contains(e.Message, testToken) || strings.Contains(err.Error(), testToken) {
				t.Fatal("the token is in the error text")
			}
		})
	}
	t.Run("unreachable", func(t *testing.T) {
		ts := httptest.NewServer(http.NotFoundHandler())
		addr := ts.URL
		ts.Close()
		c := New(addr+"/graphql", testKey, testToken, nil)
		_, err := c.NearestBuckets(context.Background())
		var e *upload.Error
		if !errors.As(err, &e) || e.Code != upload.CodeNetwork || !e.Temporary() || strings.Contains(e.Message, testToken) {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		_, c := newServer(t, nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.NearestBuckets(ctx)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want context.Canceled", err)
		}
	})
}

// TestBrowserFetchFailureInWords: in the browser net/http reports only
// "Failed to fetch"; the message says what may lie behind it.
func TestBrowserFetchFailureInWords(t *testing.T) {
	for _, text := range []string{"net/http: fetch() failed: TypeError: Failed to fetch", "net/http: fetch() failed: NetworkError when attempting to fetch resource."} {
		e := upload.AsError(mapError(&url.Error{Op: "Post", URL: "http://api.example/graphql", Err: errors.New(text)}))
		if e.Code != upload.CodeNetwork || !strings.Contains(e.Message, "CORS") || strings.Contains(e.Message, "etch") {
			t.Fatalf("%q became %s %q", text, e.Code, e.Message)
		}
	}
}

func TestProjectTask(t *testing.T) {
	_, c := newServer(t, map[string]func(map[string]any) (int, string){
		"ProjectTask": func(v map[string]any) (int, string) {
			switch v["pid"] {
			case "gone":
				return 200, `{"data":{"project":null}}`
			case "idle":
				return 200, `{"data":{"project":{"id":"idle","task":null}}}`
			}
			return 200, `{"data":{"project":{"id":"p1","task":{"id":"t1","taskType":"Native","state":"Queueing","startDate":"2026-01-02T03:04:05Z","queueing":2}}}}`
		},
	})
	ctx := context.Background()
	task, err := c.ProjectTask(ctx, "p1")
	if err != nil || task == nil || task.ID != "t1" || task.State != "Queueing" || task.Queueing != 2 || task.StartDate == nil || task.StartDate.Year() != 2026 {
		t.Fatalf("task %+v, %v", task, err)
	}
	if task, err := c.ProjectTask(ctx, "idle"); task != nil || err != nil {
		t.Fatalf("a project without a task: %+v, %v", task, err)
	}
	if _, err := c.ProjectTask(ctx, "gone"); upload.AsError(err) == nil || upload.AsError(err).Code != upload.CodeNotFound {
		t.Fatalf("a missing project: %v", err)
	}
}
