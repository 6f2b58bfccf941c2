package upload_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"altiup/server/ossbucket"
	"altiup/wasm/ossstore"
	"altiup/wasm/upload"
)

const ossBucket = "altiup-oss-hangzhou"

// ossWorld is the fake API of world with a real OSS-compatible endpoint
// (server/ossbucket) behind its STS.
type ossWorld struct {
	*world
	oss *ossbucket.Server
}

func newOSSWorld(t *testing.T) *ossWorld {
	w := newWorld(t)
	ts := httptest.NewUnstartedServer(nil)
	s, err := ossbucket.New(ossbucket.Config{Buckets: []string{ossBucket}, Endpoint: "http://" + ts.Listener.Addr().String(),
		Store: ossbucket.NewMemStore(), SigningKey: []byte("0123456789abcdef0123456789abcdef"), Now: w.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = s
	ts.Start()
	t.Cleanup(ts.Close)
	return &ossWorld{world: w, oss: s}
}

func (o *ossWorld) UploadImageOSS(ctx context.Context, pid, bucket, filename, imageType, checksum string) (*upload.OSSUpload, error) {
	up, err := o.world.UploadImageOSS(ctx, pid, bucket, filename, imageType, checksum)
	if err != nil {
		return nil, err
	}
	c, err := o.oss.IssueSTS(ossBucket, pid+"/", o.stsTTL)
	if err != nil {
		return nil, err
	}
	up.STS = upload.STS{ID: c.AccessKeyID, Secret: c.AccessKeySecret, Token: c.SecurityToken, Bucket: ossBucket, Endpoint: o.oss.Endpoint(), Expire: c.Expiration}
	return up, nil
}

func (o *ossWorld) stored(t *testing.T, key string) []byte {
	t.Helper()
	r, err := o.oss.Open(context.Background(), ossBucket, key)
	if err != nil {
		t.Fatalf("object %s: %v", key, err)
	}
	defer r.Close()
	b, _ := io.ReadAll(r)
	return b
}

// partPutter counts the part PUTs that reached the storage and calls
// after(n) once n have been stored.
type partPutter struct {
	mu    sync.Mutex
	parts []int
	after func(n int)
}

func (p *partPutter) Put(ctx context.Context, req upload.PutRequest, src upload.Source, progress func(int64)) (*upload.PutResponse, error) {
	resp, err := upload.HTTPPutter{}.Put(ctx, req, src, progress)
	u, _ := url.Parse(req.URL)
	if n, perr := strconv.Atoi(u.Query().Get("partNumber")); perr == nil && err == nil && resp.StatusCode == 200 {
		p.mu.Lock()
		p.parts = append(p.parts, n)
		k := len(p.parts)
		p.mu.Unlock()
		if p.after != nil {
			p.after(k)
		}
	}
	return resp, err
}

func (p *partPutter) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.parts)
}

func bigJPEG(t *testing.T, name string, n int) identified {
	b := make([]byte, n)
	rand.Read(b)
	copy(b, "\xff\xd8\xff\xe0")
	return identified{src{name: name, typ: "image/jpeg", data: b}, name + "|" + strconv.Itoa(n) + "|1700000000"}
}

func TestMultipartResumesAfterInterruption(t *testing.T) {
	o := newOSSWorld(t)
	j := &memJournal{m: map[string]upload.JournalEntry{}}
	big := bigJPEG(t, "big.jpg", bigSize)
	const partSize = (bigSize + 14) / 15
	opts := upload.Options{Project: "pid1", Cloud: "oss", MultipartFrom: 1 << 20, PartSize: partSize, PartConcurrency: 3, JournalFrom: -1}
	const parts = 15

	var u *upload.Uploader
	pp := &partPutter{after: func(n int) {
		if n == 6 {
			u.Cancel() // as a reload would: parts in flight are lost
		}
	}}
	d := o.deps()
	d.API, d.OSS, d.Putter, d.Journal = o, ossstore.New, pp, j
	var err error
	u, err = upload.New(opts, d)
	if err != nil {
		t.Fatal(err)
	}
	u.Add(big)
	rep, err := u.Start(context.Background())
	if err != nil || rep.Failed != 1 || rep.Files[0].Error.Code != upload.CodeCancelled {
		t.Fatalf("interrupted run: %+v, %v", rep, err)
	}
	u.FlushJournal()
	first := pp.count()
	e := j.m["pid1\x00"+big.id]
	if e.UploadID == "" || e.State != upload.JournalUploading || len(e.Parts) < 6 || e.PartSize != partSize {
		t.Fatalf("journal after the interruption: %+v", e)
	}

	// A new Uploader, as after a reload, with the same file and journal.
	pp2 := &partPutter{}
	d.Putter, d.Hasher = pp2, &countingHasher{}
	u2, err := upload.New(opts, d)
	if err != nil {
		t.Fatal(err)
	}
	u2.Add(big)
	rep, err = u2.Start(context.Background())
	if err != nil || rep.Uploaded != 1 {
		t.Fatalf("resumed run: %+v, %v", rep, err)
	}
	u2.FlushJournal()
	if n := d.Hasher.(*countingHasher).n; n != 0 {
		t.Fatalf("the file was hashed again %d times", n)
	}
	// Parts cut off in flight may or may not have been stored; none stored
	// before is sent again.
	if got := pp2.count(); got > parts-first {
		t.Fatalf("resumed run sent %d parts; %d of %d were stored before", got, first, parts)
	}
	for _, n := range pp2.parts {
		if slices.Contains(pp.parts, n) {
			t.Fatalf("part %d was sent again (first run: %v, resumed: %v)", n, pp.parts, pp2.parts)
		}
	}
	o.mu.Lock()
	key := "pid1/" + o.images[rep.Files[0].ImageID].Filename
	o.mu.Unlock()
	if !bytes.Equal(o.stored(t, key), big.data) {
		t.Fatal("the stored object differs from the file")
	}
	if e := j.m["pid1\x00"+big.id]; e.State != upload.JournalUploaded || e.UploadID != "" || len(e.Parts) != 0 {
		t.Fatalf("journal after the upload: %+v", e)
	}
}

