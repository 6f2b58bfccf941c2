//go:build js && wasm

package browser

import (
	"encoding/json"
	"reflect"
	"syscall/js"
	"time"

	"altiup/wasm/upload"
)

// nameFields and statFields are the properties NewFiles reads of the Files
// with JSON.stringify: a property list makes stringify call the File's own
// getters, all files in one call into JS instead of several per file.
var (
	nameFields = js.ValueOf([]any{"name", "type", "webkitRelativePath"})
	statFields = js.ValueOf([]any{"size", "lastModified"})
	jsArray    = jsGlobal.Get("Array")
	// isBlob(x) is Blob.prototype.isPrototypeOf(x), x instanceof Blob, made
	// of built-ins (the page's CSP forbids evaluating code) for
	// Array.prototype.every.
	isBlob = jsGlobal.Get("Function").Get("prototype").Get("call").Call("bind",
		jsObject.Get("prototype").Get("isPrototypeOf"), jsBlob.Get("prototype"))
)

// The first read of the size of a file chosen by the person waits on the
// browser's process (0.15 ms to over 1 ms a file in Chromium, more on a busy
// machine, wherever it is read, a Worker's postMessage included): 10,000
// files read in one go would hold the page's main thread for seconds. So
// NewFiles reads them in slices sized to take about statSlice each,
// starting with statFirst files.
const (
	namesSlice = 1000
	statSlice  = 10 * time.Millisecond
	statFirst  = 16
	statMax    = 2000
)

// NewFiles wraps every entry of a FileList or an Array of Files. It checks
// the entries and reads the names first, then the sizes and dates in
// slices of about statSlice each; with pause, it lets the page run between
// two slices (and must then be called from a goroutine). An entry that is
// not a File is an *upload.Error (invalid_input) that says which one, and
// no file is returned.
func NewFiles(list js.Value, pause bool) ([]*File, error) {
	arr, err := CopyList(list)
	if err != nil {
		return nil, err
	}
	n := arr.Length()
	out := make([]*File, n)
	if n == 0 {
		return out, nil
	}
	// Every entry checked in one call; the one at fault looked for only
	// when there is one.
	if !arr.Call("every", isBlob).Bool() {
		for i := range n {
			if v := arr.Index(i); v.Type() != js.TypeObject || !v.InstanceOf(jsBlob) {
				return nil, upload.Errorf(upload.CodeInvalidInput, "File %d of %d: Expected a File, got a %s.", i+1, n, describe(v))
			}
		}
	}
	for i := range out {
		out[i] = &File{list: arr, at: i}
	}
	// Names in slices too: reading and decoding 10,000 at once would be
	// one long task.
	for from := 0; from < n; from += namesSlice {
		if pause && from > 0 {
			time.Sleep(time.Millisecond)
		}
		to := min(from+namesSlice, n)
		var names []struct {
			Name string `json:"name"`
			Type string `json:"type"`
			Path string `json:"webkitRelativePath"`
		}
		if err := stringifyInto(arr.Call("slice", from, to), nameFields, &names, to-from); err != nil {
			return nil, err
		}
		for i, m := range names {
			if m.Name == "" {
				return nil, upload.Errorf(upload.CodeInvalidInput, "File %d of %d: The file has no name.", from+i+1, n)
			}
			f := out[from+i]
			f.name, f.typ, f.path = m.Name, m.Type, m.Path
		}
	}
	chunk := statFirst
	for from := 0; from < n; {
		if pause && from > 0 {
			// A timer, so the page gets a task of its own.
			time.Sleep(time.Millisecond)
		}
		to := min(from+chunk, n)
		t0 := time.Now()
		var stats []struct {
			Size         float64 `json:"size"`
			LastModified float64 `json:"lastModified"`
		}
		if err := stringifyInto(arr.Call("slice", from, to), statFields, &stats, to-from); err != nil {
			return nil, err
		}
		for i, m := range stats {
			out[from+i].size, out[from+i].modified = int64(m.Size), int64(m.LastModified)
		}
		// The next slice: as many files as took about statSlice here.
		perFile := time.Since(t0) / time.Duration(to-from)
		chunk = statMax
		if perFile > 0 {
			chunk = max(1, min(statMax, int(statSlice/perFile)))
		}
		from = to
	}
	return out, nil
}

// CopyList is Array.from(list): a FileList or Array as it is now (a file
// input clears its FileList in place), or an invalid_input error.
func CopyList(list js.Value) (js.Value, error) {
	var arr js.Value
	if err := catch(func() { arr = jsArray.Call("from", list) }); err != nil {
		return js.Value{}, upload.Errorf(upload.CodeInvalidInput, "The files could not be listed: %v", err)
	}
	return arr, nil
}

// stringifyInto reads the fields of the n entries of arr into out.
func stringifyInto(arr, fields js.Value, out any, n int) error {
	var text string
	if err := catch(func() { text = jsJSON.Call("stringify", arr, fields).String() }); err != nil {
		return upload.Errorf(upload.CodeInvalidInput, "The files could not be read: %v", err)
	}
	if err := json.Unmarshal([]byte(text), out); err != nil || reflect.ValueOf(out).Elem().Len() != n {
		return upload.Errorf(upload.CodeInternal, "The files' names and sizes could not be read.")
	}
	return nil
}
