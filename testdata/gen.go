//go:build ignore

// gen writes the test images in images/: small photos-like pictures in each
// format the service accepts, and broken files that must end Invalid.
//
//	go run testdata/gen.go
package main

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"log"
	"math/rand"
	"os"
	"path/filepath"

	"golang.org/x/image/tiff"
)

func picture(seed int64, w, h int) image.Image {
	r := rand.New(rand.NewSource(seed))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x*255/w) ^ uint8(r.Intn(32)), uint8(y*255/h) ^ uint8(r.Intn(32)), uint8(seed * 40), 255})
		}
	}
	return img
}

func write(name string, b []byte) {
	if err := os.WriteFile(filepath.Join("testdata", "images", name), b, 0o644); err != nil {
		log.Fatal(err)
	}
}

func main() {
	for i := 1; i <= 3; i++ {
		var b bytes.Buffer
		if err := jpeg.Encode(&b, picture(int64(i), 320, 240), &jpeg.Options{Quality: 85}); err != nil {
			log.Fatal(err)
		}
		write([]string{"", "street.jpg", "tower.jpg", "bridge.jpg"}[i], b.Bytes())
		if i == 1 {
			write("truncated.jpg", b.Bytes()[:b.Len()/2])
		}
	}
	var p bytes.Buffer
	if err := png.Encode(&p, picture(4, 200, 150)); err != nil {
		log.Fatal(err)
	}
	write("roof.png", p.Bytes())
	var t bytes.Buffer
	if err := tiff.Encode(&t, picture(5, 160, 120), &tiff.Options{Compression: tiff.Deflate}); err != nil {
		log.Fatal(err)
	}
	write("wall.tif", t.Bytes())
	write("report.jpg", []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"))
}
