package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"altiup/server/sandbox/internal/graph"
)

// contentTypes maps image types to the Content-Type a presigned PUT is signed for.
var contentTypes = map[string]string{
	string(graph.ImageTypeJpeg): "image/jpeg",
	string(graph.ImageTypePng):  "image/png",
	string(graph.ImageTypeTiff): "image/tiff",
}

var extensions = map[string]string{
	string(graph.ImageTypeJpeg): ".jpg",
	string(graph.ImageTypePng):  ".png",
	string(graph.ImageTypeTiff): ".tif",
}

// typeFromName guesses an image type from a file name's extension; "" when
// it says nothing.
func typeFromName(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".jpg", ".jpeg", ".jpe":
		return string(graph.ImageTypeJpeg)
	case ".png":
		return string(graph.ImageTypePng)
	case ".tif", ".tiff":
		return string(graph.ImageTypeTiff)
	}
	return ""
}

// projectFor returns the user's project; another user's project is not found.
func (s *Sandbox) projectFor(u *User, pid string) (*projectRec, error) {
	p := s.projects[pid]
	if p == nil || p.Owner != u.Username {
		return nil, errorf(CodeNotFound, "project %s not found", quote(pid))
	}
	return p, nil
}

// imageFor returns an image of one of the user's projects.
func (s *Sandbox) imageFor(u *User, id string) (*imageRec, *projectRec, error) {
	img := s.images[id]
	if img != nil {
		if p := s.projects[img.PID]; p != nil && p.Owner == u.Username {
			return img, p, nil
		}
	}
	return nil, nil, errorf(CodeNotFound, "image %s not found", quote(id))
}

func notSHA1(c string) error {
	return errorf(CodeBadInput, "checksum %s is not a SHA-1: it must be 40 lowercase hexadecimal characters", quote(c))
}

// mismatch is the reason an object whose SHA-1 is not the registered one
// is Invalid.
func mismatch(got, want string) string {
	return fmt.Sprintf("checksum mismatch: the file's SHA-1 is %s, not %s as registered", got, want)
}

// checkChecksum returns the checksum to record; "" when none was given.
func checkChecksum(c *string) (string, error) {
	if c == nil || *c == "" {
		return "", nil
	}
	if !isChecksum(*c) {
		return "", notSHA1(*c)
	}
	return *c, nil
}

// refreshLocked applies what time has done to a project: images past the
// timeout become Invalid, and a waiting task may start.
func (s *Sandbox) refreshLocked(p *projectRec, now time.Time) {
	expired := false
	for _, id := range p.Images {
		if s.expireLocked(s.images[id], now) {
			expired = true
		}
	}
	if expired {
		s.imagesSettledLocked(p, now)
	}
}

func (s *Sandbox) expireLocked(img *imageRec, now time.Time) bool {
	if isFinal(img.State) || now.Sub(img.Created) <= s.cfg.ImageTimeout {
		return false
	}
	img.State = stateInvalid
	img.Errors = append(img.Errors, fmt.Sprintf("upload not finished within %s", formatDuration(s.cfg.ImageTimeout)))
	delete(s.fetching, img.ID)
	s.changed()
	return true
}

func formatDuration(d time.Duration) string {
	if d%time.Minute == 0 {
		if m := int(d / time.Minute); m == 1 {
			return "1 minute"
		} else {
			return fmt.Sprintf("%d minutes", m)
		}
	}
	return d.String()
}

// registration is what uploadImage* asks for.
type registration struct {
	pid      string
	cloud    Cloud
	bucket   string // enum value
	name     string
	typ      string // IMAGE_TYPE value or ""
	checksum *string
	url      string // uploadImageURL's source
}

