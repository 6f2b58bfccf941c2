package photometa_test

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"altiup/wasm/photometa"
	"altiup/wasm/photometa/phototest"
)

func f(v float64) *float64 { return &v }

func near(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return math.Abs(*a-*b) < 1e-6
}

func TestReadJPEG(t *testing.T) {
	base := phototest.Photo{Width: 32, Height: 24, Make: "DJI", Model: "FC6310", Time: "2024:05:01 10:00:02", Offset: "+08:00",
		Focal: 8.8, Focal35: 24, PixelX: 5472, PixelY: 3648, GPS: true, Lat: 22.543, Lon: 114.057, Alt: 150.5, XMP: phototest.DJI("-90.0", "+50.20")}
	south := base
	south.Lat, south.Lon, south.Alt, south.Offset, south.XMP = -33.8568, -70.6483, -12.25, "", ""
	bare := phototest.Photo{Width: 40, Height: 30, Make: "SONY", Model: "ILCE-7RM4"}
	elems := base
	elems.XMP = `<x:xmpmeta><drone-dji:GimbalPitchDegree> -45.5 </drone-dji:GimbalPitchDegree><drone-dji:RelativeAltitude>+80</drone-dji:RelativeAltitude></x:xmpmeta>`
	zero := bare
	zero.GPS = true
	tests := []struct {
		name string
		p    phototest.Photo
		want photometa.Meta
	}{
		{"drone with XMP", base, photometa.Meta{Width: 5472, Height: 3648, Make: "DJI", Model: "FC6310", FocalLength: 8.8, FocalLength35: 24,
			Time: "2024-05-01T10:00:02+08:00", Lat: f(22.543), Lon: f(114.057), Alt: f(150.5), Pitch: f(-90), RelativeAlt: f(50.2)}},
		{"south west, below sea level, no offset", south, photometa.Meta{Width: 5472, Height: 3648, Make: "DJI", Model: "FC6310", FocalLength: 8.8, FocalLength35: 24,
			Time: "2024-05-01T10:00:02", Lat: f(-33.8568), Lon: f(-70.6483), Alt: f(-12.25)}},
		{"no GPS, size from the frame header", bare, photometa.Meta{Width: 40, Height: 30, Make: "SONY", Model: "ILCE-7RM4"}},
		{"XMP as elements", elems, photometa.Meta{Width: 5472, Height: 3648, Make: "DJI", Model: "FC6310", FocalLength: 8.8, FocalLength35: 24,
			Time: "2024-05-01T10:00:02+08:00", Lat: f(22.543), Lon: f(114.057), Alt: f(150.5), Pitch: f(-45.5), RelativeAlt: f(80)}},
		{"zero position", zero, photometa.Meta{Width: 40, Height: 30, Make: "SONY", Model: "ILCE-7RM4", Lat: f(0), Lon: f(0), Alt: f(0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &phototest.File{B: phototest.JPEG(tt.p)}
			got, err := photometa.Read(src)
			if err != nil {
				t.Fatal(err)
			}
			if got.Format != "JPEG" || got.BytesRead != src.Read() {
				t.Errorf("format %q, BytesRead %d, read %d", got.Format, got.BytesRead, src.Read())
			}
			w := tt.want
			if got.Width != w.Width || got.Height != w.Height || got.Make != w.Make || got.Model != w.Model ||
				got.FocalLength != w.FocalLength || got.FocalLength35 != w.FocalLength35 || got.Time != w.Time ||
				!near(got.Lat, w.Lat) || !near(got.Lon, w.Lon) || !near(got.Alt, w.Alt) || !near(got.Pitch, w.Pitch) || !near(got.RelativeAlt, w.RelativeAlt) {
				t.Errorf("got  %+v\nwant %+v", dump(got), dump(w))
			}
		})
	}
}

func dump(m photometa.Meta) map[string]any {
	out := map[string]any{"w": m.Width, "h": m.Height, "make": m.Make, "model": m.Model, "f": m.FocalLength, "f35": m.FocalLength35, "time": m.Time}
	for k, v := range map[string]*float64{"lat": m.Lat, "lon": m.Lon, "alt": m.Alt, "pitch": m.Pitch, "rel": m.RelativeAlt} {
		if v != nil {
			out[k] = *v
		}
	}
	return out
}

func TestReadFormats(t *testing.T) {
	tests := []struct {
		file          string
		format        string
		width, height int
		err           error
	}{
		{"../../testdata/images/bridge.jpg", "JPEG", 320, 240, nil},
		{"../../testdata/images/roof.png", "PNG", 200, 150, nil},
		{"../../testdata/images/wall.tif", "TIFF", 160, 120, nil},
		{"../../testdata/images/report.jpg", "", 0, 0, photometa.ErrNotImage},
		{"../../testdata/photos/dji-2-truncated.jpg", "JPEG", 5472, 3648, nil},
		{"../../testdata/photos/sony-1.jpg", "JPEG", 9504, 6336, nil},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			b, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := photometa.Read(&phototest.File{B: b})
			if !errors.Is(err, tt.err) || got.Format != tt.format || got.Width != tt.width || got.Height != tt.height {
				t.Errorf("got %s %dx%d, %v; want %s %dx%d, %v", got.Format, got.Width, got.Height, err, tt.format, tt.width, tt.height, tt.err)
			}
		})
	}
}

