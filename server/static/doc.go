// Package static serves the page and its assets from an fs.FS (the embedded
// web/ directory) with the right content types and security headers (a CSP
// that allows only the page's own scripts plus 'wasm-unsafe-eval', nosniff,
// frame-ancestors as configured). It never lists directories, never serves
// the Go sources that embed the files, and sends the brotli or gzip copy
// written by ./precompress when the browser accepts it and the copy holds
// exactly the file's bytes (a copy left from an older build is ignored).
// Every file is revalidated through a content ETag; the loader, the
// interface, its styles and texts, and the wasm carry CORS headers for
// partner pages on other origins.
package static
