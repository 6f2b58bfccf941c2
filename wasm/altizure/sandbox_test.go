package altizure_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"testing"
	"time"

	"altiup/wasm/altizure"
	"altiup/wasm/ossstore"
	"altiup/wasm/upload"
)

// TestAgainstSandbox runs the whole flow natively against a running sandbox
// (or any Altizure-compatible API) when ALTIUP_API, ALTIUP_KEY, ALTIUP_TOKEN
// and ALTIUP_PROJECT are set, over both clouds:
//
//	ALTIUP_API=http://127.0.0.1:8080/graphql ALTIUP_KEY=… ALTIUP_TOKEN=… ALTIUP_PROJECT=… go test -run Sandbox ./wasm/altizure
func TestAgainstSandbox(t *testing.T) {
	api, key, token, pid := os.Getenv("ALTIUP_API"), os.Getenv("ALTIUP_KEY"), os.Getenv("ALTIUP_TOKEN"), os.Getenv("ALTIUP_PROJECT")
	if api == "" || pid == "" {
		t.Skip("set ALTIUP_API, ALTIUP_KEY, ALTIUP_TOKEN and ALTIUP_PROJECT to run against a sandbox")
	}
	seed := time.Now().UnixNano()
	for i, cloud := range []string{"oss", "s3"} {
		seed := seed + int64(i)*1000
		t.Run(cloud, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			client := altizure.New(api, key, token, nil)
			newUploader := func() *upload.Uploader {
				u, err := upload.New(upload.Options{Project: pid, Cloud: cloud, PollInterval: 200 * time.Millisecond},
					upload.Deps{API: client, Putter: upload.HTTPPutter{}, OSS: ossstore.New})
				if err != nil {
					t.Fatal(err)
				}
				return u
			}
			files := []upload.Source{
				picture(t, cloud+"-a.jpg", seed, "jpeg"),
				picture(t, cloud+"-b.png", seed+1, "png"),
				truncated(picture(t, cloud+"-bad.jpg", seed+2, "jpeg")),
			}
			u := newUploader()
			u.Add(files...)
			rep, err := u.Start(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Uploaded != 3 {
				t.Fatalf("report %+v", rep)
			}
			res, err := u.WaitProcessed(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if res.Ready != 2 || res.Invalid != 1 || len(res.InvalidFiles[0].Errors) == 0 {
				t.Fatalf("processed %+v", res)
			}
			t.Logf("invalid as expected: %q", res.InvalidFiles[0].Errors)
			again := newUploader()
			again.Add(files[:2]...)
			rep, err = again.Start(ctx)
			if err != nil || rep.Skipped != 2 {
				t.Fatalf("second run %+v, %v", rep, err)
			}
		})
	}
}

type memFile struct {
	name, typ string
	data      []byte
}

func (m memFile) Name() string { return m.name }
func (m memFile) Size() int64  { return int64(len(m.data)) }
func (m memFile) Type() string { return m.typ }
func (m memFile) ReadAt(p []byte, off int64) (int, error) {
	return bytes.NewReader(m.data).ReadAt(p, off)
}

func picture(t *testing.T, name string, seed int64, format string) memFile {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{uint8(seed >> (x % 8)), uint8(x*y) ^ uint8(seed>>16), uint8(seed + int64(y)), 255})
		}
	}
	var b bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return memFile{name: name, typ: "image/" + format, data: b.Bytes()}
}

func truncated(m memFile) memFile {
	m.data = m.data[:len(m.data)/2]
	return m
}
