// Package browser is the uploader's edge to the web page: it adapts browser
// objects to the portable core's interfaces (package upload) and nothing more.
//
//   - File wraps a JS File or Blob as an upload.Source. Reads are chunked
//     slices of the Blob, so a file is never held whole in memory. Its Path
//     (the folder path of a pick or drop, else its name) is part of its
//     Identity, so two files of one name in two folders stay apart.
//   - Hasher computes SHA-1 with WebCrypto for small files (the bytes stay on
//     the JS side) and with crypto/sha1 over chunked reads for large ones.
//   - HeadPool (an upload.HeadReader) reads the first bytes of Files in Web
//     Workers (web/head-worker.js), a batch of files a message, so the
//     metadata of a thousand photos costs the page no slice that waits on
//     the browser process; the answers' buffers go back to the workers to
//     be filled again, and each head is copied into Go as it is parsed.
//   - Putter sends a File as the body as it is (no copy through Go memory):
//     a PUT expected to take over a second by XMLHttpRequest, whose upload
//     progress events reach the core while the bytes go out; a quicker one
//     by fetch from a hash worker (WorkerPool.Fetch), off the page's main
//     thread, or from the page without workers. The answer's headers (those
//     CORS exposes, such as ETag and Retry-After) come back with its status.
//   - Journal keeps upload.Journal entries in IndexedDB (hackpadfs), under
//     hashed keys, so a reloaded page resumes; it holds no secrets.
//   - Await and NewPromise bridge JS Promises and Go; JSError carries a JS
//     exception into Go.
//
// Only the files named *_js.go touch syscall/js; the helpers in headers.go are
// plain Go so they can be tested natively.
package browser
