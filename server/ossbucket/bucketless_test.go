package ossbucket

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"
	"time"

	alioss "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// TestNoBucketInPath: given an IP endpoint, ali-oss in a browser sends
// PUT /<key> with no bucket (it would name the bucket in the Host header,
// which a browser cannot set). The bucket is taken from the security token;
// every refusal is a 403, never 404 NoSuchBucket.
func TestNoBucketInPath(t *testing.T) {
	f := newFixture(t, nil, 0)
	cred := f.issue(t, bucketA, "pid-1/", time.Hour)
	other := f.issue(t, bucketA, "pid-2/", time.Hour)
	forged := tokenPrefix + base64.RawURLEncoding.EncodeToString([]byte(`{"id":"`+cred.AccessKeyID+`","bucket":"`+bucketA+`","prefix":"","exp":9999999999}`)) + ".AAAA"

	// headerSigned signs PUT /<key> as ali-oss does in a browser: V1, with
	// x-oss-date, the resource naming the bucket.
	headerSigned := func(key, token string) (string, http.Header) {
		xdate := f.clock.Now().UTC().Format(http.TimeFormat)
		r, _ := http.NewRequest(http.MethodPut, "/", nil)
		r.Header.Set("Content-Type", "image/jpeg")
		r.Header.Set("X-Oss-Date", xdate)
		if token != "" {
			r.Header.Set("X-Oss-Security-Token", token)
		}
		r.Header.Set("Authorization", "OSS "+cred.AccessKeyID+":"+v1Sign(cred.AccessKeySecret, v1StringToSign(r, xdate, "/"+bucketA+"/"+key)))
		return f.ts.URL + "/" + key, r.Header
	}
	// urlSigned is a signed PUT URL from the SDK with the bucket taken out
	// of its path.
	urlSigned := func(opts []alioss.ClientOption, c Credentials, key string) (string, http.Header) {
		u := signed(t, f.bucket(t, c, opts...), key)
		u.Path = "/" + key
		return u.String(), http.Header{"Content-Type": {"image/jpeg"}}
	}
	v4 := authVariants[1].opts

	cases := []struct {
		name   string
		req    func() (string, http.Header)
		key    string // written on success, absent otherwise
		status int
		code   string
	}{
		{"header signed", func() (string, http.Header) { return headerSigned("pid-1/h.jpg", cred.SecurityToken) }, "pid-1/h.jpg", 200, ""},
		{"V1 signed URL", func() (string, http.Header) { return urlSigned(nil, cred, "pid-1/v1.jpg") }, "pid-1/v1.jpg", 200, ""},
		{"V4 signed URL", func() (string, http.Header) { return urlSigned(v4, cred, "pid-1/v4.jpg") }, "pid-1/v4.jpg", 200, ""},
		{"outside the prefix", func() (string, http.Header) { return headerSigned("pid-2/h.jpg", cred.SecurityToken) }, "pid-2/h.jpg", 403, "AccessDenied"},
		{"V4 signed URL outside the prefix", func() (string, http.Header) {
			u, h := urlSigned(v4, cred, "pid-1/v4.jpg")
			pu, _ := url.Parse(u)
			pu.Path = "/pid-2/v4.jpg"
			return pu.String(), h
		}, "pid-2/v4.jpg", 403, "AccessDenied"},
		{"another credential's token", func() (string, http.Header) { return headerSigned("pid-2/o.jpg", other.SecurityToken) }, "pid-2/o.jpg", 403, "InvalidAccessKeyId"},
		{"tampered token", func() (string, http.Header) { return headerSigned("pid-1/t.jpg", tamper(cred.SecurityToken)) }, "pid-1/t.jpg", 403, "InvalidAccessKeyId"},
		{"forged token", func() (string, http.Header) { return headerSigned("pid-1/f.jpg", forged) }, "pid-1/f.jpg", 403, "InvalidAccessKeyId"},
		{"unparseable token", func() (string, http.Header) { return headerSigned("pid-1/u.jpg", "not-a-token") }, "pid-1/u.jpg", 403, "InvalidAccessKeyId"},
		{"V4 signed URL with a tampered token", func() (string, http.Header) {
			u, h := urlSigned(v4, cred, "pid-1/v4t.jpg")
			pu, _ := url.Parse(u)
			q := pu.Query()
			q.Set("x-oss-security-token", tamper(q.Get("x-oss-security-token")))
			pu.RawQuery = q.Encode()
			return pu.String(), h
		}, "pid-1/v4t.jpg", 403, "InvalidAccessKeyId"},
		{"missing token", func() (string, http.Header) { return headerSigned("pid-1/m.jpg", "") }, "pid-1/m.jpg", 403, "AccessDenied"},
		{"anonymous", func() (string, http.Header) {
			return f.ts.URL + "/pid-1/a.jpg", http.Header{"Content-Type": {"image/jpeg"}}
		}, "pid-1/a.jpg", 403, "AccessDenied"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, hdr := c.req()
			status, se, raw := rawPut(t, u, hdr, []byte("jpeg"))
			if status != c.status || se.Code != c.code {
				t.Fatalf("%d %s, want %d %s: %s", status, se.Code, c.status, c.code, raw)
			}
			noSecrets(t, raw, cred)
			if c.status == 200 {
				f.mustEqual(t, bucketA, c.key, []byte("jpeg"))
			} else {
				f.mustBeAbsent(t, bucketA, c.key)
			}
		})
	}
}
