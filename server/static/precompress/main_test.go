package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	big := strings.Repeat("function upload() { return 'photos'; }\n", 200)
	files := map[string]string{
		"app.js":       big,
		"i18n/zh.json": strings.Repeat(`"键": "值",`, 100),
		"tiny.css":     "a{}", // no smaller compressed
		"photo.png":    big,   // not a kind worth compressing
		"gone.js.br":   "left from a removed file",
		"tiny.css.gz":  "a stale copy",
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	n, saved, err := run(dir)
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 || saved <= 0 {
		t.Errorf("%d copies, %d bytes saved; want 4 copies and some saving", n, saved)
	}
	for name, want := range map[string]bool{
		"app.js.br": true, "app.js.gz": true, "i18n/zh.json.br": true, "i18n/zh.json.gz": true,
		"tiny.css.br": false, "tiny.css.gz": false, "photo.png.br": false, "gone.js.br": false,
	} {
		_, err := os.Stat(filepath.Join(dir, name))
		if got := err == nil; got != want {
			t.Errorf("%s exists: %v, want %v", name, got, want)
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "app.js.br"))
	if plain, err := io.ReadAll(brotli.NewReader(bytes.NewReader(b))); err != nil || string(plain) != big {
		t.Errorf("app.js.br does not hold app.js (%v)", err)
	}
	g, _ := os.ReadFile(filepath.Join(dir, "app.js.gz"))
	zr, err := gzip.NewReader(bytes.NewReader(g))
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := io.ReadAll(zr); err != nil || string(plain) != big {
		t.Errorf("app.js.gz does not hold app.js (%v)", err)
	}
}
