package altizure

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/Khan/genqlient/graphql"

	"altiup/wasm/upload"
)

// Client calls the Altizure GraphQL API with an app key and a user token.
// Every call goes through a session (session.go): the user token, one
// more try after a refused token when a way to get a new one was given,
// and the mapping of failures to *upload.Error; then through the batcher
// (batch.go), which merges calls made at the same time.
type Client struct {
	gql graphql.Client
}

var _ upload.API = (*Client)(nil)

// New makes a Client for endpoint (e.g. https://api.altizure.com/graphql).
// hc nil means a plain &http.Client{}, which in the browser goes through
// fetch. token may be "" when GetToken is among opts.
func New(endpoint, key, token string, hc *http.Client, opts ...Option) *Client {
	if hc == nil {
		hc = &http.Client{}
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	tokens := &tokens{get: o.getToken, token: strings.TrimSpace(token)}
	gql := graphql.NewClient(endpoint, &doer{hc: hc, key: key, tokens: tokens})
	return &Client{gql: &session{next: newBatcher(gql), tokens: tokens}}
}

// NearestBuckets returns getGeoIPInfo.nearestBuckets.
func (c *Client) NearestBuckets(ctx context.Context) ([]upload.Bucket, error) {
	resp, err := NearestBuckets(ctx, c.gql)
	if err != nil {
		return nil, err
	}
	var out []upload.Bucket
	for _, b := range resp.GetGeoIPInfo.NearestBuckets {
		out = append(out, upload.Bucket{Bucket: b.Bucket, Display: b.Display, Cloud: b.Cloud})
	}
	return out, nil
}

// HasImage returns the project's image with that checksum, or nil.
func (c *Client) HasImage(ctx context.Context, pid, checksum string) (*upload.Image, error) {
	resp, err := HasImage(ctx, c.gql, pid, checksum)
	if err != nil {
		return nil, err
	}
	if resp.HasImage == nil || resp.HasImage.Id == "" {
		return nil, nil
	}
	return image(resp.HasImage.ImageFields), nil
}

// BucketNames returns the values of the bucket enum of cloud ("oss":
// BucketOSS, "s3": BucketS3), which the API lists by introspection.
func (c *Client) BucketNames(ctx context.Context, cloud string) ([]string, error) {
	enum, ok := bucketEnums[strings.ToLower(cloud)]
	if !ok {
		return nil, upload.Errorf(upload.CodeInvalidInput, "The cloud %q has no list of buckets; it is oss or s3.", cloud)
	}
	resp, err := BucketNames(ctx, c.gql, enum)
	if err != nil {
		return nil, err
	}
	if resp.Type == nil {
		return nil, upload.Errorf(upload.CodeAPI, "The API does not list the buckets of %s.", enum)
	}
	names := make([]string, 0, len(resp.Type.EnumValues))
	for _, v := range resp.Type.EnumValues {
		names = append(names, v.Name)
	}
	return names, nil
}

// bucketEnums names the enum of each cloud's buckets in the schema.
var bucketEnums = map[string]string{"oss": "BucketOSS", "s3": "BucketS3"}

// Image returns the project's image imageID, or nil when it has none such.
// Calls made at the same time go out as one request (see batcher).
func (c *Client) Image(ctx context.Context, pid, imageID string) (*upload.Image, error) {
	resp, err := Image(ctx, c.gql, pid, imageID)
	if err != nil {
		return nil, err
	}
	if resp.Project == nil {
		return nil, notFound("project")
	}
	if resp.Project.Image == nil {
		return nil, nil
	}
	return image(resp.Project.Image.ImageFields), nil
}

// UploadImageOSS registers an image for an OSS bucket (or, with filename "",
// only fetches a fresh STS). Issued is the Date of the answer, so that the
// STS's expiry can be judged in the server's time.
func (c *Client) UploadImageOSS(ctx context.Context, pid, bucket, filename, imageType, checksum string) (*upload.OSSUpload, error) {
	ctx, ans := withAnswer(ctx)
	resp, err := UploadImageOSS(ctx, c.gql, pid, BucketOSS(bucket), filename, IMAGE_TYPE(imageType), checksum)
	if err != nil {
		return nil, err
	}
	info := resp.UploadImageOSS
	if info == nil {
		return nil, &upload.Error{Code: upload.CodeAPI, Message: "The service returned no upload credentials."}
	}
	exp, err := time.Parse(time.RFC3339, info.Sts.Expire)
	if err != nil {
		return nil, &upload.Error{Code: upload.CodeAPI, Message: fmt.Sprintf("The service returned an STS expiry that is not a time: %q.", info.Sts.Expire)}
	}
	out := &upload.OSSUpload{STS: upload.STS{
		ID: info.Sts.Id, Secret: info.Sts.Secret, Token: info.Sts.Token,
		Bucket: info.Sts.Bucket, Endpoint: info.Sts.Endpoint, Expire: exp,
	}}
	out.Issued, _ = ans.get()
	if info.Image != nil {
		out.Image = image(info.Image.ImageFields)
	}
	return out, nil
}

// UploadImageS3 registers an image for an S3 bucket.
func (c *Client) UploadImageS3(ctx context.Context, pid, bucket, filename, imageType, checksum string) (*upload.S3Upload, error) {
	resp, err := UploadImageS3(ctx, c.gql, pid, BucketS3(bucket), filename, IMAGE_TYPE(imageType), checksum)
	if err != nil {
		return nil, err
	}
	info := resp.UploadImageS3
	if info == nil {
		return nil, &upload.Error{Code: upload.CodeAPI, Message: "The service returned no upload URL."}
	}
	out := &upload.S3Upload{URL: info.Url}
	if info.Image != nil {
		out.Image = image(info.Image.ImageFields)
	}
	return out, nil
}

// StartImageUpload calls startImageUpload.
func (c *Client) StartImageUpload(ctx context.Context, id string) (*upload.Image, error) {
	resp, err := StartImageUpload(ctx, c.gql, id)
	if err != nil {
		return nil, err
	}
	if resp.StartImageUpload == nil {
		return nil, notFound("image")
	}
	return image(resp.StartImageUpload.ImageFields), nil
}

// DoneImageUpload calls doneImageUpload.
func (c *Client) DoneImageUpload(ctx context.Context, id string) (*upload.Image, error) {
	resp, err := DoneImageUpload(ctx, c.gql, id)
	if err != nil {
		return nil, err
	}
	if resp.DoneImageUpload == nil {
		return nil, notFound("image")
	}
	return image(resp.DoneImageUpload.ImageFields), nil
}

// StartReconstruction calls startReconstructionWithError, or
// preStartReconstruction when pre is true.
func (c *Client) StartReconstruction(ctx context.Context, pid, taskType string, pre bool) (upload.Reconstruction, error) {
	opts := TaskOptionsInput{TaskType: TASK_TYPE(taskType)}
	var res *ReconstructionFields
	if pre {
		resp, err := PreStartReconstruction(ctx, c.gql, pid, opts)
		if err != nil {
			return upload.Reconstruction{}, err
		}
		res = &resp.PreStartReconstruction.ReconstructionFields
	} else {
		resp, err := StartReconstructionWithError(ctx, c.gql, pid, opts)
		if err != nil {
			return upload.Reconstruction{}, err
		}
		res = &resp.StartReconstructionWithError.ReconstructionFields
	}
	var out upload.Reconstruction
	if e := res.Error; e != nil {
		// The service's own code (a number) says nothing the words do not;
		// the page shows the words, and reads project.task to tell a task
		// already running.
		out.Error = &upload.Error{Code: upload.CodeAPI, Message: sentence(e.Message)}
	}
	if t := res.Task; t != nil {
		out.Task = &task(t.TaskFields).Task
	}
	return out, nil
}

func image(f ImageFields) *upload.Image {
	return &upload.Image{ID: f.Id, State: string(f.State), Name: f.Name, Filename: f.Filename, Checksum: f.Checksum, Errors: f.Error}
}
