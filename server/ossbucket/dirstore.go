package ossbucket

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// DirStore keeps objects as files under dir/<bucket>/<key>. Bodies are
// written to dir/.staging first and renamed into place once complete;
// multipart uploads live in dir/.uploads/<uploadId>/ until completed.
type DirStore struct {
	dir string
	mu  sync.Mutex // serialises renames and removals of parts and uploads
}

const (
	stagingDir = ".staging"
	uploadsDir = ".uploads"
	uploadMeta = "upload.json"
)

// NewDirStore opens (creating if needed) a store in dir. Temporary files left
// by an interrupted write are removed.
func NewDirStore(dir string) (*DirStore, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("ossbucket: store directory %q: %w", dir, err)
	}
	if err := os.RemoveAll(filepath.Join(abs, stagingDir)); err != nil {
		return nil, fmt.Errorf("ossbucket: clearing staging files: %w", err)
	}
	for _, d := range []string{stagingDir, uploadsDir} {
		if err := os.MkdirAll(filepath.Join(abs, d), 0o755); err != nil {
			return nil, fmt.Errorf("ossbucket: creating store directory: %w", err)
		}
	}
	return &DirStore{dir: abs}, nil
}

func (d *DirStore) objectPath(bucket, key string) string {
	return filepath.Join(d.dir, bucket, filepath.FromSlash(key))
}

func (d *DirStore) uploadPath(id string) string { return filepath.Join(d.dir, uploadsDir, id) }

// writeTemp copies r into a new staging file and returns its path, size and
// MD5. On any error the file is removed.
func (d *DirStore) writeTemp(r io.Reader, h hash.Hash) (string, int64, error) {
	f, err := os.CreateTemp(filepath.Join(d.dir, stagingDir), "put-*")
	if err != nil {
		return "", 0, err
	}
	n, err := io.Copy(io.MultiWriter(f, h), r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", 0, err
	}
	return f.Name(), n, nil
}

func isConflict(err error) bool {
	return errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.EISDIR) ||
		errors.Is(err, syscall.EEXIST) || errors.Is(err, syscall.ENOTEMPTY)
}

// commit renames a staging file to the object's path.
func (d *DirStore) commit(tmp, bucket, key string) error {
	dst := d.objectPath(bucket, key)
	err := os.MkdirAll(filepath.Dir(dst), 0o755)
	if err == nil {
		if fi, serr := os.Stat(dst); serr == nil && fi.IsDir() {
			err = ErrKeyConflict
		} else {
			err = os.Rename(tmp, dst)
		}
	}
	if err != nil {
		os.Remove(tmp)
		if isConflict(err) {
			return fmt.Errorf("object %s/%s: %w", bucket, key, ErrKeyConflict)
		}
		return err
	}
	return nil
}

func (d *DirStore) PutObject(ctx context.Context, bucket, key string, r io.Reader) (ObjectInfo, error) {
	if err := checkTarget(bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	h := md5.New()
	tmp, n, err := d.writeTemp(r, h)
	if err != nil {
		return ObjectInfo{}, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.commit(tmp, bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	info := ObjectInfo{Size: n}
	copy(info.MD5[:], h.Sum(nil))
	if fi, err := os.Stat(d.objectPath(bucket, key)); err == nil {
		info.ModTime = fi.ModTime()
	}
	return info, nil
}

func notExist(bucket, key string, err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return fmt.Errorf("object %s/%s: %w", bucket, key, fs.ErrNotExist)
	}
	return err
}

// StatObject reports the size and time of an object; MD5 is left zero, as
// it is not kept on disk.
func (d *DirStore) StatObject(ctx context.Context, bucket, key string) (ObjectInfo, error) {
	if err := checkTarget(bucket, key); err != nil {
		return ObjectInfo{}, err
	}
	fi, err := os.Stat(d.objectPath(bucket, key))
	if err != nil {
		return ObjectInfo{}, notExist(bucket, key, err)
	}
	if !fi.Mode().IsRegular() {
		return ObjectInfo{}, fmt.Errorf("object %s/%s: %w", bucket, key, fs.ErrNotExist)
	}
	return ObjectInfo{Size: fi.Size(), ModTime: fi.ModTime()}, nil
}

func (d *DirStore) OpenObject(ctx context.Context, bucket, key string) (io.ReadCloser, error) {
	if _, err := d.StatObject(ctx, bucket, key); err != nil {
		return nil, err
	}
	f, err := os.Open(d.objectPath(bucket, key))
	if err != nil {
		return nil, notExist(bucket, key, err)
	}
	return f, nil
}

func (d *DirStore) CreateUpload(ctx context.Context, bucket, key string) (string, error) {
	if err := checkTarget(bucket, key); err != nil {
		return "", err
	}
	id := newUploadID()
	dir := d.uploadPath(id)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", err
	}
	u := Upload{ID: id, Bucket: bucket, Key: key}
	if fi, err := os.Stat(dir); err == nil {
		u.Initiated = fi.ModTime()
	}
	b, _ := json.Marshal(u)
	h := md5.New()
	tmp, _, err := d.writeTemp(strings.NewReader(string(b)), h)
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, uploadMeta))
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return id, nil
}

