package s3bucket

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net/http"

	"github.com/rclone/gofakes3"

	"altiup/server/diskstore"
)

// diskStore is a gofakes3.Backend over a diskstore.Store (the layout the
// OSS endpoint uses too), so the sandbox's S3 objects survive a restart;
// gofakes3 ships only a memory backend. It maps the store's errors to S3's.
type diskStore struct{ s *diskstore.Store }

var _ gofakes3.Backend = (*diskStore)(nil)

func openDiskStore(dir string) (*diskStore, error) {
	s, err := diskstore.Open(dir)
	if err != nil {
		return nil, err
	}
	return &diskStore{s: s}, nil
}

// s3Error turns the store's errors into gofakes3's, which it answers with
// the S3 codes; other errors pass as they are.
func s3Error(err error, bucket, key string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, diskstore.ErrNoSuchBucket):
		return gofakes3.BucketNotFound(bucket)
	case errors.Is(err, fs.ErrNotExist):
		return gofakes3.KeyNotFound(key)
	case errors.Is(err, diskstore.ErrBucketName):
		return gofakes3.ResourceError(gofakes3.ErrInvalidBucketName, bucket)
	case errors.Is(err, diskstore.ErrBucketExists):
		return gofakes3.ResourceError(gofakes3.ErrBucketAlreadyExists, bucket)
	case errors.Is(err, diskstore.ErrBucketNotEmpty):
		return gofakes3.ResourceError(gofakes3.ErrBucketNotEmpty, bucket)
	case errors.Is(err, diskstore.ErrIncomplete):
		return gofakes3.ErrIncompleteBody
	}
	return err
}

func (d *diskStore) ListBuckets(ctx context.Context) ([]gofakes3.BucketInfo, error) {
	var out []gofakes3.BucketInfo
	for _, b := range d.s.Buckets() {
		out = append(out, gofakes3.BucketInfo{Name: b.Name, CreationDate: gofakes3.NewContentTime(b.Created)})
	}
	return out, nil
}

func (d *diskStore) ListBucket(ctx context.Context, name string, prefix *gofakes3.Prefix, page gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
	if prefix == nil {
		prefix = &gofakes3.Prefix{}
	}
	objects, err := d.s.List(name)
	if err != nil {
		return nil, s3Error(err, name, "")
	}
	if page.HasMarker {
		for len(objects) > 0 && objects[0].Key <= page.Marker {
			objects = objects[1:]
		}
	}
	list := gofakes3.NewObjectList()
	var match gofakes3.PrefixMatch
	var lastPrefix string
	var n int64
	for i, o := range objects {
		if !prefix.Match(o.Key, &match) {
			continue
		}
		if match.CommonPrefix {
			if match.MatchedPart == lastPrefix {
				continue
			}
			lastPrefix = match.MatchedPart
			list.AddPrefix(match.MatchedPart)
		} else {
			list.Add(&gofakes3.Content{
				Key:          o.Key,
				LastModified: gofakes3.NewContentTime(o.Modified),
				ETag:         `"` + hex.EncodeToString(o.MD5[:]) + `"`,
				Size:         o.Size,
			})
		}
		n++
		if page.MaxKeys > 0 && n >= page.MaxKeys {
			list.NextMarker = o.Key
			list.IsTruncated = i+1 < len(objects)
			break
		}
	}
	return list, nil
}

func (d *diskStore) CreateBucket(ctx context.Context, name string) error {
	return s3Error(d.s.CreateBucket(name), name, "")
}

func (d *diskStore) BucketExists(ctx context.Context, name string) (bool, error) {
	return d.s.HasBucket(name), nil
}

func (d *diskStore) DeleteBucket(ctx context.Context, name string) error {
	err := d.s.DeleteBucket(name)
	if errors.Is(err, diskstore.ErrNoSuchBucket) {
		return gofakes3.ErrNoSuchBucket
	}
	return s3Error(err, name, "")
}

func toObject(o diskstore.Object, contents io.ReadCloser, rng *gofakes3.ObjectRange) *gofakes3.Object {
	return &gofakes3.Object{
		Name:     o.Key,
		Metadata: o.Meta,
		Size:     o.Size,
		Contents: contents,
		Hash:     o.MD5[:],
		Range:    rng,
	}
}

func (d *diskStore) HeadObject(ctx context.Context, bucket, key string) (*gofakes3.Object, error) {
	o, err := d.s.Stat(bucket, key)
	if err != nil {
		return nil, s3Error(err, bucket, key)
	}
	return toObject(o, http.NoBody, nil), nil
}

func (d *diskStore) GetObject(ctx context.Context, bucket, key string, rangeRequest *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	o, body, err := d.s.Open(bucket, key)
	if err != nil {
		return nil, s3Error(err, bucket, key)
	}
	rng, err := rangeRequest.Range(o.Size)
	if err != nil {
		body.Close()
		return nil, err
	}
	if rng == nil {
		return toObject(o, body, nil), nil
	}
	part := struct {
		io.Reader
		io.Closer
	}{io.NewSectionReader(body, rng.Start, rng.Length), body}
	return toObject(o, part, rng), nil
}

func (d *diskStore) PutObject(ctx context.Context, bucket, key string, meta map[string]string, input io.Reader, size int64) (gofakes3.PutObjectResult, error) {
	_, err := d.s.Put(bucket, key, meta, input, size)
	return gofakes3.PutObjectResult{}, s3Error(err, bucket, key)
}

func (d *diskStore) DeleteObject(ctx context.Context, bucket, key string) (gofakes3.ObjectDeleteResult, error) {
	return gofakes3.ObjectDeleteResult{}, s3Error(d.s.Delete(bucket, key), bucket, key)
}

func (d *diskStore) DeleteMulti(ctx context.Context, bucket string, keys ...string) (gofakes3.MultiDeleteResult, error) {
	var res gofakes3.MultiDeleteResult
	if !d.s.HasBucket(bucket) {
		return res, gofakes3.BucketNotFound(bucket)
	}
	for _, k := range keys {
		if err := d.s.Delete(bucket, k); err != nil {
			res.Error = append(res.Error, gofakes3.ErrorResultFromError(s3Error(err, bucket, k)))
			continue
		}
		res.Deleted = append(res.Deleted, gofakes3.ObjectID{Key: k})
	}
	return res, nil
}

func (d *diskStore) CopyObject(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, meta map[string]string) (res gofakes3.CopyObjectResult, err error) {
	src, body, err := d.s.Open(srcBucket, srcKey)
	if err != nil {
		return res, s3Error(err, srcBucket, srcKey)
	}
	defer body.Close()
	o, err := d.s.Put(dstBucket, dstKey, meta, body, src.Size)
	if err != nil {
		return res, s3Error(err, dstBucket, dstKey)
	}
	return gofakes3.CopyObjectResult{
		ETag:         `"` + hex.EncodeToString(o.MD5[:]) + `"`,
		LastModified: gofakes3.NewContentTime(o.Modified),
	}, nil
}
