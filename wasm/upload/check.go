package upload

import (
	"context"
	"slices"

	"altiup/wasm/inspect"
	"altiup/wasm/photometa"
)

// metaReader reads the metadata of added files off the caller's goroutine:
// Add only queues the file, and a goroutine that lives while files are
// queued starts MetaConcurrency reads at most at once, in the order of Add.
// With a HeadReader, each read is of a batch of up to MetaBatch files whose
// first bytes it reads at once; without, of one file. Its fields are
// guarded by Uploader.mu.
type metaReader struct {
	queue   []*file
	running bool
	slots   chan struct{}
}

// queueMetaLocked queues f for its metadata read; u.mu is held.
func (u *Uploader) queueMetaLocked(f *file) {
	u.meta.queue = append(u.meta.queue, f)
	if !u.meta.running {
		u.meta.running = true
		go u.readMetas()
	}
}

// readMetas starts the reads of the queued files, in order, until none is
// queued. A batch takes the files queued when a slot is free, never waiting
// for more.
func (u *Uploader) readMetas() {
	batch := 1
	if u.deps.Heads != nil {
		batch = MetaBatch
	}
	for {
		u.mu.Lock()
		if len(u.meta.queue) == 0 {
			u.meta.running = false
			u.meta.queue = nil // lets the array of a large batch go
			u.mu.Unlock()
			return
		}
		n := min(len(u.meta.queue), batch)
		fs := slices.Clone(u.meta.queue[:n])
		clear(u.meta.queue[:n])
		u.meta.queue = u.meta.queue[n:]
		u.mu.Unlock()
		u.meta.slots <- struct{}{}
		go func() {
			defer func() { <-u.meta.slots }()
			u.readMetaBatch(fs)
		}()
	}
}

// headBudget is the most bytes one Heads call reads: MetaBatch heads of
// photometa.FirstRead. A batch of small files read whole is handed to the
// HeadReader in parts that fit it, so that reading them costs the browser
// no more memory than a batch of heads, and the buffers of its answers are
// reused as theirs are.
const headBudget = MetaBatch * photometa.FirstRead

// headSize is how much of each of srcs the HeadReader reads: each whole
// when none is larger than photometa.MaxRead, else photometa.FirstRead. A
// small file's header may end anywhere in it (a frame header behind long
// comments), and each read on past a head is one more round trip to the
// reader per file: uploading 2,000 files of 100 KB from the page took
// 1.9-2.5 times as long as plain fetch PUTs of them with them read whole,
// 2.3-2.7 times with heads of 32 KiB read on twice each.
func headSize(srcs []Source) int {
	n := 1
	for _, s := range srcs {
		if s.Size() > photometa.MaxRead {
			return photometa.FirstRead
		}
		n = max(n, int(s.Size()))
	}
	return n
}

// readMetaBatch reads the metadata of fs, their first bytes read at once
// by the HeadReader when there is one (paced between two files when it is
// a Pacer). A batch holds its slot while it is parsed: the parsers may
// read on past the heads, and batches parsed all at once held the buffers
// of every file (the page's memory grew with the number of files).
func (u *Uploader) readMetaBatch(fs []*file) {
	if u.deps.Heads == nil {
		for _, f := range fs {
			u.readMeta(f, f.src)
		}
		return
	}
	srcs := make([]Source, len(fs))
	for i, f := range fs {
		srcs[i] = f.src
	}
	pacer, _ := u.deps.Heads.(Pacer)
	read, handed := make([]bool, len(fs)), 0
	n := headSize(srcs)
	per := max(1, headBudget/n)
	for from := 0; from < len(fs); from += per {
		part := srcs[from:min(from+per, len(fs))]
		// Nothing read keeps a head: the metadata is copied out.
		u.deps.Heads.Heads(context.Background(), part, n, func(i int, head []byte) {
			if i < 0 || i >= len(part) || read[from+i] {
				return
			}
			i += from
			if pacer != nil && handed > 0 {
				pacer.Pace()
			}
			handed++
			read[i] = true
			var src Source = fs[i].src
			if head != nil {
				src = headSource{fs[i].src, head, u.deps.Heads}
			}
			u.readMeta(fs[i], src)
		})
	}
	// A file the reader left out is read from its Source: every file of
	// the batch gets its metadata, which Inspect waits for.
	for i, f := range fs {
		if !read[i] {
			u.readMeta(f, f.src)
		}
	}
}

