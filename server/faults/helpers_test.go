package faults

import (
	"bytes"
	"crypto/sha1"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
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
