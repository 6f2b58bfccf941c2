package upload_test

import (
	"context"
	"fmt"
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
