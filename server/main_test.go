package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// sandboxProc is a server started by run() on free ports.
type sandboxProc struct {
	page, api, storage, key, token, project string
	partner                                 string // the demo partner site, with -partner-addr
	cancel                                  context.CancelFunc
	done                                    chan error
}

// logBuffer collects what a running server writes; safe for concurrent use.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServer runs the server with args (plus -addr 127.0.0.1:0) and waits
// until it has printed its addresses.
func startServer(t testing.TB, args ...string) *sandboxProc {
	t.Helper()
	return startServerLogs(t, &logBuffer{}, args...)
}

// startServerLogs is startServer keeping in logs all that the server writes
// to stderr and what it writes to stdout after its start-up banner (which
// shows the sandbox's own token on purpose).
func startServerLogs(t testing.TB, logs *logBuffer, args ...string) *sandboxProc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	p := &sandboxProc{cancel: cancel, done: make(chan error, 1)}
	go func() {
		err := run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), pw, logs)
		pw.CloseWithError(fmt.Errorf("server stopped: %v", err))
		p.done <- err
	}()
	sc := bufio.NewScanner(pr)
	fields := map[string]*string{"page": &p.page, "api": &p.api, "storage": &p.storage, "app key": &p.key, "user token": &p.token, "demo project": &p.project, "partner": &p.partner}
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		if f, ok := fields[k]; ok {
			*f = strings.TrimSpace(v)
		}
		if k == "open" {
			break
		}
	}
	if p.project == "" {
		cancel()
		t.Fatalf("server did not start: %v; stderr: %s", sc.Err(), logs.String())
	}
	go func() { _, _ = io.Copy(logs, pr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-p.done:
			if err != nil {
				t.Errorf("server: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("server did not stop within 10s")
		}
	})
	return p
}

// gql posts a query with the sandbox's key and token and decodes data into out.
// It returns the first GraphQL error message, if any.
func (p *sandboxProc) gql(t testing.TB, query string, vars map[string]any, out any) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest("POST", p.api, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("key", p.key)
	req.Header.Set("altitoken", p.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("answer is not JSON: %v", err)
	}
	if len(r.Errors) > 0 {
		return r.Errors[0].Message
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			t.Fatalf("decode %s: %v", r.Data, err)
		}
	}
	return ""
}

func mustGQL(t testing.TB, p *sandboxProc, query string, vars map[string]any, out any) {
	t.Helper()
	if msg := p.gql(t, query, vars, out); msg != "" {
		t.Fatalf("GraphQL error: %s\nquery: %s", msg, query)
	}
}

func readImage(t testing.TB, name string) ([]byte, string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "images", name))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(b)
	return b, hex.EncodeToString(sum[:])
}

