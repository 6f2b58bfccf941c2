package ossbucket

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"altiup/server/diskstore"
)

// DirStore keeps objects on disk in a diskstore.Store (the layout the
// in-process S3 server uses too), so they survive a restart. Buckets are
// made on their first write.
type DirStore struct{ s *diskstore.Store }

// NewDirStore opens (creating if needed) a store in dir. Temporary files left
// by an interrupted write are removed.
func NewDirStore(dir string) (*DirStore, error) {
	s, err := diskstore.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("ossbucket: %w", err)
	}
	return &DirStore{s: s}, nil
}

func objectInfo(o diskstore.Object) ObjectInfo {
	return ObjectInfo{Size: o.Size, MD5: o.MD5, ModTime: o.Modified}
}

// absent turns an absent bucket into an absent object: OSS buckets exist
// whether or not anything was written to them.
func absent(bucket, key string, err error) error {
	if errors.Is(err, diskstore.ErrNoSuchBucket) {
		return fmt.Errorf("object %s/%s: %w", bucket, key, fs.ErrNotExist)
	}
	return err
}

func (d *DirStore) PutObject(ctx context.Context, bucket, key string, r io.Reader) (ObjectInfo, error) {
	if err := checkTarget(bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	if err := d.s.EnsureBucket(bucket); err != nil {
		return ObjectInfo{}, err
	}
	o, err := d.s.Put(bucket, key, nil, r, -1)
	return objectInfo(o), err
}

func (d *DirStore) StatObject(ctx context.Context, bucket, key string) (ObjectInfo, error) {
	if err := checkTarget(bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	o, err := d.s.Stat(bucket, key)
	return objectInfo(o), absent(bucket, key, err)
}

func (d *DirStore) OpenObject(ctx context.Context, bucket, key string) (io.ReadCloser, error) {
	if err := checkTarget(bucket, key); err != nil {
		return nil, err
	}
	_, body, err := d.s.Open(bucket, key)
	if err != nil {
		return nil, absent(bucket, key, err)
	}
	return body, nil
}

func (d *DirStore) CreateUpload(ctx context.Context, bucket, key string) (string, error) {
	if err := checkTarget(bucket, key); err != nil {
		return "", err
	}
	if err := d.s.EnsureBucket(bucket); err != nil {
		return "", err
	}
	u, err := d.s.CreateUpload(bucket, key)
	return u.ID, err
}

func (d *DirStore) GetUpload(ctx context.Context, id string) (Upload, error) {
	return d.s.Upload(id)
}

func (d *DirStore) PutPart(ctx context.Context, id string, n int, r io.Reader) (Part, error) {
	return d.s.PutPart(id, n, r)
}

func (d *DirStore) ListParts(ctx context.Context, id string) ([]Part, error) {
	return d.s.Parts(id)
}

func (d *DirStore) CompleteUpload(ctx context.Context, id string, numbers []int) (ObjectInfo, error) {
	o, err := d.s.Complete(id, numbers, nil)
	return objectInfo(o), err
}

func (d *DirStore) AbortUpload(ctx context.Context, id string) error {
	return d.s.Abort(id)
}
