//go:build !(js && wasm)

package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"altiup/server/faults"
	"altiup/server/ossbucket"
	"altiup/server/s3bucket"
	"altiup/server/s3bucket/versitytest"
	"altiup/server/sandbox"
	"altiup/server/sandbox/ossbackend"
	"altiup/wasm/upload"
)

// testSandbox is the sandbox's API and its OSS and S3 endpoints, in this
// process, with a record of the multipart parts the OSS endpoint stored.
type testSandbox struct {
	api, key, token, project string
	plainAPI                 string // the API without faults, for the tests' own look

	parts  *partLog
	faults *faults.Injector // nil without faults
}

type sandboxOptions struct {
	stsTTL time.Duration
	// maxImage bounds what the sandbox reads of an object to check it
	// (default 256 MiB); a larger object is refused as too large.
	maxImage int64
	faults   *faults.Config // nil: none
	// versity puts the S3 buckets on a real S3 server (VersityGW) instead of
	// the in-process one; presigned URLs then point at it.
	versity bool
}

// startSandbox wires the sandbox as the server does (server/wiring.go),
// each storage on its own endpoint.
func startSandbox(t *testing.T, o sandboxOptions) *testSandbox {
	t.Helper()
	ctx := context.Background()
	var apiH, plainH, ossH, s3H http.Handler
	serve := func(h *http.Handler) *httptest.Server {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*h).ServeHTTP(w, r) }))
		t.Cleanup(s.Close)
		return s
	}
	apiSrv, plainSrv, ossSrv, s3Srv := serve(&apiH), serve(&plainH), serve(&ossH), serve(&s3H)

	signing := make([]byte, 32)
	_, _ = rand.Read(signing)
	oss, err := ossbucket.New(ossbucket.Config{Buckets: sandbox.OSSBucketNames(), Endpoint: ossSrv.URL, Store: ossbucket.NewMemStore(), SigningKey: signing})
	if err != nil {
		t.Fatal(err)
	}
	s3cfg := s3bucket.Config{PublicURL: s3Srv.URL}
	if o.versity {
		ep, ak, sk := versitytest.Start(t)
		s3cfg = s3bucket.Config{Endpoint: ep, AccessKey: ak, SecretKey: sk, Bucket: "altiup-cli"}
	}
	s3, err := s3bucket.New(ctx, s3cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := &testSandbox{key: randomText(8), token: randomText(12), parts: &partLog{}}
	sb, err := sandbox.New(sandbox.Config{
		AppKey: ts.key, Users: sandbox.DemoUsers(ts.token)[:1], // demo, with its account
		OSS: ossbackend.New(oss), S3: s3, APIURL: apiSrv.URL + "/graphql", WebURL: apiSrv.URL,
		STSTTL: o.stsTTL, WatchInterval: 100 * time.Millisecond, MaxImageBytes: o.maxImage,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	if ts.project, err = sb.EnsureProject(ts.token, "Demo project"); err != nil {
		t.Fatal(err)
	}
	apiH, ossH, s3H = sb.Handler(), ts.parts.wrap(oss), s3.Handler()
	if s3H == nil { // a real S3 server answers the presigned URLs itself
		s3H = http.NotFoundHandler()
	}
	plainH, ts.plainAPI = apiH, plainSrv.URL+"/graphql"
	if o.faults != nil {
		in, err := faults.New(*o.faults)
		if err != nil {
			t.Fatal(err)
		}
		apiH, ossH, s3H = in.API(apiH), in.Storage(ossH), in.Storage(s3H)
		ts.faults = in
	}
	ts.api = apiSrv.URL + "/graphql"
	return ts
}

// env is the environment the command sees: the secrets come from it.
func (ts *testSandbox) env(name string) string {
	return map[string]string{"ALTIUP_API": ts.api, "ALTIUP_KEY": ts.key, "ALTIUP_TOKEN": ts.token}[name]
}

// images lists the project's images as the API has them (without faults).
// The uploader itself never lists a project, so its client has no such
// call: the test asks the API directly.
func (ts *testSandbox) images(t *testing.T) []upload.Image {
	t.Helper()
	q, _ := json.Marshal(map[string]any{
		"query":     `query($pid: ID!) { project(id: $pid) { allImages(first: 500) { edges { node { id state name filename checksum error } } } } }`,
		"variables": map[string]string{"pid": ts.project},
	})
	req, _ := http.NewRequest(http.MethodPost, ts.plainAPI, bytes.NewReader(q))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("key", ts.key)
	req.Header.Set("altitoken", ts.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			Project struct {
				AllImages struct {
					Edges []struct {
						Node upload.Image `json:"node"`
					} `json:"edges"`
				} `json:"allImages"`
			} `json:"project"`
		} `json:"data"`
		Errors []struct{ Message string } `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Errors) > 0 {
		t.Fatalf("listing images: %v %v", err, out.Errors)
	}
	var imgs []upload.Image
	for _, e := range out.Data.Project.AllImages.Edges {
		imgs = append(imgs, e.Node)
	}
	return imgs
}

// partLog records the part PUTs the OSS endpoint stored (answered 2xx).
type partLog struct {
	mu       sync.Mutex
	stored   []partPut
	inflight int
	idle     *sync.Cond
	onStored func(n int) // called with the count after each stored part
}

type partPut struct {
	uploadID string
	number   string
}

func (l *partLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.Method != http.MethodPut || !q.Has("partNumber") {
			next.ServeHTTP(w, r)
			return
		}
		l.mu.Lock()
		l.inflight++
		l.mu.Unlock()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		l.mu.Lock()
		l.inflight--
		if rec.status/100 == 2 {
			l.stored = append(l.stored, partPut{q.Get("uploadId"), q.Get("partNumber")})
		}
		n, cb := len(l.stored), l.onStored
		if l.idle != nil {
			l.idle.Broadcast()
		}
		l.mu.Unlock()
		if cb != nil && rec.status/100 == 2 {
			cb(n)
		}
	})
}

// notify has fn called with the count of parts stored after each one.
func (l *partLog) notify(fn func(n int)) {
	l.mu.Lock()
	l.onStored = fn
	l.mu.Unlock()
}

// settle waits until no part PUT is being handled, and returns those stored.
func (l *partLog) settle() []partPut {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.idle == nil {
		l.idle = sync.NewCond(&l.mu)
	}
	for l.inflight > 0 {
		l.idle.Wait()
	}
	return append([]partPut(nil), l.stored...)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func randomText(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// photos writes n distinct small JPEGs into dir and returns their names.
func photos(t *testing.T, dir string, n int, seed uint64) []string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r := mrand.New(mrand.NewPCG(seed, 7))
	var names []string
	for i := range n {
		img := image.NewRGBA(image.Rect(0, 0, 48, 32))
		for p := 0; p < len(img.Pix); p += 4 {
			img.Pix[p], img.Pix[p+1], img.Pix[p+2], img.Pix[p+3] = uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), 255
		}
		img.Set(0, 0, color.RGBA{uint8(i), uint8(seed), 0, 255})
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, nil); err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("DJI_%04d.JPG", i)
		if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	return names
}
