package sandbox

import (
	"bytes"
	"encoding/binary"
)

// A minimal EXIF GPS reader: the sandbox only needs to know whether an
// image carries a position, so it reads the GPS latitude and longitude of a
// JPEG's APP1 Exif segment or of a TIFF's first directory, and nothing else.
// Every offset is checked against the data: hostile files read as "no GPS".

// exifTIFF returns the TIFF structure holding an image's EXIF: the APP1
// Exif payload of a JPEG, or a TIFF file itself; nil when there is none.
func exifTIFF(data []byte) []byte {
	if bytes.HasPrefix(data, []byte("II*\x00")) || bytes.HasPrefix(data, []byte("MM\x00*")) {
		return data
	}
	if !bytes.HasPrefix(data, []byte{0xff, 0xd8}) {
		return nil
	}
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xff {
			return nil
		}
		marker := data[i+1]
		switch {
		case marker == 0xff: // fill byte
			i++
			continue
		case marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7): // no length
			i += 2
			continue
		case marker == 0xda || marker == 0xd9: // image data: no EXIF after it
			return nil
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return nil
		}
		seg := data[i+4 : i+2+n]
		if marker == 0xe1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return seg[6:]
		}
		i += 2 + n
	}
	return nil
}

// tiffReader reads a TIFF structure with bounds checks.
type tiffReader struct {
	b   []byte
	ord binary.ByteOrder
}

func (t tiffReader) u16(off int) (int, bool) {
	if off < 0 || off+2 > len(t.b) {
		return 0, false
	}
	return int(t.ord.Uint16(t.b[off:])), true
}

func (t tiffReader) u32(off int) (int, bool) {
	if off < 0 || off+4 > len(t.b) {
		return 0, false
	}
	return int(t.ord.Uint32(t.b[off:])), true
}

// entry finds a tag in the directory at off and returns its count and the
// offset of its value (inline when it fits in 4 bytes).
func (t tiffReader) entry(dir, tag, size int) (count, value int, ok bool) {
	n, ok := t.u16(dir)
	if !ok || n > 1000 {
		return 0, 0, false
	}
	for i := range n {
		e := dir + 2 + 12*i
		got, ok := t.u16(e)
		if !ok {
			return 0, 0, false
		}
		if got != tag {
			continue
		}
		count, ok = t.u32(e + 4)
		if !ok || count == 0 || count > 1<<16 {
			return 0, 0, false
		}
		value = e + 8
		if count*size > 4 {
			if value, ok = t.u32(e + 8); !ok {
				return 0, 0, false
			}
		}
		return count, value, value >= 0 && value+count*size <= len(t.b)
	}
	return 0, 0, false
}

// degrees reads a GPS coordinate: three rationals (degrees, minutes,
// seconds) and its reference letter (N/S or E/W).
func (t tiffReader) degrees(dir, refTag, tag int, negative byte) (float64, bool) {
	count, off, ok := t.entry(dir, tag, 8)
	if !ok || count != 3 {
		return 0, false
	}
	var v float64
	for i, unit := range []float64{1, 60, 3600} {
		num, _ := t.u32(off + 8*i)
		den, _ := t.u32(off + 8*i + 4)
		if den == 0 {
			return 0, false
		}
		v += float64(num) / float64(den) / unit
	}
	if _, ref, ok := t.entry(dir, refTag, 1); ok && t.b[ref] == negative {
		v = -v
	}
	return v, true
}

// gpsPosition returns the EXIF GPS latitude and longitude of a JPEG or
// TIFF; ok is false when there is none or it is not a position on Earth.
func gpsPosition(data []byte) (lat, lon float64, ok bool) {
	b := exifTIFF(data)
	if len(b) < 8 {
		return 0, 0, false
	}
	t := tiffReader{b: b}
	switch string(b[:2]) {
	case "II":
		t.ord = binary.LittleEndian
	case "MM":
		t.ord = binary.BigEndian
	default:
		return 0, 0, false
	}
	ifd0, _ := t.u32(4)
	const gpsIFDTag = 0x8825
	_, at, ok := t.entry(ifd0, gpsIFDTag, 4)
	if !ok {
		return 0, 0, false
	}
	gps, ok := t.u32(at)
	if !ok {
		return 0, 0, false
	}
	lat, ok1 := t.degrees(gps, 1, 2, 'S')
	lon, ok2 := t.degrees(gps, 3, 4, 'W')
	if !ok1 || !ok2 || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return 0, 0, false
	}
	return lat, lon, true
}
