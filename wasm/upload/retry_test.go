package upload_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"altiup/wasm/upload"
)

func TestRetries(t *testing.T) {
	const ms = time.Millisecond
	netErr := &upload.Error{Code: upload.CodeNetwork, Message: "The API could not be reached."}
	tests := []struct {
		name       string
		retries    int
		putFault   func(key string, n int) (int, string)
		apiFault   map[string][]error
		wantState  upload.State
		wantCode   string
		wantMsg    string
		wantSleeps []time.Duration // Rand is 0.5: half the exponential ceiling
	}{
		{"PUT 503 twice then ok", 6, func(_ string, n int) (int, string) {
			if n <= 2 {
				return 503, "<Error><Code>ServiceUnavailable</Code></Error>"
			}
			return 0, ""
		}, nil, upload.StateUploaded, "", "", []time.Duration{250 * ms, 500 * ms}},
		{"PUT 429 then ok", 6, func(_ string, n int) (int, string) {
			if n == 1 {
				return 429, ""
			}
			return 0, ""
		}, nil, upload.StateUploaded, "", "", []time.Duration{250 * ms}},
		{"GraphQL network errors then ok", 6, nil, map[string][]error{"hasImage": {netErr, netErr}, "startImageUpload": {netErr}}, upload.StateUploaded, "", "", []time.Duration{250 * ms, 500 * ms, 250 * ms}},
		{"PUT 500 gives up", 2, func(string, int) (int, string) {
			return 500, "<Error><Code>InternalError</Code><Message>disk on fire</Message></Error>"
		}, nil, upload.StateFailed, upload.CodeServer, "gave up after 3 tries", []time.Duration{250 * ms, 500 * ms}},
		{"403 is final", 6, func(string, int) (int, string) {
			return 403, "<Error><Code>AccessDenied</Code><Message>Access denied by bucket policy.</Message></Error>"
		}, nil, upload.StateFailed, upload.CodeStorageDenied, "Access denied by bucket policy", nil},
		{"bad input is final", 6, nil, map[string][]error{"startImageUpload": {&upload.Error{Code: upload.CodeInvalidInput, Message: "The id is malformed."}}}, upload.StateFailed, upload.CodeInvalidInput, "Starting the upload: The id is malformed", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			bad := jpeg("bad-luck.jpg", 700)
			badKey := "pid1/" + sha(bad.data)[:8] + ".obj"
			if tc.putFault != nil {
				w.putFault = func(key string, n int) (int, string) {
					if key != badKey {
						return 0, ""
					}
					return tc.putFault(key, n)
				}
			}
			w.apiFault = tc.apiFault
			// Faults go by the order of calls: one file through the flow at a time.
			u := w.uploader(upload.Options{Cloud: "oss", Concurrency: 1, RegisterAhead: -1, Retries: tc.retries})
			u.Add(bad, jpeg("fine.jpg", 800))
			rep := startFirstEnds(t, u, tc.wantState)
			f := rep.Files[0]
			if tc.wantCode != "" {
				if f.Error == nil || f.Error.Code != tc.wantCode || !strings.Contains(f.Error.Message, tc.wantMsg) {
					t.Fatalf("error %+v, want %s with %q", f.Error, tc.wantCode, tc.wantMsg)
				}
				if strings.Contains(f.Error.Message, "token=") || strings.Contains(f.Error.Message, "secret") {
					t.Fatalf("error text leaks a secret: %q", f.Error.Message)
				}
			}
			if rep.Files[1].State != upload.StateUploaded {
				t.Fatalf("the other file ended %s: the batch must go on", rep.Files[1].State)
			}
			if sleeps := w.clock.Sleeps(); fmt.Sprint(sleeps) != fmt.Sprint(tc.wantSleeps) {
				t.Fatalf("backoffs %v, want %v", sleeps, tc.wantSleeps)
			}
		})
	}
}

func TestBackoffIsCapped(t *testing.T) {
	w := newWorld(t)
	w.putFault = func(string, int) (int, string) { return 502, "" }
	d := w.deps()
	d.Rand = func() float64 { return 0.999 }
	u, err := upload.New(upload.Options{Project: "pid1", Cloud: "s3", Retries: 10, RetryBase: time.Second, RetryMax: 4 * time.Second}, d)
	if err != nil {
		t.Fatal(err)
	}
	u.Add(jpeg("a.jpg", 10))
	if _, err := u.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	sleeps := w.clock.Sleeps()
	if len(sleeps) != 10 {
		t.Fatalf("%d sleeps", len(sleeps))
	}
	for _, s := range sleeps {
		if s >= 4*time.Second {
			t.Fatalf("backoff %v above the cap", s)
		}
	}
	if sleeps[9] < 3*time.Second {
		t.Fatalf("late backoff %v should be near the cap", sleeps[9])
	}
}

func TestCallTimeoutIsRetried(t *testing.T) {
	w := newWorld(t)
	d := w.deps()
	slow := &slowAPI{API: w, hangs: 2}
	d.API = slow
	u, err := upload.New(upload.Options{Project: "pid1", Cloud: "s3", CallTimeout: time.Millisecond}, d)
	if err != nil {
		t.Fatal(err)
	}
	u.Add(jpeg("a.jpg", 100))
	rep, err := u.Start(context.Background())
	if err != nil || rep.Uploaded != 1 {
		t.Fatalf("report %+v, %v", rep, err)
	}
	if n := len(w.clock.Sleeps()); n != 2 {
		t.Fatalf("%d backoffs, want 2", n)
	}
}

// slowAPI hangs in HasImage until the call's context ends, hangs times.
type slowAPI struct {
	upload.API
	mu    sync.Mutex
	hangs int
}

