package phototest

import "fmt"

// Named is a file of Set.
type Named struct {
	Name  string
	Bytes []byte
	Photo Photo // what it says; zero for a copy or a cut file
}

// Near is the spot Set's positions lie around.
const NearLat, NearLon = 22.5430, 114.0570

// Set returns a small survey: four drone photos (DJI FC6310, 5472×3648,
// with XMP) around Near, one of another camera (SONY ILCE-7RM4, 9504×6336)
// there too, one drone photo without GPS, an exact copy of the first, and the
// second cut short inside its image data (its header is whole).
func Set() []Named {
	var out []Named
	for i := range 4 {
		p := Photo{
			Width: 160, Height: 120, PixelX: 5472, PixelY: 3648,
			Make: "DJI", Model: "FC6310",
			Time: fmt.Sprintf("2024:05:01 10:00:%02d", 2*i), Offset: "+08:00",
			Focal: 8.8, Focal35: 24,
			GPS: true, Lat: NearLat + float64(i)*0.0002, Lon: NearLon + float64(i%2)*0.0003, Alt: 150.5,
			XMP: DJI("-90.0", "+50.20"), Seed: int64(i),
		}
		out = append(out, Named{fmt.Sprintf("dji-%d.jpg", i+1), JPEG(p), p})
	}
	sony := Photo{
		Width: 160, Height: 120, PixelX: 9504, PixelY: 6336,
		Make: "SONY", Model: "ILCE-7RM4",
		Time: "2024:05:01 10:05:00", Focal: 35, Focal35: 35,
		GPS: true, Lat: NearLat - 0.0003, Lon: NearLon - 0.0002, Alt: 20, Seed: 9,
	}
	out = append(out, Named{"sony-1.jpg", JPEG(sony), sony})
	nogps := Photo{
		Width: 160, Height: 120, PixelX: 5472, PixelY: 3648, Make: "DJI", Model: "FC6310",
		Time: "2024:05:01 10:01:00", Offset: "+08:00", Focal: 8.8, Focal35: 24, Seed: 5,
	}
	out = append(out, Named{"dji-nogps.jpg", JPEG(nogps), nogps})
	out = append(out, Named{Name: "dji-1-copy.jpg", Bytes: out[0].Bytes})
	b := out[1].Bytes
	out = append(out, Named{Name: "dji-2-truncated.jpg", Bytes: b[:len(b)*3/4]})
	return out
}

// Flight returns n sources of 8 MiB: each a real JPEG header (EXIF with its
// own time and position, XMP, the frame header and a little image data),
// then zeros, as a drone's survey looks to a reader of its first bytes.
func Flight(n int) []*File {
	srcs := make([]*File, n)
	for i := range srcs {
		p := Photo{
			Width: 32, Height: 24, PixelX: 5472, PixelY: 3648, Make: "DJI", Model: "FC6310",
			Time: fmt.Sprintf("2024:05:01 %02d:%02d:%02d", 10+i/1800, i/30%60, 2*i%60), Offset: "+08:00",
			Focal: 8.8, Focal35: 24, GPS: true, Lat: NearLat + float64(i%40)*1e-4, Lon: NearLon + float64(i/40)*1e-4, Alt: 150,
			XMP: DJI("-90.0", "+50.20"), Seed: int64(i),
		}
		srcs[i] = &File{B: JPEG(p), FileSize: 8 << 20}
	}
	return srcs
}
