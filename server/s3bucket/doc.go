// Package s3bucket is the sandbox's S3 side: one real S3 bucket that stands
// behind every S3 (and MinIO) bucket name the API lists, holding objects under
// keys "<pid>/<filename>".
//
// With no endpoint configured the bucket is served in-process by gofakes3 with
// Signature V4 authentication, so presigned URLs are verified as a real S3
// server would verify them (expiry, signature, the signed Content-Type), and
// objects live in memory or, with a data directory, on disk (package
// diskstore, as the OSS endpoint's). Handler returns
// that S3 server wrapped in CORS (browsers upload cross-origin) and an object
// size limit. With an endpoint (for example VersityGW) the same calls go to
// that server, and Handler is nil.
//
// Presigned PUT URLs are made with aws-sdk-go-v2's PresignClient in path
// style, and sign Content-Type: a PUT with another Content-Type is refused.
// Presigned GET URLs (download links) are made the same way and checked by
// the same Signature V4 verification, with response-content-type signed.
// The backend's own calls (Stat, Open, Put, creating the bucket) use the same
// SDK client; in-process it reaches the handler without a socket.
package s3bucket
