package inspect

import (
	"cmp"
	"slices"
	"time"
)

// Summary is the batch summary the page shows before the upload; its JSON
// is that of inspect() in the JS API.
type Summary struct {
	Files      int     `json:"files"`
	Images     int     `json:"images"` // files that are JPEG, PNG or TIFF
	Bytes      int64   `json:"bytes"`
	Gigapixels float64 `json:"gigapixels"`
	// Cameras are the images whose metadata was read, by camera and size,
	// the most common first.
	Cameras []Camera `json:"cameras"`
	// WithGPS counts the images with a real position; WithoutGPS the other
	// images (no position, 0, 0, or unreadable metadata).
	WithGPS    int     `json:"withGPS"`
	WithoutGPS int     `json:"withoutGPS"`
	Bounds     *Bounds `json:"bounds"`
	// SpanMeters is the length of the bounds' diagonal.
	SpanMeters float64 `json:"spanMeters"`
	// CapturedFrom and CapturedTo are the earliest and latest capture times,
	// as the photos give them (photometa.Meta.Time).
	CapturedFrom *string   `json:"capturedFrom"`
	CapturedTo   *string   `json:"capturedTo"`
	Warnings     []Warning `json:"warnings"`
	// Cost is set by the caller (Price); nil when unknown.
	Cost *Cost `json:"cost"`
}

// Camera is a camera model at one image size, and how many images it took.
type Camera struct {
	Make   string `json:"make"`
	Model  string `json:"model"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Count  int    `json:"count"`
}

// Bounds is the box around the positions, in decimal degrees.
type Bounds struct {
	MinLat float64 `json:"minLat"`
	MinLon float64 `json:"minLon"`
	MaxLat float64 `json:"maxLat"`
	MaxLon float64 `json:"maxLon"`
}

// Summarize sums up files. sums holds the checksums known by file Index; the
// files of each group of Candidates must have theirs for their duplicates to
// be found. It does not change files or sums.
func Summarize(files []File, sums map[int]string) Summary {
	files = slices.Clone(files)
	sortByIndex(files, func(f File) int { return f.Index })
	s := Summary{Files: len(files), Cameras: []Camera{}, Warnings: []Warning{}}
	var pixels int64
	var first, last time.Time
	for i := range files {
		f := &files[i]
		s.Bytes += f.Size
		if !f.image() {
			continue
		}
		s.Images++
		pixels += f.pixels()
		if f.located() {
			s.WithGPS++
			s.Bounds = extend(s.Bounds, *f.Meta.Lat, *f.Meta.Lon)
		} else {
			s.WithoutGPS++
		}
		if t, ok := f.Meta.CaptureTime(); ok && f.readable() {
			if s.CapturedFrom == nil || t.Before(first) {
				first, s.CapturedFrom = t, &f.Meta.Time
			}
			if s.CapturedTo == nil || t.After(last) {
				last, s.CapturedTo = t, &f.Meta.Time
			}
		}
	}
	s.Gigapixels = float64(pixels) / 1e9
	s.Cameras = cameras(files)
	if s.Bounds != nil {
		s.SpanMeters = distance(s.Bounds.MinLat, s.Bounds.MinLon, s.Bounds.MaxLat, s.Bounds.MaxLon)
	}
	s.Warnings = warnings(files, sums, s.Images)
	return s
}

func extend(b *Bounds, lat, lon float64) *Bounds {
	if b == nil {
		return &Bounds{lat, lon, lat, lon}
	}
	return &Bounds{min(b.MinLat, lat), min(b.MinLon, lon), max(b.MaxLat, lat), max(b.MaxLon, lon)}
}

// cameras counts the readable images by camera and size.
func cameras(files []File) []Camera {
	type key struct {
		make, model string
		w, h        int
	}
	count := map[key]int{}
	for i := range files {
		if f := &files[i]; f.readable() {
			count[key{f.Meta.Make, f.Meta.Model, f.Meta.Width, f.Meta.Height}]++
		}
	}
	out := make([]Camera, 0, len(count))
	for k, n := range count {
		out = append(out, Camera{k.make, k.model, k.w, k.h, n})
	}
	slices.SortFunc(out, func(a, b Camera) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Make, b.Make), cmp.Compare(a.Model, b.Model),
			cmp.Compare(a.Width, b.Width), cmp.Compare(a.Height, b.Height))
	})
	return out
}
