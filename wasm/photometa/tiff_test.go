package photometa

import "testing"

// TestBigEndianTIFF reads Motorola-order EXIF, which the test JPEGs (Intel
// order) do not cover: Make inline, Model and rational GPS coordinates out of
// line, and SHORT pixel dimensions.
func TestBigEndianTIFF(t *testing.T) {
	b := []byte("MM\x00\x2a\x00\x00\x00\x08" +
		"\x00\x04" + // IFD0 at 8: 4 entries
		"\x01\x0f\x00\x02\x00\x00\x00\x04DJI\x00" +
		"\x01\x10\x00\x02\x00\x00\x00\x07\x00\x00\x00\x3e" + // Model at 62
		"\x87\x69\x00\x04\x00\x00\x00\x01\x00\x00\x00\x46" + // Exif IFD at 70
		"\x88\x25\x00\x04\x00\x00\x00\x01\x00\x00\x00\x64" + // GPS IFD at 100
		"\x00\x00\x00\x00" +
		"FC6310\x00\x00" + // 62
		"\x00\x02" + // Exif IFD at 70: 2 entries
		"\xa0\x02\x00\x03\x00\x00\x00\x01\x12\x34\x00\x00" +
		"\xa0\x03\x00\x03\x00\x00\x00\x01\x00\x10\x00\x00" +
		"\x00\x00\x00\x00" +
		"\x00\x03" + // GPS IFD at 100: 3 entries
		"\x00\x01\x00\x02\x00\x00\x00\x02S\x00\x00\x00" +
		"\x00\x02\x00\x05\x00\x00\x00\x01\x00\x00\x00\x8e" + // latitude at 142
		"\x00\x04\x00\x05\x00\x00\x00\x01\x00\x00\x00\x8e" + // longitude too, no ref: east
		"\x00\x00\x00\x00" +
		"\x00\x00\x00\x0a\x00\x00\x00\x04") // 10/4
	var m Meta
	d, err := readTIFF(bytesAt(b), &m)
	if err != nil {
		t.Fatal(err)
	}
	if m.Make != "DJI" || m.Model != "FC6310" || d.pixelW != 0x1234 || d.pixelH != 16 || !m.HasGPS() || *m.Lat != -2.5 || *m.Lon != 2.5 {
		t.Errorf("got %+v, %+v", m, d)
	}
}
