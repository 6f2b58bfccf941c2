// Package phototest makes small, real JPEGs that carry EXIF (camera, time,
// focal length, GPS) and DJI XMP, for the tests of the packages that read
// photo metadata and of those that drive them.
package phototest

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
)

// Photo describes what the JPEG made by JPEG says about itself. Zero fields
// are left out of the EXIF.
type Photo struct {
	Width, Height int // the picture's real size (small: the file is encoded)
	// PixelX and PixelY are written as EXIF PixelXDimension/PixelYDimension
	// when not zero, so a tiny file can claim a camera's full resolution.
	PixelX, PixelY int
	Make, Model    string
	// Time is EXIF's "2006:01:02 15:04:05" form; Offset e.g. "+08:00".
	Time, Offset  string
	Focal         float64 // mm
	Focal35       int     // mm
	GPS           bool
	Lat, Lon, Alt float64 // signed
	// XMP, when not empty, is written whole as an XMP APP1 segment (see DJI).
	XMP  string
	Seed int64 // varies the picture so that files differ
}

// DJI returns an XMP packet with DJI's gimbal pitch and relative altitude.
func DJI(pitch, relAlt string) string {
	return `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
		`<rdf:Description rdf:about="DJI Meta Data" xmlns:drone-dji="http://www.dji.com/drone-dji/1.0/" drone-dji:RelativeAltitude="` + relAlt +
		`" drone-dji:GimbalPitchDegree="` + pitch + `"/></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`
}

// JPEG encodes p as a baseline JPEG with an EXIF APP1 segment (and an XMP one
// when p.XMP is set) right after SOI, where cameras put them.
func JPEG(p Photo) []byte {
	w, h := max(p.Width, 8), max(p.Height, 8)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	noise := rand.New(rand.NewPCG(uint64(p.Seed), 1))
	for y := range h {
		for x := range w {
			n := uint8(noise.IntN(48))
			img.Set(x, y, color.RGBA{uint8(x*255/w) ^ n, uint8(y*255/h) ^ n, uint8(p.Seed*37) ^ n, 255})
		}
	}
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, &jpeg.Options{Quality: 60}); err != nil {
		panic(err)
	}
	body := enc.Bytes()[2:] // after SOI
	var out bytes.Buffer
	out.Write([]byte{0xFF, 0xD8})
	writeSegment(&out, 0xE1, append([]byte("Exif\x00\x00"), TIFF(p)...))
	if p.XMP != "" {
		writeSegment(&out, 0xE1, append([]byte("http://ns.adobe.com/xap/1.0/\x00"), p.XMP...))
	}
	out.Write(body)
	return out.Bytes()
}

func writeSegment(out *bytes.Buffer, marker byte, payload []byte) {
	if len(payload)+2 > 0xFFFF {
		panic("phototest: segment too long")
	}
	out.Write([]byte{0xFF, marker})
	binary.Write(out, binary.BigEndian, uint16(len(payload)+2))
	out.Write(payload)
}

// TIFF types
const (
	tByte     = 1
	tASCII    = 2
	tShort    = 3
	tLong     = 4
	tRational = 5
)

// Entry is one IFD entry: its value bytes are already in little-endian order.
type Entry struct {
	Tag, Type uint16
	Count     uint32
	Value     []byte
}

// ASCII, Short, Long and Rationals make entries.
func ASCII(tag uint16, s string) Entry {
	return Entry{tag, tASCII, uint32(len(s) + 1), append([]byte(s), 0)}
}

func Short(tag uint16, v uint16) Entry {
	return Entry{tag, tShort, 1, binary.LittleEndian.AppendUint16(nil, v)}
}

func Long(tag uint16, v uint32) Entry {
	return Entry{tag, tLong, 1, binary.LittleEndian.AppendUint32(nil, v)}
}

func Rationals(tag uint16, num ...[2]uint32) Entry {
	var b []byte
	for _, r := range num {
		b = binary.LittleEndian.AppendUint32(b, r[0])
		b = binary.LittleEndian.AppendUint32(b, r[1])
	}
	return Entry{tag, tRational, uint32(len(num)), b}
}

