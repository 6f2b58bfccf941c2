package sandbox_test

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"altiup/server/sandbox/internal/gqltest"
)

// Close stops every background goroutine, a fetch in flight included, and
// may be called twice.
func TestCloseStopsBackgroundWork(t *testing.T) {
	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-hang:
		}
	}))
	defer slow.Close()
	defer close(hang)

	before := runtime.NumGoroutine()
	e := newEnv(t)
	pid := e.project("closing")
	if _, err := gqltest.UploadImageURL(ctx, e.demo, pid, slow.URL+"/a.jpg", nil, nil); err != nil {
		t.Fatal(err)
	}
	e.stop()
	if err := e.sb.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines before, %d after Close:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}
