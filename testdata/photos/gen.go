//go:build ignore

// gen writes the photos of phototest.Set here: small JPEGs with EXIF (two
// cameras, GPS positions around one spot, one without GPS), an exact copy
// and a copy cut short.
//
//	go run testdata/photos/gen.go
package main

import (
	"log"
	"os"
	"path/filepath"

	"altiup/wasm/photometa/phototest"
)

func main() {
	for _, f := range phototest.Set() {
		if err := os.WriteFile(filepath.Join("testdata", "photos", f.Name), f.Bytes, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
