package s3bucket

import "fmt"

// ConfigError reports a Config that New refuses.
type ConfigError struct {
	Field  string // the Config field at fault
	Reason string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("s3bucket: config %s: %s", e.Field, e.Reason)
}

// ArgumentError reports an argument refused before any request is made: an
// object key that is empty, too long or has segments a file system would
// reinterpret; a presign lifetime outside what Signature V4 allows; a
// missing Content-Type; a negative size.
type ArgumentError struct {
	Name   string // "key", "ttl", "contentType", "size"
	Value  string
	Reason string
}

func (e *ArgumentError) Error() string {
	return fmt.Sprintf("s3bucket: invalid %s %q: %s", e.Name, e.Value, e.Reason)
}
