//go:build js && wasm

package main

import (
	"context"
	"syscall/js"

	"altiup/wasm/browser"
)

// errorCodes(lang) → Promise of [{code, description, solution}]: every
// project error code of the service explained in lang ('en', the default,
// or 'zh'), to show under a failed reconstruction's message.
func errorCodes(c *conn, _ js.Value, args []js.Value) any {
	lang := "en"
	if len(args) > 0 {
		switch a := args[0]; a.Type() {
		case js.TypeString:
			lang = a.String()
		case js.TypeUndefined, js.TypeNull:
		default:
			return browser.Reject(invalid("errorCodes(lang) takes the language as text: 'en' or 'zh'."))
		}
	}
	return answer(func(ctx context.Context) (any, error) { return c.api.ErrorCodes(ctx, lang) })
}
