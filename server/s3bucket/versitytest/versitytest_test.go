package versitytest_test

import (
	"net/http"
	"testing"
	"time"

	"altiup/server/s3bucket/versitytest"
)

func TestStartAndStop(t *testing.T) {
	client := &http.Client{Timeout: 2 * time.Second}
	var endpoints []string
	t.Run("two at once", func(t *testing.T) {
		for range 2 {
			endpoint, ak, sk := versitytest.Start(t)
			if ak == "" || sk == "" {
				t.Fatal("empty keys")
			}
			endpoints = append(endpoints, endpoint)
			// Anonymous requests reach the server and are refused.
			resp, err := client.Get(endpoint + "/")
			if err != nil {
				t.Fatalf("GET %s: %v", endpoint, err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("anonymous GET status %d, want 403", resp.StatusCode)
			}
		}
		if endpoints[0] == endpoints[1] {
			t.Errorf("both servers on %s", endpoints[0])
		}
	})
	// The subtest's cleanup stopped both.
	for _, e := range endpoints {
		if resp, err := client.Get(e + "/"); err == nil {
			resp.Body.Close()
			t.Errorf("%s still answers after cleanup", e)
		}
	}
}
