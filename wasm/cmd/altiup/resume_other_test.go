//go:build !(js && wasm)

package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// buildCommand builds the command into a temporary folder.
func buildCommand(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "altiup")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// bigPhoto writes a file of size bytes that starts as a JPEG, each MiB
// different from the others.
func bigPhoto(t *testing.T, path string, size int64) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	block := make([]byte, 1<<20)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range block {
		block[i] = byte(r.Uint32())
	}
	for off, i := int64(0), uint64(0); off < size; i++ {
		binary.BigEndian.PutUint64(block[8:], i)
		if i == 0 {
			copy(block, []byte{0xFF, 0xD8, 0xFF, 0xE0})
		} else {
			copy(block, "altiupbg")
		}
		n := min(int64(len(block)), size-off)
		if _, err := w.Write(block[:n]); err != nil {
			t.Fatal(err)
		}
		off += n
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestResumeAfterKill kills the command (SIGKILL: nothing runs after it) in
// the middle of a large file going up in parts, then runs it again: the
// second run finishes the same multipart upload and sends none of the
// parts the storage already holds.
func TestResumeAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command and sends 100 MB and more")
	}
	began := time.Now()
	bin := buildCommand(t)
	t.Logf("built in %s", time.Since(began).Round(time.Millisecond))
	// The sandbox need not read the whole file to find it is no photo.
	ts := startSandbox(t, sandboxOptions{maxImage: 1 << 20})
	// Just above the size from which files go up in parts (100 MiB).
	const size = 101 << 20
	const partSize = 5 << 20
	parts := (size + partSize - 1) / partSize
	dir := filepath.Join(t.TempDir(), "survey")
	bigPhoto(t, filepath.Join(dir, "ortho.jpg"), size)
	journal := filepath.Join(t.TempDir(), "journal")
	command := func() (*exec.Cmd, *bytes.Buffer) {
		cmd := exec.Command(bin, "upload", "-project", ts.project, "-cloud", "oss", "-part-size", "5", "-journal", journal, "-json", dir)
		cmd.Env = append(os.Environ(), "ALTIUP_API="+ts.api, "ALTIUP_KEY="+ts.key, "ALTIUP_TOKEN="+ts.token)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		return cmd, &out
	}

	const killAfter = 7
	enough := make(chan struct{})
	var once sync.Once
	ts.parts.notify(func(n int) {
		if n >= killAfter {
			once.Do(func() { close(enough) })
		}
	})
	first, out := command()
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- first.Wait() }()
	select {
	case <-enough:
		if err := first.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		<-exited
	case err := <-exited:
		t.Fatalf("the first run ended before it was killed: %v\n%s", err, out)
	case <-time.After(4 * time.Minute):
		first.Process.Kill()
		t.Fatalf("no %d parts stored in time\n%s", killAfter, out)
	}
	before := ts.parts.settle()
	if len(before) >= parts {
		t.Fatalf("every part was stored before the kill")
	}
	t.Logf("killed after %d of %d parts were stored, %s after the start", len(before), parts, time.Since(began).Round(time.Millisecond))

	second, out := command()
	if err := second.Run(); err != nil {
		t.Fatalf("the second run: %v\n%s", err, out)
	}
	t.Logf("the second run ended %s after the start", time.Since(began).Round(time.Millisecond))
	after := ts.parts.settle()[len(before):]
	stored := map[string]bool{}
	for _, p := range before {
		if p.uploadID != before[0].uploadID {
			t.Fatalf("the first run began two multipart uploads")
		}
		stored[p.number] = true
	}
	for _, p := range after {
		if p.uploadID != before[0].uploadID {
			t.Fatalf("the second run began another multipart upload instead of resuming")
		}
		if stored[p.number] {
			t.Errorf("part %s was sent again", p.number)
		}
		stored[p.number] = true
	}
	if len(after) != parts-len(before) || len(stored) != parts {
		t.Fatalf("the second run sent %d parts; %d of %d are stored", len(after), len(stored), parts)
	}
	sum := lastOf(jsonEvents(t, out.String()), "summary")
	if sum == nil || sum["ok"] != true || sum["uploaded"] != 1.0 {
		t.Fatalf("the second run's summary: %v", sum)
	}
	if imgs := ts.images(t); len(imgs) != 1 {
		t.Fatalf("%d images in the project", len(imgs))
	}
}
