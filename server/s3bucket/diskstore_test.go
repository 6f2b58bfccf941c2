package s3bucket

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/rclone/gofakes3"
)

func putString(t *testing.T, d *diskStore, bucket, key, body string) {
	t.Helper()
	if _, err := d.PutObject(context.Background(), bucket, key, map[string]string{"Content-Type": "text/plain"}, strings.NewReader(body), int64(len(body))); err != nil {
		t.Fatalf("PutObject(%q): %v", key, err)
	}
}

func getString(t *testing.T, d *diskStore, bucket, key string, rng *gofakes3.ObjectRangeRequest) string {
	t.Helper()
	o, err := d.GetObject(context.Background(), bucket, key, rng)
	if err != nil {
		t.Fatalf("GetObject(%q): %v", key, err)
	}
	defer o.Contents.Close()
	b, err := io.ReadAll(o.Contents)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func errorCode(err error) gofakes3.ErrorCode {
	var e gofakes3.Error
	if errors.As(err, &e) {
		return e.ErrorCode()
	}
	return ""
}

func TestDiskStoreObjects(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d, err := openDiskStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.CreateBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	if err := d.CreateBucket(ctx, "bkt"); errorCode(err) != gofakes3.ErrBucketAlreadyExists {
		t.Errorf("second CreateBucket = %v, want BucketAlreadyExists", err)
	}
	for _, name := range []string{"../up", "a", "Has/Slash"} {
		if err := d.CreateBucket(ctx, name); err == nil {
			t.Errorf("CreateBucket(%q) succeeded", name)
		}
	}
	keys := map[string]string{"p1/a.jpg": "aaa", "p1/b.jpg": "bbbb", "p2/c.jpg": "c", "top": "t", "../../escape": "e"}
	for k, v := range keys {
		putString(t, d, "bkt", k, v)
	}
	putString(t, d, "bkt", "p1/a.jpg", "replaced")
	keys["p1/a.jpg"] = "replaced"

	t.Run("odd keys stay inside", func(t *testing.T) {
		if _, err := os.Stat(filepath.Join(dir, "escape")); err == nil {
			t.Error("a key with .. segments was written outside the bucket")
		}
	})
	t.Run("get and range", func(t *testing.T) {
		for k, v := range keys {
			if got := getString(t, d, "bkt", k, nil); got != v {
				t.Errorf("%s = %q, want %q", k, got, v)
			}
		}
		if got := getString(t, d, "bkt", "p1/a.jpg", &gofakes3.ObjectRangeRequest{Start: 2, End: 4}); got != "pla" {
			t.Errorf("range 2-4 = %q, want pla", got)
		}
		if _, err := d.GetObject(ctx, "bkt", "nope", nil); errorCode(err) != gofakes3.ErrNoSuchKey {
			t.Errorf("absent GetObject = %v, want NoSuchKey", err)
		}
		if _, err := d.HeadObject(ctx, "nobucket", "x"); errorCode(err) != gofakes3.ErrNoSuchBucket {
			t.Errorf("HeadObject in absent bucket = %v, want NoSuchBucket", err)
		}
	})
	t.Run("list", func(t *testing.T) {
		cases := []struct {
			name     string
			prefix   gofakes3.Prefix
			page     gofakes3.ListBucketPage
			keys     []string
			prefixes []string
			trunc    bool
		}{
			{name: "all", keys: []string{"../../escape", "p1/a.jpg", "p1/b.jpg", "p2/c.jpg", "top"}},
			{name: "prefix", prefix: gofakes3.NewFolderPrefix("p1/"), keys: []string{"p1/a.jpg", "p1/b.jpg"}},
			{name: "delimiter", prefix: gofakes3.NewPrefix(aws.String(""), aws.String("/")), keys: []string{"top"}, prefixes: []string{"../", "p1/", "p2/"}},
			{name: "page", page: gofakes3.ListBucketPage{MaxKeys: 2, HasMarker: true, Marker: "p1/a.jpg"}, keys: []string{"p1/b.jpg", "p2/c.jpg"}, trunc: true},
			{name: "last page", page: gofakes3.ListBucketPage{MaxKeys: 2, HasMarker: true, Marker: "p2/c.jpg"}, keys: []string{"top"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				l, err := d.ListBucket(ctx, "bkt", &tc.prefix, tc.page)
				if err != nil {
					t.Fatal(err)
				}
				var got, gotPrefixes []string
				for _, c := range l.Contents {
					got = append(got, c.Key)
				}
				for _, p := range l.CommonPrefixes {
					gotPrefixes = append(gotPrefixes, p.Prefix)
				}
				if !slices.Equal(got, tc.keys) || !slices.Equal(gotPrefixes, tc.prefixes) || l.IsTruncated != tc.trunc {
					t.Errorf("got %q %q truncated %v; want %q %q %v", got, gotPrefixes, l.IsTruncated, tc.keys, tc.prefixes, tc.trunc)
				}
			})
		}
	})
	t.Run("delete and reopen", func(t *testing.T) {
		if _, err := d.DeleteObject(ctx, "bkt", "top"); err != nil {
			t.Fatal(err)
		}
		if _, err := d.DeleteObject(ctx, "bkt", "never-was"); err != nil {
			t.Errorf("deleting an absent key = %v, want nil as in S3", err)
		}
		if err := d.DeleteBucket(ctx, "bkt"); errorCode(err) != gofakes3.ErrBucketNotEmpty {
			t.Errorf("DeleteBucket of a full bucket = %v, want BucketNotEmpty", err)
		}
		again, err := openDiskStore(dir)
		if err != nil {
			t.Fatal(err)
		}
		delete(keys, "top")
		l, err := again.ListBucket(ctx, "bkt", nil, gofakes3.ListBucketPage{})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Contents) != len(keys) {
			t.Errorf("reopened store lists %d objects, want %d", len(l.Contents), len(keys))
		}
		for k, v := range keys {
			if got := getString(t, again, "bkt", k, nil); got != v {
				t.Errorf("reopened %s = %q, want %q", k, got, v)
			}
		}
	})
	t.Run("short body", func(t *testing.T) {
		_, err := d.PutObject(ctx, "bkt", "p1/short", nil, strings.NewReader("abc"), 10)
		if errorCode(err) != gofakes3.ErrIncompleteBody {
			t.Errorf("PutObject of a short body = %v, want IncompleteBody", err)
		}
		if _, err := d.HeadObject(ctx, "bkt", "p1/short"); errorCode(err) != gofakes3.ErrNoSuchKey {
			t.Errorf("the short object exists: %v", err)
		}
		leftovers, _ := filepath.Glob(filepath.Join(dir, "bkt", "objects", "*.tmp"))
		if len(leftovers) != 0 {
			t.Errorf("temporary files left: %v", leftovers)
		}
	})
}

// TestInProcessListing lists through the whole in-process stack: SDK client,
// handler transport, CORS, gofakes3 routing, disk store.
func TestInProcessListing(t *testing.T) {
	ctx := context.Background()
	b, err := New(ctx, Config{PublicURL: "http://127.0.0.1:1", DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"p1/a.jpg", "p1/b.jpg", "p2/c.jpg"} {
		if err := b.Put(ctx, k, bytes.NewReader([]byte(k)), int64(len(k)), "image/jpeg"); err != nil {
			t.Fatal(err)
		}
	}
	out, err := b.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(b.Bucket()), Prefix: aws.String("p1/")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range out.Contents {
		got = append(got, aws.ToString(o.Key))
	}
	if want := []string{"p1/a.jpg", "p1/b.jpg"}; !slices.Equal(got, want) {
		t.Errorf("listed %q, want %q", got, want)
	}
}
