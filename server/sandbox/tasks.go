package sandbox

import (
	"fmt"
	"strings"
	"time"

	"altiup/server/sandbox/internal/graph"
)

// minReadyImages is the fewest Ready images a reconstruction accepts.
const minReadyImages = 3

func (s *Sandbox) createProject(u *User, name, typ string, imported bool, modelType, visibility string) (*projectRec, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return nil, errorf(CodeBadInput, "the project name is empty")
	case len(name) > 256:
		return nil, errorf(CodeBadInput, "the project name is longer than 256 bytes")
	}
	if typ == "" {
		typ = string(graph.ProjectTypeFree)
	}
	if visibility == "" {
		visibility = string(graph.ProjectVisibilityPublic)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	p := &projectRec{
		ID:         newID(now),
		Owner:      u.Username,
		Name:       name,
		Type:       typ,
		Visibility: visibility,
		Imported:   imported,
		ModelType:  modelType,
		Created:    now,
		Images:     []string{},
		Tasks:      []string{},
	}
	s.projects[p.ID] = p
	s.changed()
	return p, nil
}

// taskState is a task's state now, and its place in the queue.
func (s *Sandbox) taskState(t *taskRec, now time.Time) (string, int) {
	switch {
	case !t.Stopped.IsZero():
		return taskStopped, 0
	case t.Failure != "":
		return taskFailed, 0
	case t.Waiting:
		return taskPending, 0
	}
	el := now.Sub(t.Start)
	switch {
	case el < s.cfg.QueueDuration:
		return taskQueueing, 1
	case el < s.cfg.QueueDuration+s.cfg.ProcessDuration:
		return taskProcessing, 0
	}
	return taskDone, 0
}

// taskEnd is when a task ended; zero while it has not.
func (s *Sandbox) taskEnd(t *taskRec, now time.Time) time.Time {
	switch st, _ := s.taskState(t, now); st {
	case taskStopped:
		return t.Stopped
	case taskDone:
		return t.Start.Add(s.cfg.QueueDuration + s.cfg.ProcessDuration)
	}
	return time.Time{}
}

// stopReconstruction stops the project's running task.
func (s *Sandbox) stopReconstruction(u *User, pid string) (*graph.Task, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.projectFor(u, pid)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	s.refreshLocked(p, now)
	t := s.latestTaskLocked(p)
	if t == nil {
		return nil, errorf(CodeBadInput, "the project has no reconstruction to stop")
	}
	if st, _ := s.taskState(t, now); !isActive(st) {
		return nil, errorf(CodeBadInput, "the project's reconstruction is %s already: there is nothing to stop", st)
	}
	t.Stopped = now
	t.Waiting = false
	s.changed()
	return s.taskView(t, now), nil
}

func (s *Sandbox) latestTaskLocked(p *projectRec) *taskRec {
	if len(p.Tasks) == 0 {
		return nil
	}
	return s.tasks[p.Tasks[len(p.Tasks)-1]]
}

func isActive(state string) bool {
	return state == taskPending || state == taskQueueing || state == taskProcessing
}

// imageCounts counts the project's images by how far they are.
func (s *Sandbox) imageCounts(p *projectRec) (ready, inflight, nonFinal int) {
	for _, id := range p.Images {
		st := s.images[id].State
		switch {
		case st == stateReady:
			ready++
		case inFlight(st):
			inflight++
		}
		if !isFinal(st) {
			nonFinal++
		}
	}
	return ready, inflight, nonFinal
}

func readyError(ready int) *graph.ReconstructionError {
	switch {
	case ready == 0:
		return errNoReadyImage.with("the project has no Ready image to reconstruct from")
	case ready < minReadyImages:
		return errTooFewImages.with(fmt.Sprintf("the project has %d Ready image(s); a reconstruction needs at least %d", ready, minReadyImages))
	}
	return nil
}

// reconstruct starts a reconstruction now, or (wait) once every image is
// final.
func (s *Sandbox) reconstruct(u *User, pid string, opts *graph.TaskOptionsInput, wait bool) *graph.ReconstructionResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	p, err := s.projectFor(u, pid)
	if err != nil {
		return &graph.ReconstructionResult{Error: errProjectNotFound.with(err.Error())}
	}
	s.refreshLocked(p, now)
	if t := s.latestTaskLocked(p); t != nil {
		if st, _ := s.taskState(t, now); isActive(st) {
			return &graph.ReconstructionResult{Error: errTaskRunning.with(fmt.Sprintf("a reconstruction of this project is already %s (task %s)", st, t.ID))}
		}
	}
	ready, inflight, nonFinal := s.imageCounts(p)
	typ := string(graph.TaskTypeNative)
	if opts != nil && opts.TaskType != nil {
		typ = string(*opts.TaskType)
	}
	t := &taskRec{ID: newID(now), PID: p.ID, Type: typ, Created: now}
	switch {
	case wait && nonFinal > 0:
		t.Waiting = true
	case inflight > 0:
		return &graph.ReconstructionResult{Error: errImagesNotValidated.with(
			fmt.Sprintf("%d image(s) are still being uploaded or validated; wait until they are Ready or Invalid, or use preStartReconstruction", inflight),
		)}
	default:
		if e := readyError(ready); e != nil {
			return &graph.ReconstructionResult{Error: e}
		}
		t.Start = now
		t.Images = ready
	}
	s.tasks[t.ID] = t
	p.Tasks = append(p.Tasks, t.ID)
	s.changed()
	return &graph.ReconstructionResult{Task: s.taskView(t, now)}
}

// imagesSettledLocked starts a waiting task once every image is final.
func (s *Sandbox) imagesSettledLocked(p *projectRec, now time.Time) {
	t := s.latestTaskLocked(p)
	if t == nil || !t.Waiting {
		return
	}
	ready, _, nonFinal := s.imageCounts(p)
	if nonFinal > 0 {
		return
	}
	t.Waiting = false
	if e := readyError(ready); e != nil {
		t.Failure = e.Message
	} else {
		t.Start = now
		t.Images = ready
	}
	s.changed()
}
