package upload

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
)

// file is one Source and what is known about it; guarded by Uploader.mu.
type file struct {
	idx      int
	src      Source
	name     string
	size     int64
	state    State
	taken    bool // picked by a run
	kind     imageKind
	checksum string
	imageID  string
	err      *Error
	dupOf    *file
	dups     []*file      // later files of the batch with the same checksum
	done     bool         // counted in progress
	outcome  State        // skipped, uploaded or failed: what Start did with it
	journal  JournalEntry // what the journal holds of it; under Uploader.jmu
}

func (f *file) event() FileEvent {
	e := FileEvent{Index: f.idx, Name: f.name, Size: f.size, State: f.state, Checksum: f.checksum, ImageID: f.imageID, Error: f.err}
	if f.dupOf != nil {
		e.DuplicateOf = f.dupOf.name
		e.ImageID = f.dupOf.imageID
	}
	return e
}

// Add queues files. It may be called at any time: files added while Start
// runs are uploaded by that run if they arrive before it ends, else by the
// next Start.
func (u *Uploader) Add(srcs ...Source) {
	u.mu.Lock()
	for _, s := range srcs {
		if s == nil {
			continue
		}
		f := &file{idx: len(u.files), src: s, name: s.Name(), size: s.Size(), state: StateQueued}
		u.files = append(u.files, f)
		u.prog.addFile(f.size)
		u.events.file(f.event())
	}
	u.emitProgressLocked()
	u.mu.Unlock()
	u.signal()
}

func (u *Uploader) signal() {
	select {
	case u.wake <- struct{}{}:
	default:
	}
}

// Pause stops new work from starting: no file is hashed, no API call is made
// and no PUT begins until Resume. PUTs already under way are let finish, so
// no bytes are thrown away; the file then waits before its next step.
func (u *Uploader) Pause() {
	u.mu.Lock()
	if !u.paused {
		u.paused = true
		u.resumed = make(chan struct{})
	}
	u.mu.Unlock()
}

// Resume lets the work stopped by Pause go on.
func (u *Uploader) Resume() {
	u.mu.Lock()
	if u.paused {
		u.paused = false
		close(u.resumed)
	}
	u.mu.Unlock()
}

// Cancel stops a running Start: requests in flight are aborted, and Start
// returns a report in which every unfinished file failed with code cancelled.
func (u *Uploader) Cancel() {
	u.mu.Lock()
	if u.cancel != nil {
		u.cancel()
	}
	u.mu.Unlock()
}

// abort ends the run for a reason that holds for every file: the files not
// finished fail with it and Start returns it.
func (u *Uploader) abort(e *Error) {
	u.mu.Lock()
	if u.aborted == nil {
		u.aborted = e
	}
	if u.cancel != nil {
		u.cancel()
	}
	u.mu.Unlock()
}

// gate waits while the uploader is paused.
func (u *Uploader) gate(ctx context.Context) error {
	u.mu.Lock()
	paused, ch := u.paused, u.resumed
	u.mu.Unlock()
	if paused {
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
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
		if f.state != StateFailed || f.err == nil || f.err.Code == CodeInvalidInput {
			continue
		}
		u.prog.unfinish(f.size)
		f.state, f.taken, f.done, f.err, f.outcome, f.dupOf, f.dups = StateQueued, false, false, nil, "", nil, nil
		u.cursor = min(u.cursor, f.idx)
		u.events.file(f.event())
	}
	u.emitProgressLocked()
}

// Start uploads every queued file and returns when each is uploaded, skipped
// or failed; calling it again retries the files that failed (but not those
// refused as bad input) and takes files added since. Failures of single files are in the report, not the error; the
// error is for the batch as a whole: no usable bucket, the caller's ctx
// ended, or Start already running. After Cancel, Start returns the report and
// a nil error.
func (u *Uploader) Start(ctx context.Context) (Report, error) {
	u.mu.Lock()
	if u.running {
		u.mu.Unlock()
		return Report{}, Errorf(CodeInvalidInput, "The upload is already running.")
	}
	u.running = true
	runCtx, cancel := context.WithCancel(ctx)
	u.cancel = cancel
	u.mu.Unlock()
	defer func() {
		cancel()
		u.mu.Lock()
		u.running = false
		u.cancel = nil
		u.mu.Unlock()
	}()

	u.requeueFailed()
	err := u.resolveBucket(runCtx)
	if err == nil {
		u.pipeline(runCtx)
	}
	u.mu.Lock()
	if u.aborted != nil {
		err = u.aborted
		u.aborted = nil
	}
	u.mu.Unlock()
	// Whatever was not finished failed: cancelled, or for the batch's reason.
	ferr := AsError(err)
	if ferr == nil && runCtx.Err() != nil {
		ferr = AsError(runCtx.Err())
	}
	if ferr != nil {
		if ferr.Code == CodeCancelled || ferr.Code == CodeTimeout && ctx.Err() != nil {
			ferr = &Error{Code: CodeCancelled, Message: "The upload was cancelled.", Err: ferr.Err}
		}
		u.mu.Lock()
		for _, f := range u.files {
			if !f.done && (f.state == StateQueued || f.taken) {
				u.finishLocked(f, StateFailed, ferr)
			}
		}
		u.mu.Unlock()
	}
	u.mu.Lock()
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
		e := f.event()
		state := f.outcome
		if state == "" {
			state = f.state
		}
		r.Files = append(r.Files, FileReport{Name: f.name, State: state, ImageID: e.ImageID, Checksum: f.checksum, Error: f.err})
		switch state {
		case StateUploaded:
			r.Uploaded++
		case StateSkipped:
			r.Skipped++
		case StateFailed:
			r.Failed++
		}
	}
	return r
}

