package localfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Skipped is a file a walk left out, and why in words.
type Skipped struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Walk returns the images under each of roots, in the order given and, in
// a folder, in lexical order. A root that is a file is taken as it is (the
// upload refuses it in words if it is no image); files in folders are taken
// when their first bytes are those of an image, and the others are listed
// in skipped. A file reached twice is taken once. A root that cannot be
// read is an error.
func Walk(roots []string) (files []*File, skipped []Skipped, err error) {
	seen := map[string]bool{}
	take := func(osPath, rel string) error {
		abs, err := filepath.Abs(osPath)
		if err != nil {
			return err
		}
		if seen[abs] {
			return nil
		}
		seen[abs] = true
		f, err := Stat(osPath, rel)
		if err != nil {
			return err
		}
		files = append(files, f)
		return nil
	}
	for _, root := range roots {
		info, err := os.Stat(root)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", root, unwrapPath(err))
		}
		if !info.IsDir() {
			if err := take(root, filepath.Base(root)); err != nil {
				return nil, nil, err
			}
			continue
		}
		base := filepath.Base(filepath.Clean(root))
		if abs, err := filepath.Abs(root); err == nil {
			base = filepath.Base(abs)
		}
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			rel := relPath(root, base, p)
			if err != nil {
				if p == root {
					return err
				}
				skipped = append(skipped, Skipped{rel, "it could not be read: " + unwrapPath(err).Error()})
				return nil
			}
			hidden := p != root && strings.HasPrefix(d.Name(), ".")
			if d.IsDir() {
				if hidden {
					return filepath.SkipDir
				}
				return nil
			}
			if hidden {
				return nil
			}
			if reason := notImage(p); reason != "" {
				skipped = append(skipped, Skipped{rel, reason})
				return nil
			}
			return take(p, rel)
		})
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", root, unwrapPath(err))
		}
	}
	return files, skipped, nil
}

// relPath is p's path as the upload knows it: the root folder's name, then
// the path inside it, with forward slashes.
func relPath(root, base, p string) string {
	r, err := filepath.Rel(root, p)
	if err != nil {
		r = filepath.Base(p)
	}
	return path.Join(base, filepath.ToSlash(r))
}

// notImage says why the file at p is not taken, or "" when it is an image
// judging by its first bytes.
func notImage(p string) string {
	info, err := os.Stat(p) // follows a link to a file
	if err != nil {
		return "it could not be read: " + unwrapPath(err).Error()
	}
	if !info.Mode().IsRegular() {
		return "it is not a regular file"
	}
	f, err := os.Open(p)
	if err != nil {
		return "it could not be read: " + unwrapPath(err).Error()
	}
	defer f.Close()
	head := make([]byte, 8)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "it could not be read: " + err.Error()
	}
	if !IsImage(head[:n]) {
		return "it is not a JPEG, PNG or TIFF image"
	}
	return ""
}

// IsImage tells by its first bytes whether a file is of a kind the service
// takes: JPEG, PNG or TIFF.
func IsImage(head []byte) bool {
	for _, magic := range [][]byte{{0xFF, 0xD8, 0xFF}, []byte("\x89PNG\r\n\x1a\n"), []byte("II*\x00"), []byte("MM\x00*")} {
		if bytes.HasPrefix(head, magic) {
			return true
		}
	}
	return false
}

// unwrapPath drops the path an *fs.PathError repeats.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
