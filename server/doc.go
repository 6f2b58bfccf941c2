// Command server serves the altiup page and, unless -api points the page at
// another Altizure-compatible endpoint, the sandbox: an Altizure-compatible
// GraphQL API on the page's port and OSS- and S3-compatible object endpoints
// on a port of their own (real buckets are other hosts than the API, so every
// upload is cross-origin, as in production).
//
//	go run ./server [-addr 127.0.0.1:8080] [-data DIR] [-api URL] ...
package main