// registerLocked registers an image, or returns the image the project
// already has with that checksum. prepare runs before anything changes, with
// the image as it will be; when it fails nothing changes.
func (s *Sandbox) registerLocked(u *User, r registration, prepare func(*imageRec) error) (*imageRec, error) {
	now := s.clock.Now()
	p, err := s.projectFor(u, r.pid)
	if err != nil {
		return nil, err
	}
	sum, err := checkChecksum(r.checksum)
	if err != nil {
		return nil, err
	}
	s.refreshLocked(p, now)
	var replace *imageRec
	if sum != "" {
		if old := s.images[s.byChecksum[p.ID+"/"+sum]]; old != nil {
			switch {
			case old.State == stateInvalid:
				replace = old
			case (old.State == statePending || old.State == stateUploading) && old.SourceURL == "":
				// Nothing has arrived yet: the client may have changed its
				// mind about where to upload.
				moved := *old
				moved.Cloud, moved.Bucket, moved.Name = r.cloud, r.bucket, r.name
				if r.typ != "" {
					moved.Type = r.typ
				}
				if r.url != "" {
					moved.SourceURL = r.url
				}
				if err := prepare(&moved); err != nil {
					return nil, err
				}
				*old = moved
				if old.SourceURL != "" {
					s.startFetchLocked(old, now)
				}
				s.changed()
				return old, nil
			default:
				if err := prepare(old); err != nil {
					return nil, err
				}
				return old, nil
			}
		}
	}
	ext := extensions[r.typ]
	if ext == "" {
		ext = extensions[typeFromName(r.name)]
	}
	if ext == "" {
		ext = ".jpg"
	}
	img := &imageRec{
		ID:            newID(now),
		PID:           p.ID,
		Name:          r.name,
		Filename:      objectName(p.ID, sum, ext),
		Checksum:      sum,
		ChecksumGiven: sum != "",
		Type:          r.typ,
		Cloud:         r.cloud,
		Bucket:        r.bucket,
		State:         statePending,
		Created:       now,
		SourceURL:     r.url,
	}
	if err := prepare(img); err != nil {
		return nil, err
	}
	if replace != nil {
		s.removeImageLocked(p, replace)
	}
	s.images[img.ID] = img
	p.Images = append(p.Images, img.ID)
	if sum != "" {
		s.byChecksum[p.ID+"/"+sum] = img.ID
	}
	if img.SourceURL != "" {
		s.startFetchLocked(img, now)
	}
	s.changed()
	return img, nil
}

func (s *Sandbox) removeImageLocked(p *projectRec, img *imageRec) {
	delete(s.images, img.ID)
	delete(s.fetching, img.ID)
	p.Images = slices.DeleteFunc(p.Images, func(id string) bool { return id == img.ID })
	if img.Checksum != "" && s.byChecksum[p.ID+"/"+img.Checksum] == img.ID {
		delete(s.byChecksum, p.ID+"/"+img.Checksum)
	}
}

func (s *Sandbox) noOSS() error {
	return errorf(CodeUnavailable, "this sandbox has no OSS storage configured; use uploadImageS3")
}

func (s *Sandbox) noS3() error {
	return errorf(CodeUnavailable, "this sandbox has no S3 storage configured; use uploadImageOSS")
}

