package sandbox

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // registers the JPEG decoder
	_ "image/png"  // registers the PNG decoder
	"io"
	"io/fs"
	"sync"
	"time"

	_ "golang.org/x/image/tiff" // registers the TIFF decoder

	"altiup/server/sandbox/internal/graph"
)

// formats maps image.Decode's format names to image types.
var formats = map[string]string{
	"jpeg": string(graph.ImageTypeJpeg),
	"png":  string(graph.ImageTypePng),
	"tiff": string(graph.ImageTypeTiff),
}

func (s *Sandbox) kickValidators() {
	select {
	case s.validateKick <- struct{}{}:
	default:
	}
}

func (s *Sandbox) validateLoop() {
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.validateKick:
		}
		for s.ctx.Err() == nil {
			s.mu.Lock()
			if len(s.queue) == 0 {
				s.mu.Unlock()
				break
			}
			id := s.queue[0]
			s.queue = s.queue[1:]
			more := len(s.queue) > 0
			s.mu.Unlock()
			if more {
				s.kickValidators() // let another validator help
			}
			s.validate(id)
		}
	}
}

// validate checks one Uploaded image: the object is there, its SHA-1 is the
// registered checksum, and it decodes as its type.
func (s *Sandbox) validate(id string) {
	s.mu.Lock()
	img := s.images[id]
	if img == nil || img.State != stateUploaded {
		s.mu.Unlock()
		return
	}
	img.State = stateProcessing
	work := *img
	s.changed()
	s.mu.Unlock()

	res := s.check(&work)

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.images[id] != img || img.State != stateProcessing {
		return // expired or replaced meanwhile
	}
	p := s.projects[img.PID]
	img.Size = res.size
	img.Width, img.Height = res.width, res.height
	img.GPS = res.gps
	if res.typ != "" {
		img.Type = res.typ // what the bytes are, whatever was registered
	}
	reasons := res.reasons
	if !img.ChecksumGiven && res.sum != "" {
		img.Checksum = res.sum
		k := p.ID + "/" + res.sum
		other := s.images[s.byChecksum[k]]
		switch {
		case other == nil || other.State == stateInvalid:
			s.byChecksum[k] = img.ID
		case len(reasons) == 0:
			reasons = append(reasons, fmt.Sprintf("the project already has these bytes as image %s (%s)", other.ID, quote(other.Name)))
		}
	}
	if len(reasons) > 0 {
		img.State = stateInvalid
		img.Errors = append(img.Errors, reasons...)
	} else {
		img.State = stateReady
	}
	s.changed()
	s.imagesSettledLocked(p, s.clock.Now())
}

type checkResult struct {
	sum           string
	size          int64
	typ           string
	width, height int
	gps           bool
	reasons       []string
}

func (s *Sandbox) check(img *imageRec) (res checkResult) {
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Minute)
	defer cancel()
	buf := objectBufs.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledObject {
			objectBufs.Put(buf)
		}
	}()
	data, err := s.readObject(ctx, img, buf)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		res.reasons = []string{fmt.Sprintf("the object %s is no longer in bucket %s", img.key(), s.bucketLabel(img))}
		return res
	case errors.Is(err, errTooLarge):
		res.reasons = []string{fmt.Sprintf("the file is larger than the limit of %d bytes", s.cfg.MaxImageBytes)}
		return res
	case err != nil:
		s.log.Error("sandbox: reading an object", "key", img.key(), "err", err)
		res.reasons = []string{fmt.Sprintf("the object %s could not be read from bucket %s", img.key(), s.bucketLabel(img))}
		return res
	}
	h := sha1.Sum(data)
	res.sum = hex.EncodeToString(h[:])
	res.size = int64(len(data))
	if img.ChecksumGiven && res.sum != img.Checksum {
		res.reasons = append(res.reasons, mismatch(res.sum, img.Checksum))
	}
	typ, w, h2, reason := decodeCheck(data, img.Type, s.cfg.MaxDecodePixels)
	res.typ, res.width, res.height = typ, w, h2
	res.gps = hasGPS(data)
	if reason != "" {
		res.reasons = append(res.reasons, reason)
	}
	return res
}

var errTooLarge = errors.New("object too large")

// openObject opens an image's object in its storage.
func (s *Sandbox) openObject(ctx context.Context, img *imageRec) (io.ReadCloser, error) {
	if img.Cloud == CloudOSS {
		if s.cfg.OSS == nil {
			return nil, s.noOSS()
		}
		return s.cfg.OSS.Open(ctx, ossBucketName(img.Bucket), img.key())
	}
	if s.cfg.S3 == nil {
		return nil, s.noS3()
	}
	return s.cfg.S3.Open(ctx, img.key())
}

// objectBufs hold the objects being validated: a buffer grown to the
// size of a photo is used again, where reading each into a new one cost
// more than all the checks on it (clearing fresh memory).
var objectBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledObject is the largest buffer kept for the next object: one
// grown for a rare huge image is left to the collector.
const maxPooledObject = 64 << 20

// readObject reads an image's object into buf (reset first) and returns
// its bytes, valid until buf is used again.
func (s *Sandbox) readObject(ctx context.Context, img *imageRec, buf *bytes.Buffer) ([]byte, error) {
	rc, err := s.openObject(ctx, img)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(io.LimitReader(rc, s.cfg.MaxImageBytes+1)); err != nil {
		return nil, err
	}
	if int64(buf.Len()) > s.cfg.MaxImageBytes {
		return nil, errTooLarge
	}
	return buf.Bytes(), nil
}

// decodeCheck finds the type and size of an image with image.DecodeConfig
// and, unless it has more than maxPixels pixels, decodes it whole to catch
// damaged or truncated data. Any of JPEG, PNG and TIFF is accepted whatever
// was registered (want only words the reasons): the CLI registers every type
// it cannot tell, TIFF included, as JPEG. reason is "" when the image is good.
func decodeCheck(data []byte, want string, maxPixels int64) (typ string, width, height int, reason string) {
	what := "a JPEG, PNG or TIFF image"
	if want != "" {
		what = "a " + want + " image"
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if errors.Is(err, image.ErrFormat) {
		return "", 0, 0, fmt.Sprintf("the file is not %s: its format is not recognised", what)
	}
	if err != nil {
		return "", 0, 0, fmt.Sprintf("the file is not %s: %v", what, err)
	}
	typ = formats[format]
	switch {
	case typ == "":
		return "", 0, 0, fmt.Sprintf("the file is a %s image, not %s", format, what)
	case cfg.Width <= 0 || cfg.Height <= 0:
		return typ, 0, 0, fmt.Sprintf("the %s image has no pixels (%d×%d)", typ, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) <= maxPixels {
		if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
			return typ, cfg.Width, cfg.Height, fmt.Sprintf("the %s image is damaged or truncated: %v", typ, err)
		}
	}
	return typ, cfg.Width, cfg.Height, ""
}

// hasGPS reads whether an image carries a GPS position; a reader fault on a
// hostile file counts as none rather than stopping the validator.
func hasGPS(data []byte) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	_, _, ok = gpsPosition(data)
	return ok
}
