package upload

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// retrier runs a step until it succeeds, fails for good, or its tries run
// out, sleeping between tries with exponential backoff and full jitter.
//
// Each step is tried by one retrier loop only: a step's op makes single
// tries of whatever it calls (never a retry of its own), so that the tries
// of a step stay bounded instead of multiplying. The API calls a try makes
// before its own request (the renewal of expired credentials: apiTry) are
// counted apart, each kind against Retries: the API and the storage fail
// independently, and a file that met three failing API calls and four
// failing PUTs while its links kept expiring in a busy browser had not met
// seven failures of either.
type retrier struct {
	retries   int
	patience  time.Duration
	base, max time.Duration
	now       func() time.Time
	sleep     func(ctx context.Context, d time.Duration) error
	rand      func() float64
	gate      func(ctx context.Context) error // waits while paused
}

func newRetrier(o Options, d Deps, gate func(context.Context) error) retrier {
	return retrier{
		retries: o.Retries, patience: o.NetworkPatience, base: o.RetryBase, max: o.RetryMax,
		now: d.Now, sleep: d.Sleep, rand: d.Rand, gate: gate,
	}
}

// Bounds of the retrier: maxNetworkTries bounds the tries spent waiting out a
// lost network, whatever the clock says; networkRetryMax bounds the wait
// between them; retryAfterMax bounds how long a server's Retry-After is
// obeyed (a longer one is more likely a mistake than a plan);
// maxExpiredTries bounds the tries that end in expired credentials, which
// the step renews before its next try.
const (
	maxNetworkTries = 200
	networkRetryMax = 5 * time.Second
	retryAfterMax   = 5 * time.Minute
	maxExpiredTries = 20
)

// apiTry marks the failure of an API call made within a try of another
// step (see retrier).
type apiTry struct{ err error }

func (e apiTry) Error() string { return e.err.Error() }
func (e apiTry) Unwrap() error { return e.err }

// inStep marks err, when not nil, as the failure of an API call made
// within a try of another step.
func inStep(err error) error {
	if err == nil {
		return nil
	}
	return apiTry{err}
}

// do runs op until it succeeds, fails for good, or the tries run out. Each
// try gets a context that ends after timeout (0: no limit). Expired
// credentials are retried at once the first time (the op renews them). A
// server that said when to come back (Error.RetryAfter) is not asked again
// sooner, up to retryAfterMax.
//
// A step that gets no answer at all (offline, or the server restarting) is
// not counted against Retries until it has failed that way for
// NetworkPatience: a link that comes back within it carries the batch on by
// itself. Nor is a try whose credentials expired, up to maxExpiredTries:
// the step renews them, and a request that waited its turn in a busy
// browser (six connections per host) or on a slow link past a short-lived
// signature has done nothing wrong.
func (r retrier) do(ctx context.Context, timeout time.Duration, op func(context.Context) error) error {
	var offlineSince time.Time
	var counted [2]int // the step's own failures, then its API calls' (apiTry)
	expired := 0
	for attempt := 0; ; attempt++ {
		if err := r.gate(ctx); err != nil {
			return err
		}
		actx, cancel := ctx, context.CancelFunc(func() {})
		if timeout > 0 {
			actx, cancel = context.WithTimeout(ctx, timeout)
		}
		err := op(actx)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		e := AsError(err)
		if !e.Temporary() {
			return e
		}
		if e.Code == CodeNetwork && attempt < maxNetworkTries {
			now := r.now()
			if offlineSince.IsZero() {
				offlineSince = now
			}
			if now.Sub(offlineSince) < r.patience {
				// Short waits: the next try should follow soon after the
				// link is back.
				if err := r.sleep(ctx, min(r.backoff(attempt), networkRetryMax)); err != nil {
					return err
				}
				continue
			}
		}
		if e.Code == CodeExpired && expired < maxExpiredTries {
			expired++
			d := time.Duration(0)
			if expired > 1 {
				d = r.backoff(min(expired-2, 3))
			}
			if err := r.sleep(ctx, d); err != nil {
				return err
			}
			continue
		}
		kind := 0
		if errors.As(err, new(apiTry)) {
			kind = 1
		}
		if counted[kind] >= r.retries {
			return &Error{Code: e.Code, Message: fmt.Sprintf("%s (gave up after %d tries)", strings.TrimSuffix(e.Message, "."), attempt+1), Status: e.Status, Err: e}
		}
		counted[kind]++
		d := r.backoff(counted[kind] - 1)
		d = max(d, min(e.RetryAfter, retryAfterMax))
		if err := r.sleep(ctx, d); err != nil {
			return err
		}
	}
}

// backoff is a random duration in [0, min(RetryMax, RetryBase·2^attempt)).
func (r retrier) backoff(attempt int) time.Duration {
	ceil := float64(r.base) * math.Pow(2, float64(attempt))
	ceil = min(ceil, float64(r.max))
	return time.Duration(r.rand() * ceil)
}
