package s3bucket

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"sync"
	"time"

	"github.com/rclone/gofakes3"
)

// diskStore is a gofakes3.Backend that keeps buckets and objects as files,
// so the sandbox's objects survive a restart. gofakes3 ships only a memory
// backend.
//
// Layout: <dir>/<bucket>/bucket.json holds the creation time, and each
// object is one file <dir>/<bucket>/objects/<sha256 of key>: the bytes, then
// a JSON header (key, size, MD5, metadata), then the header's length. Naming files by hash keeps any
// key, however odd, inside the directory; writing a temporary file and
// renaming it makes a PUT atomic. An index of the object headers is kept in
// memory and read back at start.
type diskStore struct {
	dir     string
	mu      sync.RWMutex
	buckets map[string]*diskBucket
}

var _ gofakes3.Backend = (*diskStore)(nil)

type diskBucket struct {
	Created time.Time `json:"created"`
	objects map[string]*diskObject
}

type diskObject struct {
	Key      string            `json:"key"`
	Size     int64             `json:"size"`
	MD5      string            `json:"md5"`
	Meta     map[string]string `json:"meta"`
	Modified time.Time         `json:"modified"`
}

// bucketNameRE is what openDiskStore accepts as a bucket directory and
// CreateBucket as a name: S3's rules, which also keep it one plain path
// segment.
var bucketNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

func openDiskStore(dir string) (*diskStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("s3bucket: data directory: %w", err)
	}
	d := &diskStore{dir: dir, buckets: map[string]*diskBucket{}}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("s3bucket: data directory: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() || !bucketNameRE.MatchString(e.Name()) {
			continue
		}
		b, err := d.loadBucket(e.Name())
		if errors.Is(err, fs.ErrNotExist) {
			continue // not a bucket of ours
		}
		if err != nil {
			return nil, err
		}
		d.buckets[e.Name()] = b
	}
	return d, nil
}

func (d *diskStore) bucketDir(name string) string { return filepath.Join(d.dir, name) }

func (d *diskStore) objectPath(bucket, key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(d.dir, bucket, "objects", hex.EncodeToString(sum[:]))
}

