package upload_test

import (
	"context"
	"testing"
	"time"

	"altiup/wasm/upload"
)

// TestAddingInParts: files given to Add in parts, under Adding, are all
// taken by the run started before they were in, in the order of Add, and
// its report covers them; Cancel still ends that run at once, and the next
// one takes what came after.
func TestAddingInParts(t *testing.T) {
	const parts, per = 4, 5
	for _, tt := range []struct {
		name   string
		cancel bool // cancel the run after the first part
	}{
		{"the run waits for every part", false},
		{"cancel ends the run; the next takes the rest", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			d := w.deps()
			mp := &memPutter{}
			d.Putter = mp
			u, err := upload.New(upload.Options{Project: "pid1", Cloud: "s3", Concurrency: 2}, d)
			if err != nil {
				t.Fatal(err)
			}
			var order []int
			u.OnFile(func(e upload.FileEvent) {
				if e.State == upload.StateQueued && (len(order) == 0 || order[len(order)-1] < e.Index) {
					order = append(order, e.Index)
				}
			})
			files := manyFiles(parts * per)
			done := u.Adding()
			run := startAsync(u)
			u.Add(files[:per]...)
			if tt.cancel {
				for mp.count() == 0 {
					time.Sleep(time.Millisecond)
				}
				u.Cancel()
				waitDone(t, run, "the cancelled run") // files failed cancelled: sent by the next run
			}
			for p := 1; p < parts; p++ {
				time.Sleep(5 * time.Millisecond) // the run is left waiting for the next part
				u.Add(files[p*per : (p+1)*per]...)
			}
			done()
			done() // a second call changes nothing
			if tt.cancel {
				run = startAsync(u)
			}
			if err := waitDone(t, run, "the run"); err != nil {
				t.Fatal(err)
			}
			rep, err := u.Start(context.Background()) // nothing left: returns at once
			if err != nil || rep.Total != parts*per || rep.Uploaded+rep.Skipped != parts*per {
				t.Fatalf("report %+v, %v", rep, err)
			}
			if n := mp.count(); n < parts*per || !tt.cancel && n != parts*per {
				t.Fatalf("%d PUTs for %d files", n, parts*per)
			}
			for i, idx := range order {
				if idx != i {
					t.Fatalf("queued events in the order %v", order)
				}
			}
		})
	}
}

// TestAddingHoldsTheRun: a run started while files are on their way does
// not end before they are in, even when none is in yet.
func TestAddingHoldsTheRun(t *testing.T) {
	w := newWorld(t)
	u := w.uploader(upload.Options{Cloud: "s3"})
	done := u.Adding()
	run := startAsync(u)
	select {
	case err := <-run:
		t.Fatalf("the run ended before the files came: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	u.Add(jpeg("a.jpg", 100))
	done()
	if err := waitDone(t, run, "the run"); err != nil {
		t.Fatal(err)
	}
	if w.count("PUT ") != 1 {
		t.Fatalf("calls %v", w.calls())
	}
}
