package s3bucket_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"altiup/server/internal/urledit"
)

// download GETs rawURL as a page on another origin would.
func download(t *testing.T, method, rawURL string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", "http://page.example")
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func TestPresignedGet(t *testing.T) {
	for _, s := range setups {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			b := s.start(t)
			const key = "p1/0123abcd.jpg"
			data := randomBytes(t, 40<<10)
			for _, k := range []string{key, "p1/other.jpg"} {
				if err := b.Put(ctx, k, bytes.NewReader(data), int64(len(data)), "application/octet-stream"); err != nil {
					t.Fatal(err)
				}
			}
			link, err := b.PresignGet(ctx, key, "image/jpeg", 15*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if got := mustQuery(t, link).Get("X-Amz-Expires"); got != "900" {
				t.Errorf("X-Amz-Expires = %s, want 900", got)
			}
			resp, body := download(t, http.MethodGet, link)
			if resp.StatusCode != http.StatusOK || !bytes.Equal(body, data) {
				t.Fatalf("GET the link: %d, %d bytes; want 200 and the object: %s", resp.StatusCode, len(body), s3Message(string(body)))
			}
			if ct := resp.Header.Get("Content-Type"); ct != "image/jpeg" {
				t.Errorf("Content-Type %q, want image/jpeg", ct)
			}
			if s.inProcess {
				if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
					t.Errorf("Access-Control-Allow-Origin = %q, want *", got)
				}
			}

			put, err := b.PresignPut(ctx, key, "image/jpeg", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			short, err := b.PresignGet(ctx, key, "", time.Second)
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(2 * time.Second) // the URL's date has whole seconds
			for _, tc := range []struct {
				name, method, url string
				// a missing parameter is a malformed request (400) on AWS
				// and VersityGW, and anonymous (403) in-process
				malformed bool
			}{
				{name: "expired", method: http.MethodGet, url: short},
				{name: "later expiry", method: http.MethodGet, url: urledit.Edit(t, short, func(_ *url.URL, q url.Values) { q.Set("X-Amz-Expires", "604800") })},
				{name: "other key", method: http.MethodGet, url: urledit.Edit(t, link, func(u *url.URL, _ url.Values) { u.Path = strings.Replace(u.Path, "0123abcd", "other", 1) })},
				{name: "other content type", method: http.MethodGet, url: urledit.Edit(t, link, func(_ *url.URL, q url.Values) { q.Set("response-content-type", "text/html") })},
				{name: "changed signature", method: http.MethodGet, url: urledit.Edit(t, link, func(_ *url.URL, q url.Values) {
					sig := []byte(q.Get("X-Amz-Signature"))
					sig[0] = map[bool]byte{true: 'a', false: '0'}[sig[0] == '0']
					q.Set("X-Amz-Signature", string(sig))
				})},
				{name: "no signature", method: http.MethodGet, url: urledit.Edit(t, link, func(_ *url.URL, q url.Values) { q.Del("X-Amz-Signature") }), malformed: true},
				{name: "an upload's presigned PUT", method: http.MethodGet, url: put},
			} {
				t.Run(tc.name, func(t *testing.T) {
					resp, body := download(t, tc.method, tc.url)
					refused := resp.StatusCode == http.StatusForbidden || tc.malformed && resp.StatusCode == http.StatusBadRequest
					if !refused || s3Code(string(body)) == "" {
						t.Errorf("%d %q, want 403 with an S3 error", resp.StatusCode, s3Code(string(body)))
					}
					t.Logf("refused: %d %s: %s", resp.StatusCode, s3Code(string(body)), s3Message(string(body)))
				})
			}
		})
	}
}
