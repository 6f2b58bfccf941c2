package altizure

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"altiup/server/sandbox"
	"altiup/wasm/upload"
)

// TestMergedDocumentIsValid merges one call of every batchable operation
// and validates the document against the schema the client was generated
// from.
func TestMergedDocumentIsValid(t *testing.T) {
	rec := &recorder{}
	ctx := context.Background()
	reqs := []*graphql.Request{}
	for _, call := range []func(graphql.Client){
		func(c graphql.Client) { HasImage(ctx, c, "p", "abc") },
		func(c graphql.Client) { UploadImageOSS(ctx, c, "p", BucketOSSHangzhou, "a.jpg", IMAGE_TYPEJpeg, "abc") },
		func(c graphql.Client) { UploadImageOSS(ctx, c, "p", BucketOSSHangzhou, "", "", "") },
		func(c graphql.Client) { UploadImageS3(ctx, c, "p", BucketS3Tokyo, "b.png", IMAGE_TYPEPng, "def") },
		func(c graphql.Client) { StartImageUpload(ctx, c, "i1") },
		func(c graphql.Client) { DoneImageUpload(ctx, c, "i1") },
		func(c graphql.Client) { HasImage(ctx, c, "p", "ghi") },
	} {
		call(rec)
		reqs = append(reqs, rec.last)
	}
	var calls []*batchCall
	for _, r := range reqs {
		if _, ok := batchable[r.OpName]; !ok {
			t.Fatalf("%s is not batchable", r.OpName)
		}
		calls = append(calls, &batchCall{ctx: ctx, req: r})
	}
	merged, doc := mergeValid(t, calls)
	if n := len(doc.Operations[0].SelectionSet); n != len(calls) {
		t.Fatalf("%d root fields, want %d", n, len(calls))
	}
	if n := len(doc.Fragments); n != 1 {
		t.Fatalf("%d fragments, want ImageFields once", n)
	}
	vars := merged.Variables.(map[string]json.RawMessage)
	for k, want := range map[string]string{"b0_checksum": `"abc"`, "b6_checksum": `"ghi"`, "b1_filename": `"a.jpg"`, "b3_imageType": `"PNG"`, "b5_id": `"i1"`} {
		if got := string(vars[k]); got != want {
			t.Errorf("variable %s = %s, want %s", k, got, want)
		}
	}
	if _, ok := vars["b2_imageType"]; ok {
		t.Error("an empty imageType was sent: genqlient omits it")
	}
}

// TestMergedQueriesAreValid merges Image queries into one valid query, and
// refuses to merge a query with a mutation.
func TestMergedQueriesAreValid(t *testing.T) {
	rec := &recorder{}
	ctx := context.Background()
	var calls []*batchCall
	for _, id := range []string{"i1", "i2", "i3"} {
		Image(ctx, rec, "p", id)
		calls = append(calls, &batchCall{ctx: ctx, req: rec.last})
	}
	merged, doc := mergeValid(t, calls)
	if op := doc.Operations[0]; op.Operation != ast.Query || len(op.SelectionSet) != 3 {
		t.Fatalf("merged into a %s of %d fields:\n%s", op.Operation, len(op.SelectionSet), merged.Query)
	}
	if got := string(merged.Variables.(map[string]json.RawMessage)["b2_iid"]); got != `"i3"` {
		t.Errorf("b2_iid = %s", got)
	}
	HasImage(ctx, rec, "p", "abc")
	if _, err := mergeRequests(append(calls, &batchCall{ctx: ctx, req: rec.last})); err == nil {
		t.Error("a mutation merged into a query")
	}
}

