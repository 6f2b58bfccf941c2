package altizure

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/Khan/genqlient/graphql"

	"altiup/wasm/upload"
)

// session is the outer graphql.Client of a Client. It asks for a token
// first when it has none, tries a call once more with a new token when the
// API refused the one it had, and turns what comes back into *upload.Error
// (with the server's Retry-After on a 429 or 503).
type session struct {
	next   graphql.Client
	tokens *tokens
}

var _ graphql.Client = (*session)(nil)

func (s *session) MakeRequest(ctx context.Context, req *graphql.Request, resp *graphql.Response) error {
	ctx, ans := withAnswer(ctx)
	token, round := s.tokens.current()
	if token == "" && s.tokens.get != nil {
		if err := s.tokens.renew(ctx, round); err != nil {
			return err
		}
		_, round = s.tokens.current()
	}
	err := s.try(ctx, req, resp, ans)
	if s.tokens.get != nil && refused(err) {
		if err := s.tokens.renew(ctx, round); err != nil {
			return err
		}
		err = s.try(ctx, req, resp, ans)
	}
	return err
}

func (s *session) try(ctx context.Context, req *graphql.Request, resp *graphql.Response, ans *answer) error {
	// The answer is decoded into resp as it is: errors of a try before
	// would stay where the new answer has none.
	resp.Errors, resp.Extensions = nil, nil
	err := mapError(s.next.MakeRequest(ctx, req, resp))
	var e *upload.Error
	if errors.As(err, &e) && (e.Status == http.StatusTooManyRequests || e.Status == http.StatusServiceUnavailable) {
		_, e.RetryAfter = ans.get()
	}
	return err
}

// refused reports whether the API refused the key or the token.
func refused(err error) bool {
	var e *upload.Error
	return errors.As(err, &e) && e.Code == upload.CodeUnauthorized
}

// doer sets the key and altitoken headers on every request and notes, in
// the call's answer, what the response's headers say.
type doer struct {
	hc     *http.Client
	key    string
	tokens *tokens
}

func (d *doer) Do(r *http.Request) (*http.Response, error) {
	if d.key != "" {
		r.Header.Set("key", d.key)
	}
	if token, _ := d.tokens.current(); token != "" {
		r.Header.Set("altitoken", token)
	}
	resp, err := d.hc.Do(r)
	if err == nil {
		if a := answerOf(r.Context()); a != nil {
			a.record(resp.Header)
		}
	}
	return resp, err
}

// answer is what the HTTP layer saw of the response to a call. A Client
// method that needs it puts one in the context (withAnswer) before the
// call; the batcher hands that of a merged request to each of its calls.
type answer struct {
	mu         sync.Mutex
	date       time.Time     // the server's Date; zero when unknown
	retryAfter time.Duration // its Retry-After
}

type answerKey struct{}

// withAnswer returns ctx with an answer to fill in: the one already in it,
// or a new one.
func withAnswer(ctx context.Context) (context.Context, *answer) {
	if a := answerOf(ctx); a != nil {
		return ctx, a
	}
	a := &answer{}
	return context.WithValue(ctx, answerKey{}, a), a
}

func answerOf(ctx context.Context) *answer {
	a, _ := ctx.Value(answerKey{}).(*answer)
	return a
}

func (a *answer) record(h http.Header) {
	date, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		date = time.Time{}
	}
	now := date
	if now.IsZero() {
		now = time.Now()
	}
	ra := upload.ParseRetryAfter(h.Get("Retry-After"), now)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.date, a.retryAfter = date, ra
}

func (a *answer) get() (date time.Time, retryAfter time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.date, a.retryAfter
}

// copyTo hands what a saw to b.
func (a *answer) copyTo(b *answer) {
	date, ra := a.get()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.date, b.retryAfter = date, ra
}
