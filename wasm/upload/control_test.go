package upload_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"altiup/wasm/upload"
)

// blockingPutter holds every PUT until released (or its ctx ends).
type blockingPutter struct {
	inner   upload.Putter
	started chan string
	release chan struct{}
}

func newBlockingPutter(w *world) *blockingPutter {
	return &blockingPutter{inner: upload.HTTPPutter{Client: w.srv.Client()}, started: make(chan string, 20), release: make(chan struct{})}
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
	bp := newBlockingPutter(w)
	// One file through the whole flow at a time: b.jpg must not even be
	// registered while paused.
	u := w.uploaderWith(upload.Options{Cloud: "oss", Concurrency: 1, RegisterAhead: -1}, func(d *upload.Deps) { d.Putter = bp })
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
	bp := newBlockingPutter(w)
	u := w.uploaderWith(upload.Options{Cloud: "s3", Concurrency: 2}, func(d *upload.Deps) { d.Putter = bp })
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
	rep, err := u.Start(context.Background())
	if err != nil || rep.Uploaded != 4 || rep.Failed != 0 {
		t.Fatalf("after restart: %+v, %v", rep, err)
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

// startAsync runs Start in a goroutine; the channel gives its outcome.
func startAsync(u *upload.Uploader) <-chan error {
	done := make(chan error, 1)
	go func() {
		rep, err := u.Start(context.Background())
		if err == nil && rep.Failed != 0 {
			err = fmt.Errorf("report %+v", rep)
		}
		done <- err
	}()
	return done
}

// waitDone fails the test when Start does not return in good time.
func waitDone(t *testing.T, done <-chan error, what string) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(20 * time.Second):
		t.Fatalf("%s: Start did not return", what)
		return nil
	}
}

// TestPauseAndCancel: a Pause before Start holds the batch until Resume;
// Cancel ends a pause, so a Start after Pause and Cancel runs at once.
func TestPauseAndCancel(t *testing.T) {
	t.Run("pause before start holds until resume", func(t *testing.T) {
		w := newWorld(t)
		u := w.uploader(upload.Options{Cloud: "s3"})
		u.Add(jpeg("a.jpg", 100))
		u.Pause()
		done := startAsync(u)
		time.Sleep(30 * time.Millisecond)
		if c := w.calls(); len(c) != 0 {
			t.Fatalf("calls %q while paused before the start", c)
		}
		u.Resume()
		if err := waitDone(t, done, "after Resume"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("start after pause and cancel runs", func(t *testing.T) {
		w := newWorld(t)
		u := w.uploader(upload.Options{Cloud: "s3"})
		u.Add(jpeg("a.jpg", 100))
		u.Pause()
		u.Cancel()
		if err := waitDone(t, startAsync(u), "after Pause and Cancel"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("cancel while paused mid-run, then start", func(t *testing.T) {
		w := newWorld(t)
		bp := newBlockingPutter(w)
		u := w.uploaderWith(upload.Options{Cloud: "s3", Concurrency: 1, RegisterAhead: -1}, func(d *upload.Deps) { d.Putter = bp })
		u.Add(jpeg("a.jpg", 100), jpeg("b.jpg", 200))
		done := make(chan upload.Report, 1)
		go func() { rep, _ := u.Start(context.Background()); done <- rep }()
		<-bp.started
		u.Pause()
		u.Cancel()
		select {
		case rep := <-done:
			if rep.Failed != 2 {
				t.Fatalf("report after Cancel %+v", rep)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("Start did not return after Cancel")
		}
		close(bp.release)
		if err := waitDone(t, startAsync(u), "the Start after Cancel"); err != nil {
			t.Fatal(err)
		}
	})
}
