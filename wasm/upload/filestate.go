package upload

import (
	"context"
	"errors"
)

// Pathed is a Source that knows its relative path inside what the person
// chose (a dropped or picked folder). Events and reports carry it, so that
// files of the same name in different folders can be told apart.
type Pathed interface {
	Path() string
}

// file is one Source and what is known about it; guarded by Uploader.mu.
type file struct {
	idx      int
	src      Source
	name     string
	path     string
	size     int64
	kind     imageKind
	checksum string
	imageID  string
	journal  JournalEntry // what the journal holds of it
	st       fileState
}

func newFile(idx int, s Source) *file {
	f := &file{idx: idx, src: s, name: s.Name(), size: s.Size(), st: queued()}
	if p, ok := s.(Pathed); ok {
		f.path = p.Path()
	}
	return f
}

// stage is where a file is in the life of its Uploader.
type stage uint8

const (
	stageQueued  stage = iota // waiting for a run to take it
	stageTaken                // taken by a run: hashing, checking, sending
	stageWaiting              // a duplicate waiting for the file it copies
	stageDone                 // finished by a run: outcome says how
)

// fileState is how far a file went. Its methods are the only transitions,
// each allowed from the stages named; called under Uploader.mu.
type fileState struct {
	stage   stage
	shown   State // what the file's events say
	outcome State // once done: skipped, uploaded or failed
	err     *Error
	dupOf   *file   // the earlier file with the same content, for a duplicate
	dups    []*file // later files waiting for this one
	ready   bool    // its image is known to be Ready (hasImage said so)
	reasons []string
}

// queued is the state of a file added, or put back in the queue.
func queued() fileState { return fileState{stage: stageQueued, shown: StateQueued} }

// take: queued → taken, by a run's feeder.
func (s *fileState) take() bool {
	if s.stage != stageQueued {
		return false
	}
	s.stage = stageTaken
	return true
}

// step shows a state of the flow (hashing, checking, uploading) of a taken file.
func (s *fileState) step(shown State) bool {
	if s.stage != stageTaken {
		return false
	}
	s.shown = shown
	return true
}

// waitFor: taken → waiting, for a duplicate of orig that is not finished.
func (s *fileState) waitFor(self, orig *file) {
	if s.stage == stageTaken {
		s.stage, s.dupOf = stageWaiting, orig
		orig.st.dups = append(orig.st.dups, self)
	}
}

// copyOf marks a taken file as a duplicate of orig, which finished.
func (s *fileState) copyOf(orig *file) {
	if s.stage == stageTaken {
		s.dupOf = orig
	}
}

// present records the state of the image hasImage found for a taken file.
func (s *fileState) present(imageState string) {
	if s.stage == stageTaken {
		s.ready = imageState == ImageReady
	}
}

// finish: queued, taken or waiting → done. It reports whether the file had
// been taken and hands back the duplicates that waited for it.
func (s *fileState) finish(outcome State, err *Error) (ok, wasTaken bool, dups []*file) {
	if s.stage == stageDone {
		return false, false, nil
	}
	wasTaken = s.stage == stageTaken || s.stage == stageWaiting
	s.stage, s.shown, s.outcome, s.err = stageDone, outcome, outcome, err
	dups, s.dups = s.dups, nil
	return true, wasTaken, dups
}

// processed records what the service made of the image of a file that was
// uploaded or skipped: ready, invalid (with reasons), or failed (lost, or
// not processed in time).
func (s *fileState) processed(shown State, why *Error, reasons []string) bool {
	if !s.awaitsImage() || s.shown == shown {
		return false
	}
	s.shown, s.err, s.reasons = shown, why, reasons
	return true
}

// awaitsImage reports whether the file's image is one WaitProcessed looks
// at: the run finished it uploaded or skipped, and nothing failed since.
func (s *fileState) awaitsImage() bool {
	return s.stage == stageDone && s.outcome != StateFailed && s.shown != StateFailed
}

// requeue: done and failed → queued, except for files refused for what they
// are (not an image, empty), which would only fail again.
func (s *fileState) requeue() bool {
	if s.stage != stageDone || s.shown != StateFailed || s.err == nil || s.err.Code == CodeInvalidInput {
		return false
	}
	*s = queued()
	return true
}

// reported is the state a report gives: the outcome of a finished file.
func (s *fileState) reported() State {
	if s.stage == stageDone {
		return s.outcome
	}
	return s.shown
}

// original is the file whose content (and image) f shares, or f itself.
func (f *file) original() *file {
	if f.st.dupOf != nil {
		return f.st.dupOf
	}
	return f
}

func (f *file) event() FileEvent {
	e := FileEvent{Index: f.idx, Name: f.name, Path: f.path, Size: f.size, State: f.st.shown, Checksum: f.checksum, ImageID: f.imageID, Error: f.st.err}
	if o := f.st.dupOf; o != nil {
		e.DuplicateOf, e.ImageID = o.name, o.imageID
	}
	return e
}

// setState shows a step of the flow and applies change (under Uploader.mu).
func (u *Uploader) setState(f *file, s State, change func()) {
	u.mu.Lock()
	if change != nil {
		change()
	}
	if f.st.step(s) {
		u.events.file(f.event())
	}
	u.mu.Unlock()
}

func (u *Uploader) fail(f *file, err error) {
	e := AsError(err)
	if errors.Is(err, context.Canceled) || e.Code == CodeCancelled {
		e = errCancelled(err)
		u.mu.Lock()
		if a := u.ctl.aborted; a != nil {
			e = a
		}
		u.mu.Unlock()
	}
	u.finish(f, StateFailed, e, "")
}

// errCancelled is the error of a file or a batch stopped by Cancel or by
// the caller's context.
func errCancelled(cause error) *Error {
	return &Error{Code: CodeCancelled, Message: "The upload was cancelled.", Err: cause}
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

// finishLocked ends f and the duplicates waiting for it; u.mu is held.
func (u *Uploader) finishLocked(f *file, s State, err *Error) {
	ok, wasTaken, dups := f.st.finish(s, err)
	if !ok {
		return
	}
	if wasTaken {
		u.inflight--
	}
	u.prog.finish(f.idx, f.size)
	u.events.file(f.event())
	for _, d := range dups {
		if s == StateFailed {
			u.finishLocked(d, StateFailed, err)
		} else {
			u.finishLocked(d, StateSkipped, nil)
		}
	}
}

// emitProgressLocked queues the batch's progress; u.mu is held, so that
// events are queued in the order their figures were taken.
func (u *Uploader) emitProgressLocked() {
	u.events.progress(u.prog.snapshot())
}
