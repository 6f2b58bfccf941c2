package photometa

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"altiup/wasm/photometa/phototest"
)

// FuzzRead feeds the parsers broken headers. It calls read, not Read, so
// that a panic fails it instead of being recovered.
func FuzzRead(f *testing.F) {
	for _, n := range phototest.Set() {
		f.Add(n.Bytes[:min(len(n.Bytes), 2048)])
	}
	for _, name := range []string{"roof.png", "wall.tif"} {
		b, err := os.ReadFile("../../testdata/images/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[:min(len(b), 4096)])
	}
	f.Add(phototest.TIFF(phototest.Photo{Make: "M", Model: "X", Time: "2024:01:02 03:04:05", Focal: 4, GPS: true, Lat: 1, Lon: 1}))
	f.Fuzz(func(t *testing.T, b []byte) {
		h := &head{src: bytes.NewReader(b), size: int64(len(b))}
		m, err := read(h)
		if err != nil && !errors.Is(err, ErrNotImage) && !errors.Is(err, ErrUnreadable) {
			t.Errorf("error of no known kind: %v", err)
		}
		if h.read > MaxRead {
			t.Errorf("read %d bytes", h.read)
		}
		if m.HasGPS() && (*m.Lat < -90 || *m.Lat > 90 || *m.Lon < -180 || *m.Lon > 180) {
			t.Errorf("position %v, %v", *m.Lat, *m.Lon)
		}
	})
}
