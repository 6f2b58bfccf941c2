package upload_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"altiup/wasm/upload"
)

func TestNewValidatesOptions(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		name string
		opts upload.Options
		deps func(upload.Deps) upload.Deps
		want string // part of the message; "" means valid
	}{
		{"valid", upload.Options{Project: "p"}, nil, ""},
		{"no project", upload.Options{}, nil, "project id is missing"},
		{"blank project", upload.Options{Project: "  "}, nil, "project id is missing"},
		{"unknown cloud", upload.Options{Project: "p", Cloud: "gcs"}, nil, `cloud "gcs" is not known`},
		{"bucket without cloud", upload.Options{Project: "p", Bucket: "Tokyo"}, nil, "without its cloud"},
		{"concurrency too high", upload.Options{Project: "p", Concurrency: 1000}, nil, "between 1 and 64"},
		{"negative concurrency", upload.Options{Project: "p", Concurrency: -1}, nil, "between 1 and 64"},
		{"no API", upload.Options{Project: "p"}, func(d upload.Deps) upload.Deps { d.API = nil; return d }, "No API client"},
		{"no putter", upload.Options{Project: "p"}, func(d upload.Deps) upload.Deps { d.Putter = nil; return d }, "No storage client"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := w.deps()
			if tc.deps != nil {
				d = tc.deps(d)
			}
			u, err := upload.New(tc.opts, d)
			if tc.want == "" {
				if err != nil || u == nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			var e *upload.Error
			if !errors.As(err, &e) || e.Code != upload.CodeInvalidInput || !strings.Contains(e.Message, tc.want) {
				t.Fatalf("New error %v, want invalid_input containing %q", err, tc.want)
			}
		})
	}
}

func TestBucketChoice(t *testing.T) {
	tests := []struct {
		name, cloud, bucket string
		buckets             []upload.Bucket
		wantCall            string // the register call expected
		wantCode            string
	}{
		{"auto skips MinIO", "auto", "", nil, `uploadImageS3 "a.jpg"`, ""},
		{"oss by cloud, any case", "oss", "", nil, `uploadImageOSS "a.jpg"`, ""},
		{"forced bucket", "s3", "Paris", nil, `uploadImageS3 "a.jpg"`, ""},
		{"no such cloud", "oss", "", []upload.Bucket{{Bucket: "Tokyo", Cloud: "S3"}}, "", upload.CodeNoBucket},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			if tc.buckets != nil {
				w.buckets = tc.buckets
			}
			u := w.uploader(upload.Options{Cloud: tc.cloud, Bucket: tc.bucket})
			u.Add(jpeg("a.jpg", 100))
			rep, err := u.Start(context.Background())
			if tc.wantCode != "" {
				var e *upload.Error
				if !errors.As(err, &e) || e.Code != tc.wantCode {
					t.Fatalf("Start error %v, want code %s", err, tc.wantCode)
				}
				if !strings.Contains(e.Message, "Tokyo (S3)") {
					t.Fatalf("message %q does not list what is offered", e.Message)
				}
				if rep.Failed != 1 {
					t.Fatalf("report %+v, want the file failed", rep)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(w.calls(), tc.wantCall) {
				t.Fatalf("calls %q lack %s", w.calls(), tc.wantCall)
			}
			if n := w.count("nearestBuckets"); (tc.bucket == "") != (n == 1) {
				t.Fatalf("nearestBuckets called %d times with bucket %q", n, tc.bucket)
			}
		})
	}
}

