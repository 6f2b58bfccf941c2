// Package static serves the page and its assets from an fs.FS (the embedded
// web/ directory) with the right content types and security headers (a CSP
// that allows only the page's own scripts plus 'wasm-unsafe-eval', nosniff,
// frame-ancestors as configured). It never lists directories, never serves
// the Go sources that embed the files, and sends the brotli or gzip copy
// written by ./precompress when the browser accepts it and the copy holds
// exactly the file's bytes (a copy left from an older build is ignored).
// Files keep their names (partner pages include the loader by its plain
// name), and every file is also served as "v/<version>/<name>", the
// version being a short hash of the whole tree of files (see version.go
// for why one version for all). Such a URL is cached for good (immutable)
// while its version is today's; a plain name, a stale version, and every
// HTML page are revalidated through a content ETag. HTML pages are served
// with their href/src references to served files rewritten to versioned
// URLs, and the loader (altiup.js) with the version written in, so that it
// fetches everything else from the versioned tree (both compressed in
// memory, since no precompressed copy holds the rewritten bytes);
// Handler.AssetURL gives the versioned URLs to other code, and
// Handler.Integrity the loader's SRI hash (printed by ./sri). The loader,
// the interface, its styles and texts, and the wasm carry CORS headers for
// partner pages on other origins.
package static