// TIFF returns the little-endian TIFF structure (IFD0, Exif IFD, GPS IFD)
// that p describes, as it follows "Exif\0\0" in an APP1 segment.
func TIFF(p Photo) []byte {
	var ifd0, exif, gps []Entry
	if p.Make != "" {
		ifd0 = append(ifd0, ASCII(0x010F, p.Make))
	}
	if p.Model != "" {
		ifd0 = append(ifd0, ASCII(0x0110, p.Model))
	}
	if p.Time != "" {
		exif = append(exif, ASCII(0x9003, p.Time))
	}
	if p.Offset != "" {
		exif = append(exif, ASCII(0x9011, p.Offset))
	}
	if p.Focal != 0 {
		exif = append(exif, Rationals(0x920A, [2]uint32{uint32(math.Round(p.Focal * 100)), 100}))
	}
	if p.PixelX != 0 {
		exif = append(exif, Long(0xA002, uint32(p.PixelX)), Long(0xA003, uint32(p.PixelY)))
	}
	if p.Focal35 != 0 {
		exif = append(exif, Short(0xA405, uint16(p.Focal35)))
	}
	if p.GPS {
		ns, ew, altRef := "N", "E", byte(0)
		if p.Lat < 0 {
			ns = "S"
		}
		if p.Lon < 0 {
			ew = "W"
		}
		if p.Alt < 0 {
			altRef = 1
		}
		gps = []Entry{
			ASCII(1, ns), Rationals(2, DMS(math.Abs(p.Lat))...),
			ASCII(3, ew), Rationals(4, DMS(math.Abs(p.Lon))...),
			{5, tByte, 1, []byte{altRef}},
			Rationals(6, [2]uint32{uint32(math.Round(math.Abs(p.Alt) * 1000)), 1000}),
		}
	}
	return Layout(ifd0, exif, gps)
}

// DMS splits decimal degrees into degrees, minutes and seconds rationals,
// the seconds to 1/10000.
func DMS(deg float64) [][2]uint32 {
	d := math.Floor(deg)
	m := math.Floor((deg - d) * 60)
	s := ((deg-d)*60 - m) * 60
	return [][2]uint32{{uint32(d), 1}, {uint32(m), 1}, {uint32(math.Round(s * 10000)), 10000}}
}

// Layout writes IFD0 followed by the Exif and GPS IFDs (each only when it has
// entries), adding IFD0's pointers to them.
func Layout(ifd0, exif, gps []Entry) []byte {
	if len(exif) > 0 {
		ifd0 = append(ifd0, Long(0x8769, 0))
	}
	if len(gps) > 0 {
		ifd0 = append(ifd0, Long(0x8825, 0))
	}
	off0 := uint32(8)
	offExif := off0 + ifdSize(ifd0)
	offGPS := offExif + ifdSize(exif)
	for i := range ifd0 {
		switch ifd0[i].Tag {
		case 0x8769:
			ifd0[i] = Long(0x8769, offExif)
		case 0x8825:
			ifd0[i] = Long(0x8825, offGPS)
		}
	}
	b := []byte("II*\x00\x08\x00\x00\x00")
	b = appendIFD(b, ifd0)
	if len(exif) > 0 {
		b = appendIFD(b, exif)
	}
	if len(gps) > 0 {
		b = appendIFD(b, gps)
	}
	return b
}

func ifdSize(es []Entry) uint32 {
	if len(es) == 0 {
		return 0
	}
	n := uint32(2 + 12*len(es) + 4)
	for _, e := range es {
		if len(e.Value) > 4 {
			n += uint32(len(e.Value)+1) &^ 1
		}
	}
	return n
}

// appendIFD appends es as one IFD at len(b) (the TIFF's offset), values that
// do not fit in an entry right after it.
func appendIFD(b []byte, es []Entry) []byte {
	start := uint32(len(b))
	data := start + uint32(2+12*len(es)+4)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(es)))
	var extra []byte
	for _, e := range es {
		b = binary.LittleEndian.AppendUint16(b, e.Tag)
		b = binary.LittleEndian.AppendUint16(b, e.Type)
		b = binary.LittleEndian.AppendUint32(b, e.Count)
		if len(e.Value) <= 4 {
			v := make([]byte, 4)
			copy(v, e.Value)
			b = append(b, v...)
			continue
		}
		b = binary.LittleEndian.AppendUint32(b, data+uint32(len(extra)))
		extra = append(extra, e.Value...)
		if len(extra)%2 == 1 {
			extra = append(extra, 0)
		}
	}
	b = binary.LittleEndian.AppendUint32(b, 0) // no next IFD
	return append(b, extra...)
}