func TestFlowOrderPerCloud(t *testing.T) {
	tests := []struct {
		cloud string
		want  []string
	}{
		{"oss", []string{"nearestBuckets", "hasImage", `uploadImageOSS "a.jpg"`, "startImageUpload img1", "PUT pid1/", "doneImageUpload img1"}},
		{"s3", []string{"nearestBuckets", "hasImage", `uploadImageS3 "a.jpg"`, "startImageUpload img1", "PUT pid1/"}},
	}
	for _, tc := range tests {
		t.Run(tc.cloud, func(t *testing.T) {
			w := newWorld(t)
			u := w.uploader(upload.Options{Cloud: tc.cloud})
			f := jpeg("a.jpg", 3000)
			u.Add(f)
			rep, err := u.Start(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			got := w.calls()
			if len(got) != len(tc.want) {
				t.Fatalf("calls %q, want %q", got, tc.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Fatalf("call %d is %q, want %q (all: %q)", i, got[i], tc.want[i], got)
				}
			}
			key := "pid1/" + sha(f.data)[:8] + ".obj"
			if string(w.object(key)) != string(f.data) {
				t.Fatal("stored bytes differ from the file")
			}
			if ct := w.ctypes[key]; ct != "image/jpeg" {
				t.Fatalf("Content-Type %q", ct)
			}
			want := upload.Report{Total: 1, Uploaded: 1, Files: []upload.FileReport{{Name: "a.jpg", State: upload.StateUploaded, ImageID: "img1", Checksum: sha(f.data)}}}
			if fmt.Sprint(rep) != fmt.Sprint(want) {
				t.Fatalf("report %+v, want %+v", rep, want)
			}
		})
	}
}

func TestSTSReusedAndRenewedNearExpiry(t *testing.T) {
	w := newWorld(t)
	w.stsTTL = 8 * time.Minute
	// Each PUT takes two minutes of the fake clock. An STS of 8 minutes is
	// renewed when a quarter of its life is left (less than RenewBefore), so
	// it serves three PUTs; then the next registration's STS is taken.
	w.onPut = func(string) { w.clock.Advance(2 * time.Minute) }
	// No registration ahead: each file's STS is taken when it is sent.
	u := w.uploader(upload.Options{Cloud: "oss", Concurrency: 1, RegisterAhead: -1})
	for i := range 6 {
		u.Add(jpeg(fmt.Sprintf("f%d.jpg", i), 500+i))
	}
	rep, err := u.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Uploaded != 6 {
		t.Fatalf("report %+v", rep)
	}
	if n := w.count("PUT-expired"); n != 0 {
		t.Fatalf("%d PUTs were refused as expired", n)
	}
	if w.signers != 2 {
		t.Fatalf("%d OSS clients made for 6 images, want 2 (one per STS used)", w.signers)
	}
	if n := w.count(`uploadImageOSS ""`); n != 0 {
		t.Fatalf("%d renewals by filename \"\"; registrations bring fresh STS", n)
	}
}

func TestSTSManyImagesOneClient(t *testing.T) {
	w := newWorld(t)
	u := w.uploader(upload.Options{Cloud: "oss", Concurrency: 4})
	for i := range 20 {
		u.Add(jpeg(fmt.Sprintf("f%02d.jpg", i), 200+i))
	}
	rep, err := u.Start(context.Background())
	if err != nil || rep.Uploaded != 20 {
		t.Fatalf("report %+v, %v", rep, err)
	}
	if w.signers != 1 {
		t.Fatalf("%d OSS clients made for 20 images within one STS, want 1", w.signers)
	}
}

func TestSTSRenewedAfterExpiredRefusal(t *testing.T) {
	w := newWorld(t)
	// The storage revokes the first STS as soon as it is issued.
	w.onPut = func(string) {
		w.mu.Lock()
		w.revoked["tok1"] = true
		w.mu.Unlock()
	}
	u := w.uploader(upload.Options{Cloud: "oss", Concurrency: 1})
	u.Add(jpeg("a.jpg", 100), jpeg("b.jpg", 120))
	rep, err := u.Start(context.Background())
	if err != nil || rep.Uploaded != 2 {
		t.Fatalf("report %+v, %v", rep, err)
	}
	if n := w.count(`uploadImageOSS ""`); n != 1 {
		t.Fatalf("%d renewals, want 1 (calls %q)", n, w.calls())
	}
	if n := w.count("PUT-expired"); n != 1 {
		t.Fatalf("%d expired PUTs, want 1", n)
	}
	if w.signers != 2 {
		t.Fatalf("%d OSS clients, want 2", w.signers)
	}
}

func TestSkipAndDuplicates(t *testing.T) {
	w := newWorld(t)
	present := jpeg("present.jpg", 400)
	invalid := jpeg("wasinvalid.jpg", 410)
	w.images["img1"] = &upload.Image{ID: "img1", State: upload.ImageReady, Name: "present.jpg", Filename: "x", Checksum: sha(present.data)}
	w.byChecksum[sha(present.data)] = "img1"
	w.images["img2"] = &upload.Image{ID: "img2", State: upload.ImageInvalid, Name: "wasinvalid.jpg", Filename: "y", Checksum: sha(invalid.data)}
	w.byChecksum[sha(invalid.data)] = "img2"
	pending := jpeg("pending.jpg", 420) // registered by an earlier run, never sent
	w.images["img3"] = &upload.Image{ID: "img3", State: "Pending", Name: "pending.jpg", Filename: "z", Checksum: sha(pending.data)}
	w.byChecksum[sha(pending.data)] = "img3"
	a := jpeg("a.jpg", 300)
	copyOfA := src{name: "copy of a.jpg", typ: "image/jpeg", data: a.data}
	u := w.uploader(upload.Options{Cloud: "s3", Concurrency: 2})
	var mu sync.Mutex
	var events []upload.FileEvent
	u.OnFile(func(e upload.FileEvent) { mu.Lock(); events = append(events, e); mu.Unlock() })
	u.Add(present, a, invalid, copyOfA, pending)
	rep, err := u.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Total != 5 || rep.Uploaded != 3 || rep.Skipped != 2 || rep.Failed != 0 {
		t.Fatalf("report %+v", rep)
	}
	states := map[string]upload.State{}
	for _, f := range rep.Files {
		states[f.Name] = f.State
	}
	want := map[string]upload.State{"present.jpg": upload.StateSkipped, "a.jpg": upload.StateUploaded, "wasinvalid.jpg": upload.StateUploaded, "copy of a.jpg": upload.StateSkipped, "pending.jpg": upload.StateUploaded}
	if fmt.Sprint(states) != fmt.Sprint(want) {
		t.Fatalf("states %v, want %v", states, want)
	}
	if n := w.count("PUT "); n != 3 {
		t.Fatalf("%d PUTs, want 3", n)
	}
	if rep.Files[4].ImageID != "img3" {
		t.Fatalf("the pending image was registered anew: %+v", rep.Files[4])
	}
	if n := w.count("hasImage " + sha(a.data)[:6]); n != 1 {
		t.Fatalf("the duplicate content was checked %d times, want 1", n)
	}
	mu.Lock()
	defer mu.Unlock()
	var dup *upload.FileEvent
	for i := range events {
		if events[i].Name == "copy of a.jpg" && events[i].State == upload.StateSkipped {
			dup = &events[i]
		}
	}
	if dup == nil || dup.DuplicateOf != "a.jpg" || dup.ImageID == "" {
		t.Fatalf("duplicate event %+v", dup)
	}
}

func TestRetries(t *testing.T) {
	const ms = time.Millisecond
	netErr := &upload.Error{Code: upload.CodeNetwork, Message: "The API could not be reached."}
	tests := []struct {
		name       string
		retries    int
		putFault   func(key string, n int) (int, string)
		apiFault   map[string][]error
		wantState  upload.State
		wantCode   string
		wantMsg    string
		wantSleeps []time.Duration // Rand is 0.5: half the exponential ceiling
	}{
		{"PUT 503 twice then ok", 6, func(_ string, n int) (int, string) {
			if n <= 2 {
				return 503, "<Error><Code>ServiceUnavailable</Code></Error>"
			}
			return 0, ""
		}, nil, upload.StateUploaded, "", "", []time.Duration{250 * ms, 500 * ms}},
		{"PUT 429 then ok", 6, func(_ string, n int) (int, string) {
			if n == 1 {
				return 429, ""
			}
			return 0, ""
		}, nil, upload.StateUploaded, "", "", []time.Duration{250 * ms}},
		{"GraphQL network errors then ok", 6, nil, map[string][]error{"hasImage": {netErr, netErr}, "startImageUpload": {netErr}}, upload.StateUploaded, "", "", []time.Duration{250 * ms, 500 * ms, 250 * ms}},
		{"PUT 500 gives up", 2, func(string, int) (int, string) {
			return 500, "<Error><Code>InternalError</Code><Message>disk on fire</Message></Error>"
		}, nil, upload.StateFailed, upload.CodeServer, "gave up after 3 tries", []time.Duration{250 * ms, 500 * ms}},
		{"403 is final", 6, func(string, int) (int, string) {
			return 403, "<Error><Code>AccessDenied</Code><Message>Access denied by bucket policy.</Message></Error>"
		}, nil, upload.StateFailed, upload.CodeStorageDenied, "Access denied by bucket policy", nil},
		{"bad input is final", 6, nil, map[string][]error{"startImageUpload": {&upload.Error{Code: upload.CodeInvalidInput, Message: "The id is malformed."}}}, upload.StateFailed, upload.CodeInvalidInput, "Starting the upload: The id is malformed", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			bad := jpeg("bad-luck.jpg", 700)
			badKey := "pid1/" + sha(bad.data)[:8] + ".obj"
			if tc.putFault != nil {
				w.putFault = func(key string, n int) (int, string) {
					if key != badKey {
						return 0, ""
					}
					return tc.putFault(key, n)
				}
			}
			w.apiFault = tc.apiFault
			// Faults go by the order of calls: one file through the flow at a time.
			u := w.uploader(upload.Options{Cloud: "oss", Concurrency: 1, RegisterAhead: -1, Retries: tc.retries})
			u.Add(bad, jpeg("fine.jpg", 800))
			rep, err := u.Start(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			f := rep.Files[0]
			if f.State != tc.wantState {
				t.Fatalf("state %s, want %s (error %v)", f.State, tc.wantState, f.Error)
			}
			if tc.wantCode != "" {
				if f.Error == nil || f.Error.Code != tc.wantCode || !strings.Contains(f.Error.Message, tc.wantMsg) {
					t.Fatalf("error %+v, want %s with %q", f.Error, tc.wantCode, tc.wantMsg)
				}
				if strings.Contains(f.Error.Message, "token=") || strings.Contains(f.Error.Message, "secret") {
					t.Fatalf("error text leaks a secret: %q", f.Error.Message)
				}
			}
			if rep.Files[1].State != upload.StateUploaded {
				t.Fatalf("the other file ended %s: the batch must go on", rep.Files[1].State)
			}
			if sleeps := w.clock.Sleeps(); fmt.Sprint(sleeps) != fmt.Sprint(tc.wantSleeps) {
				t.Fatalf("backoffs %v, want %v", sleeps, tc.wantSleeps)
			}
		})
	}
}

func TestBackoffIsCapped(t *testing.T) {
	w := newWorld(t)
	w.putFault = func(string, int) (int, string) { return 502, "" }
	d := w.deps()
	d.Rand = func() float64 { return 0.999 }
	u, err := upload.New(upload.Options{Project: "pid1", Cloud: "s3", Retries: 10, RetryBase: time.Second, RetryMax: 4 * time.Second}, d)
	if err != nil {
		t.Fatal(err)
	}
	u.Add(jpeg("a.jpg", 10))
	if _, err := u.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	sleeps := w.clock.Sleeps()
	if len(sleeps) != 10 {
		t.Fatalf("%d sleeps", len(sleeps))
	}
	for _, s := range sleeps {
		if s >= 4*time.Second {
			t.Fatalf("backoff %v above the cap", s)
		}
	}
	if sleeps[9] < 3*time.Second {
		t.Fatalf("late backoff %v should be near the cap", sleeps[9])
	}
}

func TestS3ExpiredURLRequestedAgain(t *testing.T) {
	w := newWorld(t)
	w.staleURLs["sig=1"] = true
	u := w.uploader(upload.Options{Cloud: "s3"})
	f := jpeg("a.jpg", 999)
	u.Add(f)
	rep, err := u.Start(context.Background())
	if err != nil || rep.Uploaded != 1 {
		t.Fatalf("report %+v, %v", rep, err)
	}
	if n := w.count(`uploadImageS3 "a.jpg"`); n != 2 {
		t.Fatalf("uploadImageS3 called %d times, want 2 (calls %q)", n, w.calls())
	}
	if len(w.images) != 1 || rep.Files[0].ImageID != "img1" {
		t.Fatalf("images %v, report %+v", w.images, rep)
	}
}

func TestBadInput(t *testing.T) {
	w := newWorld(t)
	u := w.uploader(upload.Options{Cloud: "s3"})
	pdf := src{name: "doc.jpg", typ: "image/jpeg", data: []byte("%PDF-1.4 not an image")}
	png := src{name: "p.png", typ: "", data: append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 50)...)}
	tiff := src{name: "t.tif", typ: "image/tiff", data: append([]byte("II*\x00"), make([]byte, 50)...)}
	u.Add(src{name: "empty.jpg", typ: "image/jpeg"}, pdf, png, tiff)
	rep, err := u.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	wants := []struct {
		state upload.State
		msg   string
		ctype string
	}{
		{upload.StateFailed, `"empty.jpg" is empty`, ""},
		{upload.StateFailed, `"doc.jpg" is not a JPEG, PNG or TIFF image`, ""},
		{upload.StateUploaded, "", "image/png"},
		{upload.StateUploaded, "", "image/tiff"},
	}
	for i, want := range wants {
		t.Run(rep.Files[i].Name, func(t *testing.T) {
			f := rep.Files[i]
			if f.State != want.state {
				t.Fatalf("state %s, want %s", f.State, want.state)
			}
			if want.msg != "" && (f.Error == nil || f.Error.Code != upload.CodeInvalidInput || !strings.Contains(f.Error.Message, want.msg)) {
				t.Fatalf("error %+v, want %q", f.Error, want.msg)
			}
			if want.ctype != "" {
				key := "pid1/" + f.Checksum[:8] + ".obj"
				if got := w.ctypes[key]; got != want.ctype {
					t.Fatalf("Content-Type %q, want %q", got, want.ctype)
				}
			}
		})
	}
	if n := w.count("hasImage"); n != 2 {
		t.Fatalf("hasImage called %d times: refused files must not reach the API", n)
	}
}

