//go:build js && wasm

package browser

import (
	"encoding/json"
	"syscall/js"

	"altiup/wasm/upload"
)

// fileFields are the properties NewFiles reads of every File in one
// JSON.stringify: a property list makes stringify call the File's own getters.
var (
	fileFields = js.ValueOf([]any{"name", "size", "type", "lastModified"})
	jsArray    = jsGlobal.Get("Array")
)

// NewFiles wraps every entry of a FileList or an Array of Files. It reads
// the names, sizes, types and dates of all of them in one call into JS
// instead of several per file, which is what made adding thousands of files
// slow. An entry that is not a File is an *upload.Error (invalid_input) that
// says which one, and no file is returned.
func NewFiles(list js.Value) ([]*File, error) {
	var arr js.Value
	if err := catch(func() { arr = jsArray.Call("from", list) }); err != nil {
		return nil, upload.Errorf(upload.CodeInvalidInput, "The files could not be listed: %v", err)
	}
	n := arr.Length()
	out := make([]*File, n)
	for i := range n {
		v := arr.Index(i)
		if v.Type() != js.TypeObject || !v.InstanceOf(jsBlob) {
			return nil, upload.Errorf(upload.CodeInvalidInput, "File %d of %d: Expected a File, got a %s.", i+1, n, describe(v))
		}
		out[i] = &File{blob: v}
	}
	if n == 0 {
		return out, nil
	}
	var text string
	if err := catch(func() { text = jsJSON.Call("stringify", arr, fileFields).String() }); err != nil {
		return nil, upload.Errorf(upload.CodeInvalidInput, "The files could not be read: %v", err)
	}
	var meta []struct {
		Name         string  `json:"name"`
		Size         float64 `json:"size"`
		Type         string  `json:"type"`
		LastModified float64 `json:"lastModified"`
	}
	if err := json.Unmarshal([]byte(text), &meta); err != nil || len(meta) != n {
		return nil, upload.Errorf(upload.CodeInternal, "The files' names and sizes could not be read.")
	}
	for i, m := range meta {
		if m.Name == "" {
			return nil, upload.Errorf(upload.CodeInvalidInput, "File %d of %d: The file has no name.", i+1, n)
		}
		f := out[i]
		f.name, f.size, f.typ, f.modified = m.Name, int64(m.Size), m.Type, int64(m.LastModified)
	}
	return out, nil
}
