package upload

import (
	"context"
	"strings"
)

// StartReconstruction starts the project's reconstruction now
// (startReconstructionWithError), or, with pre, as soon as every image is
// processed (preStartReconstruction). taskType defaults to Native. A refusal
// by the service is in Reconstruction.Error, with code api and the service's
// message; the error is for failures to ask at all.
//
// When a try's answer was lost and the next try is refused, the lost try may
// have started the task: project.task tells, and a task still running is
// then this call's result. Nothing is read into the service's refusal codes.
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
	if tries > 1 && res.Error != nil {
		var task *Task
		err := u.retryCall(ctx, func(ctx context.Context) error {
			var err error
			task, err = u.deps.API.ProjectTask(ctx, u.opts.Project)
			return err
		})
		if err == nil && task != nil && task.ID != "" && taskRunning(task.State) {
			return Reconstruction{Task: task}, nil
		}
	}
	if e := res.Error; e != nil {
		words := strings.TrimSpace(e.Message)
		if words == "" {
			words = "The service refused to start the reconstruction."
		}
		res.Error = &Error{Code: CodeAPI, Message: words}
	}
	return res, nil
}

// taskRunning reports whether a task in that state is waiting or running,
// not finished one way or another.
func taskRunning(state string) bool {
	switch strings.ToLower(state) {
	case "done", "failed", "cancelled", "canceled", "stopped", "error":
		return false
	}
	return true
}
