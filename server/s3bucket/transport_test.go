package s3bucket

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestHandlerTransport(t *testing.T) {
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Host", r.Host)
		w.Header().Set("X-Length", r.Header.Get("Content-Length"))
		w.Header().Set("X-Chunked", strings.Join(r.TransferEncoding, ","))
		w.Header().Set("Content-Length", "")
		w.Header().Del("Content-Length")
		if r.Method == http.MethodHead {
			w.Header().Set("Content-Length", "42")
			return
		}
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(r.Method + " " + r.RequestURI + " " + string(body)))
	})
	client := &http.Client{Transport: handlerTransport{h: echo}}
	cases := []struct {
		name, method string
		body         io.Reader
		wantStatus   int
		wantBody     string
		wantLength   string
		wantChunked  string
	}{
		{name: "put sized", method: http.MethodPut, body: strings.NewReader("abc"), wantStatus: 201, wantBody: "PUT /b/k?x=1 abc", wantLength: "3"},
		{name: "put stream", method: http.MethodPut, body: io.MultiReader(strings.NewReader("abcd")), wantStatus: 201, wantBody: "PUT /b/k?x=1 abcd", wantChunked: "chunked"},
		{name: "put empty", method: http.MethodPut, wantStatus: 201, wantBody: "PUT /b/k?x=1 ", wantLength: "0"},
		{name: "get", method: http.MethodGet, wantStatus: 201, wantBody: "GET /b/k?x=1 "},
		{name: "head", method: http.MethodHead, wantStatus: 200, wantBody: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, "http://s3.test:9000/b/k?x=1", tc.body)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.wantStatus || string(body) != tc.wantBody {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, body, tc.wantStatus, tc.wantBody)
			}
			h := resp.Header
			if h.Get("X-Host") != "s3.test:9000" || h.Get("X-Length") != tc.wantLength || h.Get("X-Chunked") != tc.wantChunked {
				t.Errorf("server saw host %q length %q chunked %q; want s3.test:9000 %q %q", h.Get("X-Host"), h.Get("X-Length"), h.Get("X-Chunked"), tc.wantLength, tc.wantChunked)
			}
			if tc.method == http.MethodHead && resp.ContentLength != 42 {
				t.Errorf("HEAD ContentLength %d, want 42", resp.ContentLength)
			}
		})
	}
}

func TestHandlerTransportCancel(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("first"))
		<-block
	})
	client := &http.Client{Transport: handlerTransport{h: slow}}
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://s3.test/b/k", nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 5)
	if _, err := io.ReadFull(resp.Body, buf); err != nil || string(buf) != "first" {
		t.Fatalf("read %q, %v", buf, err)
	}
	cancel()
	if _, err := io.ReadAll(resp.Body); !errors.Is(err, context.Canceled) {
		t.Errorf("reading after cancel = %v, want context.Canceled", err)
	}
}

func TestHandlerTransportPanic(t *testing.T) {
	client := &http.Client{Transport: handlerTransport{h: http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })}}
	_, err := client.Get("http://s3.test/b/k")
	if err == nil || !strings.Contains(err.Error(), "panicked") {
		t.Errorf("Get = %v, want the panic as an error", err)
	}
}
