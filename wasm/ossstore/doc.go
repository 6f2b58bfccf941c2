// Package ossstore signs object PUTs to Aliyun OSS with an STS credential,
// through aliyun-oss-go-sdk. One Signer (one SDK client) serves every image
// while its STS lasts; the bytes themselves go out through an upload.Putter,
// so the browser can send a File as it is.
//
// For large files the Signer is also an upload.OSSMultipart: it signs the PUT
// of each part (partNumber and uploadId are signed sub-resources), and sends
// InitiateMultipartUpload, ListParts and CompleteMultipartUpload itself,
// signed in the query and sent by the SDK's DoURL over a plain http.Client
// (fetch in the browser, which would drop the Date header a header
// signature needs). A real bucket must allow POST and GET in its CORS rules
// and expose the ETag header; without the header the parts are listed
// before they are joined.
package ossstore