// resolveBucket picks the bucket once per Uploader.
func (u *Uploader) resolveBucket(ctx context.Context) error {
	u.mu.Lock()
	done := u.bucket != ""
	u.mu.Unlock()
	if done {
		return nil
	}
	bucket, cloud := u.opts.Bucket, u.opts.Cloud
	if bucket == "" {
		var list []Bucket
		err := u.retryCall(ctx, func(ctx context.Context) error {
			var err error
			list, err = u.deps.API.NearestBuckets(ctx)
			return err
		})
		if err != nil {
			return stepError("Finding the nearest bucket", err)
		}
		for _, b := range list {
			c := strings.ToLower(b.Cloud)
			if c != "oss" && c != "s3" {
				continue
			}
			if cloud == "auto" || cloud == c {
				bucket, cloud = b.Bucket, c
				break
			}
		}
		if bucket == "" {
			var offered []string
			for _, b := range list {
				offered = append(offered, fmt.Sprintf("%s (%s)", b.Bucket, b.Cloud))
			}
			want := "an OSS or S3"
			switch cloud {
			case "oss":
				want = "an OSS"
			case "s3":
				want = "an S3"
			}
			have := "none"
			if len(offered) > 0 {
				have = strings.Join(offered, ", ")
			}
			return Errorf(CodeNoBucket, "The service offers no %s bucket; it offers %s.", want, have)
		}
	}
	if cloud == "oss" && u.deps.OSS == nil {
		return Errorf(CodeInvalidInput, "An OSS bucket was chosen but no OSS signer was given.")
	}
	u.mu.Lock()
	u.bucket, u.cloud = bucket, cloud
	if cloud == "oss" {
		u.creds = &stsCache{u: u}
	}
	u.mu.Unlock()
	return nil
}

// pipeline runs the hashing ahead of Concurrency + RegisterAhead upload
// workers, of which Concurrency at most send at once (sendSlot). The
// channel between them bounds how many files wait hashed; memory is one
// hashing buffer plus whatever each Putter holds, whatever the batch size.
func (u *Uploader) pipeline(ctx context.Context) {
	hashed := make(chan *file, u.opts.HashAhead)
	var pending sync.WaitGroup // files taken and not yet finished
	var wg sync.WaitGroup
	for range u.opts.Concurrency + u.opts.RegisterAhead {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range hashed {
				u.process(ctx, f)
			}
		}()
	}
	u.feed(ctx, hashed, &pending)
	close(hashed)
	wg.Wait()
}

// feed hashes queued files and hands them to the workers in the order of
// Add, until no file is queued and none is in flight (files added meanwhile
// are taken too). Up to HashConcurrency files are hashed at once; a file
// holds its slot until it is handed on, so with one slot the next file is
// hashed only once the previous one found room in hashed.
func (u *Uploader) feed(ctx context.Context, hashed chan<- *file, pending *sync.WaitGroup) {
	n := u.opts.HashConcurrency
	slots := make(chan struct{}, n)
	type job struct {
		f  *file
		ok chan bool
	}
	// order holds the files being hashed, oldest first: duplicates are found
	// in the order of Add, so the first of two equal files is the original.
	order := make(chan job, n)
	var handing sync.WaitGroup
	handing.Add(1)
	go func() {
		defer handing.Done()
		for j := range order {
			if <-j.ok && !u.duplicate(j.f) {
				select {
				case hashed <- j.f:
				case <-ctx.Done():
				}
			}
			<-slots
		}
	}()
	defer func() {
		close(order)
		handing.Wait()
	}()
	for {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		if ctx.Err() != nil {
			return
		}
		u.mu.Lock()
		// Files are taken in the order they were added, so a cursor finds
		// the next one without scanning the batch again.
		for u.cursor < len(u.files) && (u.files[u.cursor].taken || u.files[u.cursor].state != StateQueued) {
			u.cursor++
		}
		var next *file
		if u.cursor < len(u.files) {
			next = u.files[u.cursor]
			next.taken = true
			u.inflight++
		}
		inflight := u.inflight
		u.mu.Unlock()
		if next == nil {
			<-slots
			if inflight == 0 {
				return
			}
			select {
			case <-u.wake:
			case <-ctx.Done():
				return
			}
			continue
		}
		j := job{next, make(chan bool, 1)}
		go func() { j.ok <- u.hash(ctx, next) }()
		order <- j // never blocks: order has room for every slot
	}
}

