package upload

import (
	"context"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
)

// Options say what to upload where. Zero values take the defaults noted.
type Options struct {
	// Project is the id of the project the images go into. Required.
	Project string
	// Cloud is "auto" (the nearest bucket of any cloud), "oss" or "s3". Default "auto".
	Cloud string
	// Bucket forces a bucket (an enum value such as "Tokyo"); empty means the
	// nearest one of the wanted cloud.
	Bucket string
	// Concurrency is how many files are sent to the storage at once.
	// Default 4.
	Concurrency int
	// RegisterAhead is how many more files may go through the API calls
	// before their PUT (hasImage, registration) while Concurrency files
	// are being sent, so that the API client can send the calls of many
	// files together and small files do not wait on one round trip after
	// another. Default 3 × Concurrency; negative means none.
	RegisterAhead int
	// HashAhead is how many files may be hashed and waiting for an upload
	// slot. Default: Concurrency.
	HashAhead int
	// HashConcurrency is how many files are hashed at once. Default 1; more
	// pays only when the Hasher works off Go's thread (Web Workers in the
	// browser). Files are still handed on in the order of Add.
	HashConcurrency int
	// Retries is how many times a failed step is tried again before the file
	// fails. Default 6; negative means none.
	Retries int
	// NetworkPatience is how long a step that gets no answer at all (the
	// browser offline, the server restarting) is tried again before its
	// failures count against Retries. Default 5 min; negative means none.
	NetworkPatience time.Duration
	// RetryBase and RetryMax bound the exponential backoff (full jitter).
	// Defaults 500 ms and 30 s.
	RetryBase, RetryMax time.Duration
	// CallTimeout bounds each try of an API call. Default 30 s.
	CallTimeout time.Duration
	// PollInterval is the pause between looks at the images in WaitProcessed.
	// Default 1 s.
	PollInterval time.Duration
	// RenewBefore is how long before its expiry an STS is renewed. Default 5 min.
	RenewBefore time.Duration
	// SignExpiry is how long a signed OSS URL stays valid. Default 15 min.
	SignExpiry time.Duration
	// StallTimeout aborts a PUT (to try it again) when no byte has gone out
	// and no answer has come for that long. Default 60 s.
	StallTimeout time.Duration
	// MissingAfter is how long WaitProcessed waits for an image to appear in
	// the project's listing before the file fails. Default 2 min.
	MissingAfter time.Duration
	// ProcessTimeout bounds how long WaitProcessed waits for images to become
	// Ready or Invalid; those still processing then fail. Default 30 min.
	ProcessTimeout time.Duration
	// PartSize is the part size of multipart uploads; 0 picks one from the
	// file's size (at least 5 MiB, at most 10,000 parts).
	PartSize int64
	// MultipartFrom is the size from which OSS uploads go in parts.
	// Default 100 MiB.
	MultipartFrom int64
	// PartConcurrency is how many parts of one file are sent at once. Default 2.
	PartConcurrency int
	// JournalFrom is the size from which files use the Journal: hashing a
	// smaller file costs less than the journal's look-up and writes.
	// Default 1 MiB; negative means every file.
	JournalFrom int64
}

// Deps are what the uploader talks to. API and Putter are required; the rest
// default to the real thing.
type Deps struct {
	API    API
	Putter Putter
	// Hasher defaults to StreamHasher{}.
	Hasher Hasher
	// OSS makes the signer for an STS; required to upload to an OSS bucket.
	OSS NewOSSSigner
	// Now defaults to time.Now.
	Now func() time.Time
	// Sleep waits d or until ctx is done; defaults to a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand returns a number in [0, 1) for backoff jitter; defaults to math/rand/v2.
	Rand func() float64
	// Journal, when set, remembers checksums across reloads (see Identified).
	Journal Journal
}

// State is where a file is in the flow.
type State string

// The states of a file. Final after Start: skipped, uploaded, failed; final
// after WaitProcessed: ready, invalid (and skipped/failed ones that have no image).
const (
	StateQueued    State = "queued"
	StateHashing   State = "hashing"
	StateChecking  State = "checking"
	StateSkipped   State = "skipped"
	StateUploading State = "uploading"
	StateUploaded  State = "uploaded"
	StateReady     State = "ready"
	StateInvalid   State = "invalid"
	StateFailed    State = "failed"
)

