package upload

import (
	"context"
	"math/rand/v2"
	"strings"
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
	// another. Default 5 × Concurrency (uploading 2,000 small files from
	// the page made 0.29-0.30 API requests a file with it, 0.39 with 3 ×,
	// and took 3-5% less time); negative means none.
	RegisterAhead int
	// HashAhead is how many files may be hashed and waiting for an upload
	// slot. Default: Concurrency.
	HashAhead int
	// HashConcurrency is how many files are hashed at once. Default 1; more
	// pays only when the Hasher works off Go's thread (Web Workers in the
	// browser). Files are still handed on in the order of Add.
	HashConcurrency int
	// MetaConcurrency is how many batches of files have their metadata
	// read at once (their first bytes only; see Inspect and MetaBatch).
	// Default 2: as fast as 4 for inspect() of 1,000 photos, and the page
	// holds a batch's heads (2 MiB) for each.
	MetaConcurrency int
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
	// PollInterval is the first pause between looks at the images in
	// WaitProcessed; while nothing changes the pause doubles, up to
	// PollMax. Defaults 1 s and 30 s.
	PollInterval, PollMax time.Duration
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

// normalize checks o and fills in the defaults. A bad option is an *Error
// with code invalid_input saying what is wrong.
func (o *Options) normalize() error {
	o.Project = strings.TrimSpace(o.Project)
	if o.Project == "" {
		return Errorf(CodeInvalidInput, "The project id is missing.")
	}
	o.Cloud = strings.ToLower(strings.TrimSpace(o.Cloud))
	switch o.Cloud {
	case "":
		o.Cloud = "auto"
	case "auto", "oss", "s3":
	default:
		return Errorf(CodeInvalidInput, "The cloud %q is not known: use auto, oss or s3.", o.Cloud)
	}
	o.Bucket = strings.TrimSpace(o.Bucket)
	if o.Bucket != "" && o.Cloud == "auto" {
		return Errorf(CodeInvalidInput, "A bucket was given without its cloud: set cloud to oss or s3.")
	}
	if o.Concurrency < 0 || o.Concurrency > 64 {
		return Errorf(CodeInvalidInput, "Concurrency must be between 1 and 64, not %d.", o.Concurrency)
	}
	orDefault(&o.Concurrency, 4)
	switch {
	case o.RegisterAhead < 0:
		o.RegisterAhead = 0
	case o.RegisterAhead == 0:
		o.RegisterAhead = 5 * o.Concurrency
	case o.RegisterAhead > 256:
		return Errorf(CodeInvalidInput, "RegisterAhead must be at most 256, not %d.", o.RegisterAhead)
	}
	if o.HashAhead < 0 {
		return Errorf(CodeInvalidInput, "HashAhead must not be negative.")
	}
	orDefault(&o.HashAhead, o.Concurrency)
	if o.HashConcurrency < 0 || o.HashConcurrency > 8 {
		return Errorf(CodeInvalidInput, "HashConcurrency must be between 1 and 8, not %d.", o.HashConcurrency)
	}
	orDefault(&o.HashConcurrency, 1)
	if o.MetaConcurrency < 0 || o.MetaConcurrency > 16 {
		return Errorf(CodeInvalidInput, "MetaConcurrency must be between 1 and 16, not %d.", o.MetaConcurrency)
	}
	orDefault(&o.MetaConcurrency, 2)
	if o.PartSize < 0 {
		return Errorf(CodeInvalidInput, "PartSize must not be negative.")
	}
	// Zero means the default; negative means none.
	zeroOrNone(&o.NetworkPatience, 5*time.Minute)
	zeroOrNone(&o.Retries, 6)
	orDefault(&o.RetryBase, 500*time.Millisecond)
	orDefault(&o.RetryMax, 30*time.Second)
	orDefault(&o.CallTimeout, 30*time.Second)
	orDefault(&o.PollInterval, time.Second)
	orDefault(&o.PollMax, 30*time.Second)
	o.PollMax = max(o.PollMax, o.PollInterval)
	orDefault(&o.RenewBefore, 5*time.Minute)
	orDefault(&o.SignExpiry, 15*time.Minute)
	orDefault(&o.StallTimeout, time.Minute)
	orDefault(&o.MissingAfter, 2*time.Minute)
	orDefault(&o.ProcessTimeout, 30*time.Minute)
	orDefault(&o.MultipartFrom, 100<<20)
	orDefault(&o.PartConcurrency, 2)
	if o.JournalFrom == 0 {
		o.JournalFrom = 1 << 20
	}
	return nil
}

// orDefault sets a zero or negative *v to def.
func orDefault[T int | int64 | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// zeroOrNone sets a zero *v to def and a negative one to zero.
func zeroOrNone[T int | time.Duration](v *T, def T) {
	if *v == 0 {
		*v = def
	} else if *v < 0 {
		*v = 0
	}
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
	// Heads, when set, reads the first bytes of added files in batches for
	// their metadata; without it each file is read through its ReadAt.
	Heads HeadReader
}

// normalize checks d and fills in the defaults.
func (d *Deps) normalize() error {
	if d.API == nil {
		return Errorf(CodeInvalidInput, "No API client was given.")
	}
	if d.Putter == nil {
		return Errorf(CodeInvalidInput, "No storage client (Putter) was given.")
	}
	if d.Hasher == nil {
		d.Hasher = StreamHasher{}
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Sleep == nil {
		d.Sleep = sleepCtx
	}
	if d.Rand == nil {
		d.Rand = rand.Float64
	}
	return nil
}

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
