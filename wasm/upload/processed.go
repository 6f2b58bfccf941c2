package upload

import (
	"context"
	"strings"
	"time"
)

// pageSize is how many images one allImages call asks for (the API's maximum).
const pageSize = 500

// WaitProcessed polls the project's images (all of them, page by page, every
// PollInterval) until each image this Uploader uploaded or found present is
// Ready or Invalid, and tells which are Invalid and why. Files move to the
// states ready and invalid as the service decides. The wait is bounded: an
// image missing from the listing for MissingAfter, or not processed within
// ProcessTimeout, fails its files with the reason in words (and the next
// Start sends them again).
func (u *Uploader) WaitProcessed(ctx context.Context) (Processed, error) {
	began := u.deps.Now()
	missingSince := map[string]time.Time{}
	var res Processed
	for {
		u.mu.Lock()
		waiting := map[string][]*file{}
		for _, f := range u.files {
			id := f.imageID
			if f.dupOf != nil {
				id = f.dupOf.imageID
			}
			if id == "" || f.outcome == StateFailed || f.outcome == "" || f.state == StateFailed {
				continue
			}
			waiting[id] = append(waiting[id], f)
		}
		u.mu.Unlock()

		images := map[string]Image{}
		after := ""
		for {
			var page *ImagePage
			err := u.retryCall(ctx, func(ctx context.Context) error {
				var err error
				page, err = u.deps.API.Images(ctx, u.opts.Project, pageSize, after)
				return err
			})
			if err != nil {
				return Processed{}, stepError("Looking at the project's images", err)
			}
			for _, img := range page.Images {
				if _, ok := waiting[img.ID]; ok {
					images[img.ID] = img
				}
			}
			if !page.HasNext || page.EndCursor == "" || page.EndCursor == after {
				break
			}
			after = page.EndCursor
		}

		now := u.deps.Now()
		res.Ready, res.Invalid, res.InvalidFiles = 0, 0, nil
		open := 0
		u.mu.Lock()
		for id, files := range waiting {
			img, ok := images[id]
			var s State
			var why *Error
			switch {
			case ok && img.State == ImageReady:
				s = StateReady
			case ok && img.State == ImageInvalid:
				s = StateInvalid
			case !ok:
				since, seen := missingSince[id]
				if !seen {
					missingSince[id] = now
					since = now
				}
				if now.Sub(since) < u.opts.MissingAfter {
					open++
					continue
				}
				s, why = StateFailed, Errorf(CodeNotFound, "The project does not list this image (id %s) after %s of waiting; it was lost on the way and is sent again by the next start.", id, u.opts.MissingAfter)
			default:
				delete(missingSince, id)
				if now.Sub(began) < u.opts.ProcessTimeout {
					open++
					continue
				}
				s, why = StateFailed, Errorf(CodeTimeout, "The service did not finish checking this image within %s (it is still %s).", u.opts.ProcessTimeout, img.State)
			}
			for _, f := range files {
				if f.state != s {
					f.state, f.err = s, why
					u.events.file(f.event())
				}
				switch s {
				case StateReady:
					res.Ready++
				case StateInvalid:
					res.Invalid++
					reasons := append([]string{}, img.Errors...)
					if len(reasons) == 0 {
						reasons = []string{"The service found the image invalid and gave no reason."}
					}
					res.InvalidFiles = append(res.InvalidFiles, InvalidFile{Name: f.name, Errors: reasons})
				case StateFailed:
					res.Failed++
					res.FailedFiles = append(res.FailedFiles, InvalidFile{Name: f.name, Errors: []string{why.Message}})
				}
			}
		}
		u.mu.Unlock()
		if open == 0 {
			u.events.flush()
			return res, nil
		}
		if err := u.deps.Sleep(ctx, u.opts.PollInterval); err != nil {
			return Processed{}, AsError(err)
		}
	}
}

// reconstructionWords says in words what the service's refusal codes mean.
var reconstructionWords = map[string]string{
	"PROJECT_NOT_FOUND": "The project was not found, or it is not yours.",
	"NO_READY_IMAGE":    "No image of the project is ready yet, so there is nothing to reconstruct.",
	"TOO_FEW_IMAGES":    "The project has too few ready images to reconstruct (at least 3 are needed).",
	"TASK_RUNNING":      "A reconstruction of this project is already running.",
}

// StartReconstruction starts the project's reconstruction now
// (startReconstructionWithError), or, with pre, as soon as every image is
// processed (preStartReconstruction). taskType defaults to Native. A refusal
// by the service is in Reconstruction.Error, in words, with the service's
// code in lower case; the error is for failures to ask at all.
func (u *Uploader) StartReconstruction(ctx context.Context, taskType string, pre bool) (Reconstruction, error) {
	taskType = strings.TrimSpace(taskType)
	if taskType == "" {
		taskType = "Native"
	}
	for _, r := range taskType {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return Reconstruction{}, Errorf(CodeInvalidInput, "The task type %q is not a word such as Native or Dense.", taskType)
		}
	}
	var res Reconstruction
	tries := 0
	err := u.retryCall(ctx, func(ctx context.Context) error {
		tries++
		var err error
		res, err = u.deps.API.StartReconstruction(ctx, u.opts.Project, taskType, pre)
		return err
	})
	if err != nil {
		return Reconstruction{}, stepError("Starting the reconstruction", err)
	}
	if tries > 1 && res.Error != nil && strings.EqualFold(res.Error.Code, "TASK_RUNNING") {
		// An earlier try whose answer was lost may have started the task:
		// then the running task is this call's result.
		var task *Task
		err := u.retryCall(ctx, func(ctx context.Context) error {
			var err error
			task, err = u.deps.API.ProjectTask(ctx, u.opts.Project)
			return err
		})
		if err == nil && task != nil && task.ID != "" {
			return Reconstruction{Task: task}, nil
		}
	}
	if e := res.Error; e != nil {
		words, ok := reconstructionWords[strings.ToUpper(e.Code)]
		if !ok {
			words = e.Message
			if words == "" {
				words = "The service refused to start the reconstruction."
			}
		}
		res.Error = &Error{Code: strings.ToLower(e.Code), Message: words}
	}
	return res, nil
}
