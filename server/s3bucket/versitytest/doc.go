// Package versitytest starts a real S3 server, VersityGW, for tests: the
// versitygw binary with its posix backend in a temporary directory,
// listening on loopback, with CORS open to any origin as a bucket behind a
// browser upload needs.
//
// Install the binary with
//
//	go install github.com/versity/versitygw/cmd/versitygw@v1.8.0
//
// Without it tests that need it are skipped, unless ALTIUP_REQUIRE_VERSITYGW=1
// (as in CI), which makes them fail.
package versitytest
