package altizure

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// scripted is a graphql.Client whose answers a test sets per request.
type scripted struct {
	mu       sync.Mutex
	requests []*graphql.Request
	answer   func(req *graphql.Request, resp *graphql.Response) error
	gate     chan struct{} // when set, each request waits for it
}

func (s *scripted) MakeRequest(ctx context.Context, req *graphql.Request, resp *graphql.Response) error {
	s.mu.Lock()
	s.requests = append(s.requests, req)
	gate := s.gate
	s.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return s.answer(req, resp)
}

func (s *scripted) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// startCalls makes n HasImage calls through b while the first batchInflight
// requests are held at the gate, so the rest queue; it returns their errors
// once the gate opens.
func startCalls(t *testing.T, b *batcher, s *scripted, n int) []error {
	t.Helper()
	s.gate = make(chan struct{})
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = HasImage(context.Background(), b, "p", fmt.Sprint("sum", i))
		})
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		b.mu.Lock()
		queued := len(b.queue)
		b.mu.Unlock()
		if queued == n-batchInflight || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(s.gate)
	wg.Wait()
	return errs
}

func TestBatcherFailures(t *testing.T) {
	t.Run("a failed request fails every call in it", func(t *testing.T) {
		s := &scripted{answer: func(*graphql.Request, *graphql.Response) error {
			return &graphql.HTTPError{StatusCode: 502, Response: graphql.Response{Errors: gqlerror.List{{Message: "bad gateway"}}}}
		}}
		b := newBatcher(s)
		for i, err := range startCalls(t, b, s, 10) {
			var he *graphql.HTTPError
			if !errors.As(err, &he) || he.StatusCode != 502 {
				t.Errorf("call %d: %v", i, err)
			}
		}
		if got := s.count(); got != batchInflight+1 {
			t.Errorf("%d requests, want %d", got, batchInflight+1)
		}
	})
	t.Run("a document refused as a whole is sent call by call", func(t *testing.T) {
		s := &scripted{answer: func(req *graphql.Request, resp *graphql.Response) error {
			if req.OpName == "UploadBatch" {
				return gqlerror.List{{Message: "too many root fields"}}
			}
			return nil
		}}
		b := newBatcher(s)
		for i, err := range startCalls(t, b, s, 10) {
			if err != nil {
				t.Errorf("call %d: %v", i, err)
			}
		}
		// 2 alone, 1 merged (refused), 8 again alone.
		if got := s.count(); got != 11 {
			t.Errorf("%d requests, want 11", got)
		}
		if !b.isOff() {
			t.Error("merging is still on")
		}
		HasImage(context.Background(), b, "p", "later")
		if r := s.requests[len(s.requests)-1]; r.OpName != "HasImage" {
			t.Errorf("after the refusal a call went as %s", r.OpName)
		}
	})
	t.Run("an error for everyone does not turn merging off", func(t *testing.T) {
		s := &scripted{answer: func(*graphql.Request, *graphql.Response) error {
			return gqlerror.List{{Message: "the token is not known"}}
		}}
		b := newBatcher(s)
		for i, err := range startCalls(t, b, s, 6) {
			var list gqlerror.List
			if !errors.As(err, &list) || list[0].Message != "the token is not known" {
				t.Errorf("call %d: %v", i, err)
			}
		}
		if b.isOff() {
			t.Error("merging was turned off")
		}
	})
	t.Run("a caller that gives up while queued is not sent", func(t *testing.T) {
		s := &scripted{answer: func(*graphql.Request, *graphql.Response) error { return nil }}
		b := newBatcher(s)
		s.gate = make(chan struct{})
		var wg sync.WaitGroup
		for range batchInflight {
			wg.Go(func() { HasImage(context.Background(), b, "p", "x") })
		}
		for s.count() < batchInflight {
			time.Sleep(time.Millisecond)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { _, err := HasImage(ctx, b, "p", "gone"); done <- err }()
		for {
			b.mu.Lock()
			q := len(b.queue)
			b.mu.Unlock()
			if q == 1 {
				break
			}
			time.Sleep(time.Millisecond)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("the cancelled call returned %v", err)
		}
		close(s.gate)
		wg.Wait()
		if got := s.count(); got != batchInflight {
			t.Errorf("%d requests, want %d", got, batchInflight)
		}
		for _, r := range s.requests {
			if strings.Contains(fmt.Sprint(r.Variables), "gone") {
				t.Error("the cancelled call was sent")
			}
		}
	})
}

func (b *batcher) isOff() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.off
}

// TestFollowUpsGoInTheNextRequest: on one thread, as Go runs in the
// browser, a call that a caller makes as soon as its answer comes (the
// registration after hasImage) goes in the next request with the calls
// queued meanwhile, instead of waiting for the one after.
func TestFollowUpsGoInTheNextRequest(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	release := make(chan struct{})
	s := &scripted{answer: func(*graphql.Request, *graphql.Response) error {
		<-release
		return nil
	}}
	b := newBatcher(s)
	const n = 4
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, _ = HasImage(ctx, b, "p", fmt.Sprint("first", i))
			_, _ = HasImage(ctx, b, "p", fmt.Sprint("next", i))
		})
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("waiting for %s", what)
			}
		}
	}
	waitFor("the first call sent and the others queued", func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return s.count() == 1 && len(b.queue) == n-1
	})
	release <- struct{}{} // the first call's answer
	waitFor("a second request", func() bool { return s.count() == 2 })
	done := make(chan struct{})
	go func() {
		for {
			select {
			case release <- struct{}{}:
			case <-done:
				return
			}
		}
	}()
	wg.Wait()
	close(done)
	s.mu.Lock()
	defer s.mu.Unlock()
	calls := func(req *graphql.Request) int { return strings.Count(req.Query, "hasImage(") }
	if got := calls(s.requests[1]); got != n {
		t.Errorf("the second request holds %d calls, want %d: the %d queued and the first caller's next", got, n, n-1)
	}
	total := 0
	for _, r := range s.requests {
		total += calls(r)
	}
	if total != 2*n {
		t.Errorf("%d calls sent, want %d", total, 2*n)
	}
}
