package faults

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestPutRates sends 2,000 PUTs (half to distinct objects, half again and
// again to the same few) and checks the shares of 5xx answers and cuts, that
// the client sees exactly what the counters say, and that every 5xx is a
// readable storage error.
func TestPutRates(t *testing.T) {
	const n = 2000
	for _, rate := range []float64{0.2, 0.5} {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			in := mustNew(t, Config{PutRate: rate, Seed: 42})
			b := &backend{}
			srv := serve(t, in, b)
			body := bytes.Repeat([]byte("y"), 64<<10)
			out := each(n, func(i int) answer {
				url := fmt.Sprintf("%s/s/bucket/img%d.jpg", srv.URL, i)
				if i%2 == 1 {
					url = fmt.Sprintf("%s/s/bucket/same%d.jpg?partNumber=%d&uploadId=u", srv.URL, i%5, i%3+1)
				}
				return do(srv.Client(), "PUT", url, body, map[string]string{"Origin": "http://page.test"})
			})
			var ok, fiveXX, cuts int
			for i, a := range out {
				if a.err == nil && !a.closed {
					// A reused connection would let a browser resend a
					// cut request silently.
					t.Fatalf("request %d: connection kept open", i)
				}
				switch {
				case a.err != nil:
					cuts++
				case a.status == 200:
					ok++
				case a.status == 500 || a.status == 503:
					fiveXX++
					if a.header.Get("Access-Control-Allow-Origin") != "http://page.test" {
						t.Fatalf("request %d: %d without CORS header", i, a.status)
					}
					if !strings.Contains(a.body, "<Error>") || !strings.Contains(a.body, "<Code>") {
						t.Fatalf("request %d: %d body is not a storage error: %q", i, a.status, a.body)
					}
				default:
					t.Fatalf("request %d: unexpected %d %q", i, a.status, a.body)
				}
			}
			c := in.Counts()
			if int64(fiveXX) != c.PutErrors || int64(cuts) != c.PutCuts || c.Puts != n {
				t.Errorf("client saw %d 5xx and %d errors of %d; counters %+v", fiveXX, cuts, n, c)
			}
			if int64(ok) != b.hits.Load() {
				t.Errorf("%d answered 200 but the backend saw %d", ok, b.hits.Load())
			}
			// Each half of the rate within 2.5 points (about 3.5 standard
			// deviations at n=2000).
			for name, got := range map[string]int{"5xx": fiveXX, "cuts": cuts} {
				if share := float64(got) / n; share < rate/2-0.025 || share > rate/2+0.025 {
					t.Errorf("%s: %.3f of PUTs, want %.3f", name, share, rate/2)
				}
			}
		})
	}
}

// TestCutPutIsAnError: a cut PUT gives the client a transport error, never
// an answer, and never reaches the backend.
func TestCutPutIsAnError(t *testing.T) {
	in := mustNew(t, Config{PutRate: 1, Seed: 9})
	b := &backend{}
	srv := serve(t, in, b)
	body := bytes.Repeat([]byte("z"), 2<<20)
	var cuts, answers int
	for i := range 40 {
		a := do(srv.Client(), "PUT", fmt.Sprintf("%s/s/bucket/big%d", srv.URL, i), body, nil)
		switch {
		case a.err != nil:
			cuts++
		case a.status >= 500:
			answers++
		default:
			t.Fatalf("PUT %d: %d, want a fault", i, a.status)
		}
	}
	if cuts == 0 || answers == 0 {
		t.Fatalf("%d cuts and %d 5xx answers of 40 at rate 1: want both kinds", cuts, answers)
	}
	if c := in.Counts(); c.PutCuts != int64(cuts) {
		t.Errorf("counted %d cuts, client saw %d errors", c.PutCuts, cuts)
	}
	if b.hits.Load() != 0 {
		t.Errorf("backend saw %d requests at rate 1", b.hits.Load())
	}
}

// TestErrorStyle: the 5xx body and request-id header follow the cloud that
// signed the request.
func TestErrorStyle(t *testing.T) {
	for _, tc := range []struct {
		name, query string
		hdr         map[string]string
		idHeader    string
		codes       map[int]string
	}{
		{"oss header", "", map[string]string{"Authorization": "OSS ak:sig", "X-Oss-Date": "now"}, "X-Oss-Request-Id",
			map[int]string{500: "InternalError", 503: "ServiceUnavailable"}},
		{"oss signed url", "?OSSAccessKeyId=ak&Signature=s", nil, "X-Oss-Request-Id",
			map[int]string{500: "InternalError", 503: "ServiceUnavailable"}},
		{"s3 presigned", "?X-Amz-Signature=s&X-Amz-Credential=c", nil, "X-Amz-Request-Id",
			map[int]string{500: "InternalError", 503: "SlowDown"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := mustNew(t, Config{PutRate: 1, Seed: 5})
			srv := serve(t, in, &backend{})
			seen := map[int]bool{}
			for i := 0; i < 200 && len(seen) < 2; i++ {
				a := do(srv.Client(), "PUT", fmt.Sprintf("%s/s/b/k%d%s", srv.URL, i, tc.query), []byte("abc"), tc.hdr)
				if a.err != nil {
					continue
				}
				seen[a.status] = true
				if want := "<Code>" + tc.codes[a.status] + "</Code>"; !strings.Contains(a.body, want) {
					t.Fatalf("%d: body %q lacks %s", a.status, a.body, want)
				}
				if a.header.Get(tc.idHeader) == "" || a.header.Get("Access-Control-Allow-Origin") != "*" {
					t.Fatalf("%d: headers %v", a.status, a.header)
				}
				if got, want := a.header.Get("Retry-After"), map[int]string{503: RetryAfter}[a.status]; got != want {
					t.Fatalf("%d: Retry-After %q, want %q", a.status, got, want)
				}
				for _, h := range []string{"ETag", "Date", "Retry-After"} {
					if !strings.Contains(a.header.Get("Access-Control-Expose-Headers"), h) {
						t.Fatalf("%d: Access-Control-Expose-Headers %q lacks %s", a.status, a.header.Get("Access-Control-Expose-Headers"), h)
					}
				}
			}
			if !seen[500] || !seen[503] {
				t.Fatalf("statuses seen %v, want 500 and 503", seen)
			}
		})
	}
}
