package upload

import (
	"context"
	"sync"
)

// eachAtMost runs fn for the items, in their order, at most n at once. The
// first error stops the rest (the ctx given to fn ends) and is returned.
func eachAtMost[T any](ctx context.Context, n int, items []T, fn func(context.Context, T) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan T)
	var wg sync.WaitGroup
	var firstErr error
	var once sync.Once
	for range min(max(n, 1), max(len(items), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range next {
				if err := fn(ctx, it); err != nil {
					once.Do(func() { firstErr = err; cancel() })
					return
				}
			}
		}()
	}
feed:
	for _, it := range items {
		select {
		case next <- it:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	return firstErr
}
