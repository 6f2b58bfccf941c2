package s3bucket_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"altiup/server/internal/urledit"
	"altiup/server/s3bucket"
)

func TestPresignedPut(t *testing.T) {
	const key = "p1/photo.jpg"
	jpeg := map[string]string{"Content-Type": "image/jpeg"}
	cases := []struct {
		name    string
		ttl     time.Duration
		wait    time.Duration // before the PUT
		header  map[string]string
		edit    func(u *url.URL, q url.Values)
		wantOK  bool
		wantMsg string   // in the error's Message, if set
		absents []string // keys that must not exist afterwards
	}{
		{name: "signed content type", ttl: 3 * time.Hour, header: jpeg, wantOK: true},
		{name: "longest lifetime", ttl: s3bucket.MaxPresignTTL, header: jpeg, wantOK: true},
		{name: "other content type", ttl: time.Hour, header: map[string]string{"Content-Type": "image/png"}, absents: []string{key}},
		{name: "no content type", ttl: time.Hour, absents: []string{key}},
		{name: "signature changed", ttl: time.Hour, header: jpeg, absents: []string{key},
			edit: func(u *url.URL, q url.Values) {
				sig := []byte(q.Get("X-Amz-Signature"))
				sig[0] = map[bool]byte{true: 'a', false: '0'}[sig[0] == '0']
				q.Set("X-Amz-Signature", string(sig))
			}},
		{name: "key changed", ttl: time.Hour, header: jpeg, absents: []string{key, "p1/other.jpg"},
			edit: func(u *url.URL, q url.Values) { u.Path = strings.Replace(u.Path, "photo.jpg", "other.jpg", 1) }},
		{name: "pid changed", ttl: time.Hour, header: jpeg, absents: []string{key, "p2/photo.jpg"},
			edit: func(u *url.URL, q url.Values) { u.Path = strings.Replace(u.Path, "/p1/", "/p2/", 1) }},
		{name: "expiry extended", ttl: time.Second, header: jpeg, absents: []string{key},
			edit: func(u *url.URL, q url.Values) { q.Set("X-Amz-Expires", "604800") }},
		// The shortest lifetime Signature V4 allows is 1 s; the date in
		// the URL has whole seconds, so 2 s later it has surely expired.
		{name: "expired", ttl: time.Second, wait: 2 * time.Second, header: jpeg, wantMsg: "expired", absents: []string{key}},
	}
	for _, s := range setups {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			b := s.start(t)
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					// Each case has a key prefix of its own, so they run
					// side by side and the expiry wait overlaps the rest.
					t.Parallel()
					prefix := strings.ReplaceAll(tc.name, " ", "-") + "/"
					u, err := b.PresignPut(context.Background(), prefix+key, "image/jpeg", tc.ttl)
					if err != nil {
						t.Fatalf("PresignPut: %v", err)
					}
					if !strings.Contains(u, "/"+b.Bucket()+"/"+prefix+key+"?") {
						t.Errorf("presigned URL is not path style for bucket %q", b.Bucket())
					}
					if q := mustQuery(t, u); !strings.Contains(q.Get("X-Amz-SignedHeaders"), "content-type") {
						t.Errorf("X-Amz-SignedHeaders = %q, want content-type signed", q.Get("X-Amz-SignedHeaders"))
					}
					if got, want := mustQuery(t, u).Get("X-Amz-Expires"), strconv.Itoa(int(tc.ttl/time.Second)); got != want {
						t.Errorf("X-Amz-Expires = %s, want %s", got, want)
					}
					if tc.edit != nil {
						u = urledit.Edit(t, u, tc.edit)
					}
					time.Sleep(tc.wait)
					body := randomBytes(t, 64<<10)
					resp, respBody := upload(t, u, tc.header, bytes.NewReader(body))
					if tc.wantOK {
						if resp.StatusCode != http.StatusOK {
							t.Fatalf("PUT status %d, want 200: %s", resp.StatusCode, respBody)
						}
						if resp.Header.Get("ETag") == "" {
							t.Error("PUT response has no ETag")
						}
						if got := readAll(t, b, prefix+key); !bytes.Equal(got, body) {
							t.Errorf("Open read %d bytes that differ from the %d uploaded", len(got), len(body))
						}
						if n, err := b.Stat(context.Background(), prefix+key); err != nil || n != int64(len(body)) {
							t.Errorf("Stat = %d, %v; want %d", n, err, len(body))
						}
						if s.inProcess {
							if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
								t.Errorf("Access-Control-Allow-Origin = %q, want *", got)
							}
							for _, want := range []string{"ETag", "Date", "Retry-After", "X-Amz-Request-Id"} {
								if got := resp.Header.Get("Access-Control-Expose-Headers"); !containsFold(got, want) {
									t.Errorf("Access-Control-Expose-Headers = %q, want %s in it", got, want)
								}
							}
						}
						t.Logf("PUT response CORS: Allow-Origin %q, Expose-Headers %q",
							resp.Header.Get("Access-Control-Allow-Origin"), resp.Header.Get("Access-Control-Expose-Headers"))
						return
					}
					if resp.StatusCode < 400 || resp.StatusCode > 499 {
						t.Errorf("PUT status %d, want 4xx: %s", resp.StatusCode, respBody)
					}
					t.Logf("refused: %d %s: %s", resp.StatusCode, s3Code(respBody), s3Message(respBody))
					if !strings.Contains(strings.ToLower(s3Message(respBody)), tc.wantMsg) {
						t.Errorf("error message %q, want %q in it", s3Message(respBody), tc.wantMsg)
					}
					for _, k := range tc.absents {
						assertAbsent(t, b, prefix+k)
					}
				})
			}
		})
	}
}

func mustQuery(t *testing.T, rawURL string) url.Values {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// s3Code returns the <Code> of an S3 XML error body.
func s3Code(body string) string { return xmlElement(body, "Code") }

// s3Message returns the <Message> of an S3 XML error body.
func s3Message(body string) string { return xmlElement(body, "Message") }

func xmlElement(body, name string) string {
	_, rest, ok := strings.Cut(body, "<"+name+">")
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, "</"+name+">")
	return v
}

func TestPresignedPutWrongContentTypeCode(t *testing.T) {
	// The contract names the error: SignatureDoesNotMatch, 403.
	for _, s := range setups {
		t.Run(s.name, func(t *testing.T) {
			b := s.start(t)
			u, err := b.PresignPut(context.Background(), "p1/a.jpg", "image/jpeg", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			resp, body := upload(t, u, map[string]string{"Content-Type": "image/png"}, strings.NewReader("x"))
			if resp.StatusCode != http.StatusForbidden || s3Code(body) != "SignatureDoesNotMatch" {
				t.Errorf("got %d %q, want 403 SignatureDoesNotMatch", resp.StatusCode, s3Code(body))
			}
		})
	}
}
