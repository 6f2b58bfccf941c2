//go:build js && wasm

package main

import (
	"encoding/json"
	"syscall/js"

	"altiup/wasm/browser"
	"altiup/wasm/upload"
)

// add(files, {paths}) takes a File[], a FileList or one File and returns a
// Promise of how many files were added; any entry that is not a File
// rejects it with invalid_input and adds none. paths[i], when given, is the
// relative path of files[i] inside what the person chose (a dropped
// folder's path); the default is the File's webkitRelativePath, or its
// name. File events carry the path, and the journal tells files apart by it.
//
// The list is copied at once (a file input clears its FileList in place).
// The promise resolves once the files are checked; they then enter the
// uploader in order, a slice at a time as the browser gives their names
// and sizes (see browser.Picked.Stat), each with its 'queued' event, the
// page let run in between. Adds are done one after the other on
// goroutines; a run (start()) does not end before the files of the adds
// called before it are in (upload.Uploader.Adding), and waitProcessed(),
// inspect() and the edits wait for those adds to be over.
func add(s *instance, _ js.Value, args []js.Value) any {
	var list js.Value
	if len(args) > 0 {
		list = args[0]
	}
	var arr js.Value
	switch {
	case list.Type() == js.TypeObject && list.InstanceOf(js.Global().Get("Blob")):
		arr = js.Global().Get("Array").New(list)
	case list.Type() == js.TypeObject && list.Get("length").Type() == js.TypeNumber:
		var err error
		if arr, err = browser.CopyList(list); err != nil {
			return browser.Reject(err)
		}
	default:
		return browser.Reject(upload.Errorf(upload.CodeInvalidInput, "add(files) takes the files of a file input (a FileList) or an array of File objects."))
	}
	var opts js.Value
	if len(args) > 1 {
		opts = args[1]
	}
	paths, err := readPaths(opts, arr.Length())
	if err != nil {
		return browser.Reject(err)
	}
	prev, done := s.queueAdd()
	in := s.up.Adding()
	checked := make(chan error, 1)
	go func() {
		defer close(done)
		defer in()
		// Checked at once; in the uploader after the adds called before.
		picked, err := browser.Pick(arr)
		checked <- err
		<-prev
		if err != nil {
			return
		}
		for i, f := range picked.Files {
			if paths != nil && paths[i] != "" {
				f.SetPath(paths[i])
			}
		}
		picked.Stat(true, func(files []*browser.File) bool {
			srcs := make([]upload.Source, len(files))
			for i, f := range files {
				srcs[i] = f
			}
			s.up.Add(srcs...)
			return !s.disposed()
		})
	}()
	n := arr.Length()
	return browser.NewPromise(func() (any, error) {
		if err := <-checked; err != nil {
			return nil, err
		}
		return n, nil
	})
}

// readPaths reads add's {paths}: nil when not given, else one path (or
// null for the default) per file.
func readPaths(opts js.Value, n int) ([]string, error) {
	switch opts.Type() {
	case js.TypeUndefined, js.TypeNull:
		return nil, nil
	case js.TypeObject:
	default:
		return nil, upload.Errorf(upload.CodeInvalidInput, "add(files, options) takes its options as an object such as {paths}.")
	}
	list := opts.Get("paths")
	switch {
	case list.Type() == js.TypeUndefined || list.Type() == js.TypeNull:
		return nil, nil
	case !js.Global().Get("Array").Call("isArray", list).Bool() || list.Length() != n:
		return nil, upload.Errorf(upload.CodeInvalidInput, "paths must be an array of one path per file (%d).", n)
	}
	text, err := browser.StringifyJSON(list)
	var raw []*string
	if err != nil || json.Unmarshal([]byte(text), &raw) != nil || len(raw) != n {
		return nil, upload.Errorf(upload.CodeInvalidInput, "paths must be text, one per file.")
	}
	paths := make([]string, n)
	for i, p := range raw {
		if p != nil {
			paths[i] = *p
		}
	}
	return paths, nil
}

// queueAdd puts an add in line: it may go once prev is closed, and closes
// done when it is over.
func (s *instance) queueAdd() (prev <-chan struct{}, done chan struct{}) {
	done = make(chan struct{})
	s.mu.Lock()
	prev = s.lastAdd
	s.lastAdd = done
	s.mu.Unlock()
	return prev, done
}

// addsCalled is closed once every add called so far is over.
func (s *instance) addsCalled() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastAdd
}