// FileEvent tells that a file changed state or sent more bytes.
type FileEvent struct {
	Index    int    `json:"index"` // position in the order of Add calls, from 0
	Name     string `json:"name"`
	Size     int64  `json:"size"`
	State    State  `json:"state"`
	Checksum string `json:"checksum,omitempty"`
	ImageID  string `json:"imageId,omitempty"`
	// Sent is how many bytes of this file have gone out (while uploading).
	Sent int64 `json:"sent"`
	// DuplicateOf names the earlier file of the batch with the same content,
	// for a file skipped as a duplicate.
	DuplicateOf string `json:"duplicateOf,omitempty"`
	Error       *Error `json:"error,omitempty"`
}

// Progress is the state of the whole batch.
type Progress struct {
	// SentBytes counts bytes of finished files (uploaded, skipped or failed)
	// plus bytes sent of files in flight; it never goes down and ends equal to
	// TotalBytes.
	SentBytes  int64 `json:"sentBytes"`
	TotalBytes int64 `json:"totalBytes"`
	FilesDone  int   `json:"filesDone"`
	FilesTotal int   `json:"filesTotal"`
	// BytesPerSecond is the transfer rate over the last few seconds.
	BytesPerSecond float64 `json:"bytesPerSecond"`
	// ETASeconds is the time left at that rate; 0 when unknown.
	ETASeconds float64 `json:"etaSeconds"`
}

// FileReport is the outcome of one file.
type FileReport struct {
	Name     string `json:"name"`
	State    State  `json:"state"`
	ImageID  string `json:"imageId,omitempty"`
	Checksum string `json:"checksum,omitempty"`
	Error    *Error `json:"error,omitempty"`
}

// Report is the outcome of Start: every file added so far.
type Report struct {
	Total    int          `json:"total"`
	Uploaded int          `json:"uploaded"`
	Skipped  int          `json:"skipped"`
	Failed   int          `json:"failed"`
	Files    []FileReport `json:"files"`
}

// InvalidFile is a file whose image the service found invalid, with its reasons.
type InvalidFile struct {
	Name   string   `json:"name"`
	Errors []string `json:"errors"`
}

// Processed is the outcome of WaitProcessed.
type Processed struct {
	Ready        int           `json:"ready"`
	Invalid      int           `json:"invalid"`
	InvalidFiles []InvalidFile `json:"invalidFiles"`
	// Failed counts files whose image never showed up in the project's
	// listing, or was not processed in time; FailedFiles says why in words.
	Failed      int           `json:"failed"`
	FailedFiles []InvalidFile `json:"failedFiles,omitempty"`
}

// Uploader uploads a batch of files into one project. Its methods are safe
// for concurrent use.
//
// Listeners (OnFile, OnProgress) are called one at a time, in order, from a
// goroutine of their own, so a slow listener does not hold up the uploads;
// events pile up meanwhile (progress and byte counts of a file are merged, so
// the pile stays small). Start returns only after every event of the run has
// been delivered.
type Uploader struct {
	opts Options
	deps Deps

	events *dispatcher

	mu       sync.Mutex
	files    []*file
	byHash   map[string]*file // first file of each checksum, for duplicates
	running  bool
	wake     chan struct{} // signalled by Add while running
	cancel   context.CancelFunc
	paused   bool
	resumed  chan struct{} // closed by Resume
	aborted  *Error        // why the run stopped for every file
	cursor   int           // files before it are all taken or finished
	inflight int           // files taken and not finished

	bucket string // resolved bucket enum value
	cloud  string // "oss" or "s3"
	creds  *stsCache

	prog progress

	sending chan struct{} // a slot per file being sent; Concurrency of them

	jmu sync.Mutex // guards the journal entries of files
	jw  journalWriter
}

