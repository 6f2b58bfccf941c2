package ossbucket

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"testing"
)

func TestDeleteObject(t *testing.T) {
	ctx := context.Background()
	dir, err := NewDirStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for name, st := range map[string]Store{"mem": NewMemStore(), "dir": dir} {
		t.Run(name, func(t *testing.T) {
			s, err := New(Config{Buckets: []string{"bkt"}, Endpoint: "http://127.0.0.1:1", Store: st, SigningKey: []byte("0123456789abcdef")})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Put(ctx, "bkt", "p/x.jpg", bytes.NewReader([]byte("x")), 1); err != nil {
				t.Fatal(err)
			}
			if err := s.Delete(ctx, "bkt", "p/x.jpg"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Stat(ctx, "bkt", "p/x.jpg"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("after Delete, Stat = %v", err)
			}
			if err := s.Delete(ctx, "bkt", "p/x.jpg"); err != nil {
				t.Errorf("deleting again: %v", err)
			}
			if err := s.Delete(ctx, "nope", "p/x.jpg"); err == nil {
				t.Error("deleting in an unknown bucket answered nil")
			}
		})
	}
}
