package versitytest

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"go/build"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// RequireEnv set to "1" turns a missing versitygw binary from a skip into a
// failure.
const RequireEnv = "ALTIUP_REQUIRE_VERSITYGW"

const (
	healthPath   = "/healthz"
	startTimeout = 15 * time.Second
	stopTimeout  = 5 * time.Second
	startTries   = 3 // a free port can be taken between choosing and binding
)

// Binary returns the path of the versitygw binary: on PATH or in
// $(go env GOPATH)/bin.
func Binary() (string, error) {
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p, nil
	}
	for _, dir := range filepath.SplitList(build.Default.GOPATH) {
		p := filepath.Join(dir, "bin", "versitygw")
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("versitygw is neither on PATH nor in %s/bin; install it with: go install github.com/versity/versitygw/cmd/versitygw@v1.8.0", build.Default.GOPATH)
}

// Start runs VersityGW on 127.0.0.1 for the test and stops it at cleanup. It
// returns the endpoint URL and the root account's keys.
func Start(t testing.TB) (endpoint, accessKey, secretKey string) {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("%v (%s=1 requires it)", err, RequireEnv)
		}
		t.Skip(err)
	}
	accessKey = randomString(20, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
	secretKey = randomString(40, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
	dir := t.TempDir()
	var lastErr error
	for range startTries {
		endpoint, lastErr = start(t, bin, dir, accessKey, secretKey)
		if lastErr == nil {
			return endpoint, accessKey, secretKey
		}
	}
	t.Fatalf("versitygw: %v", lastErr)
	return "", "", ""
}

func start(t testing.TB, bin, dir, accessKey, secretKey string) (string, error) {
	addr, err := freeAddr()
	if err != nil {
		return "", err
	}
	out := &lockedBuffer{}
	cmd := exec.Command(bin,
		"--port", addr,
		"--access", accessKey,
		"--secret", secretKey,
		"--region", "us-east-1",
		"--cors-allow-origin", "*",
		"--health", healthPath,
		"--quiet",
		"posix", dir)
	// Keys come from the flags only, never from the environment.
	cmd.Env = filterEnv(os.Environ(), "ROOT_ACCESS_KEY", "ROOT_ACCESS_KEY_ID", "ROOT_SECRET_KEY", "ROOT_SECRET_ACCESS_KEY")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return "", err
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(stopTimeout):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	endpoint := "http://" + addr
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-exited:
			return "", fmt.Errorf("exited at start: %s", strings.TrimSpace(out.String()))
		default:
		}
		resp, err := client.Get(endpoint + healthPath)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				t.Cleanup(stop)
				return endpoint, nil
			}
		}
		if time.Now().After(deadline) {
			stop()
			return "", fmt.Errorf("no answer on %s within %v: %s", addr, startTimeout, strings.TrimSpace(out.String()))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func filterEnv(env []string, drop ...string) []string {
	out := env[:0:0]
next:
	for _, kv := range env {
		for _, d := range drop {
			if strings.HasPrefix(kv, d+"=") {
				continue next
			}
		}
		out = append(out, kv)
	}
	return out
}

func randomString(n int, alphabet string) string {
	buf := make([]byte, n)
	_, _ = rand.Read(buf)
	for i, c := range buf {
		buf[i] = alphabet[int(c)%len(alphabet)]
	}
	return string(buf)
}

// lockedBuffer collects the process's output, written by exec's copying
// goroutines and read by Start.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
