package sandbox

import (
	"context"

	"altiup/server/sandbox/internal/graph"
)

// Image.url is a download link signed by the storage that holds the image,
// so the storage endpoint checks it as it checks uploads: OSS images get a
// signature V1 URL made with a read-only credential for that one object,
// S3 and MinIO images (and URL imports, stored in S3) a presigned GET. Both
// last Config.LinkTTL and answer the image's Content-Type.

type imageResolver struct{ s *Sandbox }

// URL is null until the object has arrived.
func (r imageResolver) URL(ctx context.Context, obj *graph.Image) (*string, error) {
	s := r.s
	s.mu.Lock()
	img := s.images[obj.ID]
	var where imageRec
	if img != nil {
		where = *img
	}
	s.mu.Unlock()
	if img == nil || !(where.Stored || where.Size > 0) {
		return nil, nil
	}
	u, err := s.downloadURL(ctx, &where)
	if err != nil {
		s.log.Error("sandbox: signing a download link", "key", where.key(), "err", err)
		return nil, errorf(CodeUnavailable, "could not sign a download link for image %s", quote(where.ID))
	}
	return &u, nil
}

// downloadURL signs a GET of the image's object with its storage.
func (s *Sandbox) downloadURL(ctx context.Context, img *imageRec) (string, error) {
	ct := contentTypes[img.Type]
	if ct == "" {
		ct = "application/octet-stream"
	}
	if img.Cloud == CloudOSS {
		if s.cfg.OSS == nil {
			return "", s.noOSS()
		}
		return s.cfg.OSS.SignGetURL(ossBucketName(img.Bucket), img.key(), ct, s.cfg.LinkTTL)
	}
	if s.cfg.S3 == nil {
		return "", s.noS3()
	}
	return s.cfg.S3.PresignGet(ctx, img.key(), ct, s.cfg.LinkTTL)
}
