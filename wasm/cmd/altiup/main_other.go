//go:build !(js && wasm)

package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// main outside the browser is the command altiup: the same uploader as the
// page, for folders on disk (see cli_other.go).
func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
