package faults

import (
	"bytes"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// backend is the handler behind the injector: it reads the whole body and
// answers 200 with its SHA-1, counting the requests that reach it.
type backend struct {
	hits atomic.Int64
}

func (b *backend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.hits.Add(1)
	h := sha1.New()
	n, _ := io.Copy(h, r.Body)
	w.Header().Set("Access-Control-Allow-Origin", "*")
	fmt.Fprintf(w, "%d %x", n, h.Sum(nil))
}

func mustNew(t *testing.T, c Config) *Injector {
	t.Helper()
	in, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// serve starts the injector's storage handler at /s/ and its API handler
// at the rest.
func serve(t *testing.T, in *Injector, b http.Handler) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/s/", in.Storage(b))
	mux.Handle("/", in.API(b))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

type answer struct {
	status int
	header http.Header
	body   string
	closed bool // the server closes the connection after the answer
	err    error
}

func do(c *http.Client, method, url string, body []byte, hdr map[string]string) answer {
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: string(b), closed: resp.Close, err: err}
}

// each sends n requests, 8 at a time, and returns their answers in order.
func each(n int, f func(i int) answer) []answer {
	out := make([]answer, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			out[i] = f(i)
			<-sem
		}()
	}
	wg.Wait()
	return out
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		c     Config
		field string
	}{
		{"zero", Config{}, ""},
		{"all", Config{PutRate: 1, GraphQLRate: 0.5, GraphQLHold: time.Second, Latency: time.Millisecond, Bandwidth: 1, Seed: 3}, ""},
		{"put above 1", Config{PutRate: 1.5}, "PutRate"},
		{"put negative", Config{PutRate: -0.1}, "PutRate"},
		{"graphql above 1", Config{GraphQLRate: 2}, "GraphQLRate"},
		{"hold negative", Config{GraphQLHold: -time.Second}, "GraphQLHold"},
		{"latency negative", Config{Latency: -time.Second}, "Latency"},
		{"bandwidth negative", Config{Bandwidth: -1}, "Bandwidth"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.c)
			var ce *ConfigError
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.field != "" && !errors.As(err, &ce):
				t.Fatalf("err = %v, want a *ConfigError", err)
			case tc.field != "" && ce.Field != tc.field:
				t.Fatalf("field %q, want %q", ce.Field, tc.field)
			}
		})
	}
}

// TestRateZeroChangesNothing: without faults every request reaches the
// backend and gets its answer untouched.
func TestRateZeroChangesNothing(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Config
	}{
		{"zero config", Config{}},
		{"rates zero, latency on", Config{Latency: time.Millisecond, Seed: 1}},
		{"rates zero, bandwidth on", Config{Bandwidth: 50 << 20, Seed: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := mustNew(t, tc.c)
			b := &backend{}
			srv := serve(t, in, b)
			body := bytes.Repeat([]byte("x"), 10000)
			want := fmt.Sprintf("%d %x", len(body), sha1.Sum(body))
			out := each(200, func(i int) answer {
				if i%2 == 0 {
					return do(srv.Client(), "PUT", fmt.Sprintf("%s/s/bucket/obj%d", srv.URL, i), body, nil)
				}
				return do(srv.Client(), "POST", srv.URL+"/graphql", body, nil)
			})
			for i, a := range out {
				if a.err != nil || a.status != 200 || a.body != want || a.closed {
					t.Fatalf("request %d: %d %q closed=%v %v", i, a.status, a.body, a.closed, a.err)
				}
			}
			if b.hits.Load() != 200 {
				t.Errorf("backend saw %d requests, want 200", b.hits.Load())
			}
			if c := in.Counts(); c.PutErrors+c.PutCuts+c.GraphQLBadGateways+c.GraphQLTimeouts != 0 {
				t.Errorf("faults counted: %+v", c)
			}
		})
	}
}

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