func TestMultipartPartsRetriedAlone(t *testing.T) {
	o := newOSSWorld(t)
	big := bigJPEG(t, "big.jpg", 5<<20+123)
	pp := &partPutter{}
	failed := map[int]int{}
	var mu sync.Mutex
	flaky := putterFunc(func(ctx context.Context, req upload.PutRequest, src upload.Source, progress func(int64)) (*upload.PutResponse, error) {
		u, _ := url.Parse(req.URL)
		n, _ := strconv.Atoi(u.Query().Get("partNumber"))
		mu.Lock()
		failed[n]++
		fail := n == 2 && failed[n] <= 2
		mu.Unlock()
		if fail {
			return &upload.PutResponse{StatusCode: 503, Body: []byte("<Error><Code>ServiceUnavailable</Code><Message>busy</Message></Error>")}, nil
		}
		return pp.Put(ctx, req, src, progress)
	})
	d := o.deps()
	d.API, d.OSS, d.Putter = o, ossstore.New, flaky
	u, err := upload.New(upload.Options{Project: "pid1", Cloud: "oss", MultipartFrom: 1 << 20, PartSize: 1 << 20, PartConcurrency: 2}, d)
	if err != nil {
		t.Fatal(err)
	}
	u.Add(big)
	rep, err := u.Start(context.Background())
	if err != nil || rep.Uploaded != 1 {
		t.Fatalf("%+v, %v", rep, err)
	}
	if pp.count() != 6 || failed[2] != 3 || failed[1] != 1 {
		t.Fatalf("%d parts stored, tries per part %v; want 6 stored, part 2 tried 3 times, the others once", pp.count(), failed)
	}
	o.mu.Lock()
	key := "pid1/" + o.images[rep.Files[0].ImageID].Filename
	o.mu.Unlock()
	if !bytes.Equal(o.stored(t, key), big.data) {
		t.Fatal("the stored object differs from the file")
	}
}

type putterFunc func(ctx context.Context, req upload.PutRequest, src upload.Source, progress func(int64)) (*upload.PutResponse, error)

func (f putterFunc) Put(ctx context.Context, req upload.PutRequest, src upload.Source, progress func(int64)) (*upload.PutResponse, error) {
	return f(ctx, req, src, progress)
}

// TestMultipartOutlivesItsSTS: the STS expires while the parts go out; the
// uploader gets a new one once and carries on with the parts left, in the
// same multipart upload.
func TestMultipartOutlivesItsSTS(t *testing.T) {
	o := newOSSWorld(t)
	big := bigJPEG(t, "big.jpg", 6<<20)
	pp := &partPutter{after: func(n int) {
		if n == 2 {
			o.clock.Advance(2 * time.Hour) // past the STS's hour, on both sides
		}
	}}
	d := o.deps()
	d.API, d.OSS, d.Putter = o, ossstore.New, pp
	u, err := upload.New(upload.Options{Project: "pid1", Cloud: "oss", MultipartFrom: 1 << 20, PartSize: 1 << 20, PartConcurrency: 1}, d)
	if err != nil {
		t.Fatal(err)
	}
	u.Add(big)
	rep, err := u.Start(context.Background())
	if err != nil || rep.Uploaded != 1 {
		t.Fatalf("%+v, %v", rep, err)
	}
	if n := o.count(`uploadImageOSS ""`); n != 1 {
		t.Fatalf("the STS was renewed %d times, want once", n)
	}
	if pp.count() != 6 {
		t.Fatalf("%d parts stored, want 6", pp.count())
	}
	o.mu.Lock()
	key := "pid1/" + o.images[rep.Files[0].ImageID].Filename
	o.mu.Unlock()
	if !bytes.Equal(o.stored(t, key), big.data) {
		t.Fatal("the stored object differs from the file")
	}
}
