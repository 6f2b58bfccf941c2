package diskstore

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// Object describes a stored object; it is also the header kept at the end
// of the object's file.
type Object struct {
	Key      string            `json:"key"`
	Size     int64             `json:"size"`
	MD5      [md5.Size]byte    `json:"md5"`
	Meta     map[string]string `json:"meta,omitempty"`
	Modified time.Time         `json:"modified"`
}

// MarshalJSON writes the MD5 in hex.
func (o *Object) MarshalJSON() ([]byte, error) {
	type plain Object
	return json.Marshal(struct {
		*plain
		MD5 string `json:"md5"`
	}{(*plain)(o), hex.EncodeToString(o.MD5[:])})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (o *Object) UnmarshalJSON(b []byte) error {
	type plain Object
	aux := struct {
		*plain
		MD5 string `json:"md5"`
	}{plain: (*plain)(o)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	sum, err := hex.DecodeString(aux.MD5)
	if err != nil || len(sum) != md5.Size {
		return fmt.Errorf("bad MD5 %q", aux.MD5)
	}
	copy(o.MD5[:], sum)
	return nil
}

func (o *Object) clone() Object {
	c := *o
	c.Meta = maps.Clone(o.Meta)
	return c
}

func (s *Store) objectPath(bucket, key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(s.bucketDir(bucket), objectsDir, hex.EncodeToString(sum[:]))
}

func notFound(bucket, key string) error {
	return fmt.Errorf("object %s/%s: %w", bucket, key, fs.ErrNotExist)
}

// lookup returns the object's header; the caller holds s.mu.
func (s *Store) lookup(bucket, key string) (*Object, error) {
	b := s.buckets[bucket]
	if b == nil {
		return nil, fmt.Errorf("bucket %s: %w", bucket, ErrNoSuchBucket)
	}
	o := b.objects[key]
	if o == nil {
		return nil, notFound(bucket, key)
	}
	return o, nil
}

// Stat describes an object.
func (s *Store) Stat(bucket, key string) (Object, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, err := s.lookup(bucket, key)
	if err != nil {
		return Object{}, err
	}
	return o.clone(), nil
}

// Body is an open object: its bytes, without the header.
type Body struct {
	*io.SectionReader
	f *os.File
}

func (b *Body) Close() error { return b.f.Close() }

// Open opens an object for reading. A Put that replaces it afterwards
// leaves the Body on the old bytes.
func (s *Store) Open(bucket, key string) (Object, *Body, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, err := s.lookup(bucket, key)
	if err != nil {
		return Object{}, nil, err
	}
	f, err := os.Open(s.objectPath(bucket, key))
	if err != nil {
		return Object{}, nil, err
	}
	return o.clone(), &Body{io.NewSectionReader(f, 0, o.Size), f}, nil
}

// List returns the bucket's objects by key.
func (s *Store) List(bucket string) ([]Object, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b := s.buckets[bucket]
	if b == nil {
		return nil, fmt.Errorf("bucket %s: %w", bucket, ErrNoSuchBucket)
	}
	out := make([]Object, 0, len(b.objects))
	for _, o := range b.objects {
		out = append(out, o.clone())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Put stores r as the object, atomically: when r fails, or ends before size
// bytes (size < 0: unknown), nothing changes. The bucket must exist.
func (s *Store) Put(bucket, key string, meta map[string]string, r io.Reader, size int64) (Object, error) {
	if !s.HasBucket(bucket) {
		return Object{}, fmt.Errorf("bucket %s: %w", bucket, ErrNoSuchBucket)
	}
	f, err := createTemp(filepath.Join(s.bucketDir(bucket), objectsDir))
	if err != nil {
		return Object{}, err
	}
	defer os.Remove(f.Name()) // fails harmlessly once renamed
	o, err := writeObjectFile(f, key, meta, r, size)
	if err != nil {
		return Object{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.commitLocked(f.Name(), bucket, o); err != nil {
		return Object{}, err
	}
	return o.clone(), nil
}

// commitLocked renames a written object file into place.
func (s *Store) commitLocked(tmp, bucket string, o *Object) error {
	b := s.buckets[bucket]
	if b == nil {
		return fmt.Errorf("bucket %s: %w", bucket, ErrNoSuchBucket)
	}
	if err := os.Rename(tmp, s.objectPath(bucket, o.Key)); err != nil {
		return err
	}
	b.objects[o.Key] = o
	return nil
}

// Delete removes an object; an absent object is no error, as in S3.
func (s *Store) Delete(bucket, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[bucket]
	if b == nil {
		return fmt.Errorf("bucket %s: %w", bucket, ErrNoSuchBucket)
	}
	if b.objects[key] == nil {
		return nil
	}
	if err := os.Remove(s.objectPath(bucket, key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	delete(b.objects, key)
	return nil
}

// writeObjectFile writes the body, then its header (known only at the end:
// size and MD5), then the header's length, syncs and closes f.
func writeObjectFile(f *os.File, key string, meta map[string]string, r io.Reader, size int64) (*Object, error) {
	o, err := func() (*Object, error) {
		h := md5.New()
		n, err := io.Copy(io.MultiWriter(f, h), r)
		if err != nil {
			return nil, err
		}
		if size >= 0 && n != size {
			return nil, ErrIncomplete
		}
		o := &Object{Key: key, Size: n, Meta: meta, Modified: time.Now().UTC()}
		copy(o.MD5[:], h.Sum(nil))
		header, err := json.Marshal(o)
		if err != nil {
			return nil, err
		}
		header = binary.BigEndian.AppendUint64(header, uint64(len(header)))
		if _, err := f.Write(header); err != nil {
			return nil, err
		}
		return o, f.Sync()
	}()
	if cerr := f.Close(); err == nil && cerr != nil {
		return nil, cerr
	}
	return o, err
}

// readHeader reads the header at the end of an object file: JSON, then its
// length as 8 bytes big-endian.
func readHeader(path string) (*Object, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	bad := func(why string) error { return fmt.Errorf("object file %s: %s", filepath.Base(path), why) }
	var tail [8]byte
	if st.Size() < 8 {
		return nil, bad("too short")
	}
	if _, err := f.ReadAt(tail[:], st.Size()-8); err != nil {
		return nil, err
	}
	n := int64(binary.BigEndian.Uint64(tail[:]))
	if n <= 0 || n > st.Size()-8 {
		return nil, bad("bad header length")
	}
	header := make([]byte, n)
	if _, err := f.ReadAt(header, st.Size()-8-n); err != nil {
		return nil, err
	}
	o := &Object{}
	if err := json.Unmarshal(header, o); err != nil {
		return nil, bad("header: " + err.Error())
	}
	if o.Size != st.Size()-8-n {
		return nil, bad(fmt.Sprintf("%d bytes where the header says %d", st.Size()-8-n, o.Size))
	}
	return o, nil
}