func TestProgressEvents(t *testing.T) {
	w := newWorld(t)
	u := w.uploader(upload.Options{Cloud: "oss", Concurrency: 3})
	var mu sync.Mutex
	var progs []upload.Progress
	sent := map[string]int64{}
	u.OnProgress(func(p upload.Progress) { mu.Lock(); progs = append(progs, p); mu.Unlock() })
	u.OnFile(func(e upload.FileEvent) {
		mu.Lock()
		defer mu.Unlock()
		if e.Sent < sent[e.Name] && e.State == upload.StateUploading {
			t.Errorf("%s: sent went down from %d to %d", e.Name, sent[e.Name], e.Sent)
		}
		sent[e.Name] = max(sent[e.Name], e.Sent)
	})
	var total int64
	for i := range 5 {
		f := jpeg(fmt.Sprintf("f%d.jpg", i), 100000*(i+1))
		total += f.Size()
		u.Add(f)
	}
	if _, err := u.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	var last upload.Progress
	for _, p := range progs {
		if p.SentBytes < last.SentBytes || p.FilesDone < last.FilesDone {
			t.Fatalf("progress went back: %+v after %+v", p, last)
		}
		if p.TotalBytes > total || p.SentBytes > p.TotalBytes {
			t.Fatalf("progress out of bounds: %+v", p)
		}
		last = p
	}
	want := upload.Progress{SentBytes: total, TotalBytes: total, FilesDone: 5, FilesTotal: 5}
	if last.SentBytes != want.SentBytes || last.TotalBytes != want.TotalBytes || last.FilesDone != 5 || last.FilesTotal != 5 {
		t.Fatalf("final progress %+v, want %+v", last, want)
	}
	for i := range 5 {
		if n := sent[fmt.Sprintf("f%d.jpg", i)]; n != int64(100000*(i+1)) {
			t.Fatalf("file %d: sent %d", i, n)
		}
	}
}

