package upload

import (
	"context"
)

// control is whether a run goes on; guarded by Uploader.mu. Pause and
// Cancel are independent: a pause holds whatever run comes (also one not
// started yet) until Resume or Cancel, and Cancel ends the run under way
// and the pause both, so "paused after a cancel" does not exist.
type control struct {
	running bool
	cancel  context.CancelFunc // ends the run under way; nil when none
	resumed chan struct{}      // not nil while paused; closed by resume
	aborted *Error             // why the run stopped for every file
}

func (c *control) pause() {
	if c.resumed == nil {
		c.resumed = make(chan struct{})
	}
}

func (c *control) resume() {
	if c.resumed != nil {
		close(c.resumed)
		c.resumed = nil
	}
}

// stop ends the run under way, if any, and the pause.
func (c *control) stop() {
	if c.cancel != nil {
		c.cancel()
	}
	c.resume()
}

// begin marks a run as started, ended by the cancel returned.
func (c *control) begin(cancel context.CancelFunc) bool {
	if c.running {
		return false
	}
	c.running, c.cancel, c.aborted = true, cancel, nil
	return true
}

// takeAborted returns why the run stopped for every file, if it did.
func (c *control) takeAborted() *Error {
	a := c.aborted
	c.aborted = nil
	return a
}

// end marks the run as over.
func (c *control) end() {
	c.running, c.cancel, c.aborted = false, nil, nil
}

// Pause stops new work from starting: no file is hashed, no API call is made
// and no PUT begins until Resume (or Cancel). PUTs already under way are let
// finish, so no bytes are thrown away; the file then waits before its next
// step. A Pause before Start holds the batch from its start.
func (u *Uploader) Pause() {
	u.mu.Lock()
	u.ctl.pause()
	u.mu.Unlock()
}

// Resume lets the work stopped by Pause go on.
func (u *Uploader) Resume() {
	u.mu.Lock()
	u.ctl.resume()
	u.mu.Unlock()
}

// Cancel stops a running Start: requests in flight are aborted, and Start
// returns a report in which every unfinished file failed with code
// cancelled. It also ends a pause, so a later Start runs at once.
func (u *Uploader) Cancel() {
	u.mu.Lock()
	u.ctl.stop()
	u.mu.Unlock()
}

// abort ends the run for a reason that holds for every file: the files not
// finished fail with it and Start returns it.
func (u *Uploader) abort(e *Error) {
	u.mu.Lock()
	if u.ctl.aborted == nil {
		u.ctl.aborted = e
	}
	if u.ctl.cancel != nil {
		u.ctl.cancel()
	}
	u.mu.Unlock()
}

// gate waits while the uploader is paused.
func (u *Uploader) gate(ctx context.Context) error {
	u.mu.Lock()
	ch := u.ctl.resumed
	u.mu.Unlock()
	if ch != nil {
		select {
		case <-ch:
		case <-ctx.Done():
		}
	}
	return ctx.Err()
}

// requeueFailed puts the files that failed in an earlier run back in the
// queue, except those refused for what they are (not an image, empty).
func (u *Uploader) requeueFailed() {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, f := range u.files {
		if !f.st.requeue() {
			continue
		}
		u.prog.unfinish(f.size)
		u.cursor = min(u.cursor, f.idx)
		u.events.file(f.event())
	}
	u.emitProgressLocked()
}

// Start uploads every queued file and returns when each is uploaded, skipped
// or failed; calling it again retries the files that failed (but not those
// refused as bad input) and takes files added since. Failures of single
// files are in the report, not the error; the error is for the batch as a
// whole: no usable bucket, a refused token, the caller's ctx ended, or Start
// already running. After Cancel, Start returns the report and a nil error.
func (u *Uploader) Start(ctx context.Context) (Report, error) {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	u.mu.Lock()
	ok := u.ctl.begin(cancel)
	u.mu.Unlock()
	if !ok {
		return Report{}, Errorf(CodeInvalidInput, "The upload is already running.")
	}
	defer func() {
		u.mu.Lock()
		u.ctl.end()
		u.mu.Unlock()
	}()

	u.requeueFailed()
	// The bucket is resolved while the first files are hashed, which needs
	// no bucket: the first byte waits for both, not one after the other.
	// When it cannot be resolved, the run stops before any file is
	// registered.
	var err error
	resolved := make(chan struct{})
	go func() {
		defer close(resolved)
		if err = u.resolveBucket(runCtx); err != nil {
			cancel()
		}
	}()
	u.pipeline(runCtx, resolved)
	<-resolved
	u.mu.Lock()
	if a := u.ctl.takeAborted(); a != nil {
		err = a
	}
	// Whatever was not finished failed: cancelled, or for the batch's reason.
	ferr := AsError(err)
	if ferr == nil && runCtx.Err() != nil {
		ferr = AsError(runCtx.Err())
	}
	if ferr != nil {
		if ferr.Code == CodeCancelled || ferr.Code == CodeTimeout && ctx.Err() != nil {
			ferr = errCancelled(ferr.Err)
		}
		for _, f := range u.files {
			u.finishLocked(f, StateFailed, ferr)
		}
	}
	u.emitProgressLocked()
	u.mu.Unlock()
	u.events.flush()
	rep := u.report()
	if err != nil {
		return rep, AsError(err)
	}
	if ctx.Err() != nil {
		return rep, AsError(ctx.Err())
	}
	return rep, nil
}

func (u *Uploader) report() Report {
	u.mu.Lock()
	defer u.mu.Unlock()
	r := Report{Total: len(u.files), Files: make([]FileReport, 0, len(u.files))}
	for _, f := range u.files {
		state := f.st.reported()
		r.Files = append(r.Files, FileReport{Name: f.name, Path: f.path, State: state, ImageID: f.original().imageID, Checksum: f.checksum, Error: f.st.err})
		switch state {
		case StateUploaded:
			r.Uploaded++
		case StateSkipped:
			r.Skipped++
		case StateFailed:
			r.Failed++
		case StateExcluded:
			r.Excluded++
		}
	}
	return r
}
