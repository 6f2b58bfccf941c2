package upload_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"altiup/wasm/upload"
)

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

// pairHasher lets the hash of "first.jpg" end only once the run's third
// hash has begun (the run's first is hashed alone, then first.jpg beside
// another: sequential hashing would never begin it), and records how many
// ran at once, and how many began while the run's first ran.
type pairHasher struct {
	mu                sync.Mutex
	now, max, started int
	second            chan struct{}
	firstOver         bool // the run's first hash is over
	besideFirst       int
}

func (p *pairHasher) SHA1(ctx context.Context, s upload.Source) (string, error) {
	p.mu.Lock()
	p.now++
	p.started++
	p.max = max(p.max, p.now)
	leads := p.started == 1
	if !leads && !p.firstOver {
		p.besideFirst++
	}
	wait := p.second
	if p.started == 3 {
		close(p.second)
	}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.now--
		p.firstOver = p.firstOver || leads
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
// never more, but the run's first alone; a copy hashed before its original
// is still the duplicate.
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
	u.Add(jpeg("lead.jpg", 100), first, src{name: "copy.jpg", typ: first.typ, data: first.data})
	for i := range 6 {
		u.Add(jpeg(fmt.Sprintf("f%d.jpg", i), 200+i))
	}
	rep, err := u.Start(context.Background())
	if err != nil || rep.Uploaded != 8 || rep.Skipped != 1 {
		t.Fatalf("%+v, %v", rep, err)
	}
	if h.max > 2 {
		t.Fatalf("%d files were hashed at once, want at most 2", h.max)
	}
	if h.besideFirst != 0 {
		t.Fatalf("%d files were hashed beside the run's first, want none", h.besideFirst)
	}
	if dupOf["copy.jpg"] != "first.jpg" {
		t.Fatalf("copy.jpg is a duplicate of %q, want first.jpg", dupOf["copy.jpg"])
	}
	if _, err := upload.New(upload.Options{Project: "p", HashConcurrency: 9}, d); upload.AsError(err) == nil || upload.AsError(err).Code != upload.CodeInvalidInput {
		t.Fatalf("HashConcurrency 9: %v", err)
	}
}

// TestRegisterAheadBoundsSends: while Concurrency files are being sent,
// RegisterAhead more go through hasImage and registration, but no more
// than Concurrency PUTs are under way. Files are started
// (startImageUpload) ahead of their send slot, but of those over 1 MiB no
// more than Concurrency wait started for a slot, and files from
// MultipartFrom on are started only with their slot.
func TestRegisterAheadBoundsSends(t *testing.T) {
	for _, tc := range []struct {
		name          string
		size          int
		multipartFrom int64
		wantStarted   int
	}{
		{"small files, started ahead", 700, 0, 5},
		{"large files, Concurrency started ahead", 1<<20 + 1, 0, 4},
		{"files from MultipartFrom, started with their slot", 1<<20 + 1, 1 << 20, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			bp := newBlockingPutter(w)
			u := w.uploaderWith(upload.Options{Cloud: "s3", Concurrency: 2, RegisterAhead: 3, MultipartFrom: tc.multipartFrom}, func(d *upload.Deps) { d.Putter = bp })
			for i := range 12 {
				u.Add(jpeg(fmt.Sprintf("f%d.jpg", i), tc.size+i))
			}
			done := startAsync(u)
			<-bp.started
			<-bp.started
			// Two PUTs are held: three more files get registered, and no more.
			deadline := time.Now().Add(10 * time.Second)
			for w.count("uploadImageS3") < 5 || w.count("startImageUpload") < tc.wantStarted {
				if time.Now().After(deadline) {
					t.Fatalf("%d files registered and %d started while two were being sent, want 5 and %d", w.count("uploadImageS3"), w.count("startImageUpload"), tc.wantStarted)
				}
				time.Sleep(time.Millisecond)
			}
			time.Sleep(30 * time.Millisecond)
			if n := w.count("uploadImageS3"); n != 5 {
				t.Fatalf("%d files registered while two were being sent, want 5", n)
			}
			if n := w.count("startImageUpload"); n != tc.wantStarted {
				t.Fatalf("%d uploads started while two were being sent, want %d", n, tc.wantStarted)
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
		})
	}
}
