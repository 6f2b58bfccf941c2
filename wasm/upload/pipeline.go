package upload

import (
	"context"
	"fmt"
	"sync"
)

// pipeline runs the hashing ahead of Concurrency + RegisterAhead upload
// workers, of which Concurrency at most send at once (sendSlot), from the
// moment the bucket is resolved (closed). The channel between them bounds
// how many files wait hashed; memory is one hashing buffer plus whatever
// each Putter holds, whatever the batch size.
func (u *Uploader) pipeline(ctx context.Context, resolved <-chan struct{}) {
	hashed := make(chan *file, u.opts.HashAhead)
	var wg sync.WaitGroup
	for range u.opts.Concurrency + u.opts.RegisterAhead {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-resolved:
			case <-ctx.Done():
			}
			for f := range hashed {
				u.process(ctx, f)
			}
		}()
	}
	u.feed(ctx, hashed)
	close(hashed)
	wg.Wait()
}

// feed hashes queued files and hands them to the workers in the order of
// Add, until no file is queued and none is in flight (files added meanwhile
// are taken too). Up to HashConcurrency files are hashed at once; a file
// holds its slot until it is handed on, so with one slot the next file is
// hashed only once the previous one found room in hashed. The first file
// of a run is hashed alone: the run's first byte waits for its checksum,
// and the files hashed beside it shared the disk and the cores with it.
func (u *Uploader) feed(ctx context.Context, hashed chan<- *file) {
	n := u.opts.HashConcurrency
	slots := make(chan struct{}, n)
	// The slots the first file's hash holds back, given once it is over.
	held := n - 1
	for range held {
		slots <- struct{}{}
	}
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
			ok := <-j.ok
			for ; held > 0; held-- {
				<-slots
			}
			if ok && !u.duplicate(j.f) {
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
		next, inflight := u.takeNext()
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

// takeNext takes the next queued file, if any, and tells how many files are
// in flight.
func (u *Uploader) takeNext() (*file, int) {
	u.mu.Lock()
	defer u.mu.Unlock()
	// Files are taken in the order they were added, so a cursor finds the
	// next one without scanning the batch again.
	for ; u.cursor < len(u.files); u.cursor++ {
		if f := u.files[u.cursor]; f.st.take() {
			u.inflight++
			return f, u.inflight
		}
	}
	return nil, u.inflight
}

// hash checks the format of f and computes its checksum; false when f failed.
func (u *Uploader) hash(ctx context.Context, f *file) bool {
	if err := u.gate(ctx); err != nil {
		return false
	}
	if f.size == 0 {
		_, err := detectKind(f.src) // says it is empty
		u.fail(f, err)
		return false
	}
	u.setState(f, StateHashing, nil)
	if e, ok := u.remembered(ctx, f.src); ok {
		kind, err := u.kindOf(f)
		if err != nil {
			u.fail(f, err)
			return false
		}
		u.setState(f, StateHashing, func() { f.kind, f.checksum, f.journal = kind, e.Checksum, e })
		return true
	}
	// Inspect hashed the duplicate candidates: those are not hashed again.
	if sum, ok := u.batch.Checksum(f.idx); ok {
		return u.hashed(f, sum)
	}
	// The format is checked after hashing, unless the metadata told it: a
	// Hasher that reads the file whole may keep its first bytes, which
	// spares a read of its own (a round trip through the browser per file).
	if u.metaOf(f) != nil {
		if _, err := u.kindOf(f); err != nil {
			u.fail(f, err)
			return false
		}
	}
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
	return u.hashed(f, sum)
}

// hashed records f's checksum and format; false when f failed (not an image).
func (u *Uploader) hashed(f *file, sum string) bool {
	kind, err := u.kindOf(f)
	if err != nil {
		u.fail(f, err)
		return false
	}
	u.setState(f, StateHashing, func() { f.kind, f.checksum = kind, sum })
	u.note(f, func(e *JournalEntry) { *e = JournalEntry{Checksum: sum, State: JournalHashed} })
	return true
}

// duplicate reports whether f has the content of a file added before it
// whose image is, or is being, stored; f then ends skipped when that one
// ends (failed if it fails). A file that failed, or whose image the service
// found invalid, is no original: its content is sent again. The feeder calls
// it in the order of Add, so the first file is the original.
func (u *Uploader) duplicate(f *file) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	first, ok := u.byHash[f.checksum]
	if !ok || first == f || first.st.shown == StateFailed || first.st.shown == StateInvalid {
		u.byHash[f.checksum] = f
		return false
	}
	if first.st.stage == stageDone {
		f.st.copyOf(first)
		u.finishLocked(f, StateSkipped, nil)
	} else {
		f.st.waitFor(f, first)
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
		u.remember(f, img.ID)
		u.mu.Lock()
		f.st.present(img.State)
		u.mu.Unlock()
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
	u.remember(f, id)
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

// stepError prefixes the message of err with the step that failed.
func stepError(step string, err error) *Error {
	e := AsError(err)
	if e.Code == CodeCancelled {
		return e
	}
	return &Error{Code: e.Code, Message: step + ": " + e.Message, Status: e.Status, Err: e, RetryAfter: e.RetryAfter}
}
