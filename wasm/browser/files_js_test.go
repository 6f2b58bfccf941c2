//go:build js && wasm

package browser

import (
	"strconv"
	"strings"
	"syscall/js"
	"testing"

	"altiup/wasm/upload"
)

func TestNewFiles(t *testing.T) {
	opts := jsObject.New()
	opts.Set("type", "image/jpeg")
	opts.Set("lastModified", 1700000000123)
	a := jsGlobal.Get("File").New(jsGlobal.Get("Array").New("abcd"), "a.jpg", opts)
	b := jsGlobal.Get("File").New(jsGlobal.Get("Array").New("x"), "b.png", jsObject.New())
	blob := jsBlob.New(jsGlobal.Get("Array").New("zz"))
	list := func(v ...any) js.Value { return jsGlobal.Get("Array").New(v...) }

	// More files than the first slice, and than the largest: sizes read
	// in several pieces.
	var many []any
	for range statMax + 1 {
		many = append(many, a, b)
	}
	for _, tt := range []struct {
		name  string
		list  js.Value
		pause bool
	}{
		{"two", list(a, b), false},
		{"two, pausing", list(a, b), true},
		{"many", list(many...), false},
		{"many, pausing", list(many...), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewFiles(tt.list, tt.pause)
			if err != nil || len(got) != tt.list.Length() {
				t.Fatalf("%d files, %v", len(got), err)
			}
			for i := 0; i < len(got); i += 2 {
				if f := got[i]; f.Name() != "a.jpg" || f.Size() != 4 || f.Type() != "image/jpeg" || f.modified != 1700000000123 || !f.Blob().Equal(a) {
					t.Fatalf("a.jpg read as %+v", f)
				}
				if f := got[i+1]; f.Name() != "b.png" || f.Size() != 1 || f.Type() != "" || f.modified == 0 {
					t.Fatalf("b.png read as %+v", f)
				}
			}
		})
	}
	if got, err := NewFiles(list(), true); err != nil || len(got) != 0 {
		t.Errorf("empty list: %v, %v", got, err)
	}
	for _, tt := range []struct {
		name  string
		list  js.Value
		words string
	}{
		{"a name", list(a, "b.jpg"), "File 2 of 2: Expected a File, got a string"},
		{"a Blob without a name", list(blob), "File 1 of 1: The file has no name."},
		{"an empty name", list(a, jsGlobal.Get("File").New(list(), "")), "File 2 of 2: The file has no name."},
		{"a plain object", list(a, a, jsObject.New()), "File 3 of 3: Expected a File, got a Object"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewFiles(tt.list, true)
			e := upload.AsError(err)
			if got != nil || e == nil || e.Code != upload.CodeInvalidInput || !strings.Contains(e.Message, tt.words) {
				t.Fatalf("%v, %v; want %q", got, err, tt.words)
			}
		})
	}
}

// TestPickThenStat: Pick checks the files and reads nothing of them (a name
// holding {} is a name); Stat then hands them over in order, slice by
// slice, each named and sized, keeps a path set before, and stops when
// told.
func TestPickThenStat(t *testing.T) {
	mk := func(name string) js.Value {
		return jsGlobal.Get("File").New(jsGlobal.Get("Array").New("abc"), name, ParseJSON([]byte(`{"lastModified":1700000000000}`)))
	}
	arr := jsGlobal.Get("Array").New(mk("a{}.jpg"))
	for i := range statMax + 1 {
		arr.Call("push", mk("p"+strconv.Itoa(i)+".jpg"))
	}
	for _, tt := range []struct {
		name   string
		stopAt int // the slice after which each says stop; -1 for none
	}{
		{"every slice", -1},
		{"stopped after the first slice", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Pick(arr)
			if err != nil || len(p.Files) != arr.Length() {
				t.Fatalf("Pick: %v", err)
			}
			if p.Files[0].Name() != "" || p.Files[0].Size() != 0 {
				t.Fatalf("Pick read the first file: %+v", p.Files[0])
			}
			p.Files[1].SetPath("north/p0.jpg")
			var slices, seen, first int
			p.Stat(true, func(files []*File) bool {
				if slices == 0 {
					first = len(files)
				}
				for _, f := range files {
					if f != p.Files[seen] || f.Size() != 3 || f.modified != 1700000000000 {
						t.Fatalf("file %d handed over as %+v", seen, f)
					}
					seen++
				}
				slices++
				return slices-1 != tt.stopAt
			})
			if tt.stopAt >= 0 && (slices != tt.stopAt+1 || seen != first || first == len(p.Files)) {
				t.Fatalf("%d slices, %d files after a stop", slices, seen)
			}
			if tt.stopAt < 0 && (slices < 2 || seen != len(p.Files)) {
				t.Fatalf("%d slices, %d files of %d", slices, seen, len(p.Files))
			}
			if p.Files[0].Name() != "a{}.jpg" || p.Files[1].Path() != "north/p0.jpg" || p.Files[2].Path() != "p1.jpg" {
				t.Fatalf("names and paths %q %q %q", p.Files[0].Name(), p.Files[1].Path(), p.Files[2].Path())
			}
		})
	}
}

// TestFilePaths: a file's path is its webkitRelativePath (a folder pick),
// or the path given, or its name; two files of one name, size and time in
// two folders have two identities, so the journal keeps them apart.
func TestFilePaths(t *testing.T) {
	opts := jsObject.New()
	opts.Set("lastModified", 1700000000000)
	mk := func(relative string) js.Value {
		f := jsGlobal.Get("File").New(jsGlobal.Get("Array").New("abc"), "DJI_0001.JPG", opts)
		if relative != "" {
			// What a folder pick sets; a File made here has "".
			jsObject.Call("defineProperty", f, "webkitRelativePath", map[string]any{"value": relative})
		}
		return f
	}
	files, err := NewFiles(jsGlobal.Get("Array").New(mk("north/DJI_0001.JPG"), mk("south/DJI_0001.JPG"), mk("")), false)
	if err != nil {
		t.Fatal(err)
	}
	one, err := NewFile(mk("north/DJI_0001.JPG"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    *File
		path string
		set  string
	}{
		{"from a folder", files[0], "north/DJI_0001.JPG", ""},
		{"from another folder", files[1], "south/DJI_0001.JPG", ""},
		{"alone", files[2], "DJI_0001.JPG", ""},
		{"from a folder, one File", one, "north/DJI_0001.JPG", ""},
		{"given a path", &File{name: "DJI_0001.JPG", size: 3, modified: 1700000000000}, "east/DJI_0001.JPG", "east/DJI_0001.JPG"},
	}
	seen := map[string]string{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.set != "" {
				tt.f.SetPath(tt.set)
			}
			if got := tt.f.Path(); got != tt.path {
				t.Fatalf("Path() = %q, want %q", got, tt.path)
			}
			id := tt.f.Identity()
			if other, ok := seen[id]; ok && other != tt.path {
				t.Fatalf("%s and %s share an identity", other, tt.path)
			}
			seen[id] = tt.path
		})
	}
	if files[0].Identity() != one.Identity() {
		t.Error("one file read two ways has two identities")
	}
}
