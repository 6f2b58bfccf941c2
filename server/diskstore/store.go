package diskstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// Errors of the store; absent objects give an error matching fs.ErrNotExist.
var (
	ErrNoSuchBucket   = errors.New("diskstore: no such bucket")
	ErrBucketExists   = errors.New("diskstore: the bucket exists already")
	ErrBucketNotEmpty = errors.New("diskstore: the bucket is not empty")
	ErrBucketName     = errors.New("diskstore: invalid bucket name")
	ErrNoSuchUpload   = errors.New("diskstore: no such multipart upload")
	// ErrIncomplete: the body ended before the size it was announced with.
	ErrIncomplete = errors.New("diskstore: the body is shorter than its size")
)

// Store is a directory of buckets, objects and multipart uploads. It is
// safe for concurrent use.
type Store struct {
	dir     string
	mu      sync.RWMutex // guards buckets and every rename or removal
	buckets map[string]*bucket
}

type bucket struct {
	Created time.Time `json:"created"`
	objects map[string]*Object
}

// Bucket describes a bucket.
type Bucket struct {
	Name    string
	Created time.Time
}

const (
	bucketMeta = "bucket.json"
	objectsDir = "objects"
	uploadsDir = ".uploads"
	tmpSuffix  = ".tmp"
)

// bucketNameRE is S3's rule for bucket names (OSS's is narrower), which also
// keeps a name one plain path segment that cannot clash with ".uploads".
var bucketNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// ValidBucket tells whether name can be a bucket of the store.
func ValidBucket(name string) bool { return bucketNameRE.MatchString(name) }

// Open opens (creating if needed) the store in dir and reads its buckets.
func Open(dir string) (*Store, error) {
	abs, err := filepath.Abs(dir)
	if err == nil {
		err = os.MkdirAll(filepath.Join(abs, uploadsDir), 0o700)
	}
	if err != nil {
		return nil, fmt.Errorf("diskstore: data directory: %w", err)
	}
	s := &Store{dir: abs, buckets: map[string]*bucket{}}
	entries, err := os.ReadDir(abs)
	if err != nil {
		return nil, fmt.Errorf("diskstore: data directory: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() || !ValidBucket(e.Name()) {
			continue
		}
		b, err := s.loadBucket(e.Name())
		if errors.Is(err, fs.ErrNotExist) {
			continue // not a bucket of ours
		}
		if err != nil {
			return nil, err
		}
		s.buckets[e.Name()] = b
	}
	if err := s.removeTemps(filepath.Join(abs, uploadsDir)); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Store) bucketDir(name string) string { return filepath.Join(s.dir, name) }

func (s *Store) loadBucket(name string) (*bucket, error) {
	raw, err := os.ReadFile(filepath.Join(s.bucketDir(name), bucketMeta))
	if err != nil {
		return nil, err
	}
	b := &bucket{objects: map[string]*Object{}}
	if err := json.Unmarshal(raw, b); err != nil {
		return nil, fmt.Errorf("diskstore: bucket %s: %s: %w", name, bucketMeta, err)
	}
	objDir := filepath.Join(s.bucketDir(name), objectsDir)
	if err := s.removeTemps(s.bucketDir(name)); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(objDir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("diskstore: bucket %s: %w", name, err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || len(e.Name()) != 64 {
			continue
		}
		o, err := readHeader(filepath.Join(objDir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("diskstore: bucket %s: %w", name, err)
		}
		b.objects[o.Key] = o
	}
	return b, nil
}

// removeTemps removes the temporary files of interrupted writes in dir and
// in the directories directly below it.
func (s *Store) removeTemps(dir string) error {
	for _, pattern := range []string{"*" + tmpSuffix, "*/*" + tmpSuffix} {
		names, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			return err
		}
		for _, n := range names {
			if err := os.Remove(n); err != nil {
				return fmt.Errorf("diskstore: removing a temporary file: %w", err)
			}
		}
	}
	return nil
}

// Buckets lists the buckets by name.
func (s *Store) Buckets() []Bucket {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Bucket, 0, len(s.buckets))
	for name, b := range s.buckets {
		out = append(out, Bucket{Name: name, Created: b.Created})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// HasBucket tells whether the bucket exists.
func (s *Store) HasBucket(name string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.buckets[name] != nil
}

// CreateBucket makes an empty bucket; ErrBucketExists if it is there.
func (s *Store) CreateBucket(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buckets[name] != nil {
		return fmt.Errorf("bucket %s: %w", name, ErrBucketExists)
	}
	return s.createLocked(name)
}

// EnsureBucket makes the bucket unless it exists.
func (s *Store) EnsureBucket(name string) error {
	s.mu.RLock()
	ok := s.buckets[name] != nil
	s.mu.RUnlock()
	if ok {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buckets[name] != nil {
		return nil
	}
	return s.createLocked(name)
}

func (s *Store) createLocked(name string) error {
	if !ValidBucket(name) {
		return fmt.Errorf("%w: %q", ErrBucketName, name)
	}
	b := &bucket{Created: time.Now().UTC(), objects: map[string]*Object{}}
	if err := os.MkdirAll(filepath.Join(s.bucketDir(name), objectsDir), 0o700); err != nil {
		return err
	}
	raw, err := json.Marshal(b)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(s.bucketDir(name), bucketMeta), raw); err != nil {
		return err
	}
	s.buckets[name] = b
	return nil
}

// DeleteBucket removes an empty bucket.
func (s *Store) DeleteBucket(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[name]
	if b == nil {
		return fmt.Errorf("bucket %s: %w", name, ErrNoSuchBucket)
	}
	if len(b.objects) > 0 {
		return fmt.Errorf("bucket %s: %w", name, ErrBucketNotEmpty)
	}
	if err := os.RemoveAll(s.bucketDir(name)); err != nil {
		return err
	}
	delete(s.buckets, name)
	return nil
}

// createTemp opens a new temporary file in dir, which the caller renames
// into place or removes.
func createTemp(dir string) (*os.File, error) {
	return os.CreateTemp(dir, "put-*"+tmpSuffix)
}

func writeFileAtomic(path string, data []byte) error {
	f, err := createTemp(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // fails harmlessly once renamed
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

func isTemp(name string) bool { return strings.HasSuffix(name, tmpSuffix) }
