package upload_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"altiup/wasm/upload"
)

// stallingPutter sends a few bytes of the first stalls PUTs and then hangs
// until the request is aborted; later PUTs go through inner.
type stallingPutter struct {
	inner  upload.Putter
	mu     sync.Mutex
	stalls int
	hung   int
}

func (s *stallingPutter) Put(ctx context.Context, req upload.PutRequest, src upload.Source, progress func(int64)) (*upload.PutResponse, error) {
	s.mu.Lock()
	stall := s.stalls > 0
	s.stalls--
	s.mu.Unlock()
	if !stall {
		return s.inner.Put(ctx, req, src, progress)
	}
	progress(10)
	<-ctx.Done()
	s.mu.Lock()
	s.hung++
	s.mu.Unlock()
	return nil, ctx.Err()
}

func TestStalledPutIsAbortedAndRetried(t *testing.T) {
	for _, cloud := range []string{"oss", "s3"} {
		t.Run(cloud, func(t *testing.T) {
			w := newWorld(t)
			d := w.deps()
			sp := &stallingPutter{inner: upload.HTTPPutter{Client: w.srv.Client()}, stalls: 2}
			d.Putter = sp
			u, err := upload.New(upload.Options{Project: "pid1", Cloud: cloud, StallTimeout: 20 * time.Millisecond}, d)
			if err != nil {
				t.Fatal(err)
			}
			f := jpeg("a.jpg", 500)
			u.Add(f)
			rep, err := u.Start(context.Background())
			if err != nil || rep.Uploaded != 1 {
				t.Fatalf("report %+v, %v", rep, err)
			}
			if sp.hung != 2 {
				t.Fatalf("%d stalled PUTs aborted, want 2", sp.hung)
			}
			if n := w.count("PUT pid1/"); n != 1 {
				t.Fatalf("%d PUTs stored, want 1", n)
			}
		})
	}
	t.Run("gives up in words", func(t *testing.T) {
		w := newWorld(t)
		d := w.deps()
		d.Putter = &stallingPutter{stalls: 100}
		u, err := upload.New(upload.Options{Project: "pid1", Cloud: "s3", Retries: 1, StallTimeout: 10 * time.Millisecond}, d)
		if err != nil {
			t.Fatal(err)
		}
		u.Add(jpeg("a.jpg", 500))
		rep, err := u.Start(context.Background())
		if err != nil || rep.Failed != 1 {
			t.Fatalf("report %+v, %v", rep, err)
		}
		e := rep.Files[0].Error
		if e.Code != upload.CodeTimeout || !strings.Contains(e.Message, "stalled") || !strings.Contains(e.Message, "gave up after 2 tries") {
			t.Fatalf("error %+v", e)
		}
	})
}

func TestReconstructionStartedByALostTry(t *testing.T) {
	running := &upload.Task{ID: "t9", TaskType: "Native", State: "Queueing"}
	done := &upload.Task{ID: "t8", TaskType: "Native", State: "Done"}
	// The refusal's code says nothing the uploader reads: project.task tells.
	refused := upload.Reconstruction{Error: &upload.Error{Code: upload.CodeAPI, Message: "A reconstruction is already running."}}
	tests := []struct {
		name     string
		faults   int // failed tries before the answer
		task     *upload.Task
		wantTask string
		wantCode string
	}{
		{"retried, the lost try started it", 1, running, "t9", ""},
		{"first try: the refusal stands", 0, running, "", upload.CodeAPI},
		{"retried, but no task to be found", 1, nil, "", upload.CodeAPI},
		{"retried, but the task is an old one", 1, done, "", upload.CodeAPI},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.recon, w.task = refused, tc.task
			for range tc.faults {
				w.apiFault["reconstruction"] = append(w.apiFault["reconstruction"], upload.Errorf(upload.CodeServer, "The API failed (status 502)."))
			}
			u := w.uploader(upload.Options{})
			r, err := u.StartReconstruction(context.Background(), "", false)
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantTask != "" {
				if r.Error != nil || r.Task == nil || r.Task.ID != tc.wantTask {
					t.Fatalf("result %+v, want task %s", r, tc.wantTask)
				}
				return
			}
			if r.Task != nil || r.Error == nil || r.Error.Code != tc.wantCode || r.Error.Message != refused.Error.Message {
				t.Fatalf("result %+v, want %s", r, tc.wantCode)
			}
			if tc.faults == 0 && w.count("projectTask") != 0 {
				t.Fatal("project.task was asked without a retried call")
			}
		})
	}
}

