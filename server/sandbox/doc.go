// Package sandbox serves an Altizure-compatible GraphQL API for image
// uploads: projects, image registration and validation, STS credentials for
// OSS, presigned PUT URLs for S3 and MinIO, and reconstruction tasks that
// advance on a timer; around them the rest of what the service's own
// clients call: accounts and sign-in, coin transfers, project listing and
// removal, meta files, imported models and support texts. It also serves
// the OAuth implicit flow that hands out user tokens (/auth/start).
// Image.url is a download link signed by the storage that holds the image
// (OSSBackend.SignGetURL, S3Backend.PresignGet) and served by it.
//
// The schema is schema.graphql next to this file; every choice the public
// record leaves open is marked "Sandbox choice:" there. gqlgen generates the
// executor into internal/graph; internal/gqltest is a genqlient client of
// the same schema used by the tests.
//
// The object stores are outside this package: it reaches them through the
// narrow OSSBackend and S3Backend interfaces. uploadImageURL stores what it
// fetched with S3Backend.Put.
//
// Image lifecycle: Pending (registered) → Uploading (startImageUpload) →
// Uploaded (OSS: doneImageUpload; S3 and MinIO: a watcher sees the object) →
// Processing → Ready or Invalid, with reasons. Validation reads the object,
// compares its SHA-1 with the registered checksum (or records it when none
// was given), decodes it as JPEG, PNG or TIFF, and reads its EXIF GPS
// position (exif.go, a minimal bounds-checked reader). Images not final 65
// minutes after registration become Invalid.
//
// Projects belong to users by username, so a restart with new tokens keeps
// them. With Config.DataDir the state lives in DataDir/sandbox.json, written
// atomically shortly after each change and on Close.
//
// Background work (the S3 watcher, validation, expiry, fetching, saving)
// runs in goroutines started by New and stopped by Close.
package sandbox
