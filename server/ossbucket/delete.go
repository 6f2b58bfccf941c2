package ossbucket

import (
	"context"
	"errors"

	"altiup/server/diskstore"
)

// objectDeleter is a Store that can delete objects. Both stores here are;
// the Store interface leaves it out because no client request deletes.
type objectDeleter interface {
	DeleteObject(ctx context.Context, bucket, key string) error
}

var (
	_ objectDeleter = (*MemStore)(nil)
	_ objectDeleter = (*DirStore)(nil)
)

// Delete removes an object, for the server's own housekeeping (a removed
// project's images); deleting an absent object is no error.
func (s *Server) Delete(ctx context.Context, bucket, key string) error {
	if e := s.checkTarget(bucket, key); e != nil {
		return e
	}
	d, ok := s.store.(objectDeleter)
	if !ok {
		return errors.New("ossbucket: this store cannot delete objects")
	}
	return d.DeleteObject(ctx, bucket, key)
}

// DeleteObject removes an object; an absent one is no error.
func (m *MemStore) DeleteObject(ctx context.Context, bucket, key string) error {
	if err := checkTarget(bucket, key); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.objects, bucket+"/"+key)
	return nil
}

// DeleteObject removes an object; an absent one is no error.
func (d *DirStore) DeleteObject(ctx context.Context, bucket, key string) error {
	if err := checkTarget(bucket, key); err != nil {
		return err
	}
	if err := d.s.Delete(bucket, key); err != nil && !errors.Is(err, diskstore.ErrNoSuchBucket) {
		return err
	}
	return nil
}