// blockingPutter holds every PUT until released (or its ctx ends).
type blockingPutter struct {
	inner   upload.Putter
	started chan string
	release chan struct{}
}

func (b *blockingPutter) Put(ctx context.Context, req upload.PutRequest, s upload.Source, progress func(int64)) (*upload.PutResponse, error) {
	b.started <- s.Name()
	select {
	case <-b.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return b.inner.Put(ctx, req, s, progress)
}

func TestPauseLetsPutFinishThenHolds(t *testing.T) {
	w := newWorld(t)
	bp := &blockingPutter{inner: upload.HTTPPutter{Client: w.srv.Client()}, started: make(chan string, 10), release: make(chan struct{})}
	d := w.deps()
	d.Putter = bp
	// One file through the whole flow at a time: b.jpg must not even be
	// registered while paused.
	u, err := upload.New(upload.Options{Project: "pid1", Cloud: "oss", Concurrency: 1, RegisterAhead: -1}, d)
	if err != nil {
		t.Fatal(err)
	}
	u.Add(jpeg("a.jpg", 100), jpeg("b.jpg", 200))
	type result struct {
		rep upload.Report
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := u.Start(context.Background())
		done <- result{rep, err}
	}()
	if name := <-bp.started; name != "a.jpg" {
		t.Fatalf("first PUT is %s", name)
	}
	u.Pause()
	close(bp.release) // the PUT in flight finishes
	// Wait for the stored object, then give the pipeline a moment: nothing
	// may follow while paused.
	for w.count("PUT ") == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(30 * time.Millisecond)
	if n := w.count("doneImageUpload"); n != 0 {
		t.Fatalf("doneImageUpload called while paused")
	}
	if n := w.count(`uploadImageOSS "b.jpg"`); n != 0 {
		t.Fatalf("b.jpg registered while paused")
	}
	u.Resume()
	r := <-done
	if r.err != nil || r.rep.Uploaded != 2 {
		t.Fatalf("report %+v, %v", r.rep, r.err)
	}
}

func TestCancel(t *testing.T) {
	w := newWorld(t)
	bp := &blockingPutter{inner: upload.HTTPPutter{Client: w.srv.Client()}, started: make(chan string, 10), release: make(chan struct{})}
	d := w.deps()
	d.Putter = bp
	u, err := upload.New(upload.Options{Project: "pid1", Cloud: "s3", Concurrency: 2}, d)
	if err != nil {
		t.Fatal(err)
	}
	u.Add(jpeg("a.jpg", 100), jpeg("b.jpg", 200), jpeg("c.jpg", 300), jpeg("d.jpg", 400))
	done := make(chan upload.Report, 1)
	go func() {
		rep, err := u.Start(context.Background())
		if err != nil {
			t.Errorf("Start after Cancel: %v", err)
		}
		done <- rep
	}()
	<-bp.started
	<-bp.started
	u.Cancel()
	rep := <-done
	if rep.Failed != 4 || rep.Uploaded != 0 {
		t.Fatalf("report %+v", rep)
	}
	for _, f := range rep.Files {
		if f.Error == nil || f.Error.Code != upload.CodeCancelled {
			t.Fatalf("%s: error %+v, want cancelled", f.Name, f.Error)
		}
	}
	// Start again: the cancelled files are taken up again.
	close(bp.release)
	rep, err = u.Start(context.Background())
	if err != nil || rep.Uploaded != 4 || rep.Failed != 0 {
		t.Fatalf("after restart: %+v, %v", rep, err)
	}
}

func TestAddWhileRunningAndStartAgain(t *testing.T) {
	w := newWorld(t)
	u := w.uploader(upload.Options{Cloud: "s3", Concurrency: 1})
	added := false
	w.onPut = func(string) {
		if !added {
			added = true
			u.Add(jpeg("late.jpg", 50))
		}
	}
	u.Add(jpeg("a.jpg", 100))
	rep, err := u.Start(context.Background())
	if err != nil || rep.Uploaded != 2 || rep.Total != 2 {
		t.Fatalf("report %+v, %v", rep, err)
	}
	u.Add(jpeg("next.jpg", 70))
	rep, err = u.Start(context.Background())
	if err != nil || rep.Uploaded != 3 || rep.Total != 3 {
		t.Fatalf("second report %+v, %v", rep, err)
	}
	if n := w.count("hasImage"); n != 3 {
		t.Fatalf("hasImage called %d times: the second Start must only take new files", n)
	}
}

func TestWaitProcessed(t *testing.T) {
	w := newWorld(t)
	w.pollsToEnd = 2
	for i := range 3 { // images of someone else's earlier upload, to page past
		w.register(fmt.Sprintf("old%d.jpg", i), sha([]byte{byte(i)}))
	}
	u := w.uploader(upload.Options{Cloud: "oss", PollInterval: 2 * time.Second})
	u.Add(jpeg("a.jpg", 10), jpeg("bad.jpg", 20), jpeg("c.jpg", 30))
	if _, err := u.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	final := map[string]upload.State{}
	u.OnFile(func(e upload.FileEvent) { mu.Lock(); final[e.Name] = e.State; mu.Unlock() })
	before := len(w.clock.Sleeps())
	res, err := u.WaitProcessed(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := upload.Processed{Ready: 2, Invalid: 1, InvalidFiles: []upload.InvalidFile{{Name: "bad.jpg", Errors: []string{"The image could not be decoded."}}}}
	if fmt.Sprint(res) != fmt.Sprint(want) {
		t.Fatalf("processed %+v, want %+v", res, want)
	}
	if n := len(w.clock.Sleeps()) - before; n != 2 {
		t.Fatalf("%d polls waited, want 2", n)
	}
	// 6 images in pages of 2: 3 calls per poll, 3 polls.
	if n := w.count("allImages"); n != 9 {
		t.Fatalf("allImages called %d times, want 9", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if final["a.jpg"] != upload.StateReady || final["bad.jpg"] != upload.StateInvalid {
		t.Fatalf("file states %v", final)
	}
}

func TestStartReconstruction(t *testing.T) {
	tests := []struct {
		name     string
		pre      bool
		recon    upload.Reconstruction
		taskType string
		wantCode string
		wantMsg  string
	}{
		{"started", false, upload.Reconstruction{Task: &upload.Task{ID: "t1", TaskType: "Native", State: "Queueing"}}, "", "", ""},
		{"pre-started", true, upload.Reconstruction{Task: &upload.Task{ID: "t2", TaskType: "Dense", State: "Pending"}}, "Dense", "", ""},
		{"too few images", false, upload.Reconstruction{Error: &upload.Error{Code: "TOO_FEW_IMAGES", Message: "need 3"}}, "", "too_few_images", "at least 3 are needed"},
		{"unknown code keeps the service's words", false, upload.Reconstruction{Error: &upload.Error{Code: "OUT_OF_COINS", Message: "Not enough coins."}}, "", "out_of_coins", "Not enough coins."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.recon = tc.recon
			u := w.uploader(upload.Options{})
			r, err := u.StartReconstruction(context.Background(), tc.taskType, tc.pre)
			if err != nil {
				t.Fatal(err)
			}
			wantType := tc.taskType
			if wantType == "" {
				wantType = "Native"
			}
			if c := w.calls(); len(c) != 1 || c[0] != fmt.Sprintf("reconstruction %s pre=%v", wantType, tc.pre) {
				t.Fatalf("calls %q", c)
			}
			if tc.wantCode == "" {
				if r.Error != nil || r.Task == nil || r.Task.ID != tc.recon.Task.ID {
					t.Fatalf("result %+v", r)
				}
				return
			}
			if r.Error == nil || r.Error.Code != tc.wantCode || !strings.Contains(r.Error.Message, tc.wantMsg) {
				t.Fatalf("error %+v, want %s %q", r.Error, tc.wantCode, tc.wantMsg)
			}
		})
	}
	t.Run("bad task type", func(t *testing.T) {
		w := newWorld(t)
		u := w.uploader(upload.Options{})
		_, err := u.StartReconstruction(context.Background(), "Native}", false)
		var e *upload.Error
		if !errors.As(err, &e) || e.Code != upload.CodeInvalidInput || len(w.calls()) != 0 {
			t.Fatalf("error %v, calls %q", err, w.calls())
		}
	})
}

func TestJSONFieldNames(t *testing.T) {
	tests := []struct {
		v    any
		want []string
	}{
		{upload.FileEvent{Name: "a", Checksum: "c", ImageID: "i", Error: &upload.Error{Code: "x", Message: "m"}}, []string{`"name"`, `"size"`, `"state"`, `"checksum"`, `"imageId"`, `"error":{"code":"x","message":"m"}`}},
		{upload.Progress{}, []string{`"sentBytes"`, `"totalBytes"`, `"filesDone"`, `"filesTotal"`, `"bytesPerSecond"`, `"etaSeconds"`}},
		{upload.Report{Files: []upload.FileReport{{ImageID: "i", Checksum: "c"}}}, []string{`"total"`, `"uploaded"`, `"skipped"`, `"failed"`, `"files":[{"name"`, `"state"`, `"imageId"`, `"checksum"`}},
		{upload.Processed{InvalidFiles: []upload.InvalidFile{{}}, FailedFiles: []upload.InvalidFile{{Name: "x"}}}, []string{`"ready"`, `"invalid"`, `"invalidFiles":[{"name":"","errors":null}]`, `"failed":0`, `"failedFiles":[{"name":"x"`}},
		{upload.Reconstruction{}, []string{`"task":null`, `"error":null`}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%T", tc.v), func(t *testing.T) {
			b, err := json.Marshal(tc.v)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(b), w) {
					t.Fatalf("%s lacks %s", b, w)
				}
			}
		})
	}
}

