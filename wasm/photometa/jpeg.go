package photometa

import (
	"bytes"
	"encoding/binary"
)

// maxSegments bounds the walk over a JPEG's header segments.
const maxSegments = 256

var (
	exifHeader = []byte("Exif\x00\x00")
	xmpHeader  = []byte("http://ns.adobe.com/xap/1.0/\x00")
)

// readJPEG walks the segments before the image data: the first EXIF and XMP
// APP1 segments, then the frame header (SOF), where it stops.
func readJPEG(h *head, m *Meta) error {
	var d dims
	var exifSeen, xmpSeen bool
	off := int64(2)
	for range maxSegments {
		b, err := h.upTo(off + 4)
		if err != nil {
			return err
		}
		if int64(len(b)) < off+4 {
			return h.ended(off+4, m, d)
		}
		if b[off] != 0xFF {
			return unreadable("no JPEG marker at byte %d", off)
		}
		marker := b[off+1]
		switch {
		case marker == 0xFF: // fill byte
			off++
			continue
		case marker == 0x01 || marker >= 0xD0 && marker <= 0xD8: // no length
			off += 2
			continue
		case marker == 0xDA || marker == 0xD9: // image data or its end: no frame header before it
			d.apply(m)
			return nil
		}
		end := off + 2 + int64(binary.BigEndian.Uint16(b[off+2:]))
		if end < off+4 {
			return unreadable("a JPEG segment at byte %d has a length below 2", off)
		}
		switch {
		case marker == 0xE1 && !(exifSeen && xmpSeen):
			b, err := h.upTo(end)
			if err != nil {
				return err
			}
			if int64(len(b)) < end {
				return h.ended(end, m, d)
			}
			p := b[off+4 : end]
			switch {
			case !exifSeen && bytes.HasPrefix(p, exifHeader):
				exifSeen = true
				if d, err = readTIFF(bytesAt(p[len(exifHeader):]), m); err != nil {
					return err
				}
			case !xmpSeen && bytes.HasPrefix(p, xmpHeader):
				xmpSeen = true
				readXMP(p[len(xmpHeader):], m)
			}
		case isSOF(marker):
			b, err := h.upTo(off + 9)
			if err != nil {
				return err
			}
			if int64(len(b)) < off+9 || end < off+9 {
				return unreadable("the JPEG frame header is cut short")
			}
			d.frameH = int(binary.BigEndian.Uint16(b[off+5:]))
			d.frameW = int(binary.BigEndian.Uint16(b[off+7:]))
			d.apply(m)
			return nil
		}
		off = end
	}
	d.apply(m)
	return nil
}

// isSOF tells a frame header marker (SOF0 to SOF15) from the others of its
// range: DHT, JPG and DAC.
func isSOF(marker byte) bool {
	return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
}

// ended handles a header that needs bytes up to end that were not read: past
// the file's end the file is cut short; past MaxRead the header is longer than
// is worth reading, and what was found so far stands.
func (h *head) ended(end int64, m *Meta, d dims) error {
	if end > h.size || int64(len(h.buf)) < min(h.size, MaxRead) {
		return unreadable("the file ends inside its header")
	}
	d.apply(m)
	return nil
}

// dims are the sizes the various headers give, in order of trust: EXIF's
// PixelX/YDimension, then the image header's (JPEG frame, PNG IHDR), then
// TIFF's ImageWidth/ImageLength.
type dims struct {
	pixelW, pixelH int
	frameW, frameH int
	tiffW, tiffH   int
}

func (d dims) apply(m *Meta) {
	switch {
	case d.pixelW > 0 && d.pixelH > 0:
		m.Width, m.Height = d.pixelW, d.pixelH
	case d.frameW > 0 && d.frameH > 0:
		m.Width, m.Height = d.frameW, d.frameH
	case d.tiffW > 0 && d.tiffH > 0:
		m.Width, m.Height = d.tiffW, d.tiffH
	}
}
