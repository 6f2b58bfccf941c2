// Package ossstore signs object PUTs to Aliyun OSS with an STS credential,
// through aliyun-oss-go-sdk. One Signer (one SDK client) serves every image
// while its STS lasts; the bytes themselves go out through an upload.Putter,
// so the browser can send a File as it is.
package ossstore
