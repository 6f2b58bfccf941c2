package termbar

import (
	"bytes"
	"strings"
	"testing"

	"altiup/wasm/upload"
)

func TestBar(t *testing.T) {
	var b bytes.Buffer
	bar := New(&b)
	bar.Update(upload.Progress{SentBytes: 0, TotalBytes: 3 << 20, FilesTotal: 3})
	bar.Println("failed    a.jpg: refused")
	bar.Update(upload.Progress{SentBytes: 3 << 20, TotalBytes: 3 << 20, FilesDone: 3, FilesTotal: 3})
	bar.Finish()
	bar.Update(upload.Progress{SentBytes: 1, TotalBytes: 3 << 20}) // ignored once finished
	bar.Println("after")
	out := b.String()
	for _, want := range []string{"3/3 files", "100%", "3.0/3.0 MiB", "failed    a.jpg: refused\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q: %q", want, out)
		}
	}
	if !strings.HasSuffix(out, "\nafter\n") {
		t.Errorf("a line after Finish is not below the bar: %q", out)
	}
	if i, j := strings.Index(out, "failed"), strings.LastIndex(out, "3/3 files"); i > j {
		t.Errorf("the line is not above the final bar: %q", out)
	}
}

// TestLineAfterFullBar: a full bar stays drawn, so a line then goes on the
// next line, not after the bar on its line.
func TestLineAfterFullBar(t *testing.T) {
	var b bytes.Buffer
	bar := New(&b)
	bar.Update(upload.Progress{SentBytes: 5, TotalBytes: 5, FilesDone: 1, FilesTotal: 1})
	bar.Println("invalid   a.jpg")
	bar.Finish()
	out := b.String()
	if !strings.Contains(out, "/s)\ninvalid   a.jpg\n") || strings.Count(out, "1/1 files") != 1 {
		t.Fatalf("the line is not below the full bar: %q", out)
	}
}

func TestIsTerminal(t *testing.T) {
	if IsTerminal(&bytes.Buffer{}) {
		t.Fatal("a buffer is no terminal")
	}
}
