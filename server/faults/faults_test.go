package faults

import (
	"bytes"
	"crypto/sha1"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

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