func (d *DirStore) GetUpload(ctx context.Context, id string) (Upload, error) {
	if err := checkUploadID(id); err != nil {
		return Upload{}, err
	}
	b, err := os.ReadFile(filepath.Join(d.uploadPath(id), uploadMeta))
	if errors.Is(err, fs.ErrNotExist) {
		return Upload{}, ErrNoSuchUpload
	}
	if err != nil {
		return Upload{}, err
	}
	var u Upload
	if err := json.Unmarshal(b, &u); err != nil || u.ID != id || checkTarget(u.Bucket, u.Key) != nil {
		return Upload{}, fmt.Errorf("upload %s has a damaged record", id)
	}
	return u, nil
}

// partFiles maps part numbers to their files ("<number>.<md5 hex>").
func (d *DirStore) partFiles(id string) (map[int][]string, error) {
	ents, err := os.ReadDir(d.uploadPath(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoSuchUpload
	}
	if err != nil {
		return nil, err
	}
	out := map[int][]string{}
	for _, e := range ents {
		num, _, ok := strings.Cut(e.Name(), ".")
		if n, err := strconv.Atoi(num); ok && err == nil && len(num) == 5 {
			out[n] = append(out[n], e.Name())
		}
	}
	return out, nil
}

func (d *DirStore) PutPart(ctx context.Context, id string, n int, r io.Reader) (Part, error) {
	if n < 1 || n > maxPartNum {
		return Part{}, fmt.Errorf("part number %d is outside 1..%d", n, maxPartNum)
	}
	if _, err := d.GetUpload(ctx, id); err != nil {
		return Part{}, err
	}
	h := md5.New()
	tmp, size, err := d.writeTemp(r, h)
	if err != nil {
		return Part{}, err
	}
	p := Part{Number: n, Size: size}
	copy(p.MD5[:], h.Sum(nil))
	name := fmt.Sprintf("%05d.%s", n, hex.EncodeToString(p.MD5[:]))

	d.mu.Lock()
	defer d.mu.Unlock()
	files, err := d.partFiles(id)
	if err == nil {
		err = os.Rename(tmp, filepath.Join(d.uploadPath(id), name))
	}
	if err != nil {
		os.Remove(tmp)
		return Part{}, err
	}
	for _, old := range files[n] {
		if old != name {
			os.Remove(filepath.Join(d.uploadPath(id), old))
		}
	}
	if fi, err := os.Stat(filepath.Join(d.uploadPath(id), name)); err == nil {
		p.ModTime = fi.ModTime()
	}
	return p, nil
}

func (d *DirStore) ListParts(ctx context.Context, id string) ([]Part, error) {
	if err := checkUploadID(id); err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	files, err := d.partFiles(id)
	if err != nil {
		return nil, err
	}
	parts := make([]Part, 0, len(files))
	for n, names := range files {
		name := names[len(names)-1]
		_, sum, _ := strings.Cut(name, ".")
		b, err := hex.DecodeString(sum)
		if err != nil || len(b) != md5.Size {
			continue
		}
		fi, err := os.Stat(filepath.Join(d.uploadPath(id), name))
		if err != nil {
			return nil, err
		}
		p := Part{Number: n, Size: fi.Size(), ModTime: fi.ModTime()}
		copy(p.MD5[:], b)
		parts = append(parts, p)
	}
	slices.SortFunc(parts, func(a, b Part) int { return a.Number - b.Number })
	return parts, nil
}

func (d *DirStore) CompleteUpload(ctx context.Context, id string, numbers []int) (ObjectInfo, error) {
	u, err := d.GetUpload(ctx, id)
	if err != nil {
		return ObjectInfo{}, err
	}
	parts, err := d.ListParts(ctx, id)
	if err != nil {
		return ObjectInfo{}, err
	}
	byNum := map[int]Part{}
	for _, p := range parts {
		byNum[p.Number] = p
	}
	var files []string
	for _, n := range numbers {
		p, ok := byNum[n]
		if !ok {
			return ObjectInfo{}, fmt.Errorf("part %d of upload %s is missing", n, id)
		}
		files = append(files, filepath.Join(d.uploadPath(id), fmt.Sprintf("%05d.%s", n, hex.EncodeToString(p.MD5[:]))))
	}
	pr, pw := io.Pipe()
	go func() {
		for _, f := range files {
			fh, err := os.Open(f)
			if err != nil {
				pw.CloseWithError(err)
				return
			}
			_, err = io.Copy(pw, fh)
			fh.Close()
			if err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.Close()
	}()
	h := md5.New()
	tmp, n, err := d.writeTemp(pr, h)
	pr.Close()
	if err != nil {
		return ObjectInfo{}, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, err := os.Stat(d.uploadPath(id)); err != nil {
		os.Remove(tmp)
		return ObjectInfo{}, ErrNoSuchUpload
	}
	if err := d.commit(tmp, u.Bucket, u.Key); err != nil {
		return ObjectInfo{}, err
	}
	if err := os.RemoveAll(d.uploadPath(id)); err != nil {
		return ObjectInfo{}, err
	}
	info := ObjectInfo{Size: n}
	copy(info.MD5[:], h.Sum(nil))
	return info, nil
}

func (d *DirStore) AbortUpload(ctx context.Context, id string) error {
	if _, err := d.GetUpload(ctx, id); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return os.RemoveAll(d.uploadPath(id))
}
