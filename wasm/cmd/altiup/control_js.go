//go:build js && wasm

package main

import (
	"context"
	"syscall/js"

	"altiup/wasm/browser"
	"altiup/wasm/upload"
)

// start() → Promise of the report. A failure of the whole batch (no bucket,
// for instance) rejects with {code, message, report}. It starts at once,
// with the files already in: those of the adds called before it join the
// run as they come, and the report covers them (see add).
func start(s *instance, _ js.Value, _ []js.Value) any {
	startHashWorkers()
	return browser.NewPromise(func() (any, error) {
		rep, err := s.up.Start(context.Background())
		s.events.Flush()
		if err != nil {
			return nil, &batchError{err: err, report: rep}
		}
		return toJS(rep)
	})
}

// batchError carries the report along with a batch failure.
type batchError struct {
	err    error
	report upload.Report
}

func (e *batchError) Error() string { return e.err.Error() }
func (e *batchError) Unwrap() error { return e.err }

// ErrorFields adds the report to the rejection value.
func (e *batchError) ErrorFields() map[string]any {
	rep, err := toJS(e.report)
	if err != nil {
		return nil
	}
	return map[string]any{"report": rep}
}

func pause(s *instance, _ js.Value, _ []js.Value) any {
	s.up.Pause()
	return nil
}

func resume(s *instance, _ js.Value, _ []js.Value) any {
	s.up.Resume()
	return nil
}

// cancel() stops the batch and ends the calls that wait on the uploader's
// context; later calls get a new one.
func cancel(s *instance, _ js.Value, _ []js.Value) any {
	s.up.Cancel()
	s.mu.Lock()
	s.stop()
	s.ctx, s.stop = context.WithCancel(context.Background())
	s.mu.Unlock()
	return nil
}
