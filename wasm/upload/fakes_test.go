package upload_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"altiup/wasm/upload"
)

// src is an in-memory Source.
type src struct {
	name, typ string
	data      []byte
}

func (s src) Name() string { return s.name }
func (s src) Size() int64  { return int64(len(s.data)) }
func (s src) Type() string { return s.typ }
func (s src) ReadAt(p []byte, off int64) (int, error) {
	return bytes.NewReader(s.data).ReadAt(p, off)
}

func sha(b []byte) string {
	h := sha1.Sum(b)
	return hex.EncodeToString(h[:])
}

// jpeg makes distinct bytes that look like a JPEG.
func jpeg(name string, n int) src {
	b := make([]byte, n)
	copy(b, "\xff\xd8\xff\xe0")
	for i := 4; i < n; i++ {
		b[i] = byte(len(name)*31 + i*7 + int(name[0]))
	}
	return src{name: name, typ: "image/jpeg", data: b}
}

// world is a fake Altizure API plus an httptest storage server serving OSS
// (fake signatures: a token in the query) and S3 (presigned URLs with a
// sequence number), sharing one log of calls.
type world struct {
	t     testing.TB
	clock *clock
	srv   *httptest.Server

	mu         sync.Mutex
	log        []string
	buckets    []upload.Bucket
	stsTTL     time.Duration
	stsSeq     int
	tokens     map[string]time.Time // OSS token → expiry
	revoked    map[string]bool
	signers    int
	images     map[string]*upload.Image // by id
	byChecksum map[string]string
	objects    map[string][]byte
	ctypes     map[string]string
	urlSeq     int
	staleURLs  map[string]bool
	puts       map[string]int // by object key
	putFault   func(key string, n int) (int, string)
	apiFault   map[string][]error // by method
	pollsToEnd int                // looks at an image before it is final when stored
	imagePolls map[string]int     // image calls per image id
	bucketEnum map[string][]string
	skew       time.Duration // how far the server's clock is ahead of the local one
	recon      upload.Reconstruction
	reconPre   []bool
	task       *upload.Task // project.task
	onPut      func(key string)
}

func newWorld(t testing.TB) *world {
	w := &world{
		t: t, clock: newClock(),
		buckets:    []upload.Bucket{{Bucket: "Local", Cloud: "MINIO"}, {Bucket: "Tokyo", Cloud: "s3"}, {Bucket: "Hangzhou", Cloud: "OSS"}},
		stsTTL:     time.Hour,
		tokens:     map[string]time.Time{},
		revoked:    map[string]bool{},
		images:     map[string]*upload.Image{},
		byChecksum: map[string]string{},
		objects:    map[string][]byte{},
		ctypes:     map[string]string{},
		staleURLs:  map[string]bool{},
		puts:       map[string]int{},
		apiFault:   map[string][]error{},
		imagePolls: map[string]int{},
		bucketEnum: map[string][]string{"oss": {"Hangzhou", "Shenzhen"}, "s3": {"Tokyo", "Paris"}},
	}
	w.srv = httptest.NewServer(http.HandlerFunc(w.serveStorage))
	t.Cleanup(w.srv.Close)
	return w
}

func (w *world) record(s string) {
	w.mu.Lock()
	w.log = append(w.log, s)
	w.mu.Unlock()
}

func (w *world) calls() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.log...)
}

func (w *world) count(prefix string) int {
	n := 0
	for _, c := range w.calls() {
		if strings.HasPrefix(c, prefix) {
			n++
		}
	}
	return n
}

