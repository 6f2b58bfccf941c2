//go:build !race

package upload_test

// bigSize is the size of the large test files.
const bigSize = 30 << 20
