package ossbucket

import (
	"net/http"

	"altiup/server/diskstore"
)

// Error is an OSS service error: the HTTP status, the OSS error code and a
// message in words. It never carries secrets.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return "oss " + e.Code + ": " + e.Message }

func newError(status int, code, msg string) *Error {
	return &Error{Status: status, Code: code, Message: msg}
}

func accessDenied(msg string) *Error { return newError(http.StatusForbidden, "AccessDenied", msg) }

func invalidArgument(msg string) *Error {
	return newError(http.StatusBadRequest, "InvalidArgument", msg)
}

func errSignature() *Error {
	return newError(http.StatusForbidden, "SignatureDoesNotMatch",
		"The request signature we calculated does not match the signature you provided. Check your key and signing method.")
}

func errInvalidAccessKey() *Error {
	return newError(http.StatusForbidden, "InvalidAccessKeyId",
		"The OSS Access Key Id you provided does not exist in our records.")
}

func errInvalidToken() *Error {
	return newError(http.StatusForbidden, "InvalidAccessKeyId",
		"The security token you provided is invalid.")
}

func errTokenExpired() *Error {
	return newError(http.StatusForbidden, "SecurityTokenExpired",
		"The security token you provided has expired.")
}

func errNoSuchBucket() *Error {
	return newError(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist.")
}

func errNoSuchUpload() *Error {
	return newError(http.StatusNotFound, "NoSuchUpload",
		"The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
}

// ErrNoSuchUpload is returned by a Store for an unknown, completed or aborted
// multipart upload.
var ErrNoSuchUpload = diskstore.ErrNoSuchUpload