func (d *diskStore) loadBucket(name string) (*diskBucket, error) {
	raw, err := os.ReadFile(filepath.Join(d.bucketDir(name), "bucket.json"))
	if err != nil {
		return nil, err
	}
	b := &diskBucket{objects: map[string]*diskObject{}}
	if err := json.Unmarshal(raw, b); err != nil {
		return nil, fmt.Errorf("s3bucket: bucket %s: bucket.json: %w", name, err)
	}
	objDir := filepath.Join(d.bucketDir(name), "objects")
	entries, err := os.ReadDir(objDir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("s3bucket: bucket %s: %w", name, err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || len(e.Name()) != 64 {
			continue // temporary files of an interrupted PUT
		}
		o, err := readObjectHeader(filepath.Join(objDir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("s3bucket: bucket %s: %w", name, err)
		}
		b.objects[o.Key] = o
	}
	return b, nil
}

// readObjectHeader reads the header at the end of an object file: JSON,
// then its length as 8 bytes big-endian.
func readObjectHeader(path string) (*diskObject, error) {
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
	o := &diskObject{}
	if err := json.Unmarshal(header, o); err != nil {
		return nil, bad("header: " + err.Error())
	}
	if o.Size != st.Size()-8-n {
		return nil, bad(fmt.Sprintf("%d bytes where the header says %d", st.Size()-8-n, o.Size))
	}
	return o, nil
}

func (d *diskStore) ListBuckets(ctx context.Context) ([]gofakes3.BucketInfo, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	out := make([]gofakes3.BucketInfo, 0, len(d.buckets))
	for name, b := range d.buckets {
		out = append(out, gofakes3.BucketInfo{Name: name, CreationDate: gofakes3.NewContentTime(b.Created)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (d *diskStore) ListBucket(ctx context.Context, name string, prefix *gofakes3.Prefix, page gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
	if prefix == nil {
		prefix = &gofakes3.Prefix{}
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	b := d.buckets[name]
	if b == nil {
		return nil, gofakes3.BucketNotFound(name)
	}
	keys := make([]string, 0, len(b.objects))
	for k := range b.objects {
		if !page.HasMarker || k > page.Marker {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	list := gofakes3.NewObjectList()
	var match gofakes3.PrefixMatch
	var lastPrefix string
	var n int64
	for i, k := range keys {
		if !prefix.Match(k, &match) {
			continue
		}
		if match.CommonPrefix {
			if match.MatchedPart == lastPrefix {
				continue
			}
			lastPrefix = match.MatchedPart
			list.AddPrefix(match.MatchedPart)
		} else {
			o := b.objects[k]
			list.Add(&gofakes3.Content{
				Key:          k,
				LastModified: gofakes3.NewContentTime(o.Modified),
				ETag:         `"` + o.MD5 + `"`,
				Size:         o.Size,
			})
		}
		n++
		if page.MaxKeys > 0 && n >= page.MaxKeys {
			list.NextMarker = k
			list.IsTruncated = i+1 < len(keys)
			break
		}
	}
	return list, nil
}

func (d *diskStore) CreateBucket(ctx context.Context, name string) error {
	if !bucketNameRE.MatchString(name) {
		return gofakes3.ResourceError(gofakes3.ErrInvalidBucketName, name)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.buckets[name] != nil {
		return gofakes3.ResourceError(gofakes3.ErrBucketAlreadyExists, name)
	}
	b := &diskBucket{Created: time.Now().UTC(), objects: map[string]*diskObject{}}
	if err := os.MkdirAll(filepath.Join(d.bucketDir(name), "objects"), 0o700); err != nil {
		return err
	}
	raw, err := json.Marshal(b)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(d.bucketDir(name), "bucket.json"), raw); err != nil {
		return err
	}
	d.buckets[name] = b
	return nil
}

func (d *diskStore) BucketExists(ctx context.Context, name string) (bool, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.buckets[name] != nil, nil
}

func (d *diskStore) DeleteBucket(ctx context.Context, name string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	b := d.buckets[name]
	if b == nil {
		return gofakes3.ErrNoSuchBucket
	}
	if len(b.objects) > 0 {
		return gofakes3.ResourceError(gofakes3.ErrBucketNotEmpty, name)
	}
	if err := os.RemoveAll(d.bucketDir(name)); err != nil {
		return err
	}
	delete(d.buckets, name)
	return nil
}

// lookup returns the object's header, or the S3 error for its absence.
// The caller holds d.mu.
func (d *diskStore) lookup(bucket, key string) (*diskObject, error) {
	b := d.buckets[bucket]
	if b == nil {
		return nil, gofakes3.BucketNotFound(bucket)
	}
	o := b.objects[key]
	if o == nil {
		return nil, gofakes3.KeyNotFound(key)
	}
	return o, nil
}

func (o *diskObject) toObject(contents io.ReadCloser, rng *gofakes3.ObjectRange) *gofakes3.Object {
	hash, _ := hex.DecodeString(o.MD5)
	return &gofakes3.Object{
		Name:     o.Key,
		Metadata: o.Meta,
		Size:     o.Size,
		Contents: contents,
		Hash:     hash,
		Range:    rng,
	}
}

func (d *diskStore) HeadObject(ctx context.Context, bucket, key string) (*gofakes3.Object, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	o, err := d.lookup(bucket, key)
	if err != nil {
		return nil, err
	}
	return o.toObject(io.NopCloser(bytes.NewReader(nil)), nil), nil
}

func (d *diskStore) GetObject(ctx context.Context, bucket, key string, rangeRequest *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	o, err := d.lookup(bucket, key)
	if err != nil {
		return nil, err
	}
	rng, err := rangeRequest.Range(o.Size)
	if err != nil {
		return nil, err
	}
	// Opened under the lock: a PUT that replaces the file afterwards
	// renames over it and leaves this reader on the old bytes.
	f, err := os.Open(d.objectPath(bucket, key))
	if err != nil {
		return nil, err
	}
	start, length := int64(0), o.Size
	if rng != nil {
		start, length = rng.Start, rng.Length
	}
	body := struct {
		io.Reader
		io.Closer
	}{io.NewSectionReader(f, start, length), f}
	return o.toObject(body, rng), nil
}

func (d *diskStore) PutObject(ctx context.Context, bucket, key string, meta map[string]string, input io.Reader, size int64) (gofakes3.PutObjectResult, error) {
	d.mu.RLock()
	exists := d.buckets[bucket] != nil
	d.mu.RUnlock()
	if !exists {
		return gofakes3.PutObjectResult{}, gofakes3.BucketNotFound(bucket)
	}
	f, err := os.CreateTemp(filepath.Join(d.bucketDir(bucket), "objects"), "put-*.tmp")
	if err != nil {
		return gofakes3.PutObjectResult{}, err
	}
	defer os.Remove(f.Name()) // fails harmlessly once renamed
	o, err := writeObjectFile(f, key, meta, input, size)
	if err != nil {
		return gofakes3.PutObjectResult{}, err // as read: gofakes3 maps its own error types
	}

	d.mu.Lock()
	defer d.mu.Unlock()
	b := d.buckets[bucket]
	if b == nil {
		return gofakes3.PutObjectResult{}, gofakes3.BucketNotFound(bucket)
	}
	if err := os.Rename(f.Name(), d.objectPath(bucket, key)); err != nil {
		return gofakes3.PutObjectResult{}, err
	}
	b.objects[key] = o
	return gofakes3.PutObjectResult{}, nil
}

// writeObjectFile writes the body, then its header (known only at the end:
// size and MD5), then the header's length, syncs and closes f.
func writeObjectFile(f *os.File, key string, meta map[string]string, input io.Reader, size int64) (*diskObject, error) {
	o, err := func() (*diskObject, error) {
		hash := md5.New()
		n, err := io.Copy(io.MultiWriter(f, hash), input)
		if err != nil {
			return nil, err
		}
		if size >= 0 && n != size {
			return nil, gofakes3.ErrIncompleteBody
		}
		o := &diskObject{Key: key, Size: n, MD5: hex.EncodeToString(hash.Sum(nil)), Meta: meta, Modified: time.Now().UTC()}
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

func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

func (d *diskStore) DeleteObject(ctx context.Context, bucket, key string) (gofakes3.ObjectDeleteResult, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return gofakes3.ObjectDeleteResult{}, d.deleteLocked(bucket, key)
}

// deleteLocked removes an object; absent objects are no error, as in S3.
func (d *diskStore) deleteLocked(bucket, key string) error {
	b := d.buckets[bucket]
	if b == nil {
		return gofakes3.BucketNotFound(bucket)
	}
	if b.objects[key] == nil {
		return nil
	}
	if err := os.Remove(d.objectPath(bucket, key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	delete(b.objects, key)
	return nil
}

func (d *diskStore) DeleteMulti(ctx context.Context, bucket string, keys ...string) (gofakes3.MultiDeleteResult, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var res gofakes3.MultiDeleteResult
	if d.buckets[bucket] == nil {
		return res, gofakes3.BucketNotFound(bucket)
	}
	for _, k := range keys {
		if err := d.deleteLocked(bucket, k); err != nil {
			res.Error = append(res.Error, gofakes3.ErrorResultFromError(err))
			continue
		}
		res.Deleted = append(res.Deleted, gofakes3.ObjectID{Key: k})
	}
	return res, nil
}

func (d *diskStore) CopyObject(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, meta map[string]string) (res gofakes3.CopyObjectResult, err error) {
	src, err := d.GetObject(ctx, srcBucket, srcKey, nil)
	if err != nil {
		return res, err
	}
	defer func() {
		if cerr := src.Contents.Close(); err == nil {
			err = cerr
		}
	}()
	if _, err := d.PutObject(ctx, dstBucket, dstKey, meta, src.Contents, src.Size); err != nil {
		return res, err
	}
	return gofakes3.CopyObjectResult{
		ETag:         `"` + hex.EncodeToString(src.Hash) + `"`,
		LastModified: gofakes3.NewContentTime(time.Now()),
	}, nil
}