// New checks the options and makes an Uploader. Bad options are an *Error
// with code invalid_input saying what is wrong.
func New(opts Options, deps Deps) (*Uploader, error) {
	opts.Project = strings.TrimSpace(opts.Project)
	if opts.Project == "" {
		return nil, Errorf(CodeInvalidInput, "The project id is missing.")
	}
	opts.Cloud = strings.ToLower(strings.TrimSpace(opts.Cloud))
	switch opts.Cloud {
	case "":
		opts.Cloud = "auto"
	case "auto", "oss", "s3":
	default:
		return nil, Errorf(CodeInvalidInput, "The cloud %q is not known: use auto, oss or s3.", opts.Cloud)
	}
	opts.Bucket = strings.TrimSpace(opts.Bucket)
	if opts.Bucket != "" && opts.Cloud == "auto" {
		return nil, Errorf(CodeInvalidInput, "A bucket was given without its cloud: set cloud to oss or s3.")
	}
	if opts.Concurrency < 0 || opts.Concurrency > 64 {
		return nil, Errorf(CodeInvalidInput, "Concurrency must be between 1 and 64, not %d.", opts.Concurrency)
	}
	if opts.Concurrency == 0 {
		opts.Concurrency = 4
	}
	switch {
	case opts.RegisterAhead < 0:
		opts.RegisterAhead = 0
	case opts.RegisterAhead == 0:
		opts.RegisterAhead = 3 * opts.Concurrency
	case opts.RegisterAhead > 256:
		return nil, Errorf(CodeInvalidInput, "RegisterAhead must be at most 256, not %d.", opts.RegisterAhead)
	}
	if opts.HashAhead < 0 {
		return nil, Errorf(CodeInvalidInput, "HashAhead must not be negative.")
	}
	if opts.HashAhead == 0 {
		opts.HashAhead = opts.Concurrency
	}
	if opts.HashConcurrency < 0 || opts.HashConcurrency > 8 {
		return nil, Errorf(CodeInvalidInput, "HashConcurrency must be between 1 and 8, not %d.", opts.HashConcurrency)
	}
	if opts.HashConcurrency == 0 {
		opts.HashConcurrency = 1
	}
	if opts.NetworkPatience == 0 {
		opts.NetworkPatience = 5 * time.Minute
	} else if opts.NetworkPatience < 0 {
		opts.NetworkPatience = 0
	}
	if opts.Retries == 0 {
		opts.Retries = 6
	} else if opts.Retries < 0 {
		opts.Retries = 0
	}
	if opts.RetryBase <= 0 {
		opts.RetryBase = 500 * time.Millisecond
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = 30 * time.Second
	}
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = 30 * time.Second
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.RenewBefore <= 0 {
		opts.RenewBefore = 5 * time.Minute
	}
	if opts.SignExpiry <= 0 {
		opts.SignExpiry = 15 * time.Minute
	}
	if opts.StallTimeout <= 0 {
		opts.StallTimeout = time.Minute
	}
	if opts.MissingAfter <= 0 {
		opts.MissingAfter = 2 * time.Minute
	}
	if opts.ProcessTimeout <= 0 {
		opts.ProcessTimeout = 30 * time.Minute
	}
	if opts.PartSize < 0 {
		return nil, Errorf(CodeInvalidInput, "PartSize must not be negative.")
	}
	if opts.MultipartFrom <= 0 {
		opts.MultipartFrom = 100 << 20
	}
	if opts.PartConcurrency <= 0 {
		opts.PartConcurrency = 2
	}
	if opts.JournalFrom == 0 {
		opts.JournalFrom = 1 << 20
	}
	if deps.API == nil {
		return nil, Errorf(CodeInvalidInput, "No API client was given.")
	}
	if deps.Putter == nil {
		return nil, Errorf(CodeInvalidInput, "No storage client (Putter) was given.")
	}
	if deps.Hasher == nil {
		deps.Hasher = StreamHasher{}
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Sleep == nil {
		deps.Sleep = sleepCtx
	}
	if deps.Rand == nil {
		deps.Rand = rand.Float64
	}
	u := &Uploader{
		opts:   opts,
		deps:   deps,
		byHash: map[string]*file{},
		wake:   make(chan struct{}, 1),
	}
	u.sending = make(chan struct{}, opts.Concurrency)
	u.events = newDispatcher()
	u.prog.init(deps.Now)
	return u, nil
}

// OnFile sets the listener of file events (nil for none).
func (u *Uploader) OnFile(f func(FileEvent)) { u.events.setFile(f) }

// OnProgress sets the listener of batch progress (nil for none).
func (u *Uploader) OnProgress(f func(Progress)) { u.events.setProgress(f) }

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
