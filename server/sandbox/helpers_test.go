package sandbox_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"golang.org/x/image/tiff"

	"altiup/server/sandbox"
	"altiup/server/sandbox/internal/gqltest"
)

const (
	appKey     = "test-app-key"
	demoToken  = "demo-token"
	otherToken = "other-token"

	demoPassword = "demo-password"
	demoPhone    = "+8613800000001"
)

// demoAccount is what my.self says about the demo user.
var demoAccount = sandbox.Account{
	Country: "HK", Balance: 100, FreeGPQuota: 1.5,
	Membership: sandbox.Membership{
		State: "ACTIVE", PlanName: "Pro", Period: 12,
		Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		MemberGPQuota: 20, CoinPerGP: 8, CoinPriceDiscount: 0.9, AssetStorage: 10240,
		Visibility: []string{"public", "private"}, ModelPerProject: 10, CollaboratorQuota: 5,
	},
	Joined: time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC),
}

type env struct {
	t     testing.TB
	cfg   sandbox.Config
	sb    *sandbox.Sandbox
	srv   *httptest.Server
	oss   *fakeOSS
	s3    *fakeS3
	clock *fakeClock
	demo  graphql.Client // key and the demo user's token
	other graphql.Client // key and the other user's token
	anon  graphql.Client // key only
	logs  *syncBuffer    // what the sandbox logged
	seq   int            // makes readyImages' images differ
}

// newEnv starts a sandbox with in-memory fakes behind an httptest server.
func newEnv(t testing.TB, opts ...func(*sandbox.Config)) *env {
	t.Helper()
	e := &env{t: t, oss: &fakeOSS{}, s3: &fakeS3{}, clock: &fakeClock{now: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)}, logs: &syncBuffer{}}
	e.cfg = sandbox.Config{
		AppKey: appKey,
		Users: []sandbox.User{
			{Token: demoToken, Username: "demo", Name: "Demo User", Email: "demo@example.com", Password: demoPassword, Phone: demoPhone,
				Account: demoAccount},
			{Token: otherToken, Username: "other", Name: "Other User", Email: "other@example.com", Phone: "+8613800000002",
				Account: sandbox.Account{Balance: 5}},
		},
		Logger:          slog.New(slog.NewTextHandler(e.logs, nil)),
		OSS:             e.oss,
		S3:              e.s3,
		APIURL:          "http://api.test",
		WebURL:          "http://web.test",
		Clock:           e.clock,
		WatchInterval:   10 * time.Millisecond,
		SaveDelay:       5 * time.Millisecond,
		QueueDuration:   2 * time.Second,
		ProcessDuration: 2 * time.Second,
	}
	for _, o := range opts {
		o(&e.cfg)
	}
	e.start()
	return e
}

func (e *env) start() {
	e.t.Helper()
	sb, err := sandbox.New(e.cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.sb = sb
	e.srv = httptest.NewServer(sb.Handler())
	e.demo = e.client(map[string]string{"key": appKey, "altitoken": demoToken})
	e.other = e.client(map[string]string{"key": appKey, "altitoken": otherToken})
	e.anon = e.client(map[string]string{"key": appKey})
	e.t.Cleanup(e.stop)
}

func (e *env) stop() {
	if e.srv == nil {
		return
	}
	e.srv.Close()
	if err := e.sb.Close(); err != nil {
		e.t.Error(err)
	}
	e.srv = nil
}

// headerDoer sends fixed headers with every request.
type headerDoer struct{ h map[string]string }

func (d headerDoer) Do(r *http.Request) (*http.Response, error) {
	for k, v := range d.h {
		r.Header.Set(k, v)
	}
	return http.DefaultClient.Do(r)
}

func (e *env) client(h map[string]string) graphql.Client {
	return graphql.NewClient(e.srv.URL+"/graphql", headerDoer{h})
}

var ctx = context.Background()

func ptr[T any](v T) *T { return &v }

func sha(b []byte) string {
	h := sha1.Sum(b)
	return hex.EncodeToString(h[:])
}

func (e *env) project(name string) string {
	e.t.Helper()
	p, err := gqltest.CreateProject(ctx, e.demo, name, nil, nil, nil, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return p.CreateProject.Id
}

// rawResponse is a GraphQL answer read by hand.
type rawResponse struct {
	Status int
	Data   map[string]any
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	}
}

// post sends a raw GraphQL request body with the given headers.
func (e *env) post(body string, headers map[string]string) rawResponse {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out rawResponse
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &out); err != nil {
		e.t.Fatalf("answer is not JSON (status %d): %v: %s", resp.StatusCode, err, b)
	}
	out.Status = resp.StatusCode
	return out
}

