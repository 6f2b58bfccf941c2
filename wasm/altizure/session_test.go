package altizure

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"altiup/server/sandbox"
	"altiup/wasm/upload"
)

// TestTokenRenewal runs calls against the sandbox with a token source: a
// refused token is renewed once, however many calls it failed, and the
// calls are tried again with the new one.
func TestTokenRenewal(t *testing.T) {
	const key, good = "k", "t-SECRET-good"
	url, pid, requests := testSandbox(t, key, good, nil)

	tests := []struct {
		name     string
		token    string         // the token given to New
		answers  []string       // what get gives, call after call ("!" fails)
		getToken bool           // a token source is given
		calls    int            // calls made at once
		wantGets int            // calls of get
		wantCode string         // the calls' error code; "" for success
		wantReqs func(int) bool // the number of requests
	}{
		{"good token, never asked", good, nil, true, 5, 0, "", nil},
		{"refused token renewed once", "t-SECRET-expired", []string{good}, true, 30, 1, "", nil},
		{"no token: asked first", "", []string{good}, true, 30, 1, "", func(n int) bool { return n <= 30 }},
		{"refused again after renewal", "t-SECRET-expired", []string{"t-SECRET-also-bad"}, true, 1, 1, upload.CodeUnauthorized, func(n int) bool { return n == 2 }},
		{"get fails", "t-SECRET-expired", []string{"!"}, true, 3, 1, upload.CodeUnauthorized, nil},
		{"get gives nothing", "", []string{"  "}, true, 3, 1, upload.CodeUnauthorized, func(n int) bool { return n == 0 }},
		{"no token source", "t-SECRET-expired", nil, false, 1, 0, upload.CodeUnauthorized, func(n int) bool { return n == 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gets atomic.Int64
			var opts []Option
			if tt.getToken {
				opts = append(opts, GetToken(func(context.Context) (string, error) {
					n := gets.Add(1)
					if int(n) > len(tt.answers) {
						return "", errors.New("asked too often")
					}
					// Slow, so that the other refused calls come meanwhile.
					time.Sleep(20 * time.Millisecond)
					if a := tt.answers[n-1]; a != "!" {
						return a, nil
					}
					return "", errors.New("t-SECRET-in-the-failure")
				}))
			}
			c := New(url, key, tt.token, nil, opts...)
			before := requests.Load()
			errs := make([]error, tt.calls)
			var wg sync.WaitGroup
			for i := range tt.calls {
				wg.Go(func() {
					_, errs[i] = c.HasImage(context.Background(), pid, fmt.Sprintf("%040x", i))
				})
			}
			wg.Wait()
			for i, err := range errs {
				if tt.wantCode == "" && err != nil {
					t.Fatalf("call %d: %v", i, err)
				}
				if tt.wantCode != "" {
					e := upload.AsError(err)
					if e == nil || e.Code != tt.wantCode {
						t.Fatalf("call %d: %v, want code %s", i, err, tt.wantCode)
					}
					if strings.Contains(e.Message, "SECRET") {
						t.Fatalf("call %d: the message shows a token: %q", i, e.Message)
					}
				}
			}
			if got := gets.Load(); got != int64(tt.wantGets) {
				t.Errorf("get called %d times, want %d", got, tt.wantGets)
			}
			if n := int(requests.Load() - before); tt.wantReqs != nil && !tt.wantReqs(n) {
				t.Errorf("%d requests", n)
			}
		})
	}
}

// TestTokenAfterFailure: a call made after getToken failed asks it again
// (the person may have signed in since).
func TestTokenAfterFailure(t *testing.T) {
	const key, good = "k", "t-SECRET-good"
	url, pid, _ := testSandbox(t, key, good, nil)
	answers := []error{errors.New("signed out"), nil}
	var gets atomic.Int64
	c := New(url, key, "", nil, GetToken(func(context.Context) (string, error) {
		if err := answers[min(int(gets.Add(1)), len(answers))-1]; err != nil {
			return "", err
		}
		return good, nil
	}))
	ctx := context.Background()
	if _, err := c.HasImage(ctx, pid, fmt.Sprintf("%040x", 1)); upload.AsError(err).Code != upload.CodeUnauthorized {
		t.Fatalf("with getToken failing: %v", err)
	}
	if _, err := c.HasImage(ctx, pid, fmt.Sprintf("%040x", 1)); err != nil {
		t.Fatalf("after signing in: %v", err)
	}
	if n := gets.Load(); n != 2 {
		t.Fatalf("getToken called %d times, want 2", n)
	}
}

// TestAnswerHeaders: the Date of the answer that carried an STS becomes
// Issued, for calls sent alone and merged; a 429 or 503 carries its
// Retry-After.
func TestAnswerHeaders(t *testing.T) {
	const key, token = "k", "t-SECRET"
	// The server's clock is a day behind this one.
	serverNow := time.Now().Add(-24 * time.Hour).UTC().Truncate(time.Second)
	var status atomic.Int64
	var retryAfter atomic.Value
	url, pid, _ := testSandbox(t, key, token, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		w.Header().Set("Date", serverNow.Format(http.TimeFormat))
		if s := int(status.Load()); s != 0 {
			w.Header().Set("Retry-After", retryAfter.Load().(string))
			w.WriteHeader(s)
			fmt.Fprint(w, `{"errors":[{"message":"busy"}]}`)
			return
		}
		next.ServeHTTP(w, r)
	})
	c := New(url, key, token, nil)
	ctx := context.Background()

	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			up, err := c.UploadImageOSS(ctx, pid, "Hangzhou", fmt.Sprintf("%d.jpg", i), "JPEG", fmt.Sprintf("%040x", i))
			if err != nil {
				t.Errorf("register %d: %v", i, err)
				return
			}
			if !up.Issued.Equal(serverNow) {
				t.Errorf("register %d: issued %v, want the server's %v", i, up.Issued, serverNow)
			}
		})
	}
	wg.Wait()

	tests := []struct {
		status int
		header string
		want   time.Duration
		code   string
	}{
		{503, "7", 7 * time.Second, upload.CodeServer},
		{429, serverNow.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, upload.CodeRateLimited},
		{429, "", 0, upload.CodeRateLimited},
		{502, "7", 0, upload.CodeServer},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %q", tt.status, tt.header), func(t *testing.T) {
			status.Store(int64(tt.status))
			retryAfter.Store(tt.header)
			_, err := c.HasImage(ctx, pid, fmt.Sprintf("%040x", 1))
			e := upload.AsError(err)
			if e == nil || e.Code != tt.code || e.RetryAfter != tt.want {
				t.Fatalf("error %#v, want code %s waiting %v", e, tt.code, tt.want)
			}
		})
	}
}

// testSandbox starts the sandbox's API with one user, behind a server
// that passes each request through wrap (nil: straight on) and counts them;
// it returns the GraphQL URL, a project of the user and the count.
func testSandbox(t *testing.T, key, token string, wrap func(w http.ResponseWriter, r *http.Request, next http.Handler)) (url, pid string, requests *atomic.Int64) {
	t.Helper()
	sb, err := sandbox.New(sandbox.Config{AppKey: key, Users: []sandbox.User{{Token: token, Username: "u"}}, OSS: stubOSS{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	requests = &atomic.Int64{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if wrap != nil {
			wrap(w, r, sb.Handler())
			return
		}
		sb.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	pid, err = sb.CreateProject(token, t.Name())
	if err != nil {
		t.Fatal(err)
	}
	return srv.URL + "/graphql", pid, requests
}
