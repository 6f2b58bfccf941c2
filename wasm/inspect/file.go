package inspect

import (
	"cmp"
	"errors"
	"slices"

	"altiup/wasm/photometa"
)

// File is what is known of one file of a batch.
type File struct {
	// Index is the caller's number for the file (its place in the upload);
	// warnings name files by it.
	Index int
	Name  string
	Size  int64
	Meta  photometa.Meta
	// Err is photometa.Read's error: ErrNotImage or ErrUnreadable, or nil.
	Err error
}

// Read makes the File of src by reading its metadata.
func Read(index int, name string, src photometa.Source) File {
	m, err := photometa.Read(src)
	return File{Index: index, Name: name, Size: src.Size(), Meta: m, Err: err}
}

// image reports whether the file is a photo at all.
func (f *File) image() bool { return !errors.Is(f.Err, photometa.ErrNotImage) }

// readable reports whether its metadata was read.
func (f *File) readable() bool { return f.Err == nil }

// located reports whether it carries a real position: 0, 0 is what some
// cameras write when they have none.
func (f *File) located() bool {
	return f.readable() && f.Meta.HasGPS() && !f.zeroGPS()
}

func (f *File) zeroGPS() bool {
	return f.Meta.HasGPS() && *f.Meta.Lat == 0 && *f.Meta.Lon == 0
}

// pixels is what the service counts for an image: its pixels, and never fewer
// than 1920 × 1080 (also for an image whose size is unknown).
func (f *File) pixels() int64 {
	return max(int64(f.Meta.Width)*int64(f.Meta.Height), MinPixels)
}

// MinPixels is the least an image counts for in gigapixels.
const MinPixels = 2_073_600

// sortByIndex sorts s by the files' Index.
func sortByIndex[T any](s []T, index func(T) int) {
	slices.SortFunc(s, func(a, b T) int { return cmp.Compare(index(a), index(b)) })
}
