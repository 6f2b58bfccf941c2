package sandbox

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/jpeg"
	"math"
	"testing"
)

// withGPS inserts an APP1 Exif segment holding a GPS position into a JPEG,
// laid out as cameras write it (big-endian TIFF, IFD0 → GPS IFD).
func withGPS(jpg []byte, lat, lon float64) []byte {
	be := binary.BigEndian
	var t bytes.Buffer
	t.WriteString("MM\x00\x2a")
	binary.Write(&t, be, uint32(8))
	// IFD0: one entry, the GPS IFD pointer; the GPS IFD follows at 26.
	binary.Write(&t, be, uint16(1))
	binary.Write(&t, be, []uint16{0x8825, 4})
	binary.Write(&t, be, []uint32{1, 26})
	binary.Write(&t, be, uint32(0))
	// GPS IFD: four entries (2+48+4 bytes); its rationals follow at 80.
	ref := func(neg bool, pos, negative byte) uint32 {
		if neg {
			return uint32(negative) << 24
		}
		return uint32(pos) << 24
	}
	binary.Write(&t, be, uint16(4))
	binary.Write(&t, be, []uint16{1, 2})
	binary.Write(&t, be, []uint32{2, ref(lat < 0, 'N', 'S')})
	binary.Write(&t, be, []uint16{2, 5})
	binary.Write(&t, be, []uint32{3, 80})
	binary.Write(&t, be, []uint16{3, 2})
	binary.Write(&t, be, []uint32{2, ref(lon < 0, 'E', 'W')})
	binary.Write(&t, be, []uint16{4, 5})
	binary.Write(&t, be, []uint32{3, 104})
	binary.Write(&t, be, uint32(0))
	for _, v := range []float64{math.Abs(lat), math.Abs(lon)} {
		deg := math.Floor(v)
		min := math.Floor((v - deg) * 60)
		sec := ((v-deg)*60 - min) * 60
		binary.Write(&t, be, []uint32{uint32(deg), 1, uint32(min), 1, uint32(math.Round(sec * 1000)), 1000})
	}
	seg := append([]byte("Exif\x00\x00"), t.Bytes()...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, 0xff, 0xe1, byte((len(seg)+2)>>8), byte(len(seg)+2))
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

func plainJPEG(t testing.TB) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 8, 8)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGPSPosition(t *testing.T) {
	jpg := plainJPEG(t)
	for _, c := range []struct{ lat, lon float64 }{{22.3193, 114.1694}, {-33.8688, 151.2093}, {48.8566, -2.3522}, {-0.5, -0.25}} {
		data := withGPS(jpg, c.lat, c.lon)
		lat, lon, ok := gpsPosition(data)
		if !ok || math.Abs(lat-c.lat) > 1e-6 || math.Abs(lon-c.lon) > 1e-6 {
			t.Errorf("%v: got %v %v %v", c, lat, lon, ok)
		}
		if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
			t.Errorf("the JPEG with EXIF does not decode: %v", err)
		}
	}
	full := withGPS(jpg, 1, 2)
	for name, data := range map[string][]byte{
		"no exif":    jpg,
		"not jpeg":   []byte("GIF89a"),
		"empty":      nil,
		"truncated":  full[:40],
		"bad length": append(append([]byte{}, full[:4]...), 0xff, 0xff),
	} {
		if _, _, ok := gpsPosition(data); ok {
			t.Errorf("%s: a position was read", name)
		}
	}
}

func FuzzGPSPosition(f *testing.F) {
	jpg := plainJPEG(f)
	f.Add(withGPS(jpg, 22.3, 114.1))
	f.Add(jpg)
	f.Add([]byte("II*\x00\x08\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lat, lon, ok := gpsPosition(data)
		if ok && (lat < -90 || lat > 90 || lon < -180 || lon > 180 || math.IsNaN(lat) || math.IsNaN(lon)) {
			t.Errorf("impossible position %v %v", lat, lon)
		}
	})
}

// TestGPSEntryAtTheEnd: an entry with no value, as the last bytes of the
// data, is not found rather than pointing past the end.
func TestGPSEntryAtTheEnd(t *testing.T) {
	// A directory of one entry (tag 1, ASCII, count 0) cut right after its count.
	b := []byte{0, 1, 0, 1, 0, 2, 0, 0, 0, 0}
	tr := tiffReader{b: b, ord: binary.BigEndian}
	if _, v, ok := tr.entry(0, 1, 1); ok && v >= len(b) {
		t.Errorf("entry found with its value at %d of %d bytes", v, len(b))
	}
}