// waitFinal polls one image as the Altizure CLI does, once a second at most,
// until it is Ready or Invalid.
func waitFinal(t testing.TB, p *sandboxProc, pid, iid string) (state string, errs []string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var r struct {
			Project struct {
				Image struct {
					ID, State, Name, Filename string
					Error                     []string
				}
			}
		}
		mustGQL(t, p, `query ($pid: ID!, $iid: ID!) { project(id: $pid) { image(id: $iid) { id state name filename error } } }`,
			map[string]any{"pid": pid, "iid": iid}, &r)
		if s := r.Project.Image.State; s == "Ready" || s == "Invalid" {
			return s, r.Project.Image.Error
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("image %s not final within 20s", iid)
	return "", nil
}

func TestServerServesPageAndConfig(t *testing.T) {
	p := startServer(t)
	for _, tc := range []struct{ path, ctype string }{
		{"/", "text/html; charset=utf-8"},
		{"/config.json", "application/json"},
	} {
		resp, err := http.Get(p.page + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != tc.ctype {
			t.Errorf("%s: %d %q", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if tc.path == "/config.json" && !strings.Contains(string(b), p.project) {
			t.Errorf("config.json lacks the demo project: %s", b)
		}
	}
}

func TestFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-sts-ttl", "0s"},
		{"-presign-ttl", "200h"},
		{"-task-time", "0s"},
		{"-task-time", "48h"},
		{"-api", "ftp://x"},
		{"-s3-endpoint", "http://127.0.0.1:1"},
		{"-max-object-size", "-1"},
		{"-redirect-origins", "ftp://x"},
		{"-redirect-origins", "https://partner.test/path"},
		{"stray"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			err := run(context.Background(), append([]string{"-addr", "127.0.0.1:0"}, args...), io.Discard, io.Discard)
			if err == nil {
				t.Fatal("no error")
			}
		})
	}
}

// TestCORSExposes: a page on another origin can read the API's and the
// storage's Date and Retry-After (and the storage's ETag).
func TestCORSExposes(t *testing.T) {
	p := startServer(t)
	for _, c := range []struct {
		name, method, url string
		hdr               map[string]string
		want              []string
	}{
		{"graphql", http.MethodPost, p.api, map[string]string{"key": p.key, "Content-Type": "application/json"}, []string{"Date", "Retry-After"}},
		{"graphql refused", http.MethodPost, p.api, nil, []string{"Date", "Retry-After"}},
		{"oss", http.MethodPut, p.storage + "/altiup-oss-hangzhou/x", nil, []string{"ETag", "Date", "Retry-After"}},
		{"s3", http.MethodPut, p.storage + "/altiup/x", nil, []string{"ETag", "Date", "Retry-After"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, c.url, strings.NewReader(`{"query":"{ __typename }"}`))
			req.Header.Set("Origin", "https://partner.test")
			for k, v := range c.hdr {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got := strings.ToLower(resp.Header.Get("Access-Control-Expose-Headers"))
			for _, h := range c.want {
				if !strings.Contains(got, strings.ToLower(h)) {
					t.Errorf("%d: Access-Control-Expose-Headers %q lacks %s", resp.StatusCode, got, h)
				}
			}
			if resp.Header.Get("Date") == "" {
				t.Error("no Date header")
			}
		})
	}
}

// TestRedirectOrigins: the sign-in sends tokens to the page's own origin by
// default, and to the origins of -redirect-origins when given.
func TestRedirectOrigins(t *testing.T) {
	status := func(p *sandboxProc, redirect string) int {
		q := url.Values{"client_id": {p.key}, "response_type": {"token"}, "redirect_uri": {redirect}}
		resp, err := http.Get(p.page + "/auth/start?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	own := startServer(t)
	partner := startServer(t, "-redirect-origins", "https://partner.test, http://localhost:9000")
	for _, c := range []struct {
		p        *sandboxProc
		redirect string
		want     int
	}{
		{own, own.page + "?cloud=s3", http.StatusOK},
		{own, strings.Replace(own.page, "127.0.0.1", "localhost", 1), http.StatusOK},
		{own, "https://partner.test/cb", http.StatusBadRequest},
		{partner, "https://partner.test/cb", http.StatusOK},
		{partner, "http://localhost:9000/", http.StatusOK},
		{partner, "https://evil.test/", http.StatusBadRequest},
	} {
		if got := status(c.p, c.redirect); got != c.want {
			t.Errorf("%s: %d, want %d", c.redirect, got, c.want)
		}
	}
}

// TestDataSurvivesRestart: with -data, a restarted sandbox keeps its key,
// token, demo project and images.
func TestDataSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	p1 := startServer(t, "-data", dir)
	_, sum := readImage(t, "street.jpg")
	var r struct{ UploadImageS3 struct{ Image img } }
	mustGQL(t, p1, qRegS3, map[string]any{"pid": p1.project, "bucket": "Tokyo", "filename": "street.jpg", "type": "JPEG", "checksum": sum}, &r)
	p1.cancel()
	if err := <-p1.done; err != nil {
		t.Fatal(err)
	}
	p1.done <- nil // for the cleanup of p1
	p2 := startServer(t, "-data", dir)
	if p2.key != p1.key || p2.token != p1.token || p2.project != p1.project {
		t.Fatalf("after restart: key/token/project changed: %v %v %v", p2.key != p1.key, p2.token != p1.token, p2.project != p1.project)
	}
	var has struct{ HasImage *img }
	mustGQL(t, p2, qHasImage, map[string]any{"pid": p2.project, "checksum": sum}, &has)
	if has.HasImage == nil || has.HasImage.ID != r.UploadImageS3.Image.ID {
		t.Fatalf("image lost across restart: %+v", has.HasImage)
	}
}
