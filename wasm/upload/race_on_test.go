//go:build race

package upload_test

// bigSize is the size of the large test files: smaller under the race
// detector, which slows the storage's byte handling tenfold.
const bigSize = 9 << 20
