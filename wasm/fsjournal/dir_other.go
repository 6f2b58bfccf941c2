//go:build !(js && wasm)

package fsjournal

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/hack-pad/hackpadfs"
	osfs "github.com/hack-pad/hackpadfs/os"
)

// Dir returns an opener of the folder dir on disk (made, private to the
// user, when missing), for New.
func Dir(dir string) func(context.Context) (hackpadfs.FS, error) {
	return func(context.Context) (hackpadfs.FS, error) {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(abs, 0o700); err != nil {
			return nil, err
		}
		root := osfs.NewFS()
		vol := filepath.VolumeName(abs)
		var base hackpadfs.FS = root
		if vol != "" {
			if base, err = root.SubVolume(vol); err != nil {
				return nil, err
			}
		}
		rel := strings.TrimPrefix(filepath.ToSlash(strings.TrimPrefix(abs, vol)), "/")
		if rel == "" {
			return base, nil
		}
		return hackpadfs.Sub(base, rel)
	}
}