type memJournal struct {
	mu sync.Mutex
	m  map[string]upload.JournalEntry
}

func (j *memJournal) Get(ctx context.Context, key string) (upload.JournalEntry, bool, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	e, ok := j.m[key]
	return e, ok, nil
}

func (j *memJournal) Put(ctx context.Context, key string, e upload.JournalEntry) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.m[key] = e
	return nil
}

type identified struct {
	src
	id string
}

func (i identified) Identity() string { return i.id }

type countingHasher struct {
	mu sync.Mutex
	n  int
}

func (c *countingHasher) SHA1(ctx context.Context, s upload.Source) (string, error) {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	return upload.StreamHasher{}.SHA1(ctx, s)
}

func TestJournalSkipsHashingAfterReload(t *testing.T) {
	w := newWorld(t)
	j := &memJournal{m: map[string]upload.JournalEntry{}}
	a := identified{jpeg("a.jpg", 300), "a.jpg|300|1700000000"}
	plain := jpeg("plain.jpg", 310)
	run := func() (upload.Report, int) {
		h := &countingHasher{}
		d := w.deps()
		d.Journal, d.Hasher = j, h
		u, err := upload.New(upload.Options{Project: "pid1", Cloud: "s3", JournalFrom: -1}, d)
		if err != nil {
			t.Fatal(err)
		}
		u.Add(a, plain)
		rep, err := u.Start(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		u.FlushJournal()
		return rep, h.n
	}
	rep, hashed := run()
	if rep.Uploaded != 2 || hashed != 2 {
		t.Fatalf("first run: %+v, %d hashed", rep, hashed)
	}
	if e := j.m["pid1\x00a.jpg|300|1700000000"]; e.Checksum != sha(a.data) || e.ImageID == "" {
		t.Fatalf("journal %v", j.m)
	}
	if len(j.m) != 1 {
		t.Fatalf("a Source without identity was journalled: %v", j.m)
	}
	rep, hashed = run() // as after a reload: a new Uploader, the same files
	if rep.Skipped != 2 || hashed != 1 {
		t.Fatalf("second run: %+v, %d hashed, want 2 skipped and only plain.jpg hashed", rep, hashed)
	}
	if rep.Files[0].Checksum != sha(a.data) {
		t.Fatalf("checksum from the journal %q", rep.Files[0].Checksum)
	}
}

func TestWrongTokenStopsTheBatch(t *testing.T) {
	tests := []struct {
		name string
		err  *upload.Error
	}{
		{"unauthorized", &upload.Error{Code: upload.CodeUnauthorized, Message: "The API refused the key or token (status 401)."}},
		{"project not found", &upload.Error{Code: upload.CodeNotFound, Message: "The project was not found, or it is not yours."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			for range 10 {
				w.apiFault["hasImage"] = append(w.apiFault["hasImage"], tc.err)
			}
			u := w.uploader(upload.Options{Cloud: "s3", Concurrency: 1, RegisterAhead: 2})
			for i := range 12 {
				u.Add(jpeg(fmt.Sprintf("f%d.jpg", i), 100+i))
			}
			rep, err := u.Start(context.Background())
			var e *upload.Error
			if !errors.As(err, &e) || e.Code != tc.err.Code || !strings.Contains(e.Message, tc.err.Message) {
				t.Fatalf("Start error %v, want %s", err, tc.err.Code)
			}
			// Only the files already under way (Concurrency + RegisterAhead)
			// may have asked.
			if n := w.count("hasImage"); n < 1 || n > 3 {
				t.Fatalf("hasImage called %d times, want 1 to 3", n)
			}
			if rep.Failed != 12 {
				t.Fatalf("report %+v", rep)
			}
			for _, f := range rep.Files {
				if f.Error == nil || f.Error.Code != tc.err.Code {
					t.Fatalf("%s: %+v", f.Name, f.Error)
				}
			}
		})
	}
}

func TestCallTimeoutIsRetried(t *testing.T) {
	w := newWorld(t)
	d := w.deps()
	slow := &slowAPI{API: w, hangs: 2}
	d.API = slow
	u, err := upload.New(upload.Options{Project: "pid1", Cloud: "s3", CallTimeout: time.Millisecond}, d)
	if err != nil {
		t.Fatal(err)
	}
	u.Add(jpeg("a.jpg", 100))
	rep, err := u.Start(context.Background())
	if err != nil || rep.Uploaded != 1 {
		t.Fatalf("report %+v, %v", rep, err)
	}
	if n := len(w.clock.Sleeps()); n != 2 {
		t.Fatalf("%d backoffs, want 2", n)
	}
}

// slowAPI hangs in HasImage until the call's context ends, hangs times.
type slowAPI struct {
	upload.API
	mu    sync.Mutex
	hangs int
}

func (s *slowAPI) HasImage(ctx context.Context, pid, checksum string) (*upload.Image, error) {
	s.mu.Lock()
	hang := s.hangs > 0
	s.hangs--
	s.mu.Unlock()
	if hang {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return s.API.HasImage(ctx, pid, checksum)
}

// pairHasher lets the hash of "first.jpg" end only once another hash has
// begun (sequential hashing would never begin one), and records how many ran
// at once.
type pairHasher struct {
	mu                sync.Mutex
	now, max, started int
	second            chan struct{}
}

func (p *pairHasher) SHA1(ctx context.Context, s upload.Source) (string, error) {
	p.mu.Lock()
	p.now++
	p.started++
	p.max = max(p.max, p.now)
	wait := p.second
	if p.started == 2 {
		close(p.second)
	}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.now--
		p.mu.Unlock()
	}()
	if s.Name() == "first.jpg" {
		select {
		case <-wait:
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(10 * time.Second):
			return "", errors.New("no other file was hashed while the first was")
		}
	}
	return upload.StreamHasher{}.SHA1(ctx, s)
}

// TestHashConcurrency: with HashConcurrency 2 two files are hashed at once,
// never more, and a copy hashed before its original is still the duplicate.
func TestHashConcurrency(t *testing.T) {
	w := newWorld(t)
	d := w.deps()
	h := &pairHasher{second: make(chan struct{})}
	d.Hasher = h
	u, err := upload.New(upload.Options{Project: "pid1", Cloud: "s3", Concurrency: 2, HashConcurrency: 2}, d)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	dupOf := map[string]string{}
	u.OnFile(func(e upload.FileEvent) {
		mu.Lock()
		if e.DuplicateOf != "" {
			dupOf[e.Name] = e.DuplicateOf
		}
		mu.Unlock()
	})
	first := jpeg("first.jpg", 300)
	u.Add(first, src{name: "copy.jpg", typ: first.typ, data: first.data})
	for i := range 6 {
		u.Add(jpeg(fmt.Sprintf("f%d.jpg", i), 200+i))
	}
	rep, err := u.Start(context.Background())
	if err != nil || rep.Uploaded != 7 || rep.Skipped != 1 {
		t.Fatalf("%+v, %v", rep, err)
	}
	if h.max > 2 {
		t.Fatalf("%d files were hashed at once, want at most 2", h.max)
	}
	if dupOf["copy.jpg"] != "first.jpg" {
		t.Fatalf("copy.jpg is a duplicate of %q, want first.jpg", dupOf["copy.jpg"])
	}
	if _, err := upload.New(upload.Options{Project: "p", HashConcurrency: 9}, d); upload.AsError(err) == nil || upload.AsError(err).Code != upload.CodeInvalidInput {
		t.Fatalf("HashConcurrency 9: %v", err)
	}
}

// TestNetworkOutageWaitedOut: a step that gets no answer at all is tried
// again for NetworkPatience before its failures count against Retries, so a
// link that comes back carries the batch on; one that never does ends in
// words.
func TestNetworkOutageWaitedOut(t *testing.T) {
	netErr := &upload.Error{Code: upload.CodeNetwork, Message: "The API could not be reached."}
	for _, tc := range []struct {
		name      string
		failures  int
		wantState upload.State
	}{
		{"back after a while", 12, upload.StateUploaded},
		{"never back", 400, upload.StateFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			errs := make([]error, tc.failures)
			for i := range errs {
				errs[i] = netErr
			}
			w.apiFault = map[string][]error{"hasImage": errs}
			u := w.uploader(upload.Options{Cloud: "oss", Concurrency: 1, Retries: 1, NetworkPatience: time.Minute})
			u.Add(jpeg("a.jpg", 700))
			rep, err := u.Start(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			f := rep.Files[0]
			if f.State != tc.wantState {
				t.Fatalf("state %s, want %s (error %v)", f.State, tc.wantState, f.Error)
			}
			var waited time.Duration
			for _, d := range w.clock.Sleeps() {
				waited += d
				if d > 5*time.Second+time.Millisecond && tc.wantState == upload.StateUploaded {
					t.Fatalf("waited %v between tries while offline, want at most 5s", d)
				}
			}
			if tc.wantState == upload.StateUploaded && waited < 10*time.Second {
				t.Fatalf("only %v of outage waited out", waited)
			}
			if tc.wantState == upload.StateFailed {
				if waited < time.Minute {
					t.Fatalf("gave up after %v, before the patience of 1m", waited)
				}
				if f.Error == nil || f.Error.Code != upload.CodeNetwork || !strings.Contains(f.Error.Message, "gave up after") {
					t.Fatalf("error %+v", f.Error)
				}
			}
		})
	}
}

// TestRegisterAheadBoundsSends: while Concurrency files are being sent,
// RegisterAhead more go through hasImage and registration, but no more
// than Concurrency PUTs (nor startImageUpload calls) are under way.
func TestRegisterAheadBoundsSends(t *testing.T) {
	w := newWorld(t)
	bp := &blockingPutter{inner: upload.HTTPPutter{Client: w.srv.Client()}, started: make(chan string, 20), release: make(chan struct{})}
	d := w.deps()
	d.Putter = bp
	u, err := upload.New(upload.Options{Project: "pid1", Cloud: "s3", Concurrency: 2, RegisterAhead: 3}, d)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		u.Add(jpeg(fmt.Sprintf("f%d.jpg", i), 700+i))
	}
	done := make(chan error, 1)
	go func() {
		rep, err := u.Start(context.Background())
		if err == nil && rep.Uploaded != 12 {
			err = fmt.Errorf("report %+v", rep)
		}
		done <- err
	}()
	<-bp.started
	<-bp.started
	// Two PUTs are held: three more files get registered, and no more.
	deadline := time.Now().Add(10 * time.Second)
	for w.count("uploadImageS3") < 5 {
		if time.Now().After(deadline) {
			t.Fatalf("%d files registered while two were being sent, want 5", w.count("uploadImageS3"))
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(30 * time.Millisecond)
	if n := w.count("uploadImageS3"); n != 5 {
		t.Fatalf("%d files registered while two were being sent, want 5", n)
	}
	if n := w.count("startImageUpload"); n != 2 {
		t.Fatalf("%d uploads started while two were being sent, want 2", n)
	}
	select {
	case name := <-bp.started:
		t.Fatalf("a third PUT (%s) began while two were held", name)
	default:
	}
	close(bp.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
