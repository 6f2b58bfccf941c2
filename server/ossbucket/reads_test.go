package ossbucket

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

	alioss "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// get sends a GET from another origin and returns the status, the
// Content-Type, Access-Control-Allow-Origin, the OSS error code and the body.
func get(t *testing.T, method, rawURL string) (status int, ct, acao, code string, body []byte) {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", "http://page.test")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		code = xmlCode(body)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Access-Control-Allow-Origin"), code, body
}

func xmlCode(body []byte) string {
	_, rest, _ := strings.Cut(string(body), "<Code>")
	code, _, _ := strings.Cut(rest, "</Code>")
	return code
}

func TestSignGetURL(t *testing.T) {
	const key = "p1/0123abcd.jpg"
	data := randBytes(5000, 7)
	f := newFixture(t, nil, 0)
	ctx := context.Background()
	for _, k := range []string{key, "p1/other.jpg"} {
		if err := f.s.Put(ctx, bucketA, k, bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatal(err)
		}
	}
	link, err := f.s.SignGetURL(bucketA, key, "image/jpeg", 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"OSSAccessKeyId", "Expires", "Signature", "security-token"} {
		if !mustParse(t, link).Query().Has(p) {
			t.Errorf("the link has no %s", p)
		}
	}

	status, ct, acao, code, body := get(t, http.MethodGet, link)
	if status != http.StatusOK || !bytes.Equal(body, data) {
		t.Fatalf("GET the link: %d %s, %d bytes; want 200 and the object", status, code, len(body))
	}
	if ct != "image/jpeg" || acao != "http://page.test" {
		t.Errorf("Content-Type %q, Access-Control-Allow-Origin %q; want image/jpeg and the page's origin", ct, acao)
	}

	// An uploader's STS signs a GET as the SDK does: still refused.
	c := f.issue(t, bucketA, "p1/", time.Hour)
	uploaderGet, err := f.bucket(t, c).SignURL(key, alioss.HTTPGet, 60)
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, method, url, code string
	}{
		{"uploader STS", http.MethodGet, uploaderGet, "AccessDenied"},
		{"later expiry", http.MethodGet, urledit.Edit(t, link, func(_ *url.URL, q url.Values) { q.Set("Expires", "99999999999") }), "SignatureDoesNotMatch"},
		{"other key", http.MethodGet, urledit.Edit(t, link, func(u *url.URL, _ url.Values) { u.Path = strings.Replace(u.Path, "0123abcd", "other", 1) }), "SignatureDoesNotMatch"},
		{"other content type", http.MethodGet, urledit.Edit(t, link, func(_ *url.URL, q url.Values) { q.Set("response-content-type", "text/html") }), "SignatureDoesNotMatch"},
		{"changed signature", http.MethodGet, urledit.Edit(t, link, func(_ *url.URL, q url.Values) {
			sig := []byte(q.Get("Signature"))
			sig[0] ^= 1
			q.Set("Signature", string(sig))
		}), "SignatureDoesNotMatch"},
		{"no signature", http.MethodGet, urledit.Edit(t, link, func(_ *url.URL, q url.Values) { q.Del("Signature") }), "SignatureDoesNotMatch"},
		{"changed token", http.MethodGet, urledit.Edit(t, link, func(_ *url.URL, q url.Values) { q.Set("security-token", q.Get("security-token")+"x") }), "InvalidAccessKeyId"},
		{"PUT with it", http.MethodPut, link, "SignatureDoesNotMatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, ct, acao, code, _ := get(t, tc.method, tc.url)
			if status != http.StatusForbidden || code != tc.code || ct != "application/xml" {
				t.Errorf("%d %s (%s), want 403 %s in OSS XML", status, code, ct, tc.code)
			}
			if acao == "" {
				t.Error("a refusal is not readable cross-origin")
			}
		})
	}

	// A read credential signing a PUT correctly is refused as well.
	readTok := mustParse(t, link).Query().Get("security-token")
	rc, _ := f.s.keys.parse(readTok)
	put, err := sdkBucket(t, f.ts.URL, bucketA, rc.AccessKeyID, f.s.keys.secretFor(rc.AccessKeyID), readTok).
		SignURL(key, alioss.HTTPPut, 60)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPut, put, strings.NewReader("overwritten"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("PUT signed with a read credential: %d, want 403", resp.StatusCode)
	}
	f.mustEqual(t, bucketA, key, data)

	f.clock.Add(15*time.Minute + time.Second)
	if status, _, _, code, _ := get(t, http.MethodGet, link); status != http.StatusForbidden || code == "" {
		t.Errorf("expired link: %d %q, want 403 with an OSS error", status, code)
	}
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