// readMeta reads f's metadata from src (f's, or its head before it) and
// shows it in f's event. A file replaced meanwhile is forgotten; one left
// out does not enter the batch (Include adds it).
func (u *Uploader) readMeta(f *file, src Source) {
	m := inspect.Read(f.idx, f.name, src)
	u.mu.Lock()
	defer u.mu.Unlock()
	f.meta = &m
	defer close(f.metaRead) // once the batch has it: Inspect then sums it up
	if !u.current(f) {
		return
	}
	if f.st.stage != stageExcluded {
		u.batch.Add(m)
	}
	u.events.file(f.event())
}

// current reports whether f is still the file of its index (not replaced);
// u.mu is held.
func (u *Uploader) current(f *file) bool {
	return f.idx < len(u.files) && u.files[f.idx] == f
}

// hashForBatch is the batch's HashFunc: the checksum of the file of index,
// computed by the Hasher unless the upload knows it already.
func (u *Uploader) hashForBatch(ctx context.Context, index int) (string, error) {
	u.mu.Lock()
	f := u.files[index]
	sum := f.checksum
	u.mu.Unlock()
	if sum != "" {
		return sum, nil
	}
	return u.deps.Hasher.SHA1(ctx, f.src)
}

// Inspect sums up the batch as it would be sent (inspect.Summary): it waits
// for the metadata of the files added so far, hashes the duplicate
// candidates not hashed yet (those checksums are kept, so the upload does
// not hash them again), and prices the batch for the signed-in user. It may
// be called again after more adds, and while Start runs. Files left out
// (Exclude) are not in it. Cost prices the gigapixels that will be sent
// (Summary.Gigapixels less the copies duplicate_content names, which are not
// sent); it is nil when no one is signed in, or when the account or the
// price could not be had: that does not fail Inspect.
func (u *Uploader) Inspect(ctx context.Context) (inspect.Summary, error) {
	account := make(chan *Account, 1)
	go func() { account <- u.account(ctx) }()

	if err := u.metasRead(ctx); err != nil {
		return inspect.Summary{}, err
	}
	s, err := u.batch.Summary(ctx)
	if err != nil {
		return inspect.Summary{}, AsError(err)
	}
	if a := <-account; a != nil {
		callCtx, cancel := context.WithTimeout(ctx, u.opts.CallTimeout)
		defer cancel()
		if c, err := inspect.Price(callCtx, u.sentGigapixels(s), *a, u.deps.API.CoinsToMoney); err == nil {
			s.Cost = c
		}
	}
	return s, nil
}

// metasRead waits for the metadata of the files added so far.
func (u *Uploader) metasRead(ctx context.Context) error {
	u.mu.Lock()
	pending := make([]chan struct{}, 0, len(u.files))
	for _, f := range u.files {
		pending = append(pending, f.metaRead)
	}
	u.mu.Unlock()
	for _, ch := range pending {
		select {
		case <-ch:
		case <-ctx.Done():
			return AsError(ctx.Err())
		}
	}
	return nil
}

// Positions returns where the photos of the batch were taken (those with a
// real position; files left out are not in it), by index, once the
// metadata of the files added so far is read. Each is named by its path
// inside what was chosen (Pathed), else by its name, as events name it; the
// caller writes them out with inspect.WriteCSV or inspect.GeoJSON.
func (u *Uploader) Positions(ctx context.Context) ([]inspect.Position, error) {
	if err := u.metasRead(ctx); err != nil {
		return nil, err
	}
	ps := inspect.Positions(u.batch.Files())
	u.mu.Lock()
	defer u.mu.Unlock()
	for i := range ps {
		if f := u.files[ps[i].Index]; f.path != "" {
			ps[i].Name = f.path
		}
	}
	return ps, nil
}

// sentGigapixels is what the batch of s adds to the project: the copies
// that duplicate_content names are not sent, so they cost nothing.
func (u *Uploader) sentGigapixels(s inspect.Summary) float64 {
	var copies []int
	for _, w := range s.Warnings {
		if w.Code == inspect.DuplicateContent {
			copies = w.Files
		}
	}
	if len(copies) == 0 {
		return s.Gigapixels
	}
	var files []inspect.File
	for _, f := range u.batch.Files() {
		if slices.Contains(copies, f.Index) {
			files = append(files, f)
		}
	}
	return max(0, s.Gigapixels-inspect.Summarize(files, nil).Gigapixels)
}

// account asks once for the signed-in user's account; nil when there is
// none or the call failed (the cost is then unknown, nothing worse).
func (u *Uploader) account(ctx context.Context) *Account {
	ctx, cancel := context.WithTimeout(ctx, u.opts.CallTimeout)
	defer cancel()
	a, err := u.deps.API.Account(ctx)
	if err != nil || a == nil {
		return nil
	}
	c := *a
	if c.Currency == "" {
		c.Currency = DefaultCurrency
	}
	return &c
}

// DefaultCurrency prices the batch when the service names no currency.
const DefaultCurrency = "USD"