func (w *world) serveStorage(rw http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	var key string
	w.mu.Lock()
	switch {
	case strings.HasPrefix(r.URL.Path, "/oss/"):
		key = strings.TrimPrefix(r.URL.Path, "/oss/")
		tok := r.URL.Query().Get("token")
		exp, ok := w.tokens[tok]
		if !ok || w.revoked[tok] || !w.serverNow().Before(exp) {
			w.mu.Unlock()
			w.record("PUT-expired " + key)
			http.Error(rw, "<Error><Code>SecurityTokenExpired</Code><Message>The security token you provided has expired.</Message></Error>", http.StatusForbidden)
			return
		}
	case strings.HasPrefix(r.URL.Path, "/s3/"):
		key = strings.TrimPrefix(r.URL.Path, "/s3/")
		if w.staleURLs[r.URL.RawQuery] {
			w.mu.Unlock()
			w.record("PUT-expired " + key)
			http.Error(rw, "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>", http.StatusForbidden)
			return
		}
	default:
		w.mu.Unlock()
		http.NotFound(rw, r)
		return
	}
	w.puts[key]++
	n := w.puts[key]
	fault, onPut := w.putFault, w.onPut
	w.mu.Unlock()
	if onPut != nil {
		onPut(key)
	}
	if fault != nil {
		if status, doc := fault(key, n); status != 0 {
			w.record(fmt.Sprintf("PUT-%d %s", status, key))
			rw.WriteHeader(status)
			io.WriteString(rw, doc)
			return
		}
	}
	w.mu.Lock()
	w.objects[key] = body
	w.ctypes[key] = r.Header.Get("Content-Type")
	if strings.HasPrefix(r.URL.Path, "/s3/") {
		// S3 has no done call: the service notices the object itself.
		for _, img := range w.images {
			if strings.HasSuffix(key, "/"+img.Filename) {
				img.State = "Uploaded"
			}
		}
	}
	w.mu.Unlock()
	w.record("PUT " + key)
}

// fault pops the next injected error of a method.
func (w *world) fault(method string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if errs := w.apiFault[method]; len(errs) > 0 {
		w.apiFault[method] = errs[1:]
		return errs[0]
	}
	return nil
}

func (w *world) NearestBuckets(ctx context.Context) ([]upload.Bucket, error) {
	w.record("nearestBuckets")
	if err := w.fault("nearestBuckets"); err != nil {
		return nil, err
	}
	return w.buckets, nil
}

func (w *world) HasImage(ctx context.Context, pid, checksum string) (*upload.Image, error) {
	w.record("hasImage " + checksum[:6])
	if err := w.fault("hasImage"); err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if id, ok := w.byChecksum[checksum]; ok {
		img := *w.images[id]
		return &img, nil
	}
	return nil, nil
}

// register makes (or, for the same checksum, returns) an image; w.mu held.
// Registering the checksum of an Invalid image replaces it: the same image
// starts again.
func (w *world) register(filename, checksum string) *upload.Image {
	if id, ok := w.byChecksum[checksum]; ok {
		img := w.images[id]
		if img.State == upload.ImageInvalid {
			img.State, img.Errors, img.Name = "Pending", nil, filename
			w.imagePolls[id] = 0
		}
		c := *img
		return &c
	}
	id := fmt.Sprintf("img%d", len(w.images)+1)
	img := &upload.Image{ID: id, State: "Pending", Name: filename, Filename: checksum[:8] + ".obj", Checksum: checksum}
	w.images[id] = img
	w.byChecksum[checksum] = id
	c := *img
	return &c
}

// serverNow is the service's clock.
func (w *world) serverNow() time.Time { return w.clock.Now().Add(w.skew) }

func (w *world) newSTS() upload.STS {
	w.stsSeq++
	tok := fmt.Sprintf("tok%d", w.stsSeq)
	exp := w.serverNow().Add(w.stsTTL)
	w.tokens[tok] = exp
	return upload.STS{ID: "STS.id", Secret: "secret", Token: tok, Bucket: "hz", Endpoint: w.srv.URL, Expire: exp}
}

func (w *world) UploadImageOSS(ctx context.Context, pid, bucket, filename, imageType, checksum string) (*upload.OSSUpload, error) {
	w.record(fmt.Sprintf("uploadImageOSS %q", filename))
	if err := w.fault("uploadImageOSS"); err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	up := &upload.OSSUpload{STS: w.newSTS(), Issued: w.serverNow()}
	if filename != "" {
		up.Image = w.register(filename, checksum)
	}
	return up, nil
}

func (w *world) UploadImageS3(ctx context.Context, pid, bucket, filename, imageType, checksum string) (*upload.S3Upload, error) {
	w.record(fmt.Sprintf("uploadImageS3 %q", filename))
	if err := w.fault("uploadImageS3"); err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	img := w.register(filename, checksum)
	w.urlSeq++
	return &upload.S3Upload{URL: fmt.Sprintf("%s/s3/%s/%s?sig=%d", w.srv.URL, pid, img.Filename, w.urlSeq), Image: img}, nil
}

