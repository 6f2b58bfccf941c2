package ossbucket

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"altiup/server/diskstore"
)

// Store keeps objects and in-progress multipart uploads. Writes are atomic:
// when the reader fails, nothing is stored and any earlier object or part
// under the same name stays as it was. Absent objects give an error matching
// fs.ErrNotExist; unknown uploads give ErrNoSuchUpload.
type Store interface {
	PutObject(ctx context.Context, bucket, key string, r io.Reader) (ObjectInfo, error)
	StatObject(ctx context.Context, bucket, key string) (ObjectInfo, error)
	OpenObject(ctx context.Context, bucket, key string) (io.ReadCloser, error)

	CreateUpload(ctx context.Context, bucket, key string) (uploadID string, err error)
	GetUpload(ctx context.Context, uploadID string) (Upload, error)
	PutPart(ctx context.Context, uploadID string, number int, r io.Reader) (Part, error)
	ListParts(ctx context.Context, uploadID string) ([]Part, error) // by part number
	// CompleteUpload joins the given parts, in that order, into the upload's
	// object and forgets the upload.
	CompleteUpload(ctx context.Context, uploadID string, numbers []int) (ObjectInfo, error)
	AbortUpload(ctx context.Context, uploadID string) error
}

var (
	_ Store = (*MemStore)(nil)
	_ Store = (*DirStore)(nil)
)

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Size    int64
	MD5     [md5.Size]byte
	ModTime time.Time
}

// Upload is an in-progress multipart upload.
type Upload = diskstore.Upload

// Part is a stored part of a multipart upload.
type Part = diskstore.Part

const maxKeyLen = 1023

// checkKey rejects keys that cannot name a file safely: empty or too long,
// not UTF-8, control characters, backslashes, absolute paths and empty, "."
// or ".." segments.
func checkKey(key string) error {
	switch {
	case key == "":
		return errors.New("the object key is empty")
	case len(key) > maxKeyLen:
		return fmt.Errorf("the object key is %d bytes long; at most %d are allowed", len(key), maxKeyLen)
	case !utf8.ValidString(key):
		return errors.New("the object key is not valid UTF-8")
	case strings.ContainsAny(key, "\\"):
		return errors.New("the object key contains a backslash")
	}
	for _, c := range key {
		if c < 0x20 || c == 0x7f {
			return errors.New("the object key contains a control character")
		}
	}
	for _, seg := range strings.Split(key, "/") {
		switch seg {
		case "":
			return errors.New("the object key starts or ends with \"/\" or contains \"//\"")
		case ".", "..":
			return errors.New("the object key contains a \".\" or \"..\" path segment")
		}
	}
	return nil
}

// checkBucket accepts OSS bucket names: 3 to 63 lower-case letters, digits
// and hyphens, starting and ending with a letter or digit.
func checkBucket(name string) error {
	if len(name) < 3 || len(name) > 63 {
		return fmt.Errorf("bucket name %q must be 3 to 63 characters long", name)
	}
	for i, c := range name {
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' && i > 0 && i < len(name)-1
		if !ok {
			return fmt.Errorf("bucket name %q may only hold lower-case letters, digits and inner hyphens", name)
		}
	}
	return nil
}

func checkTarget(bucket, key string) error {
	if err := checkBucket(bucket); err != nil {
		return err
	}
	return checkKey(key)
}

// MemStore keeps everything in memory.
type MemStore struct {
	mu      sync.Mutex
	objects map[string]memObject
	uploads map[string]*memUpload
}

type memObject struct {
	data []byte
	info ObjectInfo
}

type memUpload struct {
	Upload
	parts map[int]memObject
}

// NewMemStore returns an empty in-memory store.
func NewMemStore() *MemStore {
	return &MemStore{objects: map[string]memObject{}, uploads: map[string]*memUpload{}}
}

// readAllInfo reads an object whole. A body of announced length is read
// into one buffer of that size: grown from nothing, an 8 MiB photo took a
// dozen allocations, each cleared and copied into, most of the sandbox's
// time in an upload of such photos.
func readAllInfo(r io.Reader) (memObject, error) {
	var buf bytes.Buffer
	if c, ok := r.(*checkedBody); ok && c.want > 0 && c.want <= c.max {
		buf.Grow(int(c.want) + bytes.MinRead) // the last read, of none, needs room too
	}
	if _, err := io.Copy(&buf, r); err != nil {
		return memObject{}, err
	}
	b := buf.Bytes()
	return memObject{data: b, info: ObjectInfo{Size: int64(len(b)), MD5: md5.Sum(b), ModTime: time.Now()}}, nil
}

