//go:build !(js && wasm)

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"altiup/wasm/localfile"
	"altiup/wasm/termbar"
	"altiup/wasm/upload"
)

// outputMode is how the command tells what happens.
type outputMode int

const (
	modeLines outputMode = iota // one line per file as it ends; for logs and pipes
	modeBar                     // a progress bar on a terminal, failures above it
	modeJSON                    // one JSON object per line, for programs
)

// output tells the person (or the program) what happens to the files. The
// uploader calls it from one goroutine at a time; the mutex covers the
// command's own calls beside it.
type output struct {
	mode  outputMode
	w     io.Writer
	bar   *termbar.Bar
	paths []string // by file index

	mu           sync.Mutex
	files        map[int]fileOutcome
	lastProgress time.Time
}

// fileOutcome is the last known state of a file.
type fileOutcome struct {
	state upload.State
	err   *upload.Error
	dupOf string
}

func newOutput(mode outputMode, w io.Writer) *output {
	o := &output{mode: mode, w: w, files: map[int]fileOutcome{}}
	if mode == modeBar {
		o.bar = termbar.New(w)
	}
	return o
}

// event writes one JSON object: v's fields with "type" first.
func (o *output) event(kind string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	head := fmt.Sprintf(`{"type":%q`, kind)
	if len(b) > 2 {
		head += ","
	}
	fmt.Fprintf(o.w, "%s%s\n", head, b[1:])
}

// line prints a line for people (above the bar when there is one).
func (o *output) line(format string, args ...any) {
	text := fmt.Sprintf(format, args...)
	if o.bar != nil {
		o.bar.Println(text)
		return
	}
	fmt.Fprintln(o.w, text)
}

func (o *output) path(idx int) string {
	if idx >= 0 && idx < len(o.paths) {
		return o.paths[idx]
	}
	return fmt.Sprintf("file #%d", idx)
}

// found tells what the walk found.
func (o *output) found(files []*localfile.File, skipped []localfile.Skipped) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var total int64
	o.paths = make([]string, len(files))
	for i, f := range files {
		o.paths[i] = f.Path()
		total += f.Size()
	}
	for _, s := range skipped {
		if o.mode == modeJSON {
			o.event("ignored", s)
		} else if o.mode == modeLines {
			o.line("ignored   %s: %s", s.Path, s.Reason)
		}
	}
	if o.mode == modeJSON {
		o.event("found", struct {
			Files   int   `json:"files"`
			Bytes   int64 `json:"bytes"`
			Ignored int   `json:"ignored"`
		}{len(files), total, len(skipped)})
		return
	}
	o.line("%s, %s; %s ignored", count(len(files), "image"), bytesInWords(total), count(len(skipped), "other file"))
}

// file takes a file event of the uploader.
func (o *output) file(e upload.FileEvent) {
	o.mu.Lock()
	defer o.mu.Unlock()
	prev, known := o.files[e.Index]
	o.files[e.Index] = fileOutcome{state: e.State, err: e.Error, dupOf: e.DuplicateOf}
	if known && prev.state == e.State {
		return // bytes sent: the progress tells
	}
	path := o.path(e.Index)
	if o.mode == modeJSON {
		o.event("file", struct {
			upload.FileEvent
			Path string `json:"path"`
		}{e, path})
		return
	}
	switch e.State {
	case upload.StateFailed:
		o.line("failed    %s: %s", path, errorText(e.Error))
	case upload.StateInvalid:
		o.line("invalid   %s", path)
	case upload.StateUploaded, upload.StateSkipped, upload.StateReady:
		if o.mode == modeLines {
			note := ""
			if e.State == upload.StateSkipped {
				note = " (already in the project)"
				if e.DuplicateOf != "" {
					note = " (the same photo as " + e.DuplicateOf + ")"
				}
			}
			o.line("%-9s %s%s", e.State, path, note)
		}
	}
}

// progress takes the batch's progress: the bar moves; a program gets it at
// most twice a second, and always the last.
func (o *output) progress(p upload.Progress) {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch o.mode {
	case modeBar:
		o.bar.Update(p)
	case modeJSON:
		now := time.Now()
		if now.Sub(o.lastProgress) >= 500*time.Millisecond || p.FilesDone == p.FilesTotal {
			o.lastProgress = now
			o.event("progress", p)
		}
	}
}

// sent ends the bar once Start is over, so that what follows (the wait for
// the service's checks) goes below it.
func (o *output) sent() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.endBar()
}

// endBar ends the bar, so that what follows goes below it.
func (o *output) endBar() {
	if o.bar != nil {
		o.bar.Finish()
		o.bar = nil
	}
}