func (w *world) StartImageUpload(ctx context.Context, id string) (*upload.Image, error) {
	w.record("startImageUpload " + id)
	if err := w.fault("startImageUpload"); err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.images[id].State = "Uploading"
	img := *w.images[id]
	return &img, nil
}

func (w *world) DoneImageUpload(ctx context.Context, id string) (*upload.Image, error) {
	w.record("doneImageUpload " + id)
	if err := w.fault("doneImageUpload"); err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.images[id].State = "Uploaded"
	img := *w.images[id]
	return &img, nil
}

// settle makes a stored image final once it has been looked at more than
// pollsToEnd times: Ready, or Invalid when named bad*. Images named slow*
// stay Processing; w.mu is held.
func (w *world) settle(pid string, img *upload.Image, looks int) {
	if strings.HasPrefix(img.Name, "slow") && img.State != upload.ImageReady {
		img.State = "Processing" // never done
		return
	}
	if _, stored := w.objects[pid+"/"+img.Filename]; stored && looks > w.pollsToEnd && (img.State == "Uploaded" || img.State == "Processing") {
		img.State = upload.ImageReady
		if strings.HasPrefix(img.Name, "bad") {
			img.State, img.Errors = upload.ImageInvalid, []string{"The image could not be decoded."}
		}
	}
}

// Image answers project.image; images named lost* are never found.
func (w *world) Image(ctx context.Context, pid, id string) (*upload.Image, error) {
	w.record("image " + id)
	if err := w.fault("image"); err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	img := w.images[id]
	if img == nil || strings.HasPrefix(img.Name, "lost") {
		return nil, nil
	}
	w.imagePolls[id]++
	w.settle(pid, img, w.imagePolls[id])
	c := *img
	return &c, nil
}

func (w *world) BucketNames(ctx context.Context, cloud string) ([]string, error) {
	w.record("bucketNames " + cloud)
	if err := w.fault("bucketNames"); err != nil {
		return nil, err
	}
	return w.bucketEnum[cloud], nil
}

func (w *world) StartReconstruction(ctx context.Context, pid, taskType string, pre bool) (upload.Reconstruction, error) {
	w.record(fmt.Sprintf("reconstruction %s pre=%v", taskType, pre))
	if err := w.fault("reconstruction"); err != nil {
		return upload.Reconstruction{}, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.reconPre = append(w.reconPre, pre)
	return w.recon, nil
}

func (w *world) ProjectTask(ctx context.Context, pid string) (*upload.Task, error) {
	w.record("projectTask")
	if err := w.fault("projectTask"); err != nil {
		return nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.task, nil
}

// signer is a fake OSS signer: the URL carries the STS token.
type signer struct {
	w   *world
	sts upload.STS
}

func (s signer) SignPut(key, contentType string, expires time.Duration) (string, error) {
	return s.sts.Endpoint + "/oss/" + key + "?token=" + url.QueryEscape(s.sts.Token), nil
}

func (w *world) newSigner(sts upload.STS) (upload.OSSSigner, error) {
	w.mu.Lock()
	w.signers++
	w.mu.Unlock()
	return signer{w, sts}, nil
}

func (w *world) deps() upload.Deps {
	return upload.Deps{
		API: w, Putter: upload.HTTPPutter{Client: w.srv.Client()}, OSS: w.newSigner,
		Now: w.clock.Now, Sleep: w.clock.Sleep, Rand: func() float64 { return 0.5 },
	}
}

func (w *world) uploader(opts upload.Options) *upload.Uploader {
	w.t.Helper()
	return w.uploaderWith(opts, nil)
}

// uploaderWith makes an uploader of the project pid1 (unless opts names
// another) with the world's deps, as change alters them.
func (w *world) uploaderWith(opts upload.Options, change func(d *upload.Deps)) *upload.Uploader {
	w.t.Helper()
	if opts.Project == "" {
		opts.Project = "pid1"
	}
	d := w.deps()
	if change != nil {
		change(&d)
	}
	u, err := upload.New(opts, d)
	if err != nil {
		w.t.Fatal(err)
	}
	return u
}

func (w *world) object(key string) []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.objects[key]
}
