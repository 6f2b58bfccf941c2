package upload

import (
	"context"
	"sync"

	"altiup/wasm/coalesce"
	"altiup/wasm/inspect"
	"altiup/wasm/photometa"
)

// State is where a file is in the flow.
type State string

// The states of a file. Final after Start: skipped, uploaded, failed; final
// after WaitProcessed: ready, invalid (and skipped/failed ones that have no
// image). Excluded is a file left out (Exclude) until Include.
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
	StateExcluded  State = "excluded"
)

// FileEvent tells that a file changed state or sent more bytes.
type FileEvent struct {
	Index int    `json:"index"` // position in the order of Add calls, from 0
	Name  string `json:"name"`
	// Path is the file's relative path inside what was chosen (see Pathed).
	Path     string `json:"path,omitempty"`
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
	// Meta is what the file says about itself, once read from its first
	// bytes (see Inspect); {} when nothing could be read.
	Meta *photometa.Meta `json:"meta,omitempty"`
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
	Path     string `json:"path,omitempty"`
	State    State  `json:"state"`
	ImageID  string `json:"imageId,omitempty"`
	Checksum string `json:"checksum,omitempty"`
	Error    *Error `json:"error,omitempty"`
}

// Report is the outcome of Start: every file added so far.
type Report struct {
	Total    int `json:"total"`
	Uploaded int `json:"uploaded"`
	Skipped  int `json:"skipped"`
	Failed   int `json:"failed"`
	// Excluded counts the files left out (Exclude): neither sent nor failed.
	Excluded int          `json:"excluded"`
	Files    []FileReport `json:"files"`
}

// InvalidFile is a file whose image the service found invalid, with its
// reasons. Index (as in FileEvent) or ImageID tell the file; names may repeat.
type InvalidFile struct {
	Index   int      `json:"index"`
	Name    string   `json:"name"`
	Path    string   `json:"path,omitempty"`
	ImageID string   `json:"imageId,omitempty"`
	Errors  []string `json:"errors"`
}

// Processed is the outcome of WaitProcessed.
//
// Wanted is how many images the batch should end with: the files added,
// less those left out (Exclude), those refused for what they are (not an
// image, empty) and those skipped as a copy of another file of the batch
// (they share its image). Ready and Invalid count those same files, so the
// batch is complete, ready for a reconstruction, when Ready == Wanted;
// InvalidFiles still lists the copies too, as their rows show it.
type Processed struct {
	Wanted       int           `json:"wanted"`
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
	opts  Options
	deps  Deps
	retry retrier

	events *dispatcher
	jw     *coalesce.Queue[journalWrite]

	mu     sync.Mutex // guards what follows and every file
	ctl    control
	files  []*file
	byHash map[string]*file // first file of each checksum, for duplicates
	wake   chan struct{}    // signalled by Add and by files ending while running
	cursor int              // files before it are all taken or finished
	// inflight counts the files taken and not finished, and the Adds under
	// way (Adding): a run ends only once it is 0 with no file queued.
	inflight int

	journalOpened bool // the journal was asked to open (openJournalFor)

	bucket string // resolved bucket enum value
	cloud  string // "oss" or "s3"
	creds  *stsCache

	prog progress

	meta  metaReader     // reads the files' metadata as they are added
	batch *inspect.Batch // what Inspect sums up: the files not left out

	sending     chan struct{} // a slot per file being sent; Concurrency of them
	startTokens chan struct{} // a token per large file started and not yet sending
}

// New checks the options and makes an Uploader. Bad options are an *Error
// with code invalid_input saying what is wrong.
func New(opts Options, deps Deps) (*Uploader, error) {
	if err := opts.normalize(); err != nil {
		return nil, err
	}
	if err := deps.normalize(); err != nil {
		return nil, err
	}
	u := &Uploader{
		opts:        opts,
		deps:        deps,
		byHash:      map[string]*file{},
		wake:        make(chan struct{}, 1),
		sending:     make(chan struct{}, opts.Concurrency),
		startTokens: make(chan struct{}, opts.Concurrency),
		events:      newDispatcher(),
	}
	u.meta.slots = make(chan struct{}, opts.MetaConcurrency)
	u.batch = inspect.NewBatch(u.hashForBatch)
	u.retry = newRetrier(opts, deps, u.gate)
	u.jw = newJournalWriter(deps.Journal)
	u.prog.init(deps.Now)
	return u, nil
}

// OnFile sets the listener of file events (nil for none).
func (u *Uploader) OnFile(f func(FileEvent)) { u.events.setFile(f) }

// OnProgress sets the listener of batch progress (nil for none).
func (u *Uploader) OnProgress(f func(Progress)) { u.events.setProgress(f) }

// Add queues files. It may be called at any time: files added while Start
// runs are uploaded by that run if they arrive before it ends, else by the
// next Start. Their metadata is read meanwhile, off the caller's goroutine
// (see Inspect), so Add costs little whatever the batch.
func (u *Uploader) Add(srcs ...Source) {
	u.mu.Lock()
	for _, s := range srcs {
		if s == nil {
			continue
		}
		f := newFile(len(u.files), s)
		u.files = append(u.files, f)
		u.prog.addFile(f.size)
		u.events.file(f.event())
		u.queueMetaLocked(f)
		u.openJournalFor(s)
	}
	u.emitProgressLocked()
	u.mu.Unlock()
	u.signal()
}

// Adding tells that files are on their way to Add, in parts (a browser
// reads their sizes a slice at a time), and returns the function to call
// once the last part is in. Meanwhile a run does not end for want of
// files: the run under way, or the next one, takes them all, in order, and
// its report covers them.
func (u *Uploader) Adding() (done func()) {
	u.mu.Lock()
	u.inflight++
	u.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			u.mu.Lock()
			u.inflight--
			u.mu.Unlock()
			u.signal()
		})
	}
}

func (u *Uploader) signal() {
	select {
	case u.wake <- struct{}{}:
	default:
	}
}

// retryCall is retry for an API call: each try may last CallTimeout.
func (u *Uploader) retryCall(ctx context.Context, op func(context.Context) error) error {
	return u.retry.do(ctx, u.opts.CallTimeout, op)
}
