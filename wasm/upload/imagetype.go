package upload

import (
	"bytes"
	"fmt"
	"io"

	"altiup/wasm/inspect"
)

// imageKind is an image format the service accepts.
type imageKind struct {
	Type        string // IMAGE_TYPE value
	ContentType string
}

var (
	kindJPEG = imageKind{"JPEG", "image/jpeg"}
	kindPNG  = imageKind{"PNG", "image/png"}
	kindTIFF = imageKind{"TIFF", "image/tiff"}
)

// kindOf tells f's format from its metadata once read, which spares a read,
// else (and for a file that is no image, to say so in words) from its first
// bytes.
func (u *Uploader) kindOf(f *file) (imageKind, error) {
	if m := u.metaOf(f); m != nil {
		switch m.Meta.Format {
		case kindJPEG.Type:
			return kindJPEG, nil
		case kindPNG.Type:
			return kindPNG, nil
		case kindTIFF.Type:
			return kindTIFF, nil
		}
	}
	return detectKind(f.src)
}

// metaOf returns f's metadata, nil while it is not read.
func (u *Uploader) metaOf(f *file) *inspect.File {
	u.mu.Lock()
	defer u.mu.Unlock()
	return f.meta
}

// detectKind tells the format of src from its first bytes; the MIME type the
// platform reports comes from the file name and is not trusted. A file of
// another kind is refused in words rather than uploaded.
func detectKind(src Source) (imageKind, error) {
	if src.Size() == 0 {
		return imageKind{}, Errorf(CodeInvalidInput, "%q is empty.", src.Name())
	}
	head := make([]byte, min(src.Size(), 16))
	n, err := src.ReadAt(head, 0)
	if n < len(head) {
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return imageKind{}, &Error{Code: CodeInvalidInput, Message: fmt.Sprintf("%q could not be read: %v.", src.Name(), err), Err: err}
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return kindJPEG, nil
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return kindPNG, nil
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return kindTIFF, nil
	}
	what := "its content"
	if t := src.Type(); t != "" {
		what = fmt.Sprintf("its content (though named as %s)", t)
	}
	return imageKind{}, Errorf(CodeInvalidInput, "%q is not a JPEG, PNG or TIFF image, judging by %s.", src.Name(), what)
}
