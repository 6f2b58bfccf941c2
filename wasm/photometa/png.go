package photometa

import (
	"bytes"
	"encoding/binary"
)

const pngMagic = "\x89PNG\r\n\x1a\n"

// maxChunks bounds the walk over a PNG's chunks.
const maxChunks = 64

// readPNG reads the size from IHDR and EXIF from an eXIf chunk, which the
// specification puts before the image data.
func readPNG(h *head, m *Meta) error {
	b, err := h.upTo(33)
	if err != nil {
		return err
	}
	if len(b) < 33 || string(b[12:16]) != "IHDR" {
		return unreadable("the PNG has no IHDR chunk")
	}
	d := dims{frameW: int(binary.BigEndian.Uint32(b[16:])), frameH: int(binary.BigEndian.Uint32(b[20:]))}
	off := int64(33)
	for range maxChunks {
		b, err := h.upTo(off + 8)
		if err != nil {
			return err
		}
		if int64(len(b)) < off+8 {
			break
		}
		n := int64(binary.BigEndian.Uint32(b[off:]))
		typ := string(b[off+4 : off+8])
		end := off + 12 + n
		if typ == "IDAT" || typ == "IEND" {
			break
		}
		if typ == "eXIf" {
			b, err := h.upTo(end)
			if err != nil {
				return err
			}
			if int64(len(b)) < end {
				return h.ended(end, m, d)
			}
			p := bytes.TrimPrefix(b[off+8:end-4], exifHeader)
			x, err := readTIFF(bytesAt(p), m)
			if err != nil {
				return err
			}
			d.pixelW, d.pixelH = x.pixelW, x.pixelH
			break
		}
		off = end
	}
	d.apply(m)
	return nil
}