// summary tells the outcome of the batch and returns whether every file
// made it: uploaded or skipped, and with wait, ready.
func (o *output) summary(rep upload.Report, processed *upload.Processed) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.endBar()
	counts := map[upload.State]int{}
	var failed, invalid []int
	for idx, f := range o.files {
		counts[f.state]++
		switch f.state {
		case upload.StateFailed:
			failed = append(failed, idx)
		case upload.StateInvalid:
			invalid = append(invalid, idx)
		case upload.StateUploaded, upload.StateSkipped, upload.StateReady:
		default: // never finished (stopped)
			failed = append(failed, idx)
		}
	}
	sort.Ints(failed)
	sort.Ints(invalid)
	ok := rep.Failed == 0 && len(failed) == 0 && len(invalid) == 0 && len(o.files) == rep.Total
	if processed != nil {
		ok = ok && processed.Failed == 0 && processed.Invalid == 0
	}
	reasons := invalidReasons(processed)
	if o.mode == modeJSON {
		type named struct {
			Path    string        `json:"path"`
			Error   *upload.Error `json:"error,omitempty"`
			Reasons []string      `json:"reasons,omitempty"`
		}
		var fl, inv []named
		for _, idx := range failed {
			fl = append(fl, named{Path: o.path(idx), Error: o.files[idx].err})
		}
		for _, idx := range invalid {
			inv = append(inv, named{Path: o.path(idx), Reasons: reasons.of(idx, o.path(idx))})
		}
		o.event("summary", struct {
			OK        bool              `json:"ok"`
			Total     int               `json:"total"`
			Uploaded  int               `json:"uploaded"`
			Skipped   int               `json:"skipped"`
			Failed    []named           `json:"failed"`
			Processed *upload.Processed `json:"processed,omitempty"`
			Invalid   []named           `json:"invalid,omitempty"`
		}{ok, rep.Total, rep.Uploaded, rep.Skipped, fl, processed, inv})
		return ok
	}
	text := fmt.Sprintf("%d files: %d uploaded, %d skipped, %d failed", rep.Total, rep.Uploaded, rep.Skipped, rep.Failed)
	if processed != nil {
		text += fmt.Sprintf("; %d of %d ready, %d invalid, %d not processed", processed.Ready, processed.Wanted, processed.Invalid, processed.Failed)
	}
	fmt.Fprintln(o.w, text)
	if len(failed) > 0 {
		fmt.Fprintln(o.w, "Failed:")
		for _, idx := range failed {
			fmt.Fprintf(o.w, "  %s: %s\n", o.path(idx), errorText(o.files[idx].err))
		}
	}
	if len(invalid) > 0 {
		fmt.Fprintln(o.w, "Invalid (the service refused these photos):")
		for _, idx := range invalid {
			fmt.Fprintf(o.w, "  %s: %s\n", o.path(idx), strings.Join(reasons.of(idx, o.path(idx)), " "))
		}
	}
	return ok
}

func errorText(e *upload.Error) string {
	if e == nil {
		return "it did not finish."
	}
	return e.Message
}

// reasonIndex finds why an image is invalid, by the file's index when the
// uploader's answer names it, else by the file's path or name.
type reasonIndex struct {
	byIndex map[int][]string
	byName  map[string][]string
}

func invalidReasons(p *upload.Processed) reasonIndex {
	r := reasonIndex{byIndex: map[int][]string{}, byName: map[string][]string{}}
	if p == nil {
		return r
	}
	for _, f := range p.InvalidFiles {
		// Read through JSON: the index and path are optional fields of
		// the answer.
		var named struct {
			Index *int     `json:"index"`
			Path  string   `json:"path"`
			Name  string   `json:"name"`
			Why   []string `json:"errors"`
		}
		b, _ := json.Marshal(f)
		if json.Unmarshal(b, &named) != nil {
			continue
		}
		if named.Index != nil {
			r.byIndex[*named.Index] = named.Why
		}
		if named.Path != "" {
			r.byName[named.Path] = named.Why
		}
		r.byName[named.Name] = named.Why
	}
	return r
}

func (r reasonIndex) of(idx int, path string) []string {
	if why, ok := r.byIndex[idx]; ok {
		return why
	}
	if why, ok := r.byName[path]; ok {
		return why
	}
	base := path[strings.LastIndex(path, "/")+1:]
	if why, ok := r.byName[base]; ok {
		return why
	}
	return []string{"The service gave no reason."}
}

// count is "1 image" or "n images".
func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// bytesInWords is n in B, KiB, MiB or GiB.
func bytesInWords(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 3; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGT"[exp])
}
