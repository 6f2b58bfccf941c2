//go:build !(js && wasm)

package main

import (
	"context"

	"altiup/wasm/upload"
)

// noAPI is the API of altiup check without -api, -key and -token: the core
// wants an API, and this one refuses every call, so nothing leaves the
// machine. Inspect then reads no account and leaves the cost out.
type noAPI struct{}

var _ upload.API = noAPI{}

func refused() error {
	return upload.Errorf(upload.CodeUnauthorized, "No API was given: give -api, -key and -token to reach the service.")
}

func (noAPI) NearestBuckets(context.Context) ([]upload.Bucket, error) { return nil, refused() }
func (noAPI) BucketNames(context.Context, string) ([]string, error)   { return nil, refused() }
func (noAPI) HasImage(context.Context, string, string) (*upload.Image, error) {
	return nil, refused()
}
func (noAPI) UploadImageOSS(context.Context, string, string, string, string, string) (*upload.OSSUpload, error) {
	return nil, refused()
}
func (noAPI) UploadImageS3(context.Context, string, string, string, string, string) (*upload.S3Upload, error) {
	return nil, refused()
}
func (noAPI) StartImageUpload(context.Context, string) (*upload.Image, error) { return nil, refused() }
func (noAPI) DoneImageUpload(context.Context, string) (*upload.Image, error)  { return nil, refused() }
func (noAPI) Image(context.Context, string, string) (*upload.Image, error)    { return nil, refused() }
func (noAPI) StartReconstruction(context.Context, string, string, bool) (upload.Reconstruction, error) {
	return upload.Reconstruction{}, refused()
}
func (noAPI) ProjectTask(context.Context, string) (*upload.Task, error) { return nil, refused() }
func (noAPI) Account(context.Context) (*upload.Account, error)          { return nil, refused() }
func (noAPI) CoinsToMoney(context.Context, float64, string) (float64, error) {
	return 0, refused()
}
