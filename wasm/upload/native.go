package upload

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
)

// StreamHasher hashes a Source by reading it in ChunkSize pieces, so a file is
// never held whole in memory.
type StreamHasher struct{}

var _ Hasher = StreamHasher{}

// SHA1 returns the lowercase hex SHA-1 of src.
func (StreamHasher) SHA1(ctx context.Context, src Source) (string, error) {
	h := sha1.New()
	size := src.Size()
	buf := make([]byte, min(int64(ChunkSize), max(size, 1)))
	for off := int64(0); off < size; {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		n := int(min(int64(len(buf)), size-off))
		m, err := src.ReadAt(buf[:n], off)
		if m < n {
			if err == nil || errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return "", err
		}
		h.Write(buf[:n])
		off += int64(n)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// HTTPPutter sends object PUTs with net/http, streaming the body from the
// Source. Client nil means http.DefaultClient.
type HTTPPutter struct {
	Client *http.Client
}

var _ Putter = HTTPPutter{}

// maxErrorBody bounds how much of an error document is kept.
const maxErrorBody = 8 << 10

// Put sends req with the selected part of src as the body.
func (p HTTPPutter) Put(ctx context.Context, req PutRequest, src Source, progress func(sent int64)) (*PutResponse, error) {
	length := req.Length
	if length < 0 {
		length = src.Size() - req.Offset
	}
	body := &countingReader{r: io.NewSectionReader(src, req.Offset, length), progress: progress}
	method := req.Method
	if method == "" {
		method = http.MethodPut
	}
	hr, err := http.NewRequestWithContext(ctx, method, req.URL, body)
	if err != nil {
		return nil, stripURL(err)
	}
	hr.ContentLength = length
	if length == 0 {
		hr.Body = http.NoBody
	}
	for k, vs := range req.Header {
		hr.Header[k] = vs
	}
	c := p.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(hr)
	if err != nil {
		return nil, stripURL(err)
	}
	defer resp.Body.Close()
	out := &PutResponse{StatusCode: resp.StatusCode, Header: resp.Header}
	if resp.StatusCode >= 300 {
		out.Body, _ = io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
	return out, nil
}

// stripURL drops the URL (which may hold a signature) from a net/http error.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

type countingReader struct {
	r        io.Reader
	n        atomic.Int64
	progress func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 && c.progress != nil {
		c.progress(c.n.Add(int64(n)))
	}
	return n, err
}