// uploadImageOSS issues an STS for the project's prefix of the bucket and,
// unless filename is empty, registers the image.
func (s *Sandbox) uploadImageOSS(ctx context.Context, u *User, pid, bucket, filename string, typ *graph.ImageType, checksum *string) (STS, string, *imageRec, error) {
	if s.cfg.OSS == nil {
		return STS{}, "", nil, s.noOSS()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.projectFor(u, pid)
	if err != nil {
		return STS{}, "", nil, err
	}
	if _, err := checkChecksum(checksum); err != nil {
		return STS{}, "", nil, err
	}
	real := ossBucketName(bucket)
	sts, err := s.cfg.OSS.IssueSTS(real, p.ID+"/", s.cfg.STSTTL)
	if err != nil {
		s.log.Error("sandbox: issuing STS", "bucket", real, "err", err)
		return STS{}, "", nil, errorf(CodeUnavailable, "could not issue OSS credentials for bucket %s", real)
	}
	if filename == "" {
		return sts, real, nil, nil
	}
	img, err := s.registerLocked(u, registration{
		pid: pid, cloud: CloudOSS, bucket: bucket, name: filename, typ: typeValue(typ), checksum: checksum,
	}, func(*imageRec) error { return nil })
	if err != nil {
		return STS{}, "", nil, err
	}
	return sts, real, img, nil
}

func typeValue(t *graph.ImageType) string {
	if t == nil {
		return ""
	}
	return string(*t)
}

// uploadImageS3 registers an image on S3 or MinIO and presigns its PUT.
func (s *Sandbox) uploadImageS3(ctx context.Context, u *User, cloud Cloud, pid, bucket, filename string, typ *graph.ImageType, checksum *string) (string, *imageRec, error) {
	if s.cfg.S3 == nil {
		return "", nil, s.noS3()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var url string
	img, err := s.registerLocked(u, registration{
		pid: pid, cloud: cloud, bucket: bucket, name: filename, typ: typeValue(typ), checksum: checksum,
	}, func(img *imageRec) error {
		ct := contentTypes[img.Type]
		if ct == "" {
			ct = contentTypes[typeFromName(img.Name)]
		}
		if ct == "" {
			ct = "image/jpeg"
		}
		var err error
		url, err = s.cfg.S3.PresignPut(ctx, img.key(), ct, s.cfg.PresignTTL)
		if err != nil {
			s.log.Error("sandbox: presigning a PUT", "key", img.key(), "err", err)
			return errorf(CodeUnavailable, "could not presign an upload URL")
		}
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	return url, img, nil
}

func (s *Sandbox) hasImage(u *User, pid, checksum string) (*imageRec, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.projectFor(u, pid)
	if err != nil {
		return nil, err
	}
	if !isChecksum(checksum) {
		return nil, notSHA1(checksum)
	}
	img := s.images[s.byChecksum[p.ID+"/"+checksum]]
	if img == nil {
		return nil, nil
	}
	if s.expireLocked(img, s.clock.Now()) {
		s.imagesSettledLocked(p, s.clock.Now())
	}
	return img, nil
}

func (s *Sandbox) startImageUpload(u *User, id string) (*imageRec, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	img, p, err := s.imageFor(u, id)
	if err != nil {
		return nil, err
	}
	s.refreshLocked(p, s.clock.Now())
	if img.State == statePending {
		img.State = stateUploading
		s.changed()
	}
	return img, nil
}

// doneImageUpload moves an image whose object is in its bucket to Uploaded.
func (s *Sandbox) doneImageUpload(ctx context.Context, u *User, id string) (*imageRec, error) {
	s.mu.Lock()
	img, p, err := s.imageFor(u, id)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	s.refreshLocked(p, s.clock.Now())
	if img.State != statePending && img.State != stateUploading {
		s.mu.Unlock()
		return img, nil
	}
	where := *img
	s.mu.Unlock()

	size, err := s.stat(ctx, &where)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errorf(CodeNotUploaded, "image %s has not arrived: there is no object %s in bucket %s yet; upload it, then call doneImageUpload", quote(id), where.key(), s.bucketLabel(&where))
	}
	if err != nil {
		s.log.Error("sandbox: looking for an object", "key", where.key(), "err", err)
		return nil, errorf(CodeUnavailable, "could not look for the object %s: the storage failed", where.key())
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.images[id] != img {
		return nil, errorf(CodeNotFound, "image %s not found", quote(id))
	}
	s.arrivedLocked(img, where.Filename, size)
	return img, nil
}

// arrivedLocked records that an image's object is in its bucket.
func (s *Sandbox) arrivedLocked(img *imageRec, filename string, size int64) {
	if img.Filename != filename || (img.State != statePending && img.State != stateUploading) {
		return // replaced or moved on meanwhile
	}
	img.State = stateUploaded
	img.Size = size
	img.Stored = true
	s.queue = append(s.queue, img.ID)
	s.changed()
	s.kickValidators()
}

func (s *Sandbox) bucketLabel(img *imageRec) string {
	if img.Cloud == CloudOSS {
		return ossBucketName(img.Bucket)
	}
	return fmt.Sprintf("%s (%s)", img.Bucket, img.Cloud)
}

func (s *Sandbox) stat(ctx context.Context, img *imageRec) (int64, error) {
	if img.Cloud == CloudOSS {
		if s.cfg.OSS == nil {
			return 0, s.noOSS()
		}
		return s.cfg.OSS.Stat(ctx, ossBucketName(img.Bucket), img.key())
	}
	if s.cfg.S3 == nil {
		return 0, s.noS3()
	}
	return s.cfg.S3.Stat(ctx, img.key())
}
