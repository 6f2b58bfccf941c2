// Package diskstore keeps objects and multipart uploads as files, so that the
// sandbox's storage survives a restart. Both storage endpoints use it: the
// OSS endpoint (ossbucket.DirStore) and the in-process S3 server
// (s3bucket's gofakes3 backend); each maps its errors to its own protocol.
//
// Layout under the store's directory:
//
//	<bucket>/bucket.json             the bucket's creation time
//	<bucket>/objects/<sha256 of key> the bytes, then a JSON header (key,
//	                                 size, MD5, metadata, time), then the
//	                                 header's length as 8 bytes big-endian
//	.uploads/<id>/upload.json        a multipart upload: id, bucket, key, time
//	.uploads/<id>/<nnnnn>.<md5 hex>  its parts, one file per part number
//
// Naming object files by the hash of their key keeps any key, however odd,
// inside the directory and lets "a" and "a/b" both be objects. Every write
// goes to a temporary file in the directory of its target and is renamed
// into place once whole and synced, so a write that fails leaves what was
// there before. The object headers are read back into memory at Open;
// temporary files of an interrupted write are removed then.
package diskstore
