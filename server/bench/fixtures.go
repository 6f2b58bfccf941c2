package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// A synthetic image is a small valid JPEG with random comment (COM) segments
// after its start marker: every decoder skips them, so the sandbox's
// validation passes, and the random bytes make each file's SHA-1 unique so
// that deduplication skips nothing.

const (
	comMarker  = 0xFE
	maxSegment = 65533 // a segment's payload; its length field counts 2 more
)

var baseJPEG = func() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for y := range 16 {
		for x := range 16 {
			img.Set(x, y, color.RGBA{uint8(x * 16), uint8(y * 16), 128, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		panic(err) // encoding an in-memory image cannot fail
	}
	return b.Bytes()
}()

// minImageSize is the smallest size writeImage can make.
var minImageSize = int64(len(baseJPEG)) + 4 + 16

// writeImage writes a valid JPEG of exactly size bytes whose padding comes
// from rng.
func writeImage(path string, size int64, rng *rand.ChaCha8) error {
	if size < minImageSize {
		return fmt.Errorf("an image needs at least %d bytes, not %d", minImageSize, size)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := writeImageTo(w, size, rng); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func writeImageTo(w *bufio.Writer, size int64, rng *rand.ChaCha8) error {
	w.Write(baseJPEG[:2]) // SOI
	pad := size - int64(len(baseJPEG))
	buf := make([]byte, maxSegment)
	for pad > 0 {
		// Each segment costs 4 bytes of marker and length, so what is left
		// after one must be none or at least 4 bytes.
		n := min(pad-4, maxSegment)
		if rest := pad - 4 - n; rest > 0 && rest < 4 {
			n -= 4 - rest
		}
		var hdr [4]byte
		hdr[0], hdr[1] = 0xFF, comMarker
		binary.BigEndian.PutUint16(hdr[2:], uint16(n+2))
		w.Write(hdr[:])
		rng.Read(buf[:n])
		if _, err := w.Write(buf[:n]); err != nil {
			return err
		}
		pad -= n + 4
	}
	_, err := w.Write(baseJPEG[2:])
	return err
}

// imageSet is a directory of synthetic images named img-00000.jpg and so on.
type imageSet struct {
	dir   string
	size  int64
	paths []string
}

// makeImages writes n images of size bytes into dir; seed makes the content
// (different seeds give different bytes).
func makeImages(dir string, n int, size int64, seed uint64) (*imageSet, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	s := &imageSet{dir: dir, size: size}
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	for i := range n {
		binary.LittleEndian.PutUint64(key[8:], uint64(i))
		p := filepath.Join(dir, fmt.Sprintf("img-%05d.jpg", i))
		if err := writeImage(p, size, rand.NewChaCha8(key)); err != nil {
			return nil, err
		}
		s.paths = append(s.paths, p)
	}
	return s, nil
}

// first returns the first n images of the set (all when n is larger).
func (s *imageSet) first(n int) []string {
	return s.paths[:min(n, len(s.paths))]
}

// bytes is the total size of the first n images.
func (s *imageSet) bytes(n int) int64 { return int64(min(n, len(s.paths))) * s.size }
