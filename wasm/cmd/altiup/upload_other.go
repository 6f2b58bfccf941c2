//go:build !(js && wasm)

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"altiup/wasm/altizure"
	"altiup/wasm/fsjournal"
	"altiup/wasm/ossstore"
	"altiup/wasm/termbar"
	"altiup/wasm/upload"
)

// uploadFlags are the flags of altiup upload.
type uploadFlags struct {
	conn
	cloud, bucket string
	concurrency   int
	wait, json    bool
	journal       string
	partSizeMiB   int64
}

func uploadFlagSet(stderr io.Writer) (*flag.FlagSet, *uploadFlags) {
	f := &uploadFlags{}
	fs := flag.NewFlagSet("altiup upload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f.register(fs)
	fs.StringVar(&f.cloud, "cloud", "auto", "where the photos go: auto (the nearest bucket), oss or s3")
	fs.StringVar(&f.bucket, "bucket", "", "a bucket of that cloud (e.g. Tokyo) instead of the nearest one; needs -cloud")
	fs.IntVar(&f.concurrency, "concurrency", 4, "files sent at once (1 to 64)")
	fs.BoolVar(&f.wait, "wait", false, "wait until the service has checked every photo (Ready or Invalid)")
	fs.BoolVar(&f.json, "json", false, "print one JSON object per line instead of text")
	fs.StringVar(&f.journal, "journal", defaultJournalDir(), `the folder of the journal that lets a run resume what an earlier one began ("off": none)`)
	fs.Int64Var(&f.partSizeMiB, "part-size", 0, "MiB per part of the large files sent in parts (0: picked from the size, at least 5)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: altiup upload -project PID [flags] DIR|FILE...\n\n"+
			"Uploads the images in the folders (recognised by their first bytes; hidden\n"+
			"files are left out) and the files named. Exit code 0 when every file is\n"+
			"uploaded or was there already (and, with -wait, is Ready), 1 otherwise,\n"+
			"2 for a mistake on the command line.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	return fs, f
}

// defaultJournalDir is altiup/journal in the user's cache folder.
func defaultJournalDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "off"
	}
	return filepath.Join(dir, "altiup", "journal")
}

// runUpload is altiup upload.
func runUpload(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs, f := uploadFlagSet(stderr)
	w, code, done := walkArgs(fs, args, func(paths []string) error { return f.check(paths, getenv) }, stderr)
	if done {
		return code
	}

	mode := modeLines
	switch {
	case f.json:
		mode = modeJSON
	case termbar.IsTerminal(stdout):
		mode = modeBar
	}
	out := newOutput(mode, stdout)
	out.found(w.files, w.skipped)
	if len(w.files) == 0 {
		return fail(stderr, errors.New("no image to upload in "+strings.Join(w.paths, ", ")))
	}

	up, err := newUploader(f, out)
	if err != nil {
		return fail(stderr, err)
	}
	up.Add(w.sources()...)
	rep, err := up.Start(ctx)
	// What the journal learned must be on disk before the program ends.
	up.FlushJournal()
	out.sent()
	if err != nil {
		if rep.Total > 0 {
			out.summary(rep, nil) // what became of each file before it stopped
		}
		return fail(stderr, err)
	}
	var processed *upload.Processed
	if f.wait && ctx.Err() == nil {
		res, err := up.WaitProcessed(ctx)
		if err != nil {
			out.summary(rep, nil)
			return fail(stderr, err)
		}
		processed = &res
	}
	ok := out.summary(rep, processed)
	switch {
	case ctx.Err() != nil:
		return exitInterrupted
	case !ok:
		return exitFailed
	}
	return exitOK
}

// check checks the flags and arguments beyond what flag does.
func (f *uploadFlags) check(paths []string, getenv func(string) string) error {
	if err := f.resolve(getenv); err != nil {
		return err
	}
	if len(paths) == 0 {
		return usageErrorf("name the folders or files to upload: altiup upload -project PID DIR|FILE...")
	}
	f.cloud = strings.ToLower(strings.TrimSpace(f.cloud))
	switch f.cloud {
	case "auto", "oss", "s3":
	default:
		return usageErrorf("-cloud %q is not known: use auto, oss or s3", f.cloud)
	}
	if f.bucket != "" && f.cloud == "auto" {
		return usageErrorf("-bucket needs -cloud oss or -cloud s3")
	}
	if f.concurrency < 1 || f.concurrency > 64 {
		return usageErrorf("-concurrency must be between 1 and 64, not %d", f.concurrency)
	}
	if f.partSizeMiB != 0 && f.partSizeMiB < 5 {
		return usageErrorf("-part-size must be at least 5 (MiB), not %d", f.partSizeMiB)
	}
	if strings.TrimSpace(f.journal) == "" {
		return usageErrorf(`-journal needs a folder, or "off"`)
	}
	return nil
}

// newUploader makes the uploader of the core, as the page does, with the
// native edges: net/http PUTs streamed from the file, Go's SHA-1, the
// journal in a folder.
func newUploader(f *uploadFlags, out *output) (*upload.Uploader, error) {
	hc := httpClient()
	deps := upload.Deps{
		API:    altizure.New(f.api, f.key, f.token, hc),
		Putter: upload.HTTPPutter{Client: hc},
		Hasher: upload.StreamHasher{},
		OSS:    ossstore.New,
	}
	if f.journal != "off" {
		deps.Journal = fsjournal.New(fsjournal.Dir(f.journal), fsjournal.Options{Store: "the journal's folder " + f.journal})
	}
	up, err := upload.New(upload.Options{
		Project:     f.project,
		Cloud:       f.cloud,
		Bucket:      f.bucket,
		Concurrency: f.concurrency,
		// Go hashes on every core.
		HashConcurrency: min(runtime.NumCPU(), 4),
		PartSize:        f.partSizeMiB << 20,
	}, deps)
	if err != nil {
		return nil, err
	}
	up.OnFile(out.file)
	up.OnProgress(out.progress)
	return up, nil
}
