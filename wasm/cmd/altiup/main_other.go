//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

// main outside the browser only says how to build the real thing, so that
// go build ./... works on any platform.
func main() {
	fmt.Fprintln(os.Stderr, "altiup runs in a web page: build it with GOOS=js GOARCH=wasm and load it with web/altiup.js")
	os.Exit(2)
}
