//go:build js && wasm

package browser

import (
	"encoding/json"
	"reflect"
	"sync"
	"syscall/js"
	"time"

	"altiup/wasm/upload"
)

// fileFields are the properties Stat reads of the Files with
// JSON.stringify, and nameField the one Pick checks: a property list makes
// stringify call the File's own getters, all files in one call into JS
// instead of several per file.
var (
	fileFields = js.ValueOf([]any{"name", "type", "webkitRelativePath", "size", "lastModified"})
	nameField  = js.ValueOf([]any{"name"})
	jsArray    = jsGlobal.Get("Array")
	// isBlob(x) is Blob.prototype.isPrototypeOf(x), x instanceof Blob, made
	// of built-ins (the page's CSP forbids evaluating code) for
	// Array.prototype.every.
	isBlob = jsGlobal.Get("Function").Get("prototype").Get("call").Call("bind",
		jsObject.Get("prototype").Get("isPrototypeOf"), jsBlob.Get("prototype"))
	jsIncludes = jsGlobal.Get("String").Get("prototype").Get("includes")
)

// The first read of the size of a file chosen by the person waits on the
// browser's process (0.15 ms to over 1 ms a file in Chromium, more on a busy
// machine, wherever it is read: posting the File to a Worker reads it on
// the main thread too): 10,000 files read in one go would hold the page's
// main thread for seconds. So Stat reads them in slices of about
// statSlice, statStep files a call into JS, and lets the page run between
// two slices. The time a size takes varies too much (five times as long
// while other files are read) to size a slice from the one before.
const (
	namesSlice = 1000
	statSlice  = 8 * time.Millisecond
	statStep   = 2
	statMax    = 2000 // files in a slice at most, when sizes are quick
)

// NewFiles wraps every entry of a FileList or an Array of Files, with
// their names, sizes and dates (Pick, then Stat); with pause, it lets the
// page run between two slices (and must then be called from a goroutine).
func NewFiles(list js.Value, pause bool) ([]*File, error) {
	p, err := Pick(list)
	if err != nil {
		return nil, err
	}
	p.Stat(pause, nil)
	return p.Files, nil
}

// Picked is the files of one add: checked by Pick, their names, sizes and
// dates read by Stat a slice at a time, so that the first can be on their
// way while the browser is still asked for the others'.
type Picked struct {
	arr   js.Value
	Files []*File
}

// Pick checks the entries of a FileList or an Array of Files, in a few
// calls into JS whatever their number: an entry that is not a File, or has
// no name, is an *upload.Error (invalid_input) that says which one, and no
// file is returned. Nothing of the files is read into Go yet (see Stat).
func Pick(list js.Value) (*Picked, error) {
	arr, err := CopyList(list)
	if err != nil {
		return nil, err
	}
	n := arr.Length()
	p := &Picked{arr: arr, Files: make([]*File, n)}
	if n == 0 {
		return p, nil
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
	// The names, as JSON text that stays in JS: an entry without one (a
	// Blob) is {} in it, an empty one "name":"" (a name's own quotes are
	// escaped, but it may hold {}: the names are then read to be sure).
	var nameless bool
	if err := catch(func() {
		text := jsJSON.Call("stringify", arr, nameField)
		nameless = jsIncludes.Call("call", text, "{}").Bool() || jsIncludes.Call("call", text, `"name":""`).Bool()
	}); err != nil {
		return nil, upload.Errorf(upload.CodeInvalidInput, "The files could not be read: %v", err)
	}
	if nameless {
		if err := findNameless(arr); err != nil {
			return nil, err
		}
	}
	for i := range p.Files {
		p.Files[i] = &File{list: arr, at: i}
	}
	return p, nil
}

// findNameless is the error of the first entry of arr without a name, or
// nil when every entry has one.
func findNameless(arr js.Value) error {
	n := arr.Length()
	for from := 0; from < n; from += namesSlice {
		to := min(from+namesSlice, n)
		var names []struct {
			Name string `json:"name"`
		}
		if err := stringifyInto(arr.Call("slice", from, to), nameField, &names, to-from); err != nil {
			return err
		}
		for i, m := range names {
			if m.Name == "" {
				return upload.Errorf(upload.CodeInvalidInput, "File %d of %d: The file has no name.", from+i+1, n)
			}
		}
	}
	return nil
}

// Stat reads the files' names, types, sizes and dates statStep files at a
// time, in slices of about statSlice (statMax files at most), and hands
// each slice to each (when not nil) once read, in order; each returns false
// to stop. With pause, it lets the page run before each slice (Yield): the
// first too, as the caller has just had the thread (Pick). A path set
// before (SetPath) stays. A file the browser cannot say anything
// of gets size 0, as the browser itself gives for a file gone since it was
// chosen.
func (p *Picked) Stat(pause bool, each func([]*File) bool) {
	defer statBegin()()
	n := len(p.Files)
	for from := 0; from < n; {
		if pause {
			Yield()
		}
		t0 := time.Now()
		to := from
		for to < n && to-from < statMax && (to == from || time.Since(t0) < statSlice) {
			next := min(to+statStep, n, from+statMax)
			p.statSlice(to, next)
			to = next
		}
		if each != nil && !each(p.Files[from:to]) {
			return
		}
		from = to
	}
}

// statting counts the Stats under way. While the browser is asked for
// sizes, reads of other files in the browser process (the head workers')
// make each size wait about five times as long (2 ms a file instead of 0.4
// here), so those reads wait for the sizes (statsOver).
var statting struct {
	mu   sync.Mutex
	n    int
	over chan struct{} // closed when n falls to 0
}

// statBegin counts a Stat in and returns the function that counts it out.
func statBegin() (end func()) {
	statting.mu.Lock()
	if statting.n == 0 {
		statting.over = make(chan struct{})
	}
	statting.n++
	statting.mu.Unlock()
	return func() {
		statting.mu.Lock()
		if statting.n--; statting.n == 0 {
			close(statting.over)
		}
		statting.mu.Unlock()
	}
}

// statsOver is closed once no Stat is under way.
func statsOver() <-chan struct{} {
	statting.mu.Lock()
	defer statting.mu.Unlock()
	if statting.n == 0 {
		return closedChan
	}
	return statting.over
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// fileInfo is what Stat reads of a File.
type fileInfo struct {
	Name         string  `json:"name"`
	Type         string  `json:"type"`
	Path         string  `json:"webkitRelativePath"`
	Size         float64 `json:"size"`
	LastModified float64 `json:"lastModified"`
}

// statSlice reads files [from, to), all in one call into JS, else one
// file at a time.
func (p *Picked) statSlice(from, to int) {
	var infos []fileInfo
	if stringifyInto(p.arr.Call("slice", from, to), fileFields, &infos, to-from) != nil {
		infos = make([]fileInfo, to-from)
		for i := range infos {
			v, m := p.arr.Index(from+i), &infos[i]
			_ = catch(func() {
				m.Name, m.Type, m.Path = v.Get("name").String(), v.Get("type").String(), v.Get("webkitRelativePath").String()
				m.Size, m.LastModified = v.Get("size").Float(), v.Get("lastModified").Float()
			})
		}
	}
	for i, m := range infos {
		f := p.Files[from+i]
		f.name, f.typ, f.size, f.modified = m.Name, m.Type, int64(m.Size), int64(m.LastModified)
		if f.path == "" {
			f.path = m.Path
		}
	}
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
