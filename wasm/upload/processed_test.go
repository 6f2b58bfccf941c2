package upload_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"altiup/wasm/upload"
)

func TestWaitProcessed(t *testing.T) {
	w := newWorld(t)
	w.pollsToEnd = 2
	for i := range 3 { // images of someone else's earlier upload, never asked for
		w.register(fmt.Sprintf("old%d.jpg", i), sha([]byte{byte(i)}))
	}
	u := w.uploader(upload.Options{Cloud: "oss", PollInterval: 2 * time.Second})
	u.Add(jpeg("a.jpg", 10), jpeg("bad.jpg", 20), jpeg("c.jpg", 30))
	rep, err := u.Start(context.Background())
	if err != nil {
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
	want := upload.Processed{Ready: 2, Invalid: 1, InvalidFiles: []upload.InvalidFile{{Index: 1, Name: "bad.jpg", ImageID: rep.Files[1].ImageID, Errors: []string{"The image could not be decoded."}}}}
	if fmt.Sprint(res) != fmt.Sprint(want) {
		t.Fatalf("processed %+v, want %+v", res, want)
	}
	// Nothing changes for two looks: the pause doubles.
	if got := w.clock.Sleeps()[before:]; fmt.Sprint(got) != "[2s 4s]" {
		t.Fatalf("pauses %v, want [2s 4s]", got)
	}
	// Only the batch's 3 images are asked for, 3 looks each.
	if n := w.count("image "); n != 9 {
		t.Fatalf("image called %d times, want 9", n)
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
		{"refused in the service's words", false, upload.Reconstruction{Error: &upload.Error{Code: upload.CodeAPI, Message: "The project has too few ready images."}}, "", upload.CodeAPI, "too few ready images"},
		{"a code of any form is not read", false, upload.Reconstruction{Error: &upload.Error{Code: "17", Message: "Not enough coins."}}, "", upload.CodeAPI, "Not enough coins."},
		{"no words: said in ours", false, upload.Reconstruction{Error: &upload.Error{Code: upload.CodeAPI}}, "", upload.CodeAPI, "refused to start"},
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

// TestWaitProcessedCostFollowsTheBatch: the wait asks only for the batch's
// images, so 10,000 other images in the project cost nothing.
func TestWaitProcessedCostFollowsTheBatch(t *testing.T) {
	cost := func(others int) []string {
		w := newWorld(t)
		w.pollsToEnd = 1
		for i := range others {
			w.register(fmt.Sprintf("old%d.jpg", i), fmt.Sprintf("%040d", i))
		}
		u := w.uploader(upload.Options{Cloud: "s3"})
		u.Add(jpeg("a.jpg", 10), jpeg("bad.jpg", 20), jpeg("c.jpg", 30))
		if _, err := u.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		before := len(w.calls())
		res, err := u.WaitProcessed(context.Background())
		if err != nil || res.Ready != 2 || res.Invalid != 1 {
			t.Fatalf("processed %+v, %v", res, err)
		}
		var calls []string // by method
		for _, c := range w.calls()[before:] {
			calls = append(calls, strings.Fields(c)[0])
		}
		return calls
	}
	alone, crowded := cost(0), cost(10000)
	if len(alone) != 6 || !slices.Equal(alone, crowded) {
		t.Fatalf("calls alone %q, among 10,000 other images %q; want the same 6 image calls", alone, crowded)
	}
}

// gatedImages holds each image call until `want` of them are under way (or
// a while has passed), recording the most at once.
type gatedImages struct {
	*world
	want     int
	mu       sync.Mutex
	now, max int
	all      chan struct{}
	once     sync.Once
}

func (g *gatedImages) Image(ctx context.Context, pid, id string) (*upload.Image, error) {
	g.mu.Lock()
	g.now++
	g.max = max(g.max, g.now)
	if g.now == g.want {
		g.once.Do(func() { close(g.all) })
	}
	all := g.all
	g.mu.Unlock()
	select {
	case <-all:
	case <-time.After(5 * time.Second):
	}
	defer func() { g.mu.Lock(); g.now--; g.mu.Unlock() }()
	return g.world.Image(ctx, pid, id)
}

// TestWaitProcessedAsksAtOnce: the images are asked for several at once,
// as many as the uploader has files under way, never more.
func TestWaitProcessedAsksAtOnce(t *testing.T) {
	w := newWorld(t)
	g := &gatedImages{world: w, want: 3, all: make(chan struct{})}
	u := w.uploaderWith(upload.Options{Cloud: "s3", Concurrency: 1, RegisterAhead: 2}, func(d *upload.Deps) { d.API = g })
	for i := range 10 {
		u.Add(jpeg(fmt.Sprintf("f%d.jpg", i), 100+i))
	}
	if _, err := u.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if res, err := u.WaitProcessed(context.Background()); err != nil || res.Ready != 10 {
		t.Fatalf("processed %+v, %v", res, err)
	}
	if g.max != 3 {
		t.Fatalf("at most %d image calls at once, want 3", g.max)
	}
}

// TestWaitProcessedBacksOff: while nothing changes the pause doubles up to
// PollMax; a change brings it back to PollInterval.
func TestWaitProcessedBacksOff(t *testing.T) {
	w := newWorld(t)
	u := w.uploader(upload.Options{Cloud: "s3", PollInterval: time.Second, PollMax: 5 * time.Second, MissingAfter: 10 * time.Second, ProcessTimeout: 30 * time.Second})
	u.Add(jpeg("lost.jpg", 10), jpeg("slow.jpg", 20))
	if _, err := u.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := len(w.clock.Sleeps())
	res, err := u.WaitProcessed(context.Background())
	if err != nil || res.Failed != 2 {
		t.Fatalf("processed %+v, %v", res, err)
	}
	// lost.jpg fails after 1+2+4+5 s: the pause starts again.
	want := "[1s 2s 4s 5s 1s 2s 4s 5s 5s 5s]"
	if got := fmt.Sprint(w.clock.Sleeps()[before:]); got != want {
		t.Fatalf("pauses %s, want %s", got, want)
	}
}
