// Command precompress writes brotli (.br) and gzip (.gz) copies of the text
// and wasm files of a directory, for the static server to send to browsers
// that accept them:
//
//	go run ./server/static/precompress web
//
// A copy is kept only when it is smaller than the file; stale copies (of
// files that are gone, or that are no smaller any more) are removed.
package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/andybalholm/brotli"
)

// compressible are the extensions worth compressing; images and the like
// are compressed already.
var compressible = map[string]bool{".html": true, ".js": true, ".css": true, ".json": true, ".wasm": true, ".svg": true, ".txt": true}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: precompress DIR")
		os.Exit(2)
	}
	n, saved, err := run(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "precompress:", err)
		os.Exit(1)
	}
	fmt.Printf("precompress: %d copies written, %d bytes saved for brotli clients\n", n, saved)
}

func run(dir string) (written int, saved int64, err error) {
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		ext := filepath.Ext(p)
		if ext == ".br" || ext == ".gz" {
			// A copy whose source is gone is stale.
			if _, err := os.Stat(strings.TrimSuffix(p, ext)); os.IsNotExist(err) {
				return os.Remove(p)
			}
			return nil
		}
		if !compressible[ext] {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		br, err := compress(src, func(b *bytes.Buffer) (writeCloser, error) {
			return brotli.NewWriterLevel(b, brotliLevel(len(src))), nil
		})
		if err != nil {
			return err
		}
		gz, err := compress(src, func(b *bytes.Buffer) (writeCloser, error) { return gzip.NewWriterLevel(b, gzip.BestCompression) })
		if err != nil {
			return err
		}
		for _, c := range []struct {
			ext  string
			data []byte
		}{{".br", br}, {".gz", gz}} {
			if len(c.data) >= len(src) {
				if err := os.Remove(p + c.ext); err != nil && !os.IsNotExist(err) {
					return err
				}
				continue
			}
			if err := os.WriteFile(p+c.ext, c.data, 0o644); err != nil {
				return err
			}
			written++
			if c.ext == ".br" {
				saved += int64(len(src) - len(c.data))
			}
		}
		return nil
	})
	return written, saved, err
}

// brotliLevel: the best level for small files; a lower one for big ones
// (the wasm), where level 11 costs a minute for a few per cent.
func brotliLevel(size int) int {
	if size > 1<<20 {
		return 9
	}
	return brotli.BestCompression
}

type writeCloser interface {
	Write([]byte) (int, error)
	Close() error
}

func compress(src []byte, mk func(*bytes.Buffer) (writeCloser, error)) ([]byte, error) {
	var b bytes.Buffer
	w, err := mk(&b)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(src); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