func (m *MemStore) PutObject(ctx context.Context, bucket, key string, r io.Reader) (ObjectInfo, error) {
	if err := checkTarget(bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	o, err := readAllInfo(r)
	if err != nil {
		return ObjectInfo{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objects[bucket+"/"+key] = o
	return o.info, nil
}

func (m *MemStore) get(bucket, key string) (memObject, error) {
	if err := checkTarget(bucket, key); err != nil {
		return memObject{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.objects[bucket+"/"+key]
	if !ok {
		return memObject{}, fmt.Errorf("object %s/%s: %w", bucket, key, fs.ErrNotExist)
	}
	return o, nil
}

func (m *MemStore) StatObject(ctx context.Context, bucket, key string) (ObjectInfo, error) {
	o, err := m.get(bucket, key)
	return o.info, err
}

func (m *MemStore) OpenObject(ctx context.Context, bucket, key string) (io.ReadCloser, error) {
	o, err := m.get(bucket, key)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(o.data)), nil
}

func (m *MemStore) CreateUpload(ctx context.Context, bucket, key string) (string, error) {
	if err := checkTarget(bucket, key); err != nil {
		return "", err
	}
	id := diskstore.NewUploadID()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.uploads[id] = &memUpload{Upload: Upload{ID: id, Bucket: bucket, Key: key, Initiated: time.Now()}, parts: map[int]memObject{}}
	return id, nil
}

func (m *MemStore) upload(id string) (*memUpload, error) {
	u, ok := m.uploads[id]
	if !ok {
		return nil, ErrNoSuchUpload
	}
	return u, nil
}

func (m *MemStore) GetUpload(ctx context.Context, id string) (Upload, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, err := m.upload(id)
	if err != nil {
		return Upload{}, err
	}
	return u.Upload, nil
}

func (m *MemStore) PutPart(ctx context.Context, id string, n int, r io.Reader) (Part, error) {
	if n < 1 || n > diskstore.MaxPart {
		return Part{}, fmt.Errorf("part number %d is outside 1..%d", n, diskstore.MaxPart)
	}
	m.mu.Lock()
	_, err := m.upload(id)
	m.mu.Unlock()
	if err != nil {
		return Part{}, err
	}
	o, err := readAllInfo(r)
	if err != nil {
		return Part{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	u, err := m.upload(id)
	if err != nil {
		return Part{}, err
	}
	u.parts[n] = o
	return Part{Number: n, Size: o.info.Size, MD5: o.info.MD5, Modified: o.info.ModTime}, nil
}

func (m *MemStore) ListParts(ctx context.Context, id string) ([]Part, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, err := m.upload(id)
	if err != nil {
		return nil, err
	}
	parts := make([]Part, 0, len(u.parts))
	for n, o := range u.parts {
		parts = append(parts, Part{Number: n, Size: o.info.Size, MD5: o.info.MD5, Modified: o.info.ModTime})
	}
	slices.SortFunc(parts, func(a, b Part) int { return a.Number - b.Number })
	return parts, nil
}

func (m *MemStore) CompleteUpload(ctx context.Context, id string, numbers []int) (ObjectInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, err := m.upload(id)
	if err != nil {
		return ObjectInfo{}, err
	}
	var data []byte
	for _, n := range numbers {
		p, ok := u.parts[n]
		if !ok {
			return ObjectInfo{}, fmt.Errorf("part %d of upload %s is missing", n, id)
		}
		data = append(data, p.data...)
	}
	o := memObject{data: data, info: ObjectInfo{Size: int64(len(data)), MD5: md5.Sum(data), ModTime: time.Now()}}
	m.objects[u.Bucket+"/"+u.Key] = o
	delete(m.uploads, id)
	return o.info, nil
}

func (m *MemStore) AbortUpload(ctx context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.upload(id); err != nil {
		return err
	}
	delete(m.uploads, id)
	return nil
}
