package sandbox_test

import (
	"regexp"
	"testing"

	"altiup/server/sandbox/internal/gqltest"
)

// objectName is what a server-derived image filename may look like: it
// becomes part of an object key, so it can never climb out of <pid>/.
var objectName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// FuzzRegisterInputs sends arbitrary values through the mutations whose
// arguments reach the store. Whatever comes in, the answer is JSON (post
// fails the test otherwise) without a server error, and an image that does
// get registered has a safe object name in the caller's own project.
func FuzzRegisterInputs(f *testing.F) {
	e := newEnv(f)
	pid := e.project("fuzz")
	op, err := gqltest.CreateProject(ctx, e.other, "not yours", nil, nil, nil, nil)
	if err != nil {
		f.Fatal(err)
	}
	other := e.snapshotOf(e.other)
	f.Add(op.CreateProject.Id, "b.jpg", "JPEG", "Tokyo", "da39a3ee5e6b4b0d3255bfef95601890afd80709", 1)
	f.Add(pid, "a.jpg", "JPEG", "Hangzhou", "da39a3ee5e6b4b0d3255bfef95601890afd80709", 0)
	f.Add(pid, "../../etc/passwd", "PNG", "Tokyo", "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709", 1)
	f.Add("nope", "照片 1.jpg", "TIFF", "Local", "", 2)
	f.Add(pid, "", "GIF", "Nowhere", "zz", 0)
	f.Add(pid+"\x00", "a\x00b.jpg", "JPEG", "Hangzhou", "0000000000000000000000000000000000000000", 1)
	f.Fuzz(func(t *testing.T, p, filename, typ, bucket, checksum string, op int) {
		e.t = t
		vars := map[string]any{"pid": p, "filename": filename, "type": typ, "bucket": bucket, "checksum": checksum}
		var q, field string
		switch uint(op) % 3 {
		case 0:
			q, field = `mutation ($pid: ID!, $bucket: BucketOSS!, $filename: String!, $type: IMAGE_TYPE, $checksum: String) {
				uploadImageOSS(pid: $pid, bucket: $bucket, filename: $filename, type: $type, checksum: $checksum) { image { id filename } } }`, "uploadImageOSS"
		case 1:
			q, field = `mutation ($pid: ID!, $bucket: BucketS3!, $filename: String!, $type: IMAGE_TYPE, $checksum: String) {
				uploadImageS3(pid: $pid, bucket: $bucket, filename: $filename, type: $type, checksum: $checksum) { image { id filename } } }`, "uploadImageS3"
		default:
			q, field = `mutation ($pid: ID!, $checksum: String!) { hasImage(pid: $pid, checksum: $checksum) { id filename } }`, "hasImage"
		}
		r := e.query(q, vars)
		if r.Status >= 500 {
			t.Fatalf("status %d for %q", r.Status, vars)
		}
		var img map[string]any
		switch v := r.Data[field].(type) {
		case map[string]any:
			if field == "hasImage" {
				img = v
			} else if m, ok := v["image"].(map[string]any); ok {
				img = m
			}
		}
		if img != nil {
			if p != pid {
				t.Fatalf("an image was registered in project %q, which is not the caller's", p)
			}
			if name, _ := img["filename"].(string); !objectName.MatchString(name) {
				t.Fatalf("unsafe object name %q", name)
			}
		}
		if got := e.snapshotOf(e.other); got != other {
			t.Fatal("the other user's projects changed")
		}
	})
}
