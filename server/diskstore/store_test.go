package diskstore

import (
	"crypto/md5"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// cut yields n bytes and then an error, like a cut connection.
func cut(n int) io.Reader {
	return io.MultiReader(strings.NewReader(strings.Repeat("x", n)), iotest.ErrReader(io.ErrUnexpectedEOF))
}

func open(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func put(t *testing.T, s *Store, bucket, key, body string) Object {
	t.Helper()
	o, err := s.Put(bucket, key, map[string]string{"Content-Type": "text/plain"}, strings.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
	return o
}

func read(t *testing.T, s *Store, bucket, key string) string {
	t.Helper()
	_, b, err := s.Open(bucket, key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer b.Close()
	got, err := io.ReadAll(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(got)
}

// temps lists temporary files anywhere in the store.
func temps(t *testing.T, dir string) []string {
	var out []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && isTemp(d.Name()) {
			out = append(out, path)
		}
		return nil
	})
	return out
}

func TestBuckets(t *testing.T) {
	s := open(t, t.TempDir())
	if err := s.CreateBucket("bkt"); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateBucket("bkt"); !errors.Is(err, ErrBucketExists) {
		t.Errorf("second CreateBucket = %v, want ErrBucketExists", err)
	}
	if err := s.EnsureBucket("bkt"); err != nil {
		t.Errorf("EnsureBucket of an existing bucket = %v", err)
	}
	if err := s.EnsureBucket("other"); err != nil || !s.HasBucket("other") {
		t.Errorf("EnsureBucket of a new bucket = %v, exists %v", err, s.HasBucket("other"))
	}
	for _, name := range []string{"../up", "a", "Has/Slash", ".uploads", ""} {
		if err := s.CreateBucket(name); !errors.Is(err, ErrBucketName) {
			t.Errorf("CreateBucket(%q) = %v, want ErrBucketName", name, err)
		}
	}
	var names []string
	for _, b := range s.Buckets() {
		names = append(names, b.Name)
	}
	if want := []string{"bkt", "other"}; !slices.Equal(names, want) {
		t.Errorf("Buckets = %q, want %q", names, want)
	}
	put(t, s, "bkt", "k", "v")
	if err := s.DeleteBucket("bkt"); !errors.Is(err, ErrBucketNotEmpty) {
		t.Errorf("DeleteBucket of a full bucket = %v", err)
	}
	if err := s.DeleteBucket("other"); err != nil || s.HasBucket("other") {
		t.Errorf("DeleteBucket = %v, still there %v", err, s.HasBucket("other"))
	}
	if err := s.DeleteBucket("other"); !errors.Is(err, ErrNoSuchBucket) {
		t.Errorf("DeleteBucket of an absent bucket = %v", err)
	}
	if _, err := s.Put("nobucket", "k", nil, strings.NewReader("x"), 1); !errors.Is(err, ErrNoSuchBucket) {
		t.Errorf("Put in an absent bucket = %v", err)
	}
}

func TestObjects(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	if err := s.CreateBucket("bkt"); err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{"p/a.jpg": "aaa", "p/a.jpg/b": "below", "p/中文 名字.jpg": "c", "../../escape": "e"}
	for k, v := range keys {
		put(t, s, "bkt", k, v)
	}
	o := put(t, s, "bkt", "p/a.jpg", "replaced")
	keys["p/a.jpg"] = "replaced"
	if o.Size != 8 || o.MD5 != md5.Sum([]byte("replaced")) || o.Meta["Content-Type"] != "text/plain" {
		t.Errorf("Put = %+v", o)
	}

	t.Run("read back", func(t *testing.T) {
		for k, v := range keys {
			if got := read(t, s, "bkt", k); got != v {
				t.Errorf("%s = %q, want %q", k, got, v)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "escape")); err == nil {
			t.Error("a key with .. segments was written outside the bucket")
		}
	})
	t.Run("absent", func(t *testing.T) {
		if _, err := s.Stat("bkt", "p"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Stat of an absent key = %v", err)
		}
		if _, _, err := s.Open("nobucket", "p/a.jpg"); !errors.Is(err, ErrNoSuchBucket) {
			t.Errorf("Open in an absent bucket = %v", err)
		}
	})
	t.Run("failed writes change nothing", func(t *testing.T) {
		if _, err := s.Put("bkt", "p/a.jpg", nil, cut(10), -1); err == nil {
			t.Error("a failing reader was stored")
		}
		if _, err := s.Put("bkt", "p/short", nil, strings.NewReader("abc"), 10); !errors.Is(err, ErrIncomplete) {
			t.Errorf("Put of a short body = %v, want ErrIncomplete", err)
		}
		if got := read(t, s, "bkt", "p/a.jpg"); got != "replaced" {
			t.Errorf("after a failed write: %q", got)
		}
		if _, err := s.Stat("bkt", "p/short"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the short object exists: %v", err)
		}
		if left := temps(t, dir); len(left) != 0 {
			t.Errorf("temporary files left: %v", left)
		}
	})
	t.Run("delete and reopen", func(t *testing.T) {
		if err := s.Delete("bkt", "p/a.jpg/b"); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete("bkt", "never-was"); err != nil {
			t.Errorf("deleting an absent key = %v, want nil", err)
		}
		delete(keys, "p/a.jpg/b")
		// A write cut by a crash leaves a temporary file; opening removes it.
		tmp := filepath.Join(dir, "bkt", objectsDir, "put-1"+tmpSuffix)
		if err := os.WriteFile(tmp, []byte("half"), 0o600); err != nil {
			t.Fatal(err)
		}
		again := open(t, dir)
		list, err := again.List("bkt")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range list {
			got = append(got, o.Key)
			if want := keys[o.Key]; read(t, again, "bkt", o.Key) != want || o.Size != int64(len(want)) || o.MD5 != md5.Sum([]byte(want)) {
				t.Errorf("reopened %s: %+v", o.Key, o)
			}
		}
		if want := []string{"../../escape", "p/a.jpg", "p/中文 名字.jpg"}; !slices.Equal(got, want) {
			t.Errorf("reopened store lists %q, want %q", got, want)
		}
		if left := temps(t, dir); len(left) != 0 {
			t.Errorf("temporary files left after Open: %v", left)
		}
	})
}

func TestCorruptFile(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	if err := s.CreateBucket("bkt"); err != nil {
		t.Fatal(err)
	}
	put(t, s, "bkt", "p1/a", "hello")
	path := s.objectPath("bkt", "p1/a")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, raw[1:], 0o600); err != nil { // lose a byte
		t.Fatal(err)
	}
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "header") {
		t.Errorf("opening a store with a damaged object = %v, want an error about its header", err)
	}
}

func TestMultipart(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	if err := s.CreateBucket("bkt"); err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateUpload("bkt", "p/multi")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Upload(u.ID); err != nil || got.Bucket != "bkt" || got.Key != "p/multi" {
		t.Fatalf("Upload = %+v %v", got, err)
	}
	for n, text := range map[int]string{1: "one-", 2: "wrong", 3: "three"} {
		if _, err := s.PutPart(u.ID, n, strings.NewReader(text)); err != nil {
			t.Fatal(err)
		}
	}
	// Replacing a part keeps only the new one; a failed replacement keeps it.
	if _, err := s.PutPart(u.ID, 2, strings.NewReader("two-")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutPart(u.ID, 2, cut(3)); err == nil {
		t.Fatal("a failing part was stored")
	}
	for _, n := range []int{0, MaxPart + 1} {
		if _, err := s.PutPart(u.ID, n, strings.NewReader("x")); err == nil {
			t.Errorf("part number %d was accepted", n)
		}
	}
	// The upload outlives a restart.
	s = open(t, dir)
	parts, err := s.Parts(u.ID)
	if err != nil || len(parts) != 3 || parts[1].Number != 2 || parts[1].MD5 != md5.Sum([]byte("two-")) || parts[1].Size != 4 {
		t.Fatalf("Parts = %+v %v", parts, err)
	}
	if _, err := s.Complete(u.ID, []int{1, 4}, nil); err == nil {
		t.Error("completing with a missing part succeeded")
	}
	o, err := s.Complete(u.ID, []int{1, 2, 3}, map[string]string{"Content-Type": "image/jpeg"})
	if err != nil || o.Size != 13 || o.MD5 != md5.Sum([]byte("one-two-three")) {
		t.Fatalf("Complete = %+v %v", o, err)
	}
	if got := read(t, s, "bkt", "p/multi"); got != "one-two-three" {
		t.Errorf("read %q", got)
	}
	if st, _ := s.Stat("bkt", "p/multi"); st.Meta["Content-Type"] != "image/jpeg" {
		t.Errorf("metadata %v", st.Meta)
	}
	aborted, err := s.CreateUpload("bkt", "p/aborted")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Abort(aborted.ID); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{u.ID, aborted.ID, "../../etc", "0123456789ABCDEF0123456789ABCDEF", "0123456789abcdef0123456789abcdef", ""} {
		if _, err := s.PutPart(bad, 1, strings.NewReader("x")); !errors.Is(err, ErrNoSuchUpload) {
			t.Errorf("PutPart(%q) = %v", bad, err)
		}
		if _, err := s.Parts(bad); !errors.Is(err, ErrNoSuchUpload) {
			t.Errorf("Parts(%q) = %v", bad, err)
		}
		if _, err := s.Complete(bad, []int{1}, nil); !errors.Is(err, ErrNoSuchUpload) {
			t.Errorf("Complete(%q) = %v", bad, err)
		}
		if err := s.Abort(bad); !errors.Is(err, ErrNoSuchUpload) {
			t.Errorf("Abort(%q) = %v", bad, err)
		}
	}
	if _, err := s.CreateUpload("nobucket", "k"); !errors.Is(err, ErrNoSuchBucket) {
		t.Errorf("CreateUpload in an absent bucket = %v", err)
	}
	if left := temps(t, dir); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