// query posts {query, variables} as the demo user.
func (e *env) query(q string, vars map[string]any) rawResponse {
	e.t.Helper()
	b, err := json.Marshal(map[string]any{"query": q, "variables": vars})
	if err != nil {
		e.t.Fatal(err)
	}
	return e.post(string(b), map[string]string{"key": appKey, "altitoken": demoToken})
}

// snapshot is everything both users can see, to check that nothing changed.
func (e *env) snapshot() string {
	e.t.Helper()
	return e.snapshotOf(e.demo) + e.snapshotOf(e.other)
}

// snapshotOf is everything one user can see.
func (e *env) snapshotOf(c graphql.Client) string {
	e.t.Helper()
	var out strings.Builder
	me, err := gqltest.Me(ctx, c)
	if err != nil {
		e.t.Fatal(err)
	}
	b, _ := json.Marshal(me)
	out.Write(b)
	{
		ps, err := gqltest.SearchProjects(ctx, c, nil, ptr(100), nil)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, p := range ps.Search.ProjectID {
			pr, err := gqltest.Project(ctx, c, p.Id)
			if err != nil {
				e.t.Fatal(err)
			}
			imgs, err := gqltest.AllImages(ctx, c, p.Id, nil, ptr(500), nil, nil, nil)
			if err != nil {
				e.t.Fatal(err)
			}
			b, _ := json.Marshal([]any{pr, imgs})
			out.Write(b)
			out.WriteByte('\n')
		}
	}
	return out.String()
}

func (e *env) image(pid, iid string) gqltest.ImageFields {
	e.t.Helper()
	r, err := gqltest.ProjectImage(ctx, e.demo, pid, iid)
	if err != nil {
		e.t.Fatal(err)
	}
	if r.Project == nil || r.Project.Image == nil {
		e.t.Fatalf("image %s of project %s not found", iid, pid)
	}
	return r.Project.Image.ImageFields
}

// waitFinal polls an image until it is Ready or Invalid.
func (e *env) waitFinal(pid, iid string) gqltest.ImageFields {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		img := e.image(pid, iid)
		if img.State == gqltest.IMAGE_STATEReady || img.State == gqltest.IMAGE_STATEInvalid {
			return img
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("image %s is still %s", iid, img.State)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// uploadOSS registers an image on OSS, puts its bytes and calls done.
func (e *env) uploadOSS(pid, name string, typ gqltest.IMAGE_TYPE, data []byte, checksum *string) gqltest.ImageFields {
	e.t.Helper()
	r, err := gqltest.UploadImageOSS(ctx, e.demo, pid, gqltest.BucketOSSHangzhou, name, &typ, checksum)
	if err != nil {
		e.t.Fatal(err)
	}
	img := r.UploadImageOSS.Image
	if _, err := gqltest.StartImageUpload(ctx, e.demo, img.Id); err != nil {
		e.t.Fatal(err)
	}
	e.oss.put(r.UploadImageOSS.Sts.Bucket+"/"+pid+"/"+img.Filename, data)
	if _, err := gqltest.DoneImageUpload(ctx, e.demo, img.Id); err != nil {
		e.t.Fatal(err)
	}
	return img.ImageFields
}

// readyImages uploads n distinct good JPEGs and waits for them.
func (e *env) readyImages(pid string, n int) {
	e.t.Helper()
	for i := range n {
		e.seq++
		data := jpegBytes(e.t, 16+e.seq, 8)
		img := e.uploadOSS(pid, fmt.Sprintf("r%d.jpg", i), gqltest.IMAGE_TYPEJpeg, data, ptr(sha(data)))
		if got := e.waitFinal(pid, img.Id); got.State != gqltest.IMAGE_STATEReady {
			e.t.Fatalf("image %d: %s %v", i, got.State, got.Error)
		}
	}
}

func testImage(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 7), uint8(y * 13), uint8(x ^ y), 255})
		}
	}
	return img
}

func jpegBytes(t testing.TB, w, h int) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(w, h), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pngBytes(t testing.TB, w, h int) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, testImage(w, h)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func tiffBytes(t testing.TB, w, h int) []byte {
	var b bytes.Buffer
	if err := tiff.Encode(&b, testImage(w, h), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// errInfo is the first GraphQL error's message, as users see it, and its
// extensions.code; "" when err is nil.
func errInfo(err error) (msg, code string) {
	if err == nil {
		return "", ""
	}
	var list gqlerror.List
	var he *graphql.HTTPError
	var first *gqlerror.Error
	switch {
	case errors.As(err, &he) && len(he.Response.Errors) > 0:
		first = he.Response.Errors[0]
	case errors.As(err, &list) && len(list) > 0:
		first = list[0]
	default:
		return err.Error(), ""
	}
	code, _ = first.Extensions["code"].(string)
	return first.Message, code
}