// hash checks the format of f and computes its checksum; false when f failed.
func (u *Uploader) hash(ctx context.Context, f *file) bool {
	if err := u.gate(ctx); err != nil {
		return false
	}
	if f.src.Size() == 0 {
		_, err := detectKind(f.src) // says it is empty
		u.fail(f, err)
		return false
	}
	u.setState(f, StateHashing, nil)
	if e, ok := u.remembered(ctx, f.src); ok {
		kind, err := detectKind(f.src)
		if err != nil {
			u.fail(f, err)
			return false
		}
		u.jmu.Lock()
		f.journal = e
		u.jmu.Unlock()
		u.setState(f, StateHashing, func() { f.kind, f.checksum = kind, e.Checksum })
		return true
	}
	// The format is checked after hashing: a Hasher that reads the file
	// whole may keep its first bytes, which spares a read of its own (a
	// round trip through the browser per file).
	sum, err := u.deps.Hasher.SHA1(ctx, f.src)
	if err != nil {
		if ctx.Err() != nil {
			return false
		}
		e := AsError(err)
		if e.Code == CodeInternal {
			e = &Error{Code: CodeInvalidInput, Message: fmt.Sprintf("%q could not be read.", f.name), Err: err}
		}
		u.fail(f, e)
		return false
	}
	kind, err := detectKind(f.src)
	if err != nil {
		u.fail(f, err)
		return false
	}
	u.setState(f, StateHashing, func() { f.kind, f.checksum = kind, sum })
	u.note(ctx, f, func(e *JournalEntry) { *e = JournalEntry{Checksum: sum, State: JournalHashed} })
	return true
}

// duplicate reports whether f has the content of a file added before it that
// did not fail; f then ends skipped when that one ends (failed if it fails).
// The feeder calls it in the order of Add, so the first file is the original.
func (u *Uploader) duplicate(f *file) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	first, ok := u.byHash[f.checksum]
	if !ok || first == f || first.state == StateFailed {
		u.byHash[f.checksum] = f
		return false
	}
	f.dupOf = first
	if first.done {
		u.finishLocked(f, StateSkipped, nil)
	} else {
		first.dups = append(first.dups, f)
	}
	return true
}

// process takes a hashed file through check, register, start, PUT and done.
func (u *Uploader) process(ctx context.Context, f *file) {
	if err := u.gate(ctx); err != nil {
		return
	}
	u.setState(f, StateChecking, nil)
	var img *Image
	err := u.retryCall(ctx, func(ctx context.Context) error {
		var err error
		img, err = u.deps.API.HasImage(ctx, u.opts.Project, f.checksum)
		return err
	})
	if err != nil {
		e := stepError("Checking whether the project already has it", err)
		if e.Code == CodeUnauthorized || e.Code == CodeNotFound {
			// The token or the project is wrong: so it is for every file.
			u.abort(e)
		}
		u.fail(f, e)
		return
	}
	if img != nil && img.ID != "" && arrived(img.State) {
		u.remember(ctx, f, img.ID)
		u.finish(f, StateSkipped, nil, img.ID)
		return
	}
	if u.cloud == "oss" {
		err = u.uploadOSS(ctx, f)
	} else {
		err = u.uploadS3(ctx, f)
	}
	if err != nil {
		u.fail(f, err)
		return
	}
	u.mu.Lock()
	id := f.imageID
	u.mu.Unlock()
	u.remember(ctx, f, id)
	u.finish(f, StateUploaded, nil, "")
}

// arrived reports whether an image in that state has its bytes stored. An
// image registered but never uploaded (Pending, Uploading; say by a run that
// was cancelled or a tab that was closed) is uploaded again, and so is an
// Invalid one, which the new upload replaces.
func arrived(state string) bool {
	switch state {
	case ImageInvalid, "Pending", "Uploading":
		return false
	}
	return true
}

