package upload_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"altiup/wasm/upload"
)

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

// movingS3 gives a new image id at the second registration of a file, as a
// service may when a link is asked for again.
type movingS3 struct {
	*world
	mu    sync.Mutex
	regs  int
	moved string // the checksum registered anew
}

func (m *movingS3) UploadImageS3(ctx context.Context, pid, bucket, filename, imageType, checksum string) (*upload.S3Upload, error) {
	up, err := m.world.UploadImageS3(ctx, pid, bucket, filename, imageType, checksum)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.regs++; err == nil && m.regs == 2 {
		m.world.mu.Lock()
		img := *m.world.images[up.Image.ID]
		img.ID = "img-new"
		m.world.images["img-new"] = &img
		m.world.mu.Unlock()
		up.Image = &img
	}
	return up, err
}

// TestS3RenewalStartsTheNewImage: when the presigned URL expired, the file is
// registered again and the image that registration names is started before
// the PUT.
func TestS3RenewalStartsTheNewImage(t *testing.T) {
	w := newWorld(t)
	w.staleURLs["sig=1"] = true
	u := w.uploaderWith(upload.Options{Cloud: "s3"}, func(d *upload.Deps) { d.API = &movingS3{world: w} })
	u.Add(jpeg("a.jpg", 999))
	rep, err := u.Start(context.Background())
	if err != nil || rep.Uploaded != 1 || rep.Files[0].ImageID != "img-new" {
		t.Fatalf("report %+v, %v", rep, err)
	}
	var tail []string
	for _, c := range w.calls() {
		if len(tail) > 0 || strings.HasPrefix(c, "PUT-expired") {
			tail = append(tail, c)
		}
	}
	want := []string{"PUT-expired", `uploadImageS3 "a.jpg"`, "startImageUpload img-new", "PUT pid1/"}
	if len(tail) != len(want) {
		t.Fatalf("calls after the expired PUT %q, want %q", tail, want)
	}
	for i := range want {
		if !strings.HasPrefix(tail[i], want[i]) {
			t.Fatalf("calls after the expired PUT %q, want %q", tail, want)
		}
	}
}

// TestStepTriesBounded: a step whose every try fails is tried Retries + 1
// times in all, also when a try runs other calls (the link renewal).
func TestStepTriesBounded(t *testing.T) {
	const retries = 3
	w := newWorld(t)
	w.putFault = func(string, int) (int, string) {
		return 403, "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
	}
	failing := upload.Errorf(upload.CodeServer, "The API failed (status 503).")
	w.apiFault["uploadImageS3"] = []error{nil} // the first registration works
	for range 100 {
		w.apiFault["uploadImageS3"] = append(w.apiFault["uploadImageS3"], failing)
	}
	u := w.uploader(upload.Options{Cloud: "s3", Retries: retries})
	u.Add(jpeg("a.jpg", 100))
	rep, err := u.Start(context.Background())
	if err != nil || rep.Failed != 1 {
		t.Fatalf("report %+v, %v", rep, err)
	}
	// One registration, then the PUT step: an expired PUT (not counted:
	// the step renews the link) and Retries + 1 renewals that fail.
	if n := w.count("uploadImageS3"); n != 2+retries {
		t.Fatalf("uploadImageS3 tried %d times, want %d", n, 2+retries)
	}
	if n := len(w.clock.Sleeps()); n != 1+retries {
		t.Fatalf("%d waits between tries, want %d", n, 1+retries)
	}
}

// TestStepBudgetsApart: the failures of the API calls a PUT step makes on
// the way (the link's renewal) and those of its PUTs are each counted
// against Retries, not together: a file whose renewals failed Retries
// times and whose PUTs failed Retries times is still sent; a file whose
// PUTs failed once more than that is not.
func TestStepBudgetsApart(t *testing.T) {
	const retries = 2
	expired := "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
	failing := upload.Errorf(upload.CodeServer, "The API failed (status 503).")
	tests := []struct {
		name      string
		putFails  int // PUTs answered 500 after the renewal
		wantState upload.State
		wantPuts  int
	}{
		{"each kind within Retries", retries, upload.StateUploaded, 1 + retries + 1},
		{"PUTs fail once more", retries + 1, upload.StateFailed, 1 + retries + 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.putFault = func(_ string, n int) (int, string) {
				switch {
				case n == 1:
					return 403, expired // the step renews the link…
				case n <= 1+tc.putFails:
					return 500, "<Error><Code>InternalError</Code></Error>"
				}
				return 0, ""
			}
			// …whose registration fails Retries times first.
			w.apiFault["uploadImageS3"] = []error{nil}
			for range retries {
				w.apiFault["uploadImageS3"] = append(w.apiFault["uploadImageS3"], failing)
			}
			u := w.uploader(upload.Options{Cloud: "s3", Retries: retries})
			u.Add(jpeg("a.jpg", 100))
			rep, err := u.Start(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got := rep.Files[0].State; got != tc.wantState {
				t.Fatalf("file ended %s (%+v), want %s", got, rep.Files[0].Error, tc.wantState)
			}
			if n := w.count("uploadImageS3"); n != 2+retries {
				t.Fatalf("uploadImageS3 called %d times, want %d", n, 2+retries)
			}
			if n := w.count("PUT"); n != tc.wantPuts {
				t.Fatalf("%d PUTs, want %d (calls %q)", n, tc.wantPuts, w.calls())
			}
		})
	}
}

// TestExpiredLinksRenewed: PUTs whose links expired (a browser that held
// them queued, a slow link) are sent again with renewed links without
// using up the file's tries, up to a bound of their own.
func TestExpiredLinksRenewed(t *testing.T) {
	const retries = 2
	tests := []struct {
		name     string
		expiries int // PUTs answered "expired" before one succeeds
		wantOK   bool
		wantPuts int
	}{
		{"more expiries than tries", 10, true, 11},
		{"always expired", 1000, false, 20 + retries + 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			var puts atomic.Int32
			w.putFault = func(string, int) (int, string) {
				if int(puts.Add(1)) <= tc.expiries {
					return 403, "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
				}
				return 0, ""
			}
			u := w.uploader(upload.Options{Cloud: "s3", Retries: retries})
			u.Add(jpeg("a.jpg", 100))
			rep, err := u.Start(context.Background())
			if err != nil || (rep.Uploaded == 1) != tc.wantOK {
				t.Fatalf("report %+v, %v", rep, err)
			}
			if n := int(puts.Load()); n != tc.wantPuts {
				t.Fatalf("%d PUTs, want %d", n, tc.wantPuts)
			}
		})
	}
}

// TestSTSJudgedInServerTime: with the local clock an hour fast, an STS of an
// hour still serves the whole batch: its expiry is the server's time.
func TestSTSJudgedInServerTime(t *testing.T) {
	w := newWorld(t)
	w.skew = -time.Hour
	u := w.uploader(upload.Options{Cloud: "oss", Concurrency: 1})
	for i := range 3 {
		u.Add(jpeg(fmt.Sprintf("f%d.jpg", i), 100+i))
	}
	rep, err := u.Start(context.Background())
	if err != nil || rep.Uploaded != 3 {
		t.Fatalf("report %+v, %v", rep, err)
	}
	if w.signers != 1 || w.count(`uploadImageOSS ""`) != 0 || w.count("PUT-expired") != 0 {
		t.Fatalf("%d clients, %d renewals, %d expired PUTs: want 1, 0, 0", w.signers, w.count(`uploadImageOSS ""`), w.count("PUT-expired"))
	}
}
