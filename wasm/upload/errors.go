package upload

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Error codes. The JS edge passes them on as {code, message}; callers match
// them with errors.As and compare Code.
const (
	CodeNetwork          = "network"           // the request did not get an answer: offline, or the server unreachable
	CodeConnectionLost   = "connection_lost"   // the server is reachable, yet the request got no answer (cut, or refused by CORS)
	CodeTimeout          = "timeout"           // the answer took too long
	CodeServer           = "server"            // a 5xx status
	CodeRateLimited      = "rate_limited"      // a 429 status
	CodeExpired          = "expired"           // credentials or a presigned URL expired
	CodeUnauthorized     = "unauthorized"      // the key or user token was refused
	CodeNotFound         = "not_found"         // the project or image does not exist
	CodeStorageDenied    = "storage_denied"    // the storage refused the object (403)
	CodeStorage          = "storage"           // the storage refused the object otherwise (4xx)
	CodeInvalidInput     = "invalid_input"     // bad options or a file that is not an image
	CodeAPI              = "api"               // any other error reported by the GraphQL API
	CodeCancelled        = "cancelled"         // stopped by Cancel or by the caller's context
	CodeChecksumMismatch = "checksum_mismatch" // the stored bytes differ from the file's
	CodeNoBucket         = "no_bucket"         // no bucket of the wanted cloud
	CodeInternal         = "internal"          // a fault of the uploader itself
)

// Error is a failure described in words with a code callers can test. It never
// carries tokens, secrets or presigned URLs in its text.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Status is the HTTP status behind the error, when there was one.
	Status int `json:"-"`
	// Err is the underlying cause (already stripped of secrets), for errors.Is/As.
	Err error `json:"-"`
	// RetryAfter is how long the server asked to wait before the next try
	// (its Retry-After header on a 429 or 503); 0 when it did not say.
	RetryAfter time.Duration `json:"-"`
}

func (e *Error) Error() string { return e.Message }

func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether trying the same thing again later may succeed.
func (e *Error) Temporary() bool {
	switch e.Code {
	case CodeNetwork, CodeConnectionLost, CodeTimeout, CodeServer, CodeRateLimited, CodeExpired:
		return true
	}
	return false
}

// Errorf makes an *Error with a message in words.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// AsError turns any error into an *Error: an *Error found in the chain is
// returned as is; context cancellation becomes CodeCancelled (or CodeTimeout
// for a deadline); anything else becomes CodeInternal with its text.
func AsError(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	switch {
	case errors.Is(err, context.Canceled):
		return &Error{Code: CodeCancelled, Message: "The upload was cancelled.", Err: err}
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Code: CodeTimeout, Message: "The request took too long.", Err: err}
	}
	return &Error{Code: CodeInternal, Message: err.Error(), Err: err}
}

// ParseRetryAfter reads a Retry-After header: seconds, or an HTTP date
// (judged against now). It is 0 when the header is absent, malformed or in
// the past.
func ParseRetryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil {
		return time.Duration(min(max(s, 0), 86400)) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}
