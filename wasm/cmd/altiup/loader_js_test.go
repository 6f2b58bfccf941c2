//go:build js && wasm

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall/js"
	"testing"
	"time"

	"altiup/wasm/browser"
)

// TestMain installs the API as the loader does, with the loader's own
// deliver helper: web/altiup.js, served by the test servers
// (ALTIUP_TEST_CORS_URL, see wasm/browser's TestInBrowser).
func TestMain(m *testing.M) {
	if err := installLoader(os.Getenv("ALTIUP_TEST_CORS_URL")); err != nil {
		loaderErr = err
	}
	os.Exit(m.Run())
}

// loaderErr says why the loader's helpers are missing; tests of events skip.
var loaderErr error

func needLoader(t *testing.T) {
	t.Helper()
	if loaderErr != nil {
		t.Skipf("no loader: %v", loaderErr)
	}
}

func installLoader(base string) error {
	if base == "" {
		return errors.New("ALTIUP_TEST_CORS_URL is not set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := browser.Await(ctx, js.Global().Call("fetch", base+"/altiup.js"))
	if err != nil {
		return err
	}
	text, err := browser.Await(ctx, r.Call("text"))
	if err != nil {
		return err
	}
	src, err := jsFunction(text.String(), "deliver")
	if err != nil {
		return err
	}
	deliver := js.Global().Get("Function").New("return " + src).Invoke()
	// The loader's handshake: _ready(api) answers with its helpers.
	loader := js.Global().Get("Function").New("deliver", `return {_ready(api) { this.api = api; return {deliver}; }};`).Invoke(deliver)
	js.Global().Set("altiup", loader)
	if !install() {
		return errors.New("install did not take the loader's helpers")
	}
	return nil
}

// jsFunction cuts the declaration of function name out of a script, up to
// its matching closing brace (the loader's helpers hold no braces in text).
func jsFunction(script, name string) (string, error) {
	start := strings.Index(script, "function "+name+"(")
	if start < 0 {
		return "", fmt.Errorf("the loader has no function %s", name)
	}
	depth := 0
	for i := start; i < len(script); i++ {
		switch script[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return script[start : i+1], nil
			}
		}
	}
	return "", fmt.Errorf("the loader's function %s does not end", name)
}
