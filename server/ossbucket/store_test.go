package ossbucket

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	alioss "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

var stores = []struct {
	name string
	new  func(t testing.TB) Store
}{
	{"MemStore", func(t testing.TB) Store { return NewMemStore() }},
	{"DirStore", func(t testing.TB) Store {
		d, err := NewDirStore(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return d
	}},
}

// failingReader yields some bytes and then an error, like a cut connection.
type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.ErrUnexpectedEOF
	}
	n := min(len(p), r.n)
	r.n -= n
	return n, nil
}

func TestStores(t *testing.T) {
	ctx := context.Background()
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			s := st.new(t)
			readBack := func(t *testing.T, key string) []byte {
				t.Helper()
				rc, err := s.OpenObject(ctx, bucketA, key)
				if err != nil {
					t.Fatal(err)
				}
				defer rc.Close()
				b, _ := io.ReadAll(rc)
				return b
			}
			t.Run("put, stat, open", func(t *testing.T) {
				key := "p/中文 名字/a b.jpg"
				info, err := s.PutObject(ctx, bucketA, key, strings.NewReader("hello"))
				if err != nil {
					t.Fatal(err)
				}
				if info.Size != 5 || info.MD5 != md5.Sum([]byte("hello")) {
					t.Fatalf("info %+v", info)
				}
				st, err := s.StatObject(ctx, bucketA, key)
				if err != nil || st.Size != 5 {
					t.Fatalf("stat %+v %v", st, err)
				}
				if got := readBack(t, key); string(got) != "hello" {
					t.Fatalf("read %q", got)
				}
			})
			t.Run("failed write keeps the old object", func(t *testing.T) {
				if _, err := s.PutObject(ctx, bucketA, "p/keep", strings.NewReader("old")); err != nil {
					t.Fatal(err)
				}
				if _, err := s.PutObject(ctx, bucketA, "p/keep", &failingReader{n: 10}); err == nil {
					t.Fatal("a failing reader was stored")
				}
				if got := readBack(t, "p/keep"); string(got) != "old" {
					t.Fatalf("read %q", got)
				}
				if _, err := s.PutObject(ctx, bucketA, "p/new", &failingReader{n: 10}); err == nil {
					t.Fatal("a failing reader was stored")
				}
				if _, err := s.StatObject(ctx, bucketA, "p/new"); !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("stat after failed write: %v", err)
				}
			})
			t.Run("absent", func(t *testing.T) {
				for _, key := range []string{"p/none", "p/keep/below", "p"} {
					if _, err := s.StatObject(ctx, bucketA, key); !errors.Is(err, fs.ErrNotExist) {
						t.Fatalf("stat %q: %v", key, err)
					}
					if _, err := s.OpenObject(ctx, bucketA, key); !errors.Is(err, fs.ErrNotExist) {
						t.Fatalf("open %q: %v", key, err)
					}
				}
			})
			t.Run("bad keys", func(t *testing.T) {
				for _, key := range []string{"", "../x", "p/../../x", "/abs", "p//x", "p/./x", "p/", "a\\b", "p/\x00", strings.Repeat("k", 1024), "p/\xff"} {
					if _, err := s.PutObject(ctx, bucketA, key, strings.NewReader("x")); err == nil {
						t.Errorf("key %q was accepted", key)
					}
				}
				if _, err := s.PutObject(ctx, "../etc", "x", strings.NewReader("x")); err == nil {
					t.Error("bucket ../etc was accepted")
				}
			})
			t.Run("multipart", func(t *testing.T) {
				id, err := s.CreateUpload(ctx, bucketA, "p/multi")
				if err != nil {
					t.Fatal(err)
				}
				u, err := s.GetUpload(ctx, id)
				if err != nil || u.Bucket != bucketA || u.Key != "p/multi" {
					t.Fatalf("upload %+v %v", u, err)
				}
				for n, text := range map[int]string{1: "one-", 2: "wrong", 3: "three"} {
					if _, err := s.PutPart(ctx, id, n, strings.NewReader(text)); err != nil {
						t.Fatal(err)
					}
				}
				// Replacing a part keeps only the new one; a failed replacement keeps it.
				if _, err := s.PutPart(ctx, id, 2, strings.NewReader("two-")); err != nil {
					t.Fatal(err)
				}
				if _, err := s.PutPart(ctx, id, 2, &failingReader{n: 3}); err == nil {
					t.Fatal("failing part was stored")
				}
				parts, err := s.ListParts(ctx, id)
				if err != nil || len(parts) != 3 || parts[1].Number != 2 || parts[1].MD5 != md5.Sum([]byte("two-")) || parts[1].Size != 4 {
					t.Fatalf("parts %+v %v", parts, err)
				}
				info, err := s.CompleteUpload(ctx, id, []int{1, 2, 3})
				if err != nil || info.Size != 13 {
					t.Fatalf("complete %+v %v", info, err)
				}
				if got := readBack(t, "p/multi"); string(got) != "one-two-three" {
					t.Fatalf("read %q", got)
				}
				if _, err := s.ListParts(ctx, id); !errors.Is(err, ErrNoSuchUpload) {
					t.Fatalf("list after complete: %v", err)
				}
			})
			t.Run("abort and unknown uploads", func(t *testing.T) {
				id, err := s.CreateUpload(ctx, bucketA, "p/aborted")
				if err != nil {
					t.Fatal(err)
				}
				if err := s.AbortUpload(ctx, id); err != nil {
					t.Fatal(err)
				}
				for _, bad := range []string{id, "../../etc", "0123456789ABCDEF0123456789ABCDEF", ""} {
					if _, err := s.PutPart(ctx, bad, 1, strings.NewReader("x")); !errors.Is(err, ErrNoSuchUpload) {
						t.Fatalf("put part to %q: %v", bad, err)
					}
					if _, err := s.CompleteUpload(ctx, bad, []int{1}); !errors.Is(err, ErrNoSuchUpload) {
						t.Fatalf("complete %q: %v", bad, err)
					}
					if err := s.AbortUpload(ctx, bad); !errors.Is(err, ErrNoSuchUpload) {
						t.Fatalf("abort %q: %v", bad, err)
					}
				}
				if _, err := s.StatObject(ctx, bucketA, "p/aborted"); !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("aborted upload left an object: %v", err)
				}
			})
		})
	}
}

