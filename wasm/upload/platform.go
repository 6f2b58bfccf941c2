package upload

import (
	"context"
	"io"
	"net/http"
)

// Source is one file chosen by the person. In the browser it wraps a File
// (wasm/browser); natively, an *os.File or bytes (tests).
type Source interface {
	Name() string
	Size() int64
	// Type is the MIME type the platform reports; may be empty.
	Type() string
	// ReadAt reads len(p) bytes at off, like io.ReaderAt. Callers read in
	// large chunks (ChunkSize) because each call may cross into JS.
	io.ReaderAt
}

// ChunkSize is the read size for hashing and streaming: smaller reads of
// browser Blobs halve the throughput.
const ChunkSize = 8 << 20

// Hasher computes the lowercase hex SHA-1 of a whole Source.
type Hasher interface {
	SHA1(ctx context.Context, src Source) (string, error)
}

// PutRequest is an object upload to send: everything but the body, which is
// the Source (or a byte range of it, for multipart parts).
type PutRequest struct {
	Method string // PUT
	URL    string
	Header http.Header
	// Offset and Length select a part of the Source; Length < 0 means to the end.
	Offset, Length int64
}

// PutResponse is what came back from the storage server.
type PutResponse struct {
	StatusCode int
	Header     http.Header
	Body       []byte // at most a few KiB: error documents only
}

// Putter sends a Source (or part of it) as a request body. In the browser it is
// XMLHttpRequest with the File itself as the body (no copy through Go memory,
// progress events); natively it is net/http.
type Putter interface {
	// Put reports bytes sent so far through progress (which may be nil) while the
	// body goes out. A transport failure is an error; any HTTP status is a response.
	Put(ctx context.Context, req PutRequest, src Source, progress func(sent int64)) (*PutResponse, error)
}
