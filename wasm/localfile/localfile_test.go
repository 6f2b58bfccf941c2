package localfile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	jpeg = append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte("j"), 100)...)
	png  = []byte("\x89PNG\r\n\x1a\nrest")
	tiff = []byte("MM\x00*rest")
	pdf  = []byte("%PDF-1.4\n")
)

func write(t *testing.T, root string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestWalk(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string][]byte{
		"flight/b.JPG":            jpeg,
		"flight/a.png":            png,
		"flight/sub/c.tif":        tiff,
		"flight/report.jpg":       pdf,
		"flight/empty.jpg":        nil,
		"flight/.hidden.jpg":      jpeg,
		"flight/.thumbs/t.jpg":    jpeg,
		"other/DJI_0001.JPG":      jpeg,
		"flight/noext":            jpeg,
		"loose/named-as-text.txt": jpeg,
		"loose/not-an-image.jpg":  pdf,
	})
	files, skipped, err := Walk([]string{
		filepath.Join(dir, "flight"),
		filepath.Join(dir, "loose", "not-an-image.jpg"), // named: taken, the upload refuses it
		filepath.Join(dir, "other") + string(filepath.Separator),
		filepath.Join(dir, "flight", "b.JPG"), // again: once
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Path())
	}
	want := []string{"flight/a.png", "flight/b.JPG", "flight/noext", "flight/sub/c.tif", "not-an-image.jpg", "other/DJI_0001.JPG"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("files %q, want %q", got, want)
	}
	var why []string
	for _, s := range skipped {
		why = append(why, s.Path+": "+s.Reason)
	}
	wantWhy := []string{
		"flight/empty.jpg: it is not a JPEG, PNG or TIFF image",
		"flight/report.jpg: it is not a JPEG, PNG or TIFF image",
	}
	if !reflect.DeepEqual(why, wantWhy) {
		t.Fatalf("skipped %q, want %q", why, wantWhy)
	}
	if f := files[1]; f.Name() != "b.JPG" || f.Size() != int64(len(jpeg)) || f.Type() != "image/jpeg" {
		t.Fatalf("b.JPG: %q %d %q", f.Name(), f.Size(), f.Type())
	}
}

func TestWalkErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, root, want string }{
		{"missing", filepath.Join(dir, "nope"), "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Walk([]string{tc.root})
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Count(err.Error(), tc.root) != 1 {
				t.Fatalf("Walk(%q): %v", tc.root, err)
			}
		})
	}
}

// TestIdentity: the journal tells files apart by path, size and time.
func TestIdentity(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string][]byte{"a/DJI_0001.JPG": jpeg, "b/DJI_0001.JPG": jpeg})
	stat := func(rel string) *File {
		f, err := Stat(filepath.Join(dir, filepath.FromSlash(rel)), rel)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	a := stat("a/DJI_0001.JPG")
	if a.Identity() != stat("a/DJI_0001.JPG").Identity() {
		t.Fatal("one file, two identities")
	}
	if a.Identity() == stat("b/DJI_0001.JPG").Identity() {
		t.Fatal("two folders' files of one name share an identity")
	}
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "a", "DJI_0001.JPG"), later, later); err != nil {
		t.Fatal(err)
	}
	if a.Identity() == stat("a/DJI_0001.JPG").Identity() {
		t.Fatal("a touched file kept its identity")
	}
}

// TestReadsKeepFewFilesOpen reads more files than MaxOpen from many
// goroutines: every read is right and at most MaxOpen stay open.
func TestReadsKeepFewFilesOpen(t *testing.T) {
	dir := t.TempDir()
	var files []*File
	for i := range MaxOpen + 20 {
		name := fmt.Sprintf("f%03d.jpg", i)
		write(t, dir, map[string][]byte{name: []byte(fmt.Sprintf("content of file %03d", i))})
		f, err := Stat(filepath.Join(dir, name), name)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := range 3 {
				for i := range files {
					f := files[(i+w*7+round)%len(files)]
					b := make([]byte, 3)
					if _, err := f.ReadAt(b, 16); err != nil {
						t.Error(err)
						return
					}
					if want := strings.TrimSuffix(f.Name(), ".jpg")[1:]; string(b) != want {
						t.Errorf("%s: read %q, want %q", f.Name(), b, want)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if n := openCount(); n > MaxOpen {
		t.Fatalf("%d files open", n)
	}
}

func TestChangedFileIsRefused(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string][]byte{"a.jpg": jpeg})
	f, err := Stat(filepath.Join(dir, "a.jpg"), "a.jpg")
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, map[string][]byte{"a.jpg": append(jpeg, 'x')})
	if _, err := f.ReadAt(make([]byte, 4), 0); err == nil || !strings.Contains(err.Error(), "changed") {
		t.Fatalf("a grown file: %v", err)
	}
}

func TestIsImage(t *testing.T) {
	for _, tc := range []struct {
		head []byte
		want bool
	}{{jpeg[:3], true}, {png, true}, {tiff, true}, {[]byte("II*\x00"), true}, {pdf, false}, {jpeg[:2], false}, {nil, false}} {
		if got := IsImage(tc.head); got != tc.want {
			t.Errorf("IsImage(%q) = %v", tc.head, got)
		}
	}
}
