// Package sandbox serves an Altizure-compatible GraphQL API for image
// uploads: projects, image registration and validation, STS credentials for
// OSS, presigned PUT URLs for S3 and MinIO, and reconstruction tasks that
// advance on a timer. It also serves the OAuth implicit flow that hands out
// user tokens.
//
// The schema is schema.graphql next to this file; gqlgen generates the
// executor into internal/graph. The object stores themselves are outside
// this package: it reaches them through the narrow OSSBackend and S3Backend
// interfaces.
//
// Image lifecycle: Pending (registered) → Uploading (startImageUpload) →
// Uploaded (OSS: doneImageUpload; S3 and MinIO: a watcher sees the object) →
// Processing → Ready or Invalid. Validation reads the object, compares its
// SHA-1 with the registered checksum and decodes it as its type. Images not
// final 65 minutes after registration become Invalid.
//
// Background work (the S3 watcher, validation, expiry, saving state) runs in
// goroutines started by New and stopped by Close.
package sandbox
