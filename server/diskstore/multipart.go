package diskstore

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Upload is an in-progress multipart upload.
type Upload struct {
	ID, Bucket, Key string
	Initiated       time.Time
}

// Part is a stored part of a multipart upload.
type Part struct {
	Number   int
	Size     int64
	MD5      [md5.Size]byte
	Modified time.Time
}

const (
	uploadMeta = "upload.json"
	// UploadIDLen is the length of an upload id: upper-case hex.
	UploadIDLen = 32
	// MaxPart is the highest part number.
	MaxPart = 10000
)

// NewUploadID returns a random upload id.
func NewUploadID() string {
	b := make([]byte, UploadIDLen/2)
	rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

// ValidUploadID tells whether id has the form NewUploadID gives, which keeps
// it one plain path segment.
func ValidUploadID(id string) bool {
	if len(id) != UploadIDLen || strings.ToUpper(id) != id {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

func (s *Store) uploadPath(id string) string { return filepath.Join(s.dir, uploadsDir, id) }

// CreateUpload begins a multipart upload of an object; the bucket must
// exist.
func (s *Store) CreateUpload(bucket, key string) (Upload, error) {
	if !s.HasBucket(bucket) {
		return Upload{}, fmt.Errorf("bucket %s: %w", bucket, ErrNoSuchBucket)
	}
	u := Upload{ID: NewUploadID(), Bucket: bucket, Key: key, Initiated: time.Now().UTC()}
	dir := s.uploadPath(u.ID)
	if err := os.Mkdir(dir, 0o700); err != nil {
		return Upload{}, err
	}
	b, _ := json.Marshal(u)
	if err := writeFileAtomic(filepath.Join(dir, uploadMeta), b); err != nil {
		os.RemoveAll(dir)
		return Upload{}, err
	}
	return u, nil
}

// Upload returns an upload begun and neither completed nor aborted.
func (s *Store) Upload(id string) (Upload, error) {
	if !ValidUploadID(id) {
		return Upload{}, ErrNoSuchUpload
	}
	b, err := os.ReadFile(filepath.Join(s.uploadPath(id), uploadMeta))
	if errors.Is(err, fs.ErrNotExist) {
		return Upload{}, ErrNoSuchUpload
	}
	if err != nil {
		return Upload{}, err
	}
	var u Upload
	if err := json.Unmarshal(b, &u); err != nil || u.ID != id {
		return Upload{}, fmt.Errorf("upload %s has a damaged record", id)
	}
	return u, nil
}

func partName(n int, sum [md5.Size]byte) string {
	return fmt.Sprintf("%05d.%s", n, hex.EncodeToString(sum[:]))
}

// partFiles maps part numbers to their files; the caller holds s.mu.
func (s *Store) partFiles(id string) (map[int][]string, error) {
	ents, err := os.ReadDir(s.uploadPath(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoSuchUpload
	}
	if err != nil {
		return nil, err
	}
	out := map[int][]string{}
	for _, e := range ents {
		num, _, ok := strings.Cut(e.Name(), ".")
		if n, err := strconv.Atoi(num); ok && err == nil && len(num) == 5 && !isTemp(e.Name()) {
			out[n] = append(out[n], e.Name())
		}
	}
	return out, nil
}

// PutPart stores part n of an upload, replacing an earlier part n; when r
// fails, the earlier part stays.
func (s *Store) PutPart(id string, n int, r io.Reader) (Part, error) {
	if n < 1 || n > MaxPart {
		return Part{}, fmt.Errorf("part number %d is outside 1..%d", n, MaxPart)
	}
	if _, err := s.Upload(id); err != nil {
		return Part{}, err
	}
	f, err := createTemp(s.uploadPath(id))
	if errors.Is(err, fs.ErrNotExist) {
		return Part{}, ErrNoSuchUpload
	}
	if err != nil {
		return Part{}, err
	}
	defer os.Remove(f.Name()) // fails harmlessly once renamed
	h := md5.New()
	size, err := io.Copy(io.MultiWriter(f, h), r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Part{}, err
	}
	p := Part{Number: n, Size: size}
	copy(p.MD5[:], h.Sum(nil))
	name := partName(n, p.MD5)

	s.mu.Lock()
	defer s.mu.Unlock()
	files, err := s.partFiles(id)
	if err != nil {
		return Part{}, err
	}
	path := filepath.Join(s.uploadPath(id), name)
	if err := os.Rename(f.Name(), path); err != nil {
		return Part{}, err
	}
	for _, old := range files[n] {
		if old != name {
			os.Remove(filepath.Join(s.uploadPath(id), old))
		}
	}
	if fi, err := os.Stat(path); err == nil {
		p.Modified = fi.ModTime()
	}
	return p, nil
}

// Parts lists an upload's parts by number.
func (s *Store) Parts(id string) ([]Part, error) {
	if !ValidUploadID(id) {
		return nil, ErrNoSuchUpload
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	files, err := s.partFiles(id)
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
		fi, err := os.Stat(filepath.Join(s.uploadPath(id), name))
		if err != nil {
			return nil, err
		}
		p := Part{Number: n, Size: fi.Size(), Modified: fi.ModTime()}
		copy(p.MD5[:], b)
		parts = append(parts, p)
	}
	slices.SortFunc(parts, func(a, b Part) int { return a.Number - b.Number })
	return parts, nil
}

// Complete joins the given parts, in that order, into the upload's object
// with the given metadata, and forgets the upload.
func (s *Store) Complete(id string, numbers []int, meta map[string]string) (Object, error) {
	u, err := s.Upload(id)
	if err != nil {
		return Object{}, err
	}
	parts, err := s.Parts(id)
	if err != nil {
		return Object{}, err
	}
	byNum := map[int]Part{}
	for _, p := range parts {
		byNum[p.Number] = p
	}
	var files []string
	for _, n := range numbers {
		p, ok := byNum[n]
		if !ok {
			return Object{}, fmt.Errorf("part %d of upload %s is missing", n, id)
		}
		files = append(files, filepath.Join(s.uploadPath(id), partName(n, p.MD5)))
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(concatFiles(pw, files)) }()
	f, err := createTemp(filepath.Join(s.bucketDir(u.Bucket), objectsDir))
	if err != nil {
		pr.Close()
		return Object{}, err
	}
	defer os.Remove(f.Name()) // fails harmlessly once renamed
	o, err := writeObjectFile(f, u.Key, meta, pr, -1)
	pr.Close()
	if err != nil {
		return Object{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := os.Stat(s.uploadPath(id)); err != nil {
		return Object{}, ErrNoSuchUpload // completed or aborted meanwhile
	}
	if err := s.commitLocked(f.Name(), u.Bucket, o); err != nil {
		return Object{}, err
	}
	if err := os.RemoveAll(s.uploadPath(id)); err != nil {
		return Object{}, err
	}
	return o.clone(), nil
}

func concatFiles(w io.Writer, files []string) error {
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		_, err = io.Copy(w, f)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// Abort forgets an upload and its parts.
func (s *Store) Abort(id string) error {
	if _, err := s.Upload(id); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return os.RemoveAll(s.uploadPath(id))
}