// TestDirStoreLayout: a key and a key below it are both objects (as in OSS),
// and the files are those of the shared disk store.
func TestDirStoreLayout(t *testing.T) {
	dir := t.TempDir()
	s, err := NewDirStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for key, body := range map[string]string{"p/照片.jpg": "x", "p/照片.jpg/x": "y"} {
		if _, err := s.PutObject(ctx, bucketA, key, strings.NewReader(body)); err != nil {
			t.Fatal(err)
		}
	}
	for key, body := range map[string]string{"p/照片.jpg": "x", "p/照片.jpg/x": "y"} {
		rc, err := s.OpenObject(ctx, bucketA, key)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if string(b) != body {
			t.Errorf("%s = %q, want %q", key, b, body)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, bucketA, "objects", "*"))
	if len(files) != 2 {
		t.Errorf("object files %q, want 2", files)
	}
}

// TestDirStorePersistence restarts the server on the same directory and
// signing key: objects stay, the old credentials still work, and an upload
// begun before the restart completes after it.
func TestDirStorePersistence(t *testing.T) {
	dir := t.TempDir()
	ds, err := NewDirStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	f1 := newFixture(t, ds, 0)
	cred := f1.issue(t, bucketA, "pid-1/", time.Hour)
	b1 := f1.bucket(t, cred)
	small := randBytes(1000, 1)
	if err := b1.PutObject("pid-1/small.jpg", bytes.NewReader(small)); err != nil {
		t.Fatal(err)
	}
	big := randBytes(250<<10, 2)
	imur, err := b1.InitiateMultipartUpload("pid-1/big.tif")
	if err != nil {
		t.Fatal(err)
	}
	p1, err := b1.UploadPart(imur, bytes.NewReader(big[:200<<10]), 200<<10, 1)
	if err != nil {
		t.Fatal(err)
	}
	f1.ts.Close()

	ds2, err := NewDirStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	f2 := newFixture(t, ds2, 0)
	f2.mustEqual(t, bucketA, "pid-1/small.jpg", small)
	b2 := f2.bucket(t, cred)
	lp, err := b2.ListUploadedParts(imur)
	if err != nil || len(lp.UploadedParts) != 1 || lp.UploadedParts[0].ETag != p1.ETag {
		t.Fatalf("parts after restart: %+v %v", lp, err)
	}
	p2, err := b2.UploadPart(imur, bytes.NewReader(big[200<<10:]), int64(len(big)-200<<10), 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b2.CompleteMultipartUpload(imur, []alioss.UploadPart{p1, p2}); err != nil {
		t.Fatal(err)
	}
	f2.mustEqual(t, bucketA, "pid-1/big.tif", big)
}
