//go:build js && wasm

package main

import (
	"bytes"
	"context"
	"math"
	"sync"
	"syscall/js"
	"time"

	"altiup/wasm/browser"
	"altiup/wasm/inspect"
	"altiup/wasm/upload"
)

// headStartDelay is how long after create the head workers start on their
// own: an add right after create reads its files' sizes first, with no
// worker loading (see browser.HeadPool.StartIdle); a person who picks
// files later finds them ready.
const headStartDelay = time.Second

// headWorkers is the pool of workers every uploader of the page shares to
// read the first bytes of added files (their metadata), started from
// head-worker.js next to altiup.js; nil when the program was not loaded by
// altiup.js (each file is then read on the page).
var headWorkers = sync.OnceValue(func() *browser.HeadPool {
	if url := besideLoader("head-worker.js"); url != "" {
		return browser.NewHeadPool(url, browser.HeadWorkers)
	}
	return nil
})

// inspect() → Promise of the batch's summary (the core's inspect.Summary),
// once the adds called before it are over; it may be called again after
// more adds.
func inspectBatch(s *instance, _ js.Value, _ []js.Value) any {
	return s.afterAdds(func(ctx context.Context) (any, error) { return s.up.Inspect(ctx) })
}

// exportPositions('csv' | 'geojson') → Promise of the text of the batch's
// positions (inspect.WriteCSV or inspect.GeoJSON, as altiup check writes
// them), once the adds called before it are over; photos without GPS and
// those left out are not in it.
func exportPositions(s *instance, _ js.Value, args []js.Value) any {
	format := ""
	if len(args) > 0 && args[0].Type() == js.TypeString {
		format = args[0].String()
	}
	if format != "csv" && format != "geojson" {
		return browser.Reject(upload.Errorf(upload.CodeInvalidInput, "exportPositions(format) takes 'csv' or 'geojson'."))
	}
	return s.afterAdds(func(ctx context.Context) (any, error) {
		ps, err := s.up.Positions(ctx)
		if err != nil {
			return nil, err
		}
		if format == "geojson" {
			b, err := inspect.GeoJSON(ps)
			return string(b), err
		}
		var b bytes.Buffer
		err = inspect.WriteCSV(&b, ps)
		return b.String(), err
	})
}

// exclude(...indexes) and include(...indexes) → Promise, once the adds
// called before them are over: files left out of the batch (before start)
// or taken back in. Each argument is an index or an array of indexes.
func editIndexes(include bool) func(s *instance, this js.Value, args []js.Value) any {
	return func(s *instance, _ js.Value, args []js.Value) any {
		indexes, err := readIndexes(args)
		if err != nil {
			return browser.Reject(err)
		}
		adds := s.addsCalled()
		return browser.NewPromise(func() (any, error) {
			<-adds
			if include {
				return nil, s.up.Include(indexes...)
			}
			return nil, s.up.Exclude(indexes...)
		})
	}
}

// readIndexes flattens exclude's and include's arguments.
func readIndexes(args []js.Value) ([]int, error) {
	var out []int
	var one func(v js.Value, nested bool) error
	one = func(v js.Value, nested bool) error {
		switch {
		case v.Type() == js.TypeNumber:
			f := v.Float()
			if f < 0 || f != math.Trunc(f) || f > math.MaxInt32 {
				return upload.Errorf(upload.CodeInvalidInput, "A file's index must be a whole number from 0, not %v.", f)
			}
			out = append(out, int(f))
		case !nested && v.Type() == js.TypeObject && js.Global().Get("Array").Call("isArray", v).Bool():
			for i := range v.Length() {
				if err := one(v.Index(i), true); err != nil {
					return err
				}
			}
		default:
			return upload.Errorf(upload.CodeInvalidInput, "Give the files by their indexes: numbers, or arrays of numbers.")
		}
		return nil
	}
	for _, a := range args {
		if err := one(a, false); err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, upload.Errorf(upload.CodeInvalidInput, "Give the index of at least one file.")
	}
	return out, nil
}

// replace(index, file, {path}) → Promise: file (a File) takes the place of
// file index, which has not been sent or ended Invalid; path, as add's
// paths, defaults to the File's webkitRelativePath or name.
func replace(s *instance, _ js.Value, args []js.Value) any {
	if len(args) < 2 {
		return browser.Reject(upload.Errorf(upload.CodeInvalidInput, "replace(index, file) takes the file's index and a File."))
	}
	idx, err := readIndexes(args[:1])
	if err != nil || args[0].Type() != js.TypeNumber {
		return browser.Reject(upload.Errorf(upload.CodeInvalidInput, "replace(index, file) takes the file's index as a whole number from 0."))
	}
	f, err := browser.NewFile(args[1])
	if err != nil {
		return browser.Reject(err)
	}
	if len(args) > 2 && args[2].Type() == js.TypeObject {
		switch p := args[2].Get("path"); p.Type() {
		case js.TypeString:
			f.SetPath(p.String())
		case js.TypeUndefined, js.TypeNull:
		default:
			return browser.Reject(upload.Errorf(upload.CodeInvalidInput, "replace(index, file, {path}) takes the path as text."))
		}
	} else if len(args) > 2 && args[2].Type() != js.TypeUndefined && args[2].Type() != js.TypeNull {
		return browser.Reject(upload.Errorf(upload.CodeInvalidInput, "replace(index, file, options) takes its options as an object such as {path}."))
	}
	adds := s.addsCalled()
	return browser.NewPromise(func() (any, error) {
		<-adds
		return nil, s.up.Replace(idx[0], f)
	})
}
