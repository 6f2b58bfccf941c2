// Package photometa reads what a photo says about itself (size, camera,
// focal length, capture time, GPS position, DJI gimbal pitch and relative
// altitude) from the first bytes of the file only: FirstRead bytes at first,
// more only as far as the header's segments say, and never more than MaxRead
// in all, so that checking a thousand 8 MiB photos reads a few tens of MiB.
//
// JPEG (EXIF and XMP APP1 segments, then the frame header), PNG (IHDR and
// eXIf) and TIFF (its IFD0 and Exif and GPS IFDs) are read.
//
// # Why its own TIFF/EXIF reader
//
// The libraries were measured by the wasm bytes they add (GOOS=js
// GOARCH=wasm, -ldflags='-s -w') to a tiny main that decodes one JPEG
// (2.73 MB without them) and to altiup.wasm itself (13.19 MB), and by a
// benchmark over small JPEGs with EXIF, GPS and XMP (amd64):
//
//	                                       added to      added to
//	                                       a tiny main   altiup.wasm   per file
//	github.com/dsoprea/go-exif/v3 v3.0.1     5.01 MB       7.35 MB     147 µs
//	github.com/evanoberholster/imagemeta     1.99 MB       0.99 MB     4.2 µs
//	  v0.3.1
//	github.com/rwcarlsen/goexif (2019;       0.47 MB       0.20 MB      36 µs
//	  its kept forks are not served by
//	  the module proxy here)
//	this package                             0.26 MB       0.08 MB       8 µs
//
// (this package's time includes reading the file into its buffer).
//
// The first two are too big for a page (over 1 MB). goexif is small but no
// longer kept, and loops forever, its memory growing, on EXIF whose two IFDs
// name each other as the next one (30 bytes suffice): in the page's single
// thread no recover can stop that. The few tags needed here take a small
// reader that follows no IFD chain and checks every length; FuzzRead tries
// it on broken input, and Read recovers any panic as ErrUnreadable.
package photometa
