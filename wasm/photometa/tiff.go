package photometa

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"time"
)

// A minimal TIFF/EXIF reader: IFD0 and the Exif and GPS IFDs it points to,
// nothing else. It follows no IFD chain and visits each IFD once, so a
// hostile file cannot make it loop; every length is checked before use.

// tiffData gives n bytes at offset off of a TIFF structure, or nil when they
// are out of reach.
type tiffData interface {
	at(off, n int64) []byte
}

// bytesAt is a TIFF structure held in memory (an APP1 or eXIf payload).
type bytesAt []byte

func (b bytesAt) at(off, n int64) []byte {
	if off < 0 || n < 0 || off > int64(len(b)) || n > int64(len(b))-off {
		return nil
	}
	return b[off : off+n]
}

// readTIFFFile reads a TIFF image, whose directories may be anywhere in it.
func readTIFFFile(h *head, m *Meta) error {
	d, err := readTIFF(h, m)
	if err != nil {
		return err
	}
	d.apply(m)
	return nil
}

const (
	maxEntries = 1024     // in one IFD
	maxValue   = 64 << 10 // bytes of one value
)

// tags read
const (
	tagImageWidth  = 0x0100
	tagImageLength = 0x0101
	tagMake        = 0x010F
	tagModel       = 0x0110
	tagExifIFD     = 0x8769
	tagGPSIFD      = 0x8825

	tagDateTimeOriginal   = 0x9003
	tagOffsetTimeOriginal = 0x9011
	tagFocalLength        = 0x920A
	tagPixelXDimension    = 0xA002
	tagPixelYDimension    = 0xA003
	tagFocalLength35      = 0xA405

	tagGPSLatitudeRef  = 1
	tagGPSLatitude     = 2
	tagGPSLongitudeRef = 3
	tagGPSLongitude    = 4
	tagGPSAltitudeRef  = 5
	tagGPSAltitude     = 6
)

type tiffReader struct {
	d  tiffData
	bo binary.ByteOrder
}

type entry struct {
	tag, typ uint16
	count    uint32
	raw      []byte // the 4 value-or-offset bytes
}

// readTIFF fills m from the TIFF structure d and returns the sizes it gives.
func readTIFF(d tiffData, m *Meta) (dims, error) {
	var out dims
	hdr := d.at(0, 8)
	if hdr == nil {
		return out, unreadable("the EXIF header is cut short")
	}
	r := tiffReader{d: d}
	switch string(hdr[:2]) {
	case "II":
		r.bo = binary.LittleEndian
	case "MM":
		r.bo = binary.BigEndian
	default:
		return out, unreadable("the EXIF data has no byte order mark")
	}
	if r.bo.Uint16(hdr[2:]) != 42 {
		return out, unreadable("the EXIF data is not TIFF")
	}
	ifd0, err := r.ifd(r.bo.Uint32(hdr[4:]))
	if err != nil {
		return out, err
	}
	var exifOff, gpsOff uint32
	for _, e := range ifd0 {
		switch e.tag {
		case tagImageWidth:
			out.tiffW = r.uint(e)
		case tagImageLength:
			out.tiffH = r.uint(e)
		case tagMake:
			m.Make = r.str(e)
		case tagModel:
			m.Model = r.str(e)
		case tagExifIFD:
			exifOff = uint32(r.uint(e))
		case tagGPSIFD:
			gpsOff = uint32(r.uint(e))
		}
	}
	if exifOff != 0 {
		exif, err := r.ifd(exifOff)
		if err != nil {
			return out, err
		}
		r.exif(exif, m, &out)
	}
	if gpsOff != 0 {
		gps, err := r.ifd(gpsOff)
		if err != nil {
			return out, err
		}
		r.gps(gps, m)
	}
	return out, nil
}

func (r tiffReader) exif(es []entry, m *Meta, out *dims) {
	var when, offset string
	for _, e := range es {
		switch e.tag {
		case tagDateTimeOriginal:
			when = r.str(e)
		case tagOffsetTimeOriginal:
			offset = r.str(e)
		case tagFocalLength:
			if v := r.rationals(e); len(v) > 0 && v[0] > 0 {
				m.FocalLength = v[0]
			}
		case tagFocalLength35:
			m.FocalLength35 = float64(r.uint(e))
		case tagPixelXDimension:
			out.pixelW = r.uint(e)
		case tagPixelYDimension:
			out.pixelH = r.uint(e)
		}
	}
	m.Time = captureTime(when, offset)
}

// captureTime turns EXIF's "2006:01:02 15:04:05" and "+07:00" into Meta.Time.
func captureTime(when, offset string) string {
	t, err := time.Parse("2006:01:02 15:04:05", when)
	if err != nil {
		return ""
	}
	if z, err := time.Parse("-07:00", offset); err == nil {
		_, secs := z.Zone()
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.FixedZone("", secs)).Format(time.RFC3339)
	}
	return t.Format(localLayout)
}