func TestWaitProcessedIsBounded(t *testing.T) {
	w := newWorld(t)
	u := w.uploader(upload.Options{Cloud: "oss", PollInterval: 10 * time.Second, MissingAfter: time.Minute, ProcessTimeout: 5 * time.Minute})
	u.Add(jpeg("a.jpg", 10), jpeg("lost.jpg", 20), jpeg("slow.jpg", 30))
	rep, err := u.Start(context.Background())
	if err != nil || rep.Uploaded != 3 {
		t.Fatalf("report %+v, %v", rep, err)
	}
	var mu sync.Mutex
	final := map[string]upload.FileEvent{}
	u.OnFile(func(e upload.FileEvent) { mu.Lock(); final[e.Name] = e; mu.Unlock() })
	start := w.clock.Now()
	res, err := u.WaitProcessed(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Ready != 1 || res.Failed != 2 || len(res.FailedFiles) != 2 {
		t.Fatalf("processed %+v", res)
	}
	why := map[string]string{}
	for _, f := range res.FailedFiles {
		why[f.Name] = strings.Join(f.Errors, " ")
	}
	if !strings.Contains(why["lost.jpg"], "does not list this image") || !strings.Contains(why["slow.jpg"], "did not finish checking") || !strings.Contains(why["slow.jpg"], "Processing") {
		t.Fatalf("reasons %q", why)
	}
	if waited := w.clock.Now().Sub(start); waited < 5*time.Minute || waited > 6*time.Minute {
		t.Fatalf("waited %s of fake time, want the 5 min bound", waited)
	}
	mu.Lock()
	defer mu.Unlock()
	if e := final["lost.jpg"]; e.State != upload.StateFailed || e.Error == nil || e.Error.Code != upload.CodeNotFound {
		t.Fatalf("lost.jpg ended %+v", e)
	}
	if e := final["slow.jpg"]; e.State != upload.StateFailed || e.Error == nil || e.Error.Code != upload.CodeTimeout {
		t.Fatalf("slow.jpg ended %+v", e)
	}
}

// TestTokenExpiresMidBatch: the service stops taking the token after two
// files; those two stay uploaded, the rest fail with the reason in words,
// and the batch stops instead of trying every file.
func TestTokenExpiresMidBatch(t *testing.T) {
	w := newWorld(t)
	expired := &upload.Error{Code: upload.CodeUnauthorized, Message: "The user token has expired; sign in again."}
	w.apiFault["hasImage"] = []error{nil, nil, expired, expired, expired, expired, expired}
	u := w.uploader(upload.Options{Cloud: "oss", Concurrency: 1, RegisterAhead: -1, HashAhead: 1})
	for i := range 6 {
		u.Add(jpeg(fmt.Sprintf("f%d.jpg", i), 100+i))
	}
	rep, err := u.Start(context.Background())
	be := upload.AsError(err)
	if be == nil || be.Code != upload.CodeUnauthorized || !strings.Contains(be.Message, "sign in again") {
		t.Fatalf("batch error %v, want the expired token in words", err)
	}
	if rep.Uploaded != 2 || rep.Failed != 4 {
		t.Fatalf("report %+v", rep)
	}
	for _, f := range rep.Files[2:] {
		if f.Error == nil || f.Error.Code != upload.CodeUnauthorized || !strings.Contains(f.Error.Message, "sign in again") {
			t.Fatalf("%s: %+v", f.Name, f.Error)
		}
	}
	if n := w.count("hasImage"); n != 3 {
		t.Fatalf("hasImage called %d times: the batch went on after the token was refused", n)
	}
	// With a new token (the fault is gone), Start again sends only the rest.
	w.apiFault["hasImage"] = nil
	rep, err = u.Start(context.Background())
	if err != nil || rep.Uploaded != 6 || rep.Failed != 0 {
		t.Fatalf("after signing in again: %+v, %v", rep, err)
	}
	if n := w.count("PUT pid1/"); n != 6 {
		t.Fatalf("%d PUTs, want 6 (each file once)", n)
	}
}

// TestSmallFilesSkipTheJournal: below JournalFrom, hashing costs less than
// the journal, so it is not asked and not written.
func TestSmallFilesSkipTheJournal(t *testing.T) {
	w := newWorld(t)
	j := &memJournal{m: map[string]upload.JournalEntry{}}
	d := w.deps()
	d.Journal = j
	u, err := upload.New(upload.Options{Project: "pid1", Cloud: "s3", JournalFrom: 1000}, d)
	if err != nil {
		t.Fatal(err)
	}
	small, large := identified{jpeg("small.jpg", 999), "small"}, identified{jpeg("large.jpg", 1000), "large"}
	u.Add(small, large)
	if rep, err := u.Start(context.Background()); err != nil || rep.Uploaded != 2 {
		t.Fatalf("%+v, %v", rep, err)
	}
	u.FlushJournal()
	if _, ok := j.m["pid1\x00small"]; ok || len(j.m) != 1 || j.m["pid1\x00large"].State != upload.JournalHashed {
		t.Fatalf("journal %+v, want large.jpg alone", j.m)
	}
}
