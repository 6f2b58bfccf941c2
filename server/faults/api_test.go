package faults

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

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
