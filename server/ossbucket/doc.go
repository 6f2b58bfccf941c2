// Package ossbucket serves an Aliyun-OSS-compatible object endpoint for the
// sandbox: PutObject and multipart upload, authenticated the way OSS does it
// (signature V1 in the Authorization header or the query string, and
// signature V4 as aliyun-oss-go-sdk signs it) and authorised by STS
// credentials the server issues itself.
//
// The STS is stateless: a security token is an HMAC-signed encoding of the
// access key id, bucket, key prefix and expiry, and the access key secret is
// an HMAC of the access key id, both under Config.SigningKey. A server
// restarted with the same key accepts the tokens it issued before, and any
// change to a token or signature is detected without a lookup table.
//
// A request whose address names no served bucket (ali-oss given an IP
// endpoint sends PUT /<key>) is for the bucket of its security token, header
// or query (V1 and V4 signed URLs alike); without a token, or with one that
// does not parse, or outside the token's prefix, it is refused with 403.
//
// An STS only writes: PutObject and the multipart calls, under its prefix of
// its bucket, until it expires. Reads, listings, deletes and every other
// operation are refused with 403 and an OSS XML error body. The one reader
// is a download link (SignGetURL): a V1 signed URL whose security token is
// marked read-only for one object, which may GET that object and nothing
// else. Objects are kept
// in a Store (MemStore, or DirStore on the disk layout of package diskstore,
// which the S3 side shares); a body that does not arrive whole, or
// fails its Content-MD5, never becomes an object.
//
// Signature V1 signs the Date header as aliyun-oss-go-sdk does, or x-oss-date
// in its place as ali-oss does in browsers (which cannot set Date). Request
// dates must be within 15 minutes of the server's clock. Object keys are
// UTF-8 of at most 1023 bytes without control characters, backslashes, or
// empty, "." or ".." path segments: names a file system could hold, as the
// sandbox's keys "<pid>/<file name>" always are.
package ossbucket