// TestPNGExif reads the EXIF of a PNG's eXIf chunk.
func TestPNGExif(t *testing.T) {
	png, err := os.ReadFile("../../testdata/images/roof.png")
	if err != nil {
		t.Fatal(err)
	}
	exif := phototest.TIFF(phototest.Photo{Make: "DJI", Model: "FC6310", GPS: true, Lat: 1.5, Lon: 2.5})
	chunk := append([]byte{0, 0, byte(len(exif) >> 8), byte(len(exif))}, "eXIf"...)
	chunk = append(append(chunk, exif...), 0, 0, 0, 0) // CRC unchecked
	b := append(append(append([]byte{}, png[:33]...), chunk...), png[33:]...)
	got, err := photometa.Read(&phototest.File{B: b})
	if err != nil || got.Model != "FC6310" || !near(got.Lat, f(1.5)) || got.Width != 200 {
		t.Errorf("got %+v, %v", dump(got), err)
	}
}

func TestReadBroken(t *testing.T) {
	good := phototest.JPEG(phototest.Photo{Width: 16, Height: 16, Make: "DJI", Model: "FC6310"})
	exifAt := bytes.Index(good, []byte("Exif"))
	sofAt := bytes.Index(good, []byte{0xFF, 0xC0})
	// An Exif IFD pointer to IFD0 itself, and two IFDs that name each other
	// as the next one: neither is followed twice.
	self := "II*\x00\x08\x00\x00\x00" + "\x01\x00" + "\x69\x87\x04\x00\x01\x00\x00\x00\x08\x00\x00\x00" + "\x00\x00\x00\x00"
	tests := []struct {
		name string
		b    []byte
		err  error
	}{
		{"empty", nil, photometa.ErrNotImage},
		{"text", []byte("hello, world"), photometa.ErrNotImage},
		{"cut inside the EXIF segment", good[:exifAt+20], photometa.ErrUnreadable},
		{"cut before the frame header", good[:sofAt], photometa.ErrUnreadable},
		{"bad byte order", bytes.Replace(good, []byte("Exif\x00\x00II"), []byte("Exif\x00\x00XX"), 1), photometa.ErrUnreadable},
		{"IFD0 out of range", bytes.Replace(good, []byte("II*\x00\x08\x00\x00\x00"), []byte("II*\x00\xff\xff\x00\x00"), 1), photometa.ErrUnreadable},
		{"IFD pointing to itself", app1JPEG([]byte(self)), nil},
		{"two-IFD cycle", app1JPEG([]byte("II*\x00\x08\x00\x00\x00" + "\x00\x00\x0e\x00\x00\x00" + "\x00\x00\x08\x00\x00\x00")), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := photometa.Read(&phototest.File{B: tt.b})
			if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Errorf("got %v, want %v", err, tt.err)
			}
		})
	}
}

// app1JPEG is a JPEG header with tiff as its EXIF, and a frame header.
func app1JPEG(tiff []byte) []byte {
	seg := append([]byte("Exif\x00\x00"), tiff...)
	b := []byte{0xFF, 0xD8, 0xFF, 0xE1, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)}
	b = append(b, seg...)
	return append(b, 0xFF, 0xC0, 0, 11, 8, 0, 16, 0, 16, 1, 1, 0x11, 0, 0xFF, 0xD9)
}

// panicky panics when read, as a broken platform reader might.
type panicky struct{}

func (panicky) Size() int64                           { return 100 }
func (panicky) ReadAt(p []byte, _ int64) (int, error) { panic("boom") }

func TestReadRecoversPanic(t *testing.T) {
	if _, err := photometa.Read(panicky{}); !errors.Is(err, photometa.ErrUnreadable) {
		t.Errorf("got %v, want ErrUnreadable", err)
	}
}

func TestReadBounded(t *testing.T) {
	photo := phototest.JPEG(phototest.Photo{Width: 16, Height: 16, Make: "DJI", Model: "FC6310", GPS: true, Lat: 1, Lon: 2})
	// padded puts n bytes of APP2 segments (at most 65533 bytes each) before the rest of photo.
	padded := func(n int) []byte {
		b := append([]byte{}, photo[:2]...)
		for n > 0 {
			k := min(n, 65000)
			b = append(b, 0xFF, 0xE2, byte((k+2)>>8), byte(k+2))
			b = append(b, make([]byte, k)...)
			n -= k
		}
		return append(b, photo[2:]...)
	}
	const big = 8 << 20
	tests := []struct {
		name     string
		b        []byte
		maxRead  int64
		wantSize bool
	}{
		{"header in the first read", photo, photometa.FirstRead, true},
		{"a long header, read as far as it goes", padded(100 << 10), 2 * 100 << 10, true},
		{"a header longer than MaxRead: what was found stands", padded(300 << 10), photometa.MaxRead, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &phototest.File{B: tt.b, FileSize: big}
			m, err := photometa.Read(src)
			if err != nil {
				t.Fatal(err)
			}
			if src.Read() > tt.maxRead || m.BytesRead != src.Read() {
				t.Errorf("read %d bytes (BytesRead %d), want at most %d", src.Read(), m.BytesRead, tt.maxRead)
			}
			if (m.Width == 16) != tt.wantSize {
				t.Errorf("width %d", m.Width)
			}
		})
	}
}

func TestCaptureTime(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"2024-05-01T10:00:02+08:00", "2024-05-01T02:00:02Z"},
		{"2024-05-01T10:00:02", "2024-05-01T10:00:02Z"},
	} {
		m := photometa.Meta{Time: tt.in}
		got, ok := m.CaptureTime()
		if !ok || got.UTC().Format("2006-01-02T15:04:05Z07:00") != tt.want {
			t.Errorf("%s: got %v %v", tt.in, got, ok)
		}
	}
	if _, ok := (&photometa.Meta{}).CaptureTime(); ok {
		t.Error("no time parsed as one")
	}
}

// BenchmarkRead reads the photos of phototest.Set in turn.
func BenchmarkRead(b *testing.B) {
	set := phototest.Set()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := photometa.Read(&phototest.File{B: set[i%len(set)].Bytes}); err != nil {
			b.Fatal(err)
		}
	}
}
