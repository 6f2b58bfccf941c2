// Package upload is the portable core of the uploader: it takes a batch of
// files through the Altizure upload flow (nearest bucket, SHA-1, hasImage,
// register, startImageUpload, object PUT, doneImageUpload for OSS, waiting
// for Ready or Invalid, starting the reconstruction) with several files in
// flight, retries with backoff, one shared STS credential, and progress
// accounting.
//
// It is plain Go, tested natively; the browser supplies Sources, a Hasher and
// a Putter (wasm/browser), the GraphQL client is wasm/altizure and the OSS
// signer wasm/ossstore.
package upload
