package termbar

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"altiup/wasm/upload"
)

// IsTerminal reports whether w is a terminal, where a bar can be redrawn.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Bar is a progress bar on a terminal. Its methods are safe for concurrent
// use.
type Bar struct {
	w     io.Writer
	mu    sync.Mutex
	pb    *progressbar.ProgressBar
	total int64
	done  bool
}

// New makes a bar that draws on w.
func New(w io.Writer) *Bar {
	return &Bar{w: w, pb: newBar(w, 1)}
}

func newBar(w io.Writer, total int64) *progressbar.ProgressBar {
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionFullWidth(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionUseIECUnits(true),
		progressbar.OptionSetTheme(progressbar.ThemeASCII),
	)
}

// Update shows p: bytes sent of the batch's total, and files done.
func (b *Bar) Update(p upload.Progress) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return
	}
	if total := max(p.TotalBytes, 1); total != b.total {
		b.total = total
		b.pb.ChangeMax64(total)
	}
	b.pb.Describe(fmt.Sprintf("%d/%d files", p.FilesDone, p.FilesTotal))
	_ = b.pb.Set64(p.SentBytes)
}

// Println prints a line above the bar, or below it once it is full or
// finished.
func (b *Bar) Println(line string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.done && b.pb.IsFinished() {
		// A full bar is drawn for good: what follows goes below.
		b.done = true
		fmt.Fprintln(b.w)
	}
	if b.done {
		fmt.Fprintln(b.w, line)
		return
	}
	_, _ = progressbar.Bprintln(b.pb, line)
	_ = b.pb.RenderBlank()
}

// Finish leaves the bar as it is on its line and ends it; lines printed
// later go below it.
func (b *Bar) Finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return
	}
	b.done = true
	_ = b.pb.RenderBlank()
	_ = b.pb.Exit()
	fmt.Fprintln(b.w)
}
