package sandbox

import "fmt"

// ErrorCode classifies the errors the API answers with; it is sent as
// extensions.code next to the message.
type ErrorCode string

// The error codes.
const (
	// CodeUnauthenticated: the app key or user token is missing or unknown.
	CodeUnauthenticated ErrorCode = "UNAUTHENTICATED"
	// CodeNotFound: no such project or image for this user.
	CodeNotFound ErrorCode = "NOT_FOUND"
	// CodeBadInput: an argument is malformed.
	CodeBadInput ErrorCode = "BAD_USER_INPUT"
	// CodeNotUploaded: doneImageUpload was called before the object arrived.
	CodeNotUploaded ErrorCode = "NOT_UPLOADED"
	// CodeUnavailable: a storage backend is missing or failed.
	CodeUnavailable ErrorCode = "UNAVAILABLE"
	// CodeBadRequest: the HTTP request itself is malformed or too large.
	CodeBadRequest ErrorCode = "BAD_REQUEST"
)

// Error is an error the API reports to clients in words. Match it with
// errors.As and look at Code.
type Error struct {
	Code    ErrorCode
	Message string
}

func (e *Error) Error() string { return e.Message }

func errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// quote shortens what a client sent before it goes into an error message.
func quote(s string) string {
	const max = 64
	if len(s) > max {
		s = s[:max] + "…"
	}
	return fmt.Sprintf("%q", s)
}
