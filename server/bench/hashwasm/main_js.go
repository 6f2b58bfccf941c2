//go:build js && wasm

package main

import (
	"context"
	"syscall/js"

	"altiup/wasm/browser"
)

func main() {
	js.Global().Set("benchHash", js.FuncOf(hashFiles))
	if r := js.Global().Get("benchHashResolve"); r.Type() == js.TypeFunction {
		r.Invoke()
	}
	select {}
}

// hashFiles(files, mode) → Promise of the hex sums, one file after another.
func hashFiles(_ js.Value, args []js.Value) any {
	if len(args) < 2 {
		return browser.Reject(errorString("benchHash(files, mode) needs two arguments"))
	}
	files, mode := args[0], args[1].String()
	return browser.NewPromise(func() (any, error) {
		ctx := context.Background()
		n := files.Length()
		sums := make([]any, 0, n)
		h := &browser.Hasher{}
		for i := range n {
			f, err := browser.NewFile(files.Index(i))
			if err != nil {
				return nil, err
			}
			var sum string
			if mode == "stream" {
				sum, err = browser.SHA1Stream(ctx, f)
			} else {
				sum, err = h.SHA1(ctx, f)
			}
			if err != nil {
				return nil, err
			}
			sums = append(sums, sum)
		}
		return js.ValueOf(sums), nil
	})
}

type errorString string

func (e errorString) Error() string { return string(e) }
