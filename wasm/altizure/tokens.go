package altizure

import (
	"context"
	"strings"
	"sync"

	"altiup/wasm/upload"
)

// Option changes how New makes a Client.
type Option func(*options)

type options struct {
	getToken func(ctx context.Context) (string, error)
}

// GetToken gives the Client a way to get a user token: get is asked when
// the Client has none, and again when the API refuses the one it has (it
// expired, say); the refused call is then tried once more. Calls refused
// at the same time share one call of get. A get that fails or gives ""
// makes the calls waiting for it fail with code unauthorized.
func GetToken(get func(ctx context.Context) (string, error)) Option {
	return func(o *options) { o.getToken = get }
}

// tokens holds the user token a Client sends. It is a secret: it never
// goes into an error, and neither does what get answers.
type tokens struct {
	get func(ctx context.Context) (string, error) // nil: the token given is all there is

	mu      sync.Mutex
	token   string
	round   int      // how many calls of get have ended
	lastErr error    // how the last one ended
	flight  *renewal // a call of get under way
}

type renewal struct {
	done chan struct{}
	err  error
}

// current returns the token and the round it belongs to.
func (t *tokens) current() (string, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.token, t.round
}

// renew gets a new token for a call made in round: when a call of get has
// ended since, the call takes its outcome (a new token to try, or its
// failure); else it waits for the call of get under way, or starts one.
// So the calls refused together share one call of get, whether it gives a
// token or fails, and one that goes on for the others when a caller's ctx
// ends.
func (t *tokens) renew(ctx context.Context, round int) error {
	t.mu.Lock()
	if t.round != round {
		err := t.lastErr
		t.mu.Unlock()
		return err
	}
	f := t.flight
	if f == nil {
		f = &renewal{done: make(chan struct{})}
		t.flight = f
		go t.fetch(context.WithoutCancel(ctx), f)
	}
	t.mu.Unlock()
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (t *tokens) fetch(ctx context.Context, f *renewal) {
	token, err := t.get(ctx)
	token = strings.TrimSpace(token)
	switch {
	case err != nil:
		f.err = &upload.Error{Code: upload.CodeUnauthorized, Message: "Could not get a user token: getToken failed.", Err: err}
	case token == "":
		f.err = upload.Errorf(upload.CodeUnauthorized, "Could not get a user token: getToken gave none.")
	}
	t.mu.Lock()
	if f.err == nil {
		t.token = token
	}
	t.round++
	t.lastErr = f.err
	t.flight = nil
	t.mu.Unlock()
	close(f.done)
}