func (u *Uploader) setState(f *file, s State, change func()) {
	u.mu.Lock()
	f.state = s
	if change != nil {
		change()
	}
	u.events.file(f.event())
	u.mu.Unlock()
}

func (u *Uploader) fail(f *file, err error) {
	e := AsError(err)
	if errors.Is(err, context.Canceled) || e.Code == CodeCancelled {
		e = &Error{Code: CodeCancelled, Message: "The upload was cancelled.", Err: err}
		u.mu.Lock()
		if u.aborted != nil {
			e = u.aborted
		}
		u.mu.Unlock()
	}
	u.finish(f, StateFailed, e, "")
}

func (u *Uploader) finish(f *file, s State, err *Error, imageID string) {
	u.mu.Lock()
	if imageID != "" {
		f.imageID = imageID
	}
	u.finishLocked(f, s, err)
	u.emitProgressLocked()
	u.mu.Unlock()
	u.signal()
}

// emitProgressLocked queues the batch's progress; u.mu is held, so that
// events are queued in the order their figures were taken.
func (u *Uploader) emitProgressLocked() {
	u.events.progress(u.prog.snapshot())
}

// finishLocked ends f and the duplicates waiting for it; u.mu is held.
func (u *Uploader) finishLocked(f *file, s State, err *Error) {
	if f.done {
		return
	}
	f.state, f.err, f.done, f.outcome = s, err, true, s
	if f.taken {
		u.inflight--
	}
	u.prog.finish(f.idx, f.size)
	u.events.file(f.event())
	dups := f.dups
	f.dups = nil
	for _, d := range dups {
		if s == StateFailed {
			u.finishLocked(d, StateFailed, err)
		} else {
			u.finishLocked(d, StateSkipped, nil)
		}
	}
}

// stepError prefixes the message of err with the step that failed.
func stepError(step string, err error) *Error {
	e := AsError(err)
	if e.Code == CodeCancelled {
		return e
	}
	return &Error{Code: e.Code, Message: step + ": " + e.Message, Status: e.Status, Err: e}
}

// retryCall is retry for an API call: each try may last CallTimeout.
func (u *Uploader) retryCall(ctx context.Context, op func(context.Context) error) error {
	return u.retry(ctx, u.opts.CallTimeout, op)
}

// retry runs op until it succeeds, fails for good, or the tries run out,
// sleeping between tries with exponential backoff and full jitter. Each try
// gets a context that ends after timeout (0: no limit). Expired credentials
// are retried at once the first time (the op renews them).
//
// A step that gets no answer at all (offline, or the server restarting) is
// not counted against Retries until it has failed that way for
// NetworkPatience: a link that comes back within it carries the batch on by
// itself.
func (u *Uploader) retry(ctx context.Context, timeout time.Duration, op func(context.Context) error) error {
	var offlineSince time.Time
	counted := 0
	for attempt := 0; ; attempt++ {
		if err := u.gate(ctx); err != nil {
			return err
		}
		actx, cancel := ctx, context.CancelFunc(func() {})
		if timeout > 0 {
			actx, cancel = context.WithTimeout(ctx, timeout)
		}
		err := op(actx)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		e := AsError(err)
		if !e.Temporary() {
			return e
		}
		if e.Code == CodeNetwork && attempt < maxNetworkTries {
			now := u.deps.Now()
			if offlineSince.IsZero() {
				offlineSince = now
			}
			if now.Sub(offlineSince) < u.opts.NetworkPatience {
				// Short waits: the next try should follow soon after the
				// link is back.
				if err := u.deps.Sleep(ctx, min(u.backoff(attempt), networkRetryMax)); err != nil {
					return err
				}
				continue
			}
		}
		if counted >= u.opts.Retries {
			return &Error{Code: e.Code, Message: fmt.Sprintf("%s (gave up after %d tries)", strings.TrimSuffix(e.Message, "."), attempt+1), Status: e.Status, Err: e}
		}
		counted++
		d := u.backoff(counted - 1)
		if e.Code == CodeExpired && attempt == 0 {
			d = 0
		}
		if err := u.deps.Sleep(ctx, d); err != nil {
			return err
		}
	}
}

// maxNetworkTries bounds the tries spent waiting out a lost network, whatever
// the clock says; networkRetryMax bounds the wait between them.
const (
	maxNetworkTries = 200
	networkRetryMax = 5 * time.Second
)

// backoff is a random duration in [0, min(RetryMax, RetryBase·2^attempt)).
func (u *Uploader) backoff(attempt int) time.Duration {
	ceil := float64(u.opts.RetryBase) * math.Pow(2, float64(attempt))
	ceil = min(ceil, float64(u.opts.RetryMax))
	return time.Duration(u.deps.Rand() * ceil)
}
