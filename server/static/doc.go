// Package static serves the page and its assets from an fs.FS (the embedded
// web/ directory) with the right content types and security headers (a CSP
// that allows only the page's own scripts plus 'wasm-unsafe-eval', nosniff,
// frame-ancestors as configured). It never lists directories, never serves
// the Go sources that embed the files, and sends the brotli or gzip copy
// written by ./precompress when the browser accepts it and the copy holds
// exactly the file's bytes (a copy left from an older build is ignored).
// Files keep their names (partner pages include the loader by its plain
// name); a URL is content-addressed by a query instead: "name?v=<version>",
// the version being a short hash of the bytes. Such a URL is cached for
// good (immutable) while its version matches; a plain name, a stale
// version, and every HTML page are revalidated through a content ETag. HTML
// pages are served with their href/src references to served files rewritten
// to versioned URLs (and compressed in memory, since no precompressed copy
// holds the rewritten bytes); Handler.AssetURL and /asset-manifest.json
// give the versioned URLs to other code. The loader, the interface, its
// styles and texts, and the wasm carry CORS headers for partner pages on
// other origins.
package static
