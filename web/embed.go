// Package web holds the page, the loader, the styles and the translations,
// embedded into the server binary. The build writes altiup.wasm and
// wasm_exec.js here before the server is compiled.
package web

import "embed"

// FS is the page and its assets. Go files are not served (see server/static).
//
//go:embed *
var FS embed.FS
