package upload

import (
	"context"
	"slices"
	"sync"
	"time"
)

// WaitProcessed looks at the images this Uploader uploaded or found present
// until each is Ready or Invalid, and tells which are Invalid and why. Files
// move to the states ready and invalid as the service decides.
//
// Only the images still processing are asked for (project.image, several at
// once), so the cost follows the batch, not the project. The pause between
// looks starts at PollInterval and doubles while nothing changes, up to
// PollMax. The wait is bounded: an image the project does not have for
// MissingAfter, or not processed within ProcessTimeout, fails its files with
// the reason in words (and the next Start sends them again).
func (u *Uploader) WaitProcessed(ctx context.Context) (Processed, error) {
	began := u.deps.Now()
	missingSince := map[string]time.Time{}
	seen := map[string]string{} // each image's state at the last look
	pause := u.opts.PollInterval
	var failed []*file
	for {
		groups := u.awaiting()
		if len(groups) == 0 {
			break
		}
		ids := make([]string, 0, len(groups))
		for id := range groups {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		images, err := u.lookAt(ctx, ids)
		if err != nil {
			return Processed{}, stepError("Looking at the project's images", err)
		}

		now := u.deps.Now()
		changed := false
		u.mu.Lock()
		for _, id := range ids {
			img := images[id]
			state := "absent"
			if img != nil {
				state = img.State
			}
			if prev, ok := seen[id]; ok && prev != state {
				changed = true
			}
			seen[id] = state
			var s State
			var why *Error
			var reasons []string
			switch {
			case img == nil:
				since, ok := missingSince[id]
				if !ok {
					missingSince[id], since = now, now
				}
				if now.Sub(since) < u.opts.MissingAfter {
					continue
				}
				s, why = StateFailed, Errorf(CodeNotFound, "The project does not list this image (id %s) after %s of waiting; it was lost on the way and is sent again by the next start.", id, u.opts.MissingAfter)
			case img.State == ImageReady:
				s = StateReady
			case img.State == ImageInvalid:
				s, reasons = StateInvalid, slices.Clone(img.Errors)
				if len(reasons) == 0 {
					reasons = []string{"The service found the image invalid and gave no reason."}
				}
			default:
				delete(missingSince, id)
				if now.Sub(began) < u.opts.ProcessTimeout {
					continue
				}
				s, why = StateFailed, Errorf(CodeTimeout, "The service did not finish checking this image within %s (it is still %s).", u.opts.ProcessTimeout, img.State)
			}
			for _, f := range groups[id] {
				if f.st.processed(s, why, reasons) {
					changed = true
					u.events.file(f.event())
					if s == StateFailed {
						failed = append(failed, f)
					}
				}
			}
		}
		u.mu.Unlock()
		if len(u.awaiting()) == 0 {
			break
		}
		if changed {
			pause = u.opts.PollInterval
		}
		if err := u.deps.Sleep(ctx, pause); err != nil {
			return Processed{}, AsError(err)
		}
		pause = min(2*pause, u.opts.PollMax)
	}
	u.events.flush()
	return u.processed(failed), nil
}

// awaiting groups by image id the files whose image the service has not
// finished with: uploaded or skipped, and neither ready nor invalid yet.
// Files whose image hasImage found Ready are ready without asking again.
func (u *Uploader) awaiting() map[string][]*file {
	u.mu.Lock()
	defer u.mu.Unlock()
	all := map[string][]*file{}
	open := map[string]bool{}
	for _, f := range u.files {
		o := f.original()
		if o.imageID == "" || !f.st.awaitsImage() {
			continue
		}
		if o.st.ready && f.st.processed(StateReady, nil, nil) {
			u.events.file(f.event())
		}
		all[o.imageID] = append(all[o.imageID], f)
		if f.st.shown != StateReady && f.st.shown != StateInvalid {
			open[o.imageID] = true
		}
	}
	// A file whose image is done still follows it: an image sent again
	// (an Invalid one replaced) changes for every file that has it.
	for id := range all {
		if !open[id] {
			delete(all, id)
		}
	}
	return all
}

// lookAt asks for the images of ids, as many at once as the uploader has
// files under way (Concurrency + RegisterAhead), so that the API client can
// send them together. A missing image is nil in the map.
func (u *Uploader) lookAt(ctx context.Context, ids []string) (map[string]*Image, error) {
	var mu sync.Mutex
	out := make(map[string]*Image, len(ids))
	err := eachAtMost(ctx, u.opts.Concurrency+u.opts.RegisterAhead, ids, func(ctx context.Context, id string) error {
		var img *Image
		err := u.retryCall(ctx, func(ctx context.Context) error {
			var err error
			img, err = u.deps.API.Image(ctx, u.opts.Project, id)
			return err
		})
		if err != nil {
			return err
		}
		if img != nil && img.ID == "" {
			img = nil
		}
		mu.Lock()
		out[id] = img
		mu.Unlock()
		return nil
	})
	if err == nil {
		err = ctx.Err()
	}
	return out, err
}

// processed tells what became of every file with an image, in the order of
// Add, with the files failed by this wait.
func (u *Uploader) processed(failed []*file) Processed {
	u.mu.Lock()
	defer u.mu.Unlock()
	var res Processed
	about := func(f *file, reasons []string) InvalidFile {
		return InvalidFile{Index: f.idx, Name: f.name, Path: f.path, ImageID: f.original().imageID, Errors: reasons}
	}
	for _, f := range u.files {
		switch f.st.shown {
		case StateReady:
			res.Ready++
		case StateInvalid:
			res.Invalid++
			res.InvalidFiles = append(res.InvalidFiles, about(f, slices.Clone(f.st.reasons)))
		}
	}
	slices.SortFunc(failed, func(a, b *file) int { return a.idx - b.idx })
	for _, f := range failed {
		res.Failed++
		why := "The image was not processed."
		if f.st.err != nil {
			why = f.st.err.Message
		}
		res.FailedFiles = append(res.FailedFiles, about(f, []string{why}))
	}
	return res
}
