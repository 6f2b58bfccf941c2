package ossbucket

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"hash/crc64"
	"io"
	"net/http"
)

var crcTable = crc64.MakeTable(crc64.ECMA)

// checkedBody reads a request body for a Store and turns every way it can
// be wrong into an error before the final io.EOF, so that the Store drops
// the write: too long, shorter than announced, cut off, or not matching its
// Content-MD5 or declared SHA-256.
type checkedBody struct {
	r       io.Reader
	n       int64
	want    int64 // -1 when unknown
	max     int64
	md5     hash.Hash
	wantMD5 []byte
	sha     hash.Hash
	wantSHA []byte
	crc     hash.Hash64
}

func newCheckedBody(r io.Reader, want, max int64, wantMD5, wantSHA []byte) *checkedBody {
	b := &checkedBody{r: r, want: want, max: max, wantMD5: wantMD5, wantSHA: wantSHA, crc: crc64.New(crcTable)}
	if wantMD5 != nil {
		b.md5 = md5.New()
	}
	if wantSHA != nil {
		b.sha = sha256.New()
	}
	return b
}

func errTooLarge(max int64) *Error {
	return newError(http.StatusBadRequest, "EntityTooLarge",
		fmt.Sprintf("Your proposed upload exceeds the maximum allowed object size of %d bytes.", max))
}

func (b *checkedBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n += int64(n)
	if b.n > b.max {
		return 0, errTooLarge(b.max)
	}
	if b.want >= 0 && b.n > b.want {
		return 0, newError(http.StatusBadRequest, "InvalidArgument", "The request body is longer than its Content-Length.")
	}
	b.crc.Write(p[:n])
	if b.md5 != nil {
		b.md5.Write(p[:n])
	}
	if b.sha != nil {
		b.sha.Write(p[:n])
	}
	switch {
	case err == io.EOF:
		if b.want >= 0 && b.n != b.want {
			return 0, errIncomplete()
		}
		if b.md5 != nil && !bytes.Equal(b.md5.Sum(nil), b.wantMD5) {
			return 0, newError(http.StatusBadRequest, "InvalidDigest",
				"The Content-MD5 you specified does not match the MD5 of the body that was received.")
		}
		if b.sha != nil && !bytes.Equal(b.sha.Sum(nil), b.wantSHA) {
			return 0, newError(http.StatusBadRequest, "InvalidDigest",
				"The x-oss-content-sha256 you specified does not match the SHA-256 of the body that was received.")
		}
		return n, io.EOF
	case err != nil:
		var e *Error
		if errors.As(err, &e) {
			return 0, err
		}
		return 0, errIncomplete()
	}
	return n, nil
}

func errIncomplete() *Error {
	return newError(http.StatusBadRequest, "IncompleteBody",
		"The request body ended before all the bytes its Content-Length announced arrived; nothing was stored.")
}
