//go:build js && wasm

package main

import (
	"context"
	"syscall/js"

	"altiup/wasm/browser"
	"altiup/wasm/upload"
)

// waitProcessed() → Promise of {ready, invalid, invalidFiles, …}.
func waitProcessed(s *instance, _ js.Value, _ []js.Value) any {
	return s.afterAdds(func(ctx context.Context) (any, error) { return s.up.WaitProcessed(ctx) })
}

// afterAdds → Promise of fn's result as JSON, fn run once the adds called
// before are over (or the uploader's context ended) and its events
// delivered before the promise settles.
func (s *instance) afterAdds(fn func(ctx context.Context) (any, error)) js.Value {
	ctx := s.context()
	adds := s.addsCalled()
	return browser.NewPromise(func() (any, error) {
		select {
		case <-adds:
		case <-ctx.Done():
		}
		v, err := fn(ctx)
		s.events.Flush()
		if err != nil {
			return nil, err
		}
		return toJS(v)
	})
}

// reconstruct makes startReconstruction / preStartReconstruction({taskType})
// → Promise of {task, error}; a refusal by the service is in error, in words.
func reconstruct(pre bool) func(s *instance, this js.Value, args []js.Value) any {
	return func(s *instance, _ js.Value, args []js.Value) any {
		taskType := ""
		if len(args) > 0 && args[0].Type() == js.TypeObject {
			switch t := args[0].Get("taskType"); t.Type() {
			case js.TypeString:
				taskType = t.String()
			case js.TypeUndefined, js.TypeNull:
			default:
				return browser.Reject(upload.Errorf(upload.CodeInvalidInput, "taskType must be text such as Native or Dense."))
			}
		} else if len(args) > 0 && args[0].Type() != js.TypeUndefined {
			return browser.Reject(upload.Errorf(upload.CodeInvalidInput, "The reconstruction options must be an object such as {taskType: 'Native'}."))
		}
		ctx := s.context()
		return browser.NewPromise(func() (any, error) {
			res, err := s.up.StartReconstruction(ctx, taskType, pre)
			if err != nil {
				return nil, err
			}
			return toJS(res)
		})
	}
}

// task() → Promise of the project's latest reconstruction task,
// {id, taskType, state, queueing, startDate?, error?}, or null.
func task(s *instance, _ js.Value, _ []js.Value) any {
	ctx := s.context()
	return browser.NewPromise(func() (any, error) {
		t, err := s.api.Task(ctx, s.project)
		if err != nil {
			return nil, err
		}
		return toJS(t)
	})
}