// TestGraphQLRates: 2,000 GraphQL POSTs at 10%: about 5% answer 502 with an
// HTML page the page can read, about 5% are held and then cut. GETs and
// other paths are left alone.
func TestGraphQLRates(t *testing.T) {
	const n, rate, hold = 2000, 0.1, 20 * time.Millisecond
	in := mustNew(t, Config{GraphQLRate: rate, GraphQLHold: hold, Seed: 7})
	b := &backend{}
	srv := serve(t, in, b)
	query := []byte(`{"query":"{ my { self { name } } }"}`)
	var held []time.Duration
	var mu sync.Mutex
	out := each(n, func(int) answer {
		start := time.Now()
		a := do(srv.Client(), "POST", srv.URL+"/graphql", query, map[string]string{"Content-Type": "application/json"})
		if a.err != nil {
			mu.Lock()
			held = append(held, time.Since(start))
			mu.Unlock()
		}
		return a
	})
	var ok, bad int
	for i, a := range out {
		switch {
		case a.err != nil:
		case a.status == 200:
			ok++
		case a.status == 502:
			bad++
			if a.header.Get("Access-Control-Allow-Origin") != "*" || !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") || !strings.Contains(a.body, "502 Bad Gateway") {
				t.Fatalf("call %d: 502 answer %v %q", i, a.header, a.body)
			}
		default:
			t.Fatalf("call %d: %d %q", i, a.status, a.body)
		}
	}
	c := in.Counts()
	if int64(bad) != c.GraphQLBadGateways || int64(len(held)) != c.GraphQLTimeouts || c.GraphQLCalls != n {
		t.Errorf("client saw %d 502s and %d errors; counters %+v", bad, len(held), c)
	}
	for name, got := range map[string]int{"502": bad, "timeouts": len(held)} {
		if share := float64(got) / n; share < rate/2-0.02 || share > rate/2+0.02 {
			t.Errorf("%s: %.3f of calls, want %.3f", name, share, rate/2)
		}
	}
	for _, d := range held {
		if d < hold {
			t.Fatalf("a timed-out call ended after %v, before the hold of %v", d, hold)
		}
	}

	// At rate 1 nothing but GraphQL POSTs is touched.
	in = mustNew(t, Config{GraphQLRate: 1, Seed: 7})
	srv = serve(t, in, b)
	for _, r := range []struct{ method, path string }{{"GET", "/graphql"}, {"OPTIONS", "/graphql"}, {"POST", "/auth/token"}} {
		if a := do(srv.Client(), r.method, srv.URL+r.path, nil, nil); a.err != nil || a.status != 200 {
			t.Errorf("%s %s: %d %v", r.method, r.path, a.status, a.err)
		}
	}
}

// TestHoldEndsWhenClientGivesUp: a held call does not outlive its client.
func TestHoldEndsWhenClientGivesUp(t *testing.T) {
	in := mustNew(t, Config{GraphQLRate: 1, GraphQLHold: time.Hour, Seed: 3})
	mux := http.NewServeMux()
	mux.Handle("/", in.API(&backend{}))
	srv := httptest.NewServer(mux)
	client := &http.Client{Timeout: 100 * time.Millisecond}
	for i := 0; in.Counts().GraphQLTimeouts < 3 && i < 100; i++ {
		do(client, "POST", srv.URL+"/graphql", []byte("{}"), nil)
	}
	if in.Counts().GraphQLTimeouts < 3 {
		t.Fatalf("no held calls in 100: %+v", in.Counts())
	}
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("held handlers still running 10 s after their clients gave up")
	}
}

