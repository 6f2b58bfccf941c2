package upload

import (
	"context"
	"time"
)

// API is the part of the Altizure GraphQL API the uploader calls
// (implemented by wasm/altizure). Errors are *Error with a code.
type API interface {
	// NearestBuckets returns the image buckets, nearest first (getGeoIPInfo).
	NearestBuckets(ctx context.Context) ([]Bucket, error)
	// BucketNames returns the buckets of a cloud ("oss" or "s3") the
	// service accepts: the values of the enum BucketOSS or BucketS3.
	BucketNames(ctx context.Context, cloud string) ([]string, error)
	// HasImage returns the project's image with that checksum, or nil when absent.
	HasImage(ctx context.Context, pid, checksum string) (*Image, error)
	// UploadImageOSS registers an image (or, with filename "", only fetches a
	// fresh STS) for an OSS bucket.
	UploadImageOSS(ctx context.Context, pid, bucket, filename, imageType, checksum string) (*OSSUpload, error)
	// UploadImageS3 registers an image for an S3 bucket and returns a presigned PUT URL.
	UploadImageS3(ctx context.Context, pid, bucket, filename, imageType, checksum string) (*S3Upload, error)
	// StartImageUpload tells the server the upload of an image starts.
	StartImageUpload(ctx context.Context, imageID string) (*Image, error)
	// DoneImageUpload tells the server an OSS upload has finished.
	DoneImageUpload(ctx context.Context, imageID string) (*Image, error)
	// Image returns one image of the project (project.image), or nil when
	// the project has no such image. Many calls may run at once; the client
	// may send them together.
	Image(ctx context.Context, pid, imageID string) (*Image, error)
	// StartReconstruction calls startReconstructionWithError, or
	// preStartReconstruction when pre is true. A refusal by the service comes
	// back in Reconstruction.Error (with the service's code), not as an error.
	StartReconstruction(ctx context.Context, pid, taskType string, pre bool) (Reconstruction, error)
	// ProjectTask returns the project's latest reconstruction task, or nil
	// when it has none (project.task).
	ProjectTask(ctx context.Context, pid string) (*Task, error)
}

// Bucket is one entry of getGeoIPInfo.nearestBuckets.
type Bucket struct {
	Bucket  string `json:"bucket"`  // the enum value passed to uploadImageOSS/S3
	Display string `json:"display"` // a name for people
	Cloud   string `json:"cloud"`   // OSS, S3, MINIO (case varies)
}

// Image is an image record of a project.
type Image struct {
	ID       string   `json:"id"`
	State    string   `json:"state"` // Pending, Uploading, Uploaded, Processing, Ready, Invalid
	Name     string   `json:"name"`
	Filename string   `json:"filename"` // server-derived; the object key is <pid>/<filename>
	Checksum string   `json:"checksum"`
	Errors   []string `json:"errors"` // why it is Invalid
}

// Image states the uploader looks at.
const (
	ImageReady   = "Ready"
	ImageInvalid = "Invalid"
)

// STS is a temporary OSS credential that may write under <pid>/ of Bucket.
type STS struct {
	ID       string
	Secret   string
	Token    string
	Bucket   string // the OSS bucket's real name
	Endpoint string
	Expire   time.Time
}

// OSSUpload is the answer of uploadImageOSS. Image is nil for filename "".
type OSSUpload struct {
	STS   STS
	Image *Image
	// Issued is the server's clock when the answer was sent (the Date
	// header of the response); zero when unknown. STS.Expire is judged
	// against it, so a local clock that is off does not matter.
	Issued time.Time
}

// S3Upload is the answer of uploadImageS3.
type S3Upload struct {
	URL   string // presigned PUT URL: a secret, never logged
	Image *Image
}

// ImagePage is one page of project.allImages, for clients that list a
// project's images (the uploader asks only for its own, with Image).
type ImagePage struct {
	Images     []Image
	TotalCount int
	HasNext    bool
	EndCursor  string
}

// Task is a reconstruction task.
type Task struct {
	ID        string     `json:"id"`
	TaskType  string     `json:"taskType"`
	State     string     `json:"state"`
	StartDate *time.Time `json:"startDate,omitempty"`
	Queueing  int        `json:"queueing"`
}

// Reconstruction is the result of starting a reconstruction: a task, or the
// reason in words why it did not start.
type Reconstruction struct {
	Task  *Task  `json:"task"`
	Error *Error `json:"error"`
}

// OSSSigner signs object PUTs for one STS credential. One is made per STS and
// reused for every image until the STS is renewed.
type OSSSigner interface {
	// SignPut returns a URL valid for expires that accepts a PUT of key with
	// exactly that Content-Type.
	SignPut(key, contentType string, expires time.Duration) (string, error)
}

// NewOSSSigner makes the signer for an STS (wasm/ossstore.New).
type NewOSSSigner func(sts STS) (OSSSigner, error)

// OSSMultipart is what an OSSSigner also offers to upload large files in
// parts (wasm/ossstore). Each part is PUT by the Putter to a URL it signs;
// the other calls go to the storage directly. Errors are *Error.
type OSSMultipart interface {
	// InitiateMultipart starts a multipart upload of key and returns its id.
	InitiateMultipart(ctx context.Context, key, contentType string) (uploadID string, err error)
	// SignPart returns a URL valid for expires that accepts the PUT of part
	// number (from 1) of the upload, with no Content-Type.
	SignPart(key, uploadID string, number int, expires time.Duration) (string, error)
	// ListParts returns the parts the storage holds of the upload; an upload
	// it does not know is an *Error with code not_found.
	ListParts(ctx context.Context, key, uploadID string) ([]Part, error)
	// CompleteMultipart joins the parts, in order, into the object.
	CompleteMultipart(ctx context.Context, key, uploadID string, parts []Part) error
}

// Part is one stored part of a multipart upload.
type Part struct {
	Number int    `json:"n"`
	ETag   string `json:"etag"`
	Size   int64  `json:"size"`
}