func (r tiffReader) gps(es []entry, m *Meta) {
	var latRef, lonRef string
	var lat, lon, alt []float64
	var below bool
	for _, e := range es {
		switch e.tag {
		case tagGPSLatitudeRef:
			latRef = r.str(e)
		case tagGPSLatitude:
			lat = r.rationals(e)
		case tagGPSLongitudeRef:
			lonRef = r.str(e)
		case tagGPSLongitude:
			lon = r.rationals(e)
		case tagGPSAltitudeRef:
			if v := r.value(e); len(v) > 0 {
				below = v[0] == 1
			}
		case tagGPSAltitude:
			alt = r.rationals(e)
		}
	}
	la, okLat := degrees(lat, latRef == "S", 90)
	lo, okLon := degrees(lon, lonRef == "W", 180)
	if okLat && okLon {
		m.Lat, m.Lon = &la, &lo
	}
	if len(alt) > 0 && !math.IsNaN(alt[0]) && !math.IsInf(alt[0], 0) {
		a := alt[0]
		if below {
			a = -a
		}
		m.Alt = &a
	}
}

// degrees turns degrees, minutes and seconds into signed decimal degrees
// within ±limit.
func degrees(dms []float64, negative bool, limit float64) (float64, bool) {
	if len(dms) == 0 {
		return 0, false
	}
	v := 0.0
	for i, scale := range []float64{1, 60, 3600} {
		if i < len(dms) {
			v += dms[i] / scale
		}
	}
	if math.IsNaN(v) || v < 0 || v > limit {
		return 0, false
	}
	if negative {
		v = -v
	}
	return v, true
}

// ifd reads the entries of the IFD at off.
func (r tiffReader) ifd(off uint32) ([]entry, error) {
	c := r.d.at(int64(off), 2)
	if c == nil {
		return nil, unreadable("an EXIF directory lies outside the data")
	}
	n := int64(r.bo.Uint16(c))
	if n > maxEntries {
		return nil, unreadable("an EXIF directory claims %d entries", n)
	}
	t := r.d.at(int64(off)+2, 12*n)
	if t == nil {
		return nil, unreadable("an EXIF directory is cut short")
	}
	es := make([]entry, n)
	for i := range es {
		b := t[12*i:]
		es[i] = entry{tag: r.bo.Uint16(b), typ: r.bo.Uint16(b[2:]), count: r.bo.Uint32(b[4:]), raw: b[8:12]}
	}
	return es, nil
}

// typeSizes are the byte sizes of the TIFF field types 1 to 12.
var typeSizes = [...]int64{0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8}

// value returns the bytes of e's value, nil when its type is unknown or it
// is out of reach or too long.
func (r tiffReader) value(e entry) []byte {
	if int(e.typ) >= len(typeSizes) || typeSizes[e.typ] == 0 {
		return nil
	}
	n := typeSizes[e.typ] * int64(e.count)
	if n > maxValue {
		return nil
	}
	if n <= 4 {
		return e.raw[:n]
	}
	return r.d.at(int64(r.bo.Uint32(e.raw)), n)
}

// str returns an ASCII value without its NULs and surrounding blanks.
func (r tiffReader) str(e entry) string {
	if e.typ != 2 && e.typ != 7 {
		return ""
	}
	v := r.value(e)
	if i := bytes.IndexByte(v, 0); i >= 0 {
		v = v[:i]
	}
	return strings.ToValidUTF8(strings.TrimSpace(string(v)), "")
}

// uint returns the first value of a BYTE, SHORT or LONG field.
func (r tiffReader) uint(e entry) int {
	v := r.value(e)
	switch {
	case len(v) == 0:
		return 0
	case e.typ == 1:
		return int(v[0])
	case e.typ == 3 && len(v) >= 2:
		return int(r.bo.Uint16(v))
	case e.typ == 4 && len(v) >= 4:
		return int(min(r.bo.Uint32(v), math.MaxInt32))
	}
	return 0
}

// rationals returns the values of a RATIONAL or SRATIONAL field; a zero
// denominator gives NaN.
func (r tiffReader) rationals(e entry) []float64 {
	if e.typ != 5 && e.typ != 10 {
		return nil
	}
	v := r.value(e)
	out := make([]float64, 0, len(v)/8)
	for i := 0; i+8 <= len(v); i += 8 {
		num, den := r.bo.Uint32(v[i:]), r.bo.Uint32(v[i+4:])
		var f float64
		switch {
		case den == 0:
			f = math.NaN()
		case e.typ == 10:
			f = float64(int32(num)) / float64(int32(den))
		default:
			f = float64(num) / float64(den)
		}
		out = append(out, f)
	}
	return out
}