// mergeValid merges calls and checks the document against the schema the
// client is generated from.
func mergeValid(t *testing.T, calls []*batchCall) (*graphql.Request, *ast.QueryDocument) {
	t.Helper()
	src, err := os.ReadFile("../../server/sandbox/schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	schema, gerr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: string(src)})
	if gerr != nil {
		t.Fatal(gerr)
	}
	merged, err := mergeRequests(calls)
	if err != nil {
		t.Fatal(err)
	}
	doc, list := gqlparser.LoadQuery(schema, merged.Query)
	if len(list) > 0 {
		t.Fatalf("the merged document is not valid: %v\n%s", list, merged.Query)
	}
	return merged, doc
}

// recorder is a graphql.Client that keeps the last request and answers nothing.
type recorder struct{ last *graphql.Request }

func (r *recorder) MakeRequest(_ context.Context, req *graphql.Request, _ *graphql.Response) error {
	r.last = req
	return errors.New("recorded")
}

// TestBatchingAgainstSandbox makes many calls at once against the sandbox:
// fewer requests go out than calls, and each call gets its own answer and
// its own error.
func TestBatchingAgainstSandbox(t *testing.T) {
	const key, token = "k", "t-SECRET"
	url, pid, requests := testSandbox(t, key, token, nil)
	var fields atomic.Int64
	c := New(url, key, token, nil)
	ctx := context.Background()

	// parallel runs n calls at once and returns how many requests they took.
	parallel := func(n int, call func(i int)) int64 {
		before := requests.Load()
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { call(i) })
		}
		wg.Wait()
		fields.Add(int64(n))
		return requests.Load() - before
	}
	sum := func(i int) string {
		h := sha1.Sum([]byte(fmt.Sprint("image ", i)))
		return hex.EncodeToString(h[:])
	}

	const n = 40
	ids := make([]string, n)
	if got := parallel(n, func(i int) {
		up, err := c.UploadImageOSS(ctx, pid, "Hangzhou", fmt.Sprintf("photo %d.jpg", i), "JPEG", sum(i))
		if err != nil {
			t.Errorf("register %d: %v", i, err)
			return
		}
		if up.Image == nil || up.Image.Name != fmt.Sprintf("photo %d.jpg", i) || up.STS.Token == "" {
			t.Errorf("register %d: got %+v", i, up)
			return
		}
		ids[i] = up.Image.ID
	}); got >= n {
		t.Errorf("%d registrations took %d requests", n, got)
	}

	// Present and absent checksums, mixed.
	if got := parallel(2*n, func(i int) {
		img, err := c.HasImage(ctx, pid, sum(i))
		switch {
		case err != nil:
			t.Errorf("hasImage %d: %v", i, err)
		case i < n && (img == nil || img.ID != ids[i] || img.Checksum != sum(i)):
			t.Errorf("hasImage %d: got %+v, want image %s", i, img, ids[i])
		case i >= n && img != nil:
			t.Errorf("hasImage %d (absent): got %+v", i, img)
		}
	}); got >= 2*n {
		t.Errorf("%d look-ups took %d requests", 2*n, got)
	}

	// Images by id, with registrations of other files at the same time:
	// queries and mutations go in requests of their own.
	if got := parallel(2*n, func(i int) {
		if i%2 == 1 {
			if _, err := c.UploadImageOSS(ctx, pid, "Hangzhou", fmt.Sprintf("more %d.jpg", i), "JPEG", sum(1000+i)); err != nil {
				t.Errorf("register more %d: %v", i, err)
			}
			return
		}
		id := "no-such-image"
		if i%4 == 0 {
			id = ids[i/2]
		}
		img, err := c.Image(ctx, pid, id)
		switch {
		case err != nil:
			t.Errorf("image %d: %v", i, err)
		case i%4 == 0 && (img == nil || img.ID != ids[i/2] || img.Name != fmt.Sprintf("photo %d.jpg", i/2)):
			t.Errorf("image %d: got %+v, want %s", i, img, ids[i/2])
		case i%4 != 0 && img != nil:
			t.Errorf("image %d (absent): got %+v", i, img)
		}
	}); got >= 2*n {
		t.Errorf("%d look-ups and registrations took %d requests", 2*n, got)
	}
	if _, err := c.Image(ctx, "no-such-project", ids[0]); upload.AsError(err).Code != upload.CodeNotFound {
		t.Errorf("image of an unknown project: %v", err)
	}

	// Unknown image ids fail alone, with the error of a call sent alone.
	_, alone := c.StartImageUpload(ctx, "no-such-image")
	if alone == nil {
		t.Fatal("starting an unknown image succeeded")
	}
	parallel(n, func(i int) {
		if i%4 == 3 {
			_, err := c.StartImageUpload(ctx, fmt.Sprint("no-such-image-", i))
			if e := upload.AsError(err); e == nil || e.Code != upload.AsError(alone).Code {
				t.Errorf("start unknown %d: %v, want like %v", i, err, alone)
			}
			return
		}
		img, err := c.StartImageUpload(ctx, ids[i])
		if err != nil || img.ID != ids[i] || img.State != "Uploading" {
			t.Errorf("start %d: %+v, %v", i, img, err)
		}
	})
	t.Logf("%d calls in %d requests", fields.Load(), requests.Load())
}

type stubOSS struct{}

func (stubOSS) IssueSTS(bucket, prefix string, ttl time.Duration) (sandbox.STS, error) {
	return sandbox.STS{AccessKeyID: "STS.id", AccessKeySecret: "secret", SecurityToken: "token", Expiration: time.Now().Add(ttl)}, nil
}
func (stubOSS) Endpoint() string { return "http://127.0.0.1:1" }
func (stubOSS) SignGetURL(bucket, key, contentType string, ttl time.Duration) (string, error) {
	return "http://127.0.0.1:1/" + bucket + "/" + key, nil
}
func (stubOSS) Stat(context.Context, string, string) (int64, error) {
	return 0, fs.ErrNotExist
}
func (stubOSS) Open(context.Context, string, string) (io.ReadCloser, error) {
	return nil, fs.ErrNotExist
}
