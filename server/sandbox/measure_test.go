package sandbox_test

import (
	"math"
	"testing"

	"altiup/server/sandbox"
	"altiup/server/sandbox/internal/gqltest"
)

// TestImageMeasures checks what validation reads from each image: its size
// from its own decoding, what it counts for in gigapixels (at least
// 1920 x 1080), and whether it carries a GPS position.
func TestImageMeasures(t *testing.T) {
	e := newEnv(t)
	pid := e.project("measures")
	big := jpegBytes(t, 2000, 1200) // over the floor
	cases := []struct {
		name     string
		data     []byte
		w, h     int
		gp       float64
		grounded bool
	}{
		{"small with gps", sandbox.WithGPS(jpegBytes(t, 40, 30), 22.3, 114.2), 40, 30, 2073600 / 1e9, true},
		{"big without gps", big, 2000, 1200, 2000 * 1200 / 1e9, false},
		{"png", pngBytes(t, 64, 48), 64, 48, 2073600 / 1e9, false},
	}
	var sum float64
	for _, c := range cases {
		img := e.uploadOSS(pid, c.name+".jpg", gqltest.IMAGE_TYPEJpeg, c.data, ptr(sha(c.data)))
		got := e.waitFinal(pid, img.Id)
		if got.State != gqltest.IMAGE_STATEReady || *got.Width != c.w || *got.Height != c.h || math.Abs(got.GigaPixel-c.gp) > 1e-12 || got.Grounded != c.grounded {
			t.Errorf("%s: %s %dx%d %g GP grounded %v; want %dx%d %g GP grounded %v", c.name, got.State, *got.Width, *got.Height, got.GigaPixel, got.Grounded, c.w, c.h, c.gp, c.grounded)
		}
		sum += c.gp
	}
	// An Invalid image counts for nothing in the project.
	bad := e.uploadOSS(pid, "bad.jpg", gqltest.IMAGE_TYPEJpeg, big[:len(big)/2], nil)
	if got := e.waitFinal(pid, bad.Id); got.State != gqltest.IMAGE_STATEInvalid {
		t.Fatalf("truncated image is %s", got.State)
	}
	p, err := gqltest.Project(ctx, e.demo, pid)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(p.Project.GigaPixel-sum) > 1e-12 {
		t.Errorf("project gigaPixel = %g, want %g", p.Project.GigaPixel, sum)
	}
}
