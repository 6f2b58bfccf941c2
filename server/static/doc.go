// Package static serves the page and its assets from an fs.FS (the embedded
// web/ directory) with the right content types and security headers. It never
// lists directories and never serves the Go sources that embed the files.
package static
