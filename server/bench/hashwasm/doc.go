// Command hashwasm is the benchmark's WebAssembly hasher: it runs the
// uploader's own hashing code (altiup/wasm/browser) on Files the page gives it,
// so its MB/s can be measured apart from uploading. The page calls
// benchHash(files, "hasher" | "stream") and gets the hex SHA-1s in order:
// "hasher" is browser.Hasher (WebCrypto in one piece up to its size limit,
// which is what the uploader does), "stream" is browser.SHA1Stream (crypto/sha1
// in wasm, the path of files too large for one piece).
package main
