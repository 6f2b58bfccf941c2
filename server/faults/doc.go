// Package faults is HTTP middleware that makes the sandbox misbehave on
// purpose, so the uploader can be tested against what real links and clouds
// do: object PUTs that fail with 500/503 or are cut mid-body, GraphQL calls
// that answer 502 like a proxy or hang until the connection is dropped, added
// latency, and a bandwidth cap shared by every connection like a real link.
//
// Everything is off by default. Each decision is drawn from a hash of the
// seed, the request's kind and path and how many times that path was seen
// before, so a run with the same seed and the same requests draws the same
// faults whatever order concurrent requests arrive in.
//
// While PUT or GraphQL faults are on, their endpoint closes the connection
// after every answer: Chromium sends a request again, without telling the
// page, when a reused connection breaks before the answer, which would hide
// the cuts.
//
// The package logs nothing; Counts tells how many faults it injected and
// never holds a URL, a query string or a header.
package faults
