package sandbox_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"altiup/server/sandbox/internal/gqltest"
)

// BenchmarkHasImage measures hasImage requests per second through the HTTP
// handler, in a project of 1000 images, half the lookups hits.
func BenchmarkHasImage(b *testing.B) {
	e := newEnv(b)
	pid := e.project("bench")
	jpg := gqltest.IMAGE_TYPEJpeg
	var sums []string
	for i := range 1000 {
		s := sha(fmt.Appendf(nil, "image %d", i))
		if _, err := gqltest.UploadImageOSS(ctx, e.demo, pid, gqltest.BucketOSSHangzhou, "b.jpg", &jpg, &s); err != nil {
			b.Fatal(err)
		}
		sums = append(sums, s, sha(fmt.Appendf(nil, "absent %d", i)))
	}
	const q = `mutation ($pid: ID!, $checksum: String!) { hasImage(pid: $pid, checksum: $checksum) { id state name checksum } }`
	var bodies []string
	for _, s := range sums {
		body, _ := json.Marshal(map[string]any{"query": q, "variables": map[string]any{"pid": pid, "checksum": s}})
		bodies = append(bodies, string(body))
	}
	h := e.sb.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(bodies[i%len(bodies)]))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("key", appKey)
			req.Header.Set("altitoken", demoToken)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusOK || strings.Contains(w.Body.String(), `"errors"`) {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
			i++
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}
