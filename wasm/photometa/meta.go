package photometa

import (
	"errors"
	"io"
	"time"
)

// Source is a file to read from: upload.Source (and *os.File, through a
// Size method) has this method set, so it fits without an adapter.
type Source interface {
	Size() int64
	io.ReaderAt
}

// ReadAhead is a Source whose first bytes were read before Read (a batch of
// files' heads read at once): Read starts from them, counts them as read,
// and reads on from the Source only past them. Head's bytes must not change.
type ReadAhead interface {
	Source
	Head() []byte
}

// Meta is what a photo says about itself. Fields it does not carry are zero
// (nil for the numbers that may truly be 0) and left out of its JSON, which is
// the `meta` of a file event.
type Meta struct {
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
	Make   string `json:"make,omitempty"`
	Model  string `json:"model,omitempty"`
	// FocalLength is in mm; FocalLength35 its 35 mm film equivalent.
	FocalLength   float64 `json:"focalLength,omitempty"`
	FocalLength35 float64 `json:"focalLength35,omitempty"`
	// Time is the capture time, RFC 3339 when the photo gives its UTC offset
	// (OffsetTimeOriginal); otherwise the camera's wall clock without an
	// offset, "2006-01-02T15:04:05".
	Time string `json:"time,omitempty"`
	// Lat and Lon are signed decimal degrees (south and west negative), Alt
	// meters above sea level (below: negative).
	Lat *float64 `json:"lat,omitempty"`
	Lon *float64 `json:"lon,omitempty"`
	Alt *float64 `json:"alt,omitempty"`
	// Pitch (degrees, -90 looks straight down) and RelativeAlt (meters above
	// the take-off point) come from DJI's XMP.
	Pitch       *float64 `json:"pitch,omitempty"`
	RelativeAlt *float64 `json:"relativeAlt,omitempty"`

	// Format is JPEG, PNG or TIFF.
	Format string `json:"-"`
	// BytesRead is how much of the file was read to learn all this.
	BytesRead int64 `json:"-"`
}

// HasGPS reports whether the photo carries a position.
func (m *Meta) HasGPS() bool { return m.Lat != nil && m.Lon != nil }

// localLayout is Time's form when the photo gives no UTC offset.
const localLayout = "2006-01-02T15:04:05"

// CaptureTime parses Time. A time without an offset is read as UTC, so that
// photos of one camera still sort in the order they were taken.
func (m *Meta) CaptureTime() (time.Time, bool) {
	if m.Time == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339, m.Time); err == nil {
		return t, true
	}
	t, err := time.Parse(localLayout, m.Time)
	return t, err == nil
}

// Errors of Read, matchable with errors.Is. They map one to one to the batch
// summary's warnings not_image and unreadable_metadata.
var (
	ErrNotImage   = errors.New("not a JPEG, PNG or TIFF image")
	ErrUnreadable = errors.New("unreadable photo metadata")
)
