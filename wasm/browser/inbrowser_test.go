//go:build !js

package browser

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"altiup/server/s3bucket"
	"altiup/server/sandbox"
)

// corsEcho is the storage stand-in the browser tests send to. PUT answers
// with what arrived (length, SHA-1, Content-Type) in exposed headers.
func corsEcho(cors bool) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	})
	// The workers' scripts, for the tests to start workers from.
	for _, name := range []string{"hash-worker.js", "head-worker.js"} {
		mux.HandleFunc("GET /"+name, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/javascript")
			http.ServeFile(w, r, filepath.Join("..", "..", "web", name))
		})
	}
	// The loader, for the JS API's tests to take its deliver helper from.
	mux.HandleFunc("GET /altiup.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		http.ServeFile(w, r, filepath.Join("..", "..", "web", "altiup.js"))
	})
	mux.HandleFunc("PUT /echo/", func(w http.ResponseWriter, r *http.Request) {
		h := sha1.New()
		n, err := io.Copy(h, r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("X-Echo-Length", strconv.FormatInt(n, 10))
		w.Header().Set("X-Echo-Sha1", hex.EncodeToString(h.Sum(nil)))
		w.Header().Set("X-Echo-Content-Type", r.Header.Get("Content-Type"))
		w.Header().Set("X-Echo-Meta", r.Header.Get("X-Oss-Meta-Test"))
		w.Header().Set("ETag", `"`+hex.EncodeToString(h.Sum(nil))+`"`)
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("PUT /status/403", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired.</Message></Error>`)
	})
	mux.HandleFunc("PUT /status/503", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`)
	})
	// /hang takes the body and never answers until the client goes away.
	mux.HandleFunc("PUT /hang", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	})
	if !cors {
		return mux
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Expose-Headers", "ETag, Retry-After, X-Echo-Length, X-Echo-Sha1, X-Echo-Content-Type, X-Echo-Meta")
		if r.Method == http.MethodOptions {
			w.Header().Set("Access-Control-Allow-Methods", "GET, PUT")
			w.Header().Set("Access-Control-Allow-Headers", "Content-Type, X-Oss-Meta-Test")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// findTool returns the path of a program the browser tests need: on PATH, or
// for wasmbrowsertest also in GOPATH/bin where go install puts it.
func findTool(t *testing.T, name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if name == "wasmbrowsertest" {
		out, err := exec.Command("go", "env", "GOPATH").Output()
		if err == nil {
			p := filepath.Join(strings.TrimSpace(string(out)), "bin", name)
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if os.Getenv("CI") != "" || os.Getenv("ALTIUP_REQUIRE_CHROMIUM") != "" {
		t.Fatalf("%s is not installed; the browser tests need it", name)
	}
	t.Skipf("%s is not installed; skipping the browser tests", name)
	return ""
}

// browserPackages are the packages whose js/wasm tests TestInBrowser runs:
// this one and the JS API built on it.
var browserPackages = []string{".", "../cmd/altiup"}

// testSandbox starts the sandbox's API with an in-process S3 store behind
// it, for the JS API's tests; it returns the API's URL, app key and user
// token.
func testSandbox(t *testing.T) (api, key, token string) {
	key, token = "test-key", "test-token-SECRET"
	var storage http.Handler = http.NotFoundHandler()
	store := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { storage.ServeHTTP(w, r) }))
	t.Cleanup(store.Close)
	s3, err := s3bucket.New(context.Background(), s3bucket.Config{PublicURL: store.URL})
	if err != nil {
		t.Fatal(err)
	}
	storage = s3.Handler()
	sb, err := sandbox.New(sandbox.Config{
		AppKey: key,
		// The demo users, signed in as the demo user: its account prices a batch.
		Users: sandbox.DemoUsers(token),
		S3:    s3,
		// S3 objects are looked for often, so the tests wait little.
		WatchInterval: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	return srv.URL + "/graphql", key, token
}

// TestInBrowser runs the js/wasm tests of browserPackages in headless
// Chromium with wasmbrowsertest, against CORS echo servers and a sandbox
// started here (a test in the browser cannot listen itself).
// wasmbrowsertest hands the environment to the wasm program, which finds
// the servers in ALTIUP_TEST_CORS_URL, ALTIUP_TEST_NOCORS_URL and
// ALTIUP_TEST_API (with ALTIUP_TEST_KEY and ALTIUP_TEST_TOKEN).
func TestInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	runner := findTool(t, "wasmbrowsertest")
	chromium := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			chromium = p
			break
		}
	}
	if chromium == "" {
		findTool(t, "chromium")
	}

	cors := httptest.NewServer(corsEcho(true))
	defer cors.Close()
	nocors := httptest.NewServer(corsEcho(false))
	defer nocors.Close()
	api, key, token := testSandbox(t)

	args := []string{"test", "-count=1", "-v", "-exec", runner}
	if run := os.Getenv("ALTIUP_BROWSER_RUN"); run != "" {
		args = append(args, "-run", run)
	}
	cmd := exec.Command("go", append(args, browserPackages...)...)
	cmd.Env = append(os.Environ(),
		"GOOS=js", "GOARCH=wasm",
		"ALTIUP_TEST_CORS_URL="+cors.URL,
		"ALTIUP_TEST_NOCORS_URL="+nocors.URL,
		"ALTIUP_TEST_API="+api,
		"ALTIUP_TEST_KEY="+key,
		"ALTIUP_TEST_TOKEN="+token,
	)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	// chromedp's old protocol tables log every event they do not know; drop that noise.
	noise := regexp.MustCompile(`(?m)^.*could not unmarshal event.*\n`)
	log := noise.ReplaceAllString(out.String(), "")
	t.Logf("wasm tests (%s/%s host):\n%s", runtime.GOOS, runtime.GOARCH, log)
	if err != nil {
		t.Fatalf("the browser tests failed: %v", err)
	}
	// Every browser test must have run for real: a skip here means the servers
	// did not reach the wasm side.
	if strings.Contains(log, "--- SKIP") {
		t.Fatal("a browser test was skipped")
	}
	for _, name := range []string{"TestPutEcho", "TestFetchCORS", "TestFetchTransport", "TestFetchTransportGraphQL", "TestSHA1", "TestWorkerSHA1", "TestHeadPool", "TestOnAndAdd", "TestConnect", "TestPauseAndCancel", "TestInvalidSentAgain", "TestInspect", "TestReplaceInvalid", "TestExportPositions", "TestConnectErrorCodes", "TestWorkerStopQuiet"} {
		if !strings.Contains(log, "--- PASS: "+name+" ") {
			t.Fatalf("%s did not pass in the browser", name)
		}
	}
}
