package main

import (
	"os"
	"testing"

	"altiup/wasm/inspect"
	"altiup/wasm/photometa"
)

// diskFile is a file on disk as photometa reads it.
type diskFile struct {
	*os.File
	size int64
}

func (f diskFile) Size() int64 { return f.size }

func TestMakePhotos(t *testing.T) {
	set, err := makePhotos(t.TempDir(), inspectFiles, inspectSize)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.paths) != inspectFiles {
		t.Fatalf("%d photos, want %d", len(set.paths), inspectFiles)
	}
	times := map[string]string{}
	for _, p := range set.paths {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() != inspectSize {
			t.Fatalf("%s: %d bytes, want %d", p, fi.Size(), inspectSize)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		m, err := photometa.Read(diskFile{f, fi.Size()})
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if m.Make == "" || m.Time == "" || !m.HasGPS() {
			t.Fatalf("%s: camera %q, time %q, GPS %v: want all three", p, m.Make, m.Time, m.HasGPS())
		}
		if m.BytesRead > photometa.MaxRead {
			t.Fatalf("%s: %d bytes read for the metadata", p, m.BytesRead)
		}
		if was, ok := times[m.Time]; ok {
			t.Fatalf("%s and %s were both taken at %s", was, p, m.Time)
		}
		times[m.Time] = p
	}
}

func TestCheckSummary(t *testing.T) {
	dup := []inspect.Warning{{Code: inspect.DuplicateContent, Files: []int{3}}}
	other := []inspect.Warning{{Code: "mixed_cameras", Files: []int{3}}}
	for _, tc := range []struct {
		name string
		s    inspect.Summary
		ok   bool
	}{
		{"right", inspect.Summary{Files: 5, WithGPS: 5}, true},
		{"another warning", inspect.Summary{Files: 5, WithGPS: 5, Warnings: other}, true},
		{"files missing", inspect.Summary{Files: 4, WithGPS: 4}, false},
		{"no GPS", inspect.Summary{Files: 5, WithGPS: 3}, false},
		{"duplicates", inspect.Summary{Files: 5, WithGPS: 5, Warnings: dup}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := checkSummary(tc.s, 5); (err == nil) != tc.ok {
				t.Errorf("checkSummary = %v, want ok %v", err, tc.ok)
			}
		})
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 10000: "10,000", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
