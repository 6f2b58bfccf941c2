package upload_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"altiup/wasm/upload"
)

func TestNewValidatesOptions(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		name string
		opts upload.Options
		deps func(upload.Deps) upload.Deps
		want string // part of the message; "" means valid
	}{
		{"valid", upload.Options{Project: "p"}, nil, ""},
		{"no project", upload.Options{}, nil, "project id is missing"},
		{"blank project", upload.Options{Project: "  "}, nil, "project id is missing"},
		{"unknown cloud", upload.Options{Project: "p", Cloud: "gcs"}, nil, `cloud "gcs" is not known`},
		{"bucket without cloud", upload.Options{Project: "p", Bucket: "Tokyo"}, nil, "without its cloud"},
		{"concurrency too high", upload.Options{Project: "p", Concurrency: 1000}, nil, "between 1 and 64"},
		{"negative concurrency", upload.Options{Project: "p", Concurrency: -1}, nil, "between 1 and 64"},
		{"no API", upload.Options{Project: "p"}, func(d upload.Deps) upload.Deps { d.API = nil; return d }, "No API client"},
		{"no putter", upload.Options{Project: "p"}, func(d upload.Deps) upload.Deps { d.Putter = nil; return d }, "No storage client"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := w.deps()
			if tc.deps != nil {
				d = tc.deps(d)
			}
			u, err := upload.New(tc.opts, d)
			if tc.want == "" {
				if err != nil || u == nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			var e *upload.Error
			if !errors.As(err, &e) || e.Code != upload.CodeInvalidInput || !strings.Contains(e.Message, tc.want) {
				t.Fatalf("New error %v, want invalid_input containing %q", err, tc.want)
			}
		})
	}
}

func TestBucketChoice(t *testing.T) {
	tests := []struct {
		name, cloud, bucket string
		buckets             []upload.Bucket
		wantCall            string // the register call expected
		wantCode            string
	}{
		{"auto skips MinIO", "auto", "", nil, `uploadImageS3 "a.jpg"`, ""},
		{"oss by cloud, any case", "oss", "", nil, `uploadImageOSS "a.jpg"`, ""},
		{"forced bucket", "s3", "Paris", nil, `uploadImageS3 "a.jpg"`, ""},
		{"no such cloud", "oss", "", []upload.Bucket{{Bucket: "Tokyo", Cloud: "S3"}}, "", upload.CodeNoBucket},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			if tc.buckets != nil {
				w.buckets = tc.buckets
			}
			u := w.uploader(upload.Options{Cloud: tc.cloud, Bucket: tc.bucket})
			u.Add(jpeg("a.jpg", 100))
			rep, err := u.Start(context.Background())
			if tc.wantCode != "" {
				var e *upload.Error
				if !errors.As(err, &e) || e.Code != tc.wantCode {
					t.Fatalf("Start error %v, want code %s", err, tc.wantCode)
				}
				if !strings.Contains(e.Message, "Tokyo (S3)") {
					t.Fatalf("message %q does not list what is offered", e.Message)
				}
				if rep.Failed != 1 {
					t.Fatalf("report %+v, want the file failed", rep)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(w.calls(), tc.wantCall) {
				t.Fatalf("calls %q lack %s", w.calls(), tc.wantCall)
			}
			if n := w.count("nearestBuckets"); (tc.bucket == "") != (n == 1) {
				t.Fatalf("nearestBuckets called %d times with bucket %q", n, tc.bucket)
			}
		})
	}
}
