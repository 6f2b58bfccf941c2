//go:build js && wasm

package main

import (
	"context"
	"sync"
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

// hashFiles(files, mode, workerURL, workers) → Promise of the hex sums, in
// order. Mode "hasher" is altiup's Hasher as the uploader runs it: its
// worker pool (hash-worker.js at workerURL) of workers Workers (0 or
// absent: as many as the uploader starts), as many files at once as the
// uploader hashes; mode "stream" is the streaming path, one file after
// another.
func hashFiles(_ js.Value, args []js.Value) any {
	if len(args) < 3 {
		return browser.Reject(errorString("benchHash(files, mode, workerURL) needs three arguments"))
	}
	files, mode, url := args[0], args[1].String(), args[2].String()
	workers := browser.HashWorkers
	if len(args) > 3 && args[3].Type() == js.TypeNumber && args[3].Int() > 0 {
		workers = args[3].Int()
	}
	return browser.NewPromise(func() (any, error) {
		ctx := context.Background()
		// The files' sizes a slice at a time, the page let run in between,
		// as the uploader's add reads them: read in one go, the first run's
		// 200 sizes held the main thread for over 100 ms.
		list, err := browser.NewFiles(files, true)
		if err != nil {
			return nil, err
		}
		sums := make([]any, len(list))
		if mode == "stream" {
			for i, f := range list {
				sum, err := browser.SHA1Stream(ctx, f)
				if err != nil {
					return nil, err
				}
				sums[i] = sum
			}
			return js.ValueOf(sums), nil
		}
		// One pool for the page, as the uploader has: started by the
		// first call (the page makes one with no files before it times).
		pool := poolOf(url, workers)
		if err := pool.Ready(); err != nil {
			return nil, err // not measured, rather than measured on the page
		}
		h := &browser.Hasher{Workers: pool}
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			first error
			next  = make(chan int)
		)
		for range pool.Size() * browser.WorkerFiles {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					sum, err := h.SHA1(ctx, list[i])
					mu.Lock()
					if err != nil && first == nil {
						first = err
					}
					sums[i] = sum
					mu.Unlock()
				}
			}()
		}
		for i := range list {
			next <- i
		}
		close(next)
		wg.Wait()
		if first != nil {
			return nil, first
		}
		return js.ValueOf(sums), nil
	})
}

var (
	poolsMu sync.Mutex
	pools   = map[poolKey]*browser.WorkerPool{}
)

type poolKey struct {
	url     string
	workers int
}

func poolOf(url string, workers int) *browser.WorkerPool {
	poolsMu.Lock()
	defer poolsMu.Unlock()
	k := poolKey{url, workers}
	if pools[k] == nil {
		pools[k] = browser.NewWorkerPool(url, workers)
	}
	return pools[k]
}

type errorString string

func (e errorString) Error() string { return string(e) }