// TestBandwidthLowerBound: N bytes through a cap of R bytes/s take at least
// (N - burst)/R, up, down, and split over two connections (the cap is
// shared). Only the lower bound is checked: a slow machine may take longer.
func TestBandwidthLowerBound(t *testing.T) {
	const bw, n = 1_000_000, 1_000_000
	body := bytes.Repeat([]byte("b"), n)
	wantHash := fmt.Sprintf("%x", sha1.Sum(body))
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, url string)
	}{
		{"upload", func(t *testing.T, url string) {
			a := do(http.DefaultClient, "PUT", url+"/s/b/up", body, nil)
			if a.err != nil || a.body != fmt.Sprintf("%d %s", n, wantHash) {
				t.Fatalf("upload: %d %q %v", a.status, a.body, a.err)
			}
		}},
		{"download", func(t *testing.T, url string) {
			a := do(http.DefaultClient, "GET", url+"/s/download", nil, nil)
			if a.err != nil || len(a.body) != n {
				t.Fatalf("download: %d bytes, %v", len(a.body), a.err)
			}
		}},
		{"two uploads share the cap", func(t *testing.T, url string) {
			out := each(2, func(i int) answer {
				return do(http.DefaultClient, "PUT", fmt.Sprintf("%s/s/b/half%d", url, i), body[:n/2], nil)
			})
			for _, a := range out {
				if a.err != nil || !strings.HasPrefix(a.body, fmt.Sprint(n/2)) {
					t.Fatalf("upload: %d %q %v", a.status, a.body, a.err)
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := mustNew(t, Config{Bandwidth: bw, Seed: 1})
			mux := http.NewServeMux()
			mux.HandleFunc("/s/download", func(w http.ResponseWriter, r *http.Request) { w.Write(body) })
			mux.Handle("/s/b/", &backend{})
			srv := httptest.NewServer(in.Storage(mux))
			defer srv.Close()
			start := time.Now()
			tc.run(t, srv.URL)
			took := time.Since(start)
			floor := time.Duration(float64(n-in.burst) / bw * float64(time.Second))
			t.Logf("%d bytes at %d B/s took %v (floor %v)", n, bw, took, floor)
			if took < floor {
				t.Errorf("took %v, less than %v", took, floor)
			}
		})
	}
}

func TestLatencyLowerBound(t *testing.T) {
	const lat = 50 * time.Millisecond
	in := mustNew(t, Config{Latency: lat, Seed: 1})
	srv := serve(t, in, &backend{})
	for _, r := range []struct{ method, path string }{{"PUT", "/s/b/k"}, {"OPTIONS", "/s/b/k"}, {"POST", "/graphql"}, {"GET", "/auth/x"}} {
		start := time.Now()
		a := do(srv.Client(), r.method, srv.URL+r.path, []byte("1"), nil)
		if took := time.Since(start); a.err != nil || took < lat {
			t.Errorf("%s %s: took %v (%v), want at least %v", r.method, r.path, took, a.err, lat)
		}
	}
}

// TestDrawsReproducible: the same seed draws the same value for the same
// key and occurrence whatever the order; another seed draws others.
func TestDrawsReproducible(t *testing.T) {
	keys := []string{"/b/a", "/b/b", "/b/a", "/b/c#1", "/b/c#2", "/b/a"}
	draws := func(seed uint64, order []int) map[string]float64 {
		in := mustNew(t, Config{PutRate: 0.5, Seed: seed})
		occ := map[string]int{}
		out := map[string]float64{}
		for _, i := range order {
			k := keys[i]
			out[fmt.Sprintf("%s/%d", k, occ[k])] = in.draw("put", k)
			occ[k]++
		}
		return out
	}
	fwd := draws(11, []int{0, 1, 2, 3, 4, 5})
	rev := draws(11, []int{5, 4, 3, 2, 1, 0})
	other := draws(12, []int{0, 1, 2, 3, 4, 5})
	same := 0
	for k, v := range fwd {
		if rev[k] != v {
			t.Errorf("%s: %v then %v with the same seed", k, v, rev[k])
		}
		if v < 0 || v >= 1 {
			t.Errorf("%s: draw %v outside [0,1)", k, v)
		}
		if other[k] == v {
			same++
		}
	}
	if same == len(fwd) {
		t.Error("another seed drew the same values")
	}
	if s := mustNew(t, Config{}).Seed(); s == 0 {
		t.Error("no seed picked")
	}
}

// TestNoSecretsInText: the counters and description never hold what came
// in the requests.
func TestNoSecretsInText(t *testing.T) {
	in := mustNew(t, Config{PutRate: 0.5, GraphQLRate: 0.5, GraphQLHold: time.Millisecond, Seed: 2})
	srv := serve(t, in, &backend{})
	for i := range 20 {
		do(srv.Client(), "PUT", fmt.Sprintf("%s/s/b/SECRETKEY%d?Signature=SECRETSIG", srv.URL, i), []byte("x"), map[string]string{"Authorization": "OSS SECRETAK:SECRETSIG"})
		do(srv.Client(), "POST", srv.URL+"/graphql", []byte("{}"), map[string]string{"altitoken": "SECRETTOKEN"})
	}
	for _, s := range []string{in.Counts().String(), in.String()} {
		if strings.Contains(s, "SECRET") {
			t.Errorf("text holds a secret: %q", s)
		}
	}
	if c := in.Counts(); c.Puts != 20 || c.GraphQLCalls != 20 {
		t.Errorf("counts %+v", c)
	}
}