func (s *slowAPI) HasImage(ctx context.Context, pid, checksum string) (*upload.Image, error) {
	s.mu.Lock()
	hang := s.hangs > 0
	s.hangs--
	s.mu.Unlock()
	if hang {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return s.API.HasImage(ctx, pid, checksum)
}

// TestNetworkOutageWaitedOut: a step that gets no answer at all is tried
// again for NetworkPatience before its failures count against Retries, so a
// link that comes back carries the batch on; one that never does ends in
// words.
func TestNetworkOutageWaitedOut(t *testing.T) {
	netErr := &upload.Error{Code: upload.CodeNetwork, Message: "The API could not be reached."}
	for _, tc := range []struct {
		name      string
		failures  int
		wantState upload.State
	}{
		{"back after a while", 12, upload.StateUploaded},
		{"never back", 400, upload.StateFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			errs := make([]error, tc.failures)
			for i := range errs {
				errs[i] = netErr
			}
			w.apiFault = map[string][]error{"hasImage": errs}
			u := w.uploader(upload.Options{Cloud: "oss", Concurrency: 1, Retries: 1, NetworkPatience: time.Minute})
			u.Add(jpeg("a.jpg", 700))
			rep := startFirstEnds(t, u, tc.wantState)
			f := rep.Files[0]
			var waited time.Duration
			for _, d := range w.clock.Sleeps() {
				waited += d
				if d > 5*time.Second+time.Millisecond && tc.wantState == upload.StateUploaded {
					t.Fatalf("waited %v between tries while offline, want at most 5s", d)
				}
			}
			if tc.wantState == upload.StateUploaded && waited < 10*time.Second {
				t.Fatalf("only %v of outage waited out", waited)
			}
			if tc.wantState == upload.StateFailed {
				if waited < time.Minute {
					t.Fatalf("gave up after %v, before the patience of 1m", waited)
				}
				if f.Error == nil || f.Error.Code != upload.CodeNetwork || !strings.Contains(f.Error.Message, "gave up after") {
					t.Fatalf("error %+v", f.Error)
				}
			}
		})
	}
}

// slowDownPutter answers the first PUT with a status and a Retry-After
// header, then sends through inner.
type slowDownPutter struct {
	inner      upload.Putter
	status     int
	retryAfter string
	mu         sync.Mutex
	refused    bool
}

func (p *slowDownPutter) Put(ctx context.Context, req upload.PutRequest, s upload.Source, progress func(int64)) (*upload.PutResponse, error) {
	p.mu.Lock()
	first := !p.refused
	p.refused = true
	p.mu.Unlock()
	if first {
		return &upload.PutResponse{StatusCode: p.status, Header: http.Header{"Retry-After": {p.retryAfter}}}, nil
	}
	return p.inner.Put(ctx, req, s, progress)
}

// TestRetryAfterWaited: the next try of a 429 or 503 waits at least what the
// server's Retry-After asked (up to 5 minutes), instead of the backoff alone.
func TestRetryAfterWaited(t *testing.T) {
	const ms = time.Millisecond
	tests := []struct {
		name       string
		status     int
		header     string
		apiErr     *upload.Error
		wantSleeps string
	}{
		{"PUT 429, seconds", 429, "7", nil, "[7s]"},
		{"PUT 503, HTTP date", 503, "Fri, 02 Jan 2026 03:04:35 GMT", nil, "[30s]"}, // the fake clock is 03:04:05
		{"PUT 429, an hour: capped", 429, "3600", nil, "[5m0s]"},
		{"PUT 429, shorter than the backoff", 429, "0", nil, fmt.Sprint([]time.Duration{250 * ms})},
		{"API 429", 0, "", &upload.Error{Code: upload.CodeRateLimited, Message: "Slow down.", RetryAfter: 3 * time.Second}, "[3s]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			if tc.apiErr != nil {
				w.apiFault["hasImage"] = []error{tc.apiErr}
			}
			u := w.uploaderWith(upload.Options{Cloud: "s3"}, func(d *upload.Deps) {
				if tc.status != 0 {
					d.Putter = &slowDownPutter{inner: d.Putter, status: tc.status, retryAfter: tc.header}
				}
			})
			u.Add(jpeg("a.jpg", 100))
			if rep, err := u.Start(context.Background()); err != nil || rep.Uploaded != 1 {
				t.Fatalf("report %+v, %v", rep, err)
			}
			if got := fmt.Sprint(w.clock.Sleeps()); got != tc.wantSleeps {
				t.Fatalf("waits %s, want %s", got, tc.wantSleeps)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		h    string
		want time.Duration
	}{
		{"", 0},
		{"12", 12 * time.Second},
		{" 5 ", 5 * time.Second},
		{"-3", 0},
		{"soon", 0},
		{"Fri, 02 Jan 2026 03:05:05 GMT", time.Minute},
		{"Fri, 02 Jan 2026 03:00:00 GMT", 0}, // in the past
	}
	for _, tc := range tests {
		t.Run(tc.h, func(t *testing.T) {
			if got := upload.ParseRetryAfter(tc.h, now); got != tc.want {
				t.Fatalf("%q: %v, want %v", tc.h, got, tc.want)
			}
		})
	}
}

// startFirstEnds runs Start and checks the state the first file ended in.
func startFirstEnds(t *testing.T, u *upload.Uploader, want upload.State) upload.Report {
	t.Helper()
	rep, err := u.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if f := rep.Files[0]; f.State != want {
		t.Fatalf("state %s, want %s (error %v)", f.State, want, f.Error)
	}
	return rep
}
