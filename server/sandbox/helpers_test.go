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
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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
)

// objects is an in-memory object store shared by the fakes.
type objects struct {
	mu   sync.Mutex
	data map[string][]byte
}

func (o *objects) put(k string, b []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.data == nil {
		o.data = map[string][]byte{}
	}
	o.data[k] = append([]byte(nil), b...)
}

func (o *objects) stat(k string) (int64, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	b, ok := o.data[k]
	if !ok {
		return 0, fmt.Errorf("object %s: %w", k, fs.ErrNotExist)
	}
	return int64(len(b)), nil
}

func (o *objects) open(k string) (io.ReadCloser, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	b, ok := o.data[k]
	if !ok {
		return nil, fmt.Errorf("object %s: %w", k, fs.ErrNotExist)
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

func (o *objects) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.data)
}

type stsIssue struct {
	bucket, prefix string
	ttl            time.Duration
}

type fakeOSS struct {
	objects
	mu     sync.Mutex
	issued []stsIssue
}

var _ sandbox.OSSBackend = (*fakeOSS)(nil)

func (f *fakeOSS) IssueSTS(bucket, prefix string, ttl time.Duration) (sandbox.STS, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.issued = append(f.issued, stsIssue{bucket, prefix, ttl})
	n := len(f.issued)
	return sandbox.STS{
		AccessKeyID:     fmt.Sprintf("STS.id%d", n),
		AccessKeySecret: fmt.Sprintf("secret%d", n),
		SecurityToken:   fmt.Sprintf("token%d", n),
		// An offset zone: the API must still answer in UTC with a Z.
		Expiration: time.Date(2030, 1, 2, 11, 4, 5, 0, time.FixedZone("HKT", 8*3600)),
	}, nil
}

func (f *fakeOSS) Endpoint() string { return "http://127.0.0.1:18081" }

func (f *fakeOSS) Stat(ctx context.Context, bucket, key string) (int64, error) {
	return f.stat(bucket + "/" + key)
}

func (f *fakeOSS) Open(ctx context.Context, bucket, key string) (io.ReadCloser, error) {
	return f.open(bucket + "/" + key)
}

type presign struct{ key, contentType string }

type fakeS3 struct {
	objects
	mu        sync.Mutex
	presigned []presign
	puts      []presign
}

var _ sandbox.S3Backend = (*fakeS3)(nil)

func (f *fakeS3) PresignPut(ctx context.Context, key, contentType string, ttl time.Duration) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.presigned = append(f.presigned, presign{key, contentType})
	return "http://127.0.0.1:18082/altiup/" + key + "?X-Amz-Signature=fake", nil
}

func (f *fakeS3) Stat(ctx context.Context, key string) (int64, error) { return f.stat(key) }

func (f *fakeS3) Open(ctx context.Context, key string) (io.ReadCloser, error) { return f.open(key) }

func (f *fakeS3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if int64(len(b)) != size {
		return fmt.Errorf("put %s: %d bytes, announced %d", key, len(b), size)
	}
	f.mu.Lock()
	f.puts = append(f.puts, presign{key, contentType})
	f.mu.Unlock()
	f.put(key, b)
	return nil
}

func (f *fakeOSS) issuedCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.issued)
}

func (f *fakeOSS) firstIssue() stsIssue {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.issued[0]
}

func (f *fakeS3) counts() (presigned, puts int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.presigned), len(f.puts)
}

func (f *fakeS3) lastPut() presign {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.puts[len(f.puts)-1]
}

func (f *fakeS3) lastPresign() presign {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.presigned[len(f.presigned)-1]
}

// fakeClock is a clock that moves only when told.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
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
	seq   int            // makes readyImages' images differ
}

// newEnv starts a sandbox with in-memory fakes behind an httptest server.
func newEnv(t testing.TB, opts ...func(*sandbox.Config)) *env {
	t.Helper()
	e := &env{t: t, oss: &fakeOSS{}, s3: &fakeS3{}, clock: &fakeClock{now: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)}}
	e.cfg = sandbox.Config{
		AppKey: appKey,
		Users: []sandbox.User{
			{Token: demoToken, Username: "demo", Name: "Demo User", Email: "demo@example.com"},
			{Token: otherToken, Username: "other", Name: "Other User", Email: "other@example.com"},
		},
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
