package ossbucket

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	alioss "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// tamper changes one character in the middle of s.
func tamper(s string) string {
	i := len(s) / 2
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}

// rawPut sends a PUT to a URL and returns the OSS error it gets, if any.
func rawPut(t *testing.T, u string, hdr http.Header, body []byte) (int, alioss.ServiceError, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var se alioss.ServiceError
	if resp.StatusCode != 200 {
		se = serviceError(t, xmlServiceError(b, resp.StatusCode))
	}
	return resp.StatusCode, se, string(b)
}

func xmlServiceError(b []byte, status int) error {
	var se alioss.ServiceError
	if err := xml.Unmarshal(b, &se); err != nil {
		return err
	}
	se.StatusCode = status
	se.RawMessage = string(b)
	return se
}

func TestForbidden(t *testing.T) {
	const key = "pid-1/x.jpg"
	body := []byte("not allowed")
	type env struct {
		f    *fixture
		cred Credentials
		b    *alioss.Bucket // signed like the variant
		opts []alioss.ClientOption
	}
	cases := []struct {
		name   string
		status int
		code   string
		absent []string // keys that must not exist afterwards
		do     func(t *testing.T, e env) error
	}{
		{"another project's prefix", 403, "AccessDenied", []string{"pid-2/x.jpg"}, func(t *testing.T, e env) error {
			return e.b.PutObject("pid-2/x.jpg", bytes.NewReader(body))
		}},
		{"prefix without its slash", 403, "AccessDenied", []string{"pid-10/x.jpg"}, func(t *testing.T, e env) error {
			return e.b.PutObject("pid-10/x.jpg", bytes.NewReader(body))
		}},
		{"key outside any prefix", 403, "AccessDenied", []string{"x.jpg"}, func(t *testing.T, e env) error {
			return e.b.PutObject("x.jpg", bytes.NewReader(body))
		}},
		{"multipart under another prefix", 403, "AccessDenied", nil, func(t *testing.T, e env) error {
			_, err := e.b.InitiateMultipartUpload("pid-2/big.tif")
			return err
		}},
		{"another bucket", 403, "AccessDenied", nil, func(t *testing.T, e env) error {
			b, _ := e.b.Client.Bucket(bucketB)
			return b.PutObject(key, bytes.NewReader(body))
		}},
		// Without a served bucket in the address, the path is a key of the
		// token's bucket (as ali-oss sends it given an IP endpoint).
		{"bucket not served", 403, "AccessDenied", nil, func(t *testing.T, e env) error {
			b, _ := e.b.Client.Bucket("no-such-bucket")
			return b.PutObject(key, bytes.NewReader(body))
		}},
		{"read", 403, "AccessDenied", nil, func(t *testing.T, e env) error {
			_, err := e.b.GetObject(key)
			return err
		}},
		{"head", 403, "AccessDenied", nil, func(t *testing.T, e env) error {
			_, err := e.b.GetObjectDetailedMeta(key)
			return err
		}},
		{"list", 403, "AccessDenied", nil, func(t *testing.T, e env) error {
			_, err := e.b.ListObjects(alioss.Prefix("pid-1/"))
			return err
		}},
		{"list buckets", 403, "AccessDenied", nil, func(t *testing.T, e env) error {
			_, err := e.b.Client.ListBuckets()
			return err
		}},
		{"list uploads", 403, "AccessDenied", nil, func(t *testing.T, e env) error {
			_, err := e.b.ListMultipartUploads()
			return err
		}},
		{"delete", 403, "AccessDenied", nil, func(t *testing.T, e env) error {
			return e.b.DeleteObject(key)
		}},
		{"copy", 403, "AccessDenied", []string{"pid-1/copy.jpg"}, func(t *testing.T, e env) error {
			_, err := e.b.CopyObject(key, "pid-1/copy.jpg")
			return err
		}},
		{"set acl", 403, "AccessDenied", nil, func(t *testing.T, e env) error {
			return e.b.SetObjectACL(key, alioss.ACLPublicRead)
		}},
		{"expired token", 403, "SecurityTokenExpired", []string{key}, func(t *testing.T, e env) error {
			e.f.clock.Add(2 * time.Hour)
			return e.b.PutObject(key, bytes.NewReader(body))
		}},
		{"clock skew", 403, "RequestTimeTooSkewed", []string{key}, func(t *testing.T, e env) error {
			e.f.clock.Add(-20 * time.Minute)
			return e.b.PutObject(key, bytes.NewReader(body))
		}},
		{"tampered token", 403, "InvalidAccessKeyId", []string{key}, func(t *testing.T, e env) error {
			b := e.f.bucket(t, Credentials{Bucket: bucketA, AccessKeyID: e.cred.AccessKeyID,
				AccessKeySecret: e.cred.AccessKeySecret, SecurityToken: tamper(e.cred.SecurityToken)}, e.opts...)
			return b.PutObject(key, bytes.NewReader(body))
		}},
		{"another credential's token", 403, "InvalidAccessKeyId", []string{key}, func(t *testing.T, e env) error {
			other := e.f.issue(t, bucketA, "pid-1/", time.Hour)
			c := e.cred
			c.SecurityToken = other.SecurityToken
			return e.f.bucket(t, c, e.opts...).PutObject(key, bytes.NewReader(body))
		}},
		{"missing token", 403, "AccessDenied", []string{key}, func(t *testing.T, e env) error {
			c := e.cred
			c.SecurityToken = ""
			return e.f.bucket(t, c, e.opts...).PutObject(key, bytes.NewReader(body))
		}},
		{"unknown access key id", 403, "InvalidAccessKeyId", []string{key}, func(t *testing.T, e env) error {
			c := e.cred
			c.AccessKeyID = "STS.unknownkeyid000000000"
			c.AccessKeySecret = e.f.s.keys.secretFor(c.AccessKeyID)
			return e.f.bucket(t, c, e.opts...).PutObject(key, bytes.NewReader(body))
		}},
		{"wrong secret", 403, "SignatureDoesNotMatch", []string{key}, func(t *testing.T, e env) error {
			c := e.cred
			c.AccessKeySecret = tamper(c.AccessKeySecret)
			return e.f.bucket(t, c, e.opts...).PutObject(key, bytes.NewReader(body))
		}},
		{"tampered signed URL signature", 403, "SignatureDoesNotMatch", []string{key}, func(t *testing.T, e env) error {
			u := signed(t, e.b, key)
			q := u.Query()
			for _, p := range []string{"Signature", "x-oss-signature"} {
				if q.Has(p) {
					q.Set(p, tamper(q.Get(p)))
				}
			}
			u.RawQuery = q.Encode()
			return putURL(t, u.String(), nil, body)
		}},
		{"signed URL used for another key", 403, "SignatureDoesNotMatch", []string{"pid-1/y.jpg"}, func(t *testing.T, e env) error {
			u := signed(t, e.b, key)
			u.Path = "/" + bucketA + "/pid-1/y.jpg"
			return putURL(t, u.String(), nil, body)
		}},
		{"signed URL with another content type", 403, "SignatureDoesNotMatch", []string{key}, func(t *testing.T, e env) error {
			return putURL(t, signed(t, e.b, key).String(), http.Header{"Content-Type": {"application/pdf"}}, body)
		}},
		{"expired signed URL", 403, "AccessDenied", []string{key}, func(t *testing.T, e env) error {
			u := signed(t, e.b, key)
			e.f.clock.Add(11 * time.Minute)
			return putURL(t, u.String(), nil, body)
		}},
		{"anonymous", 403, "AccessDenied", []string{key}, func(t *testing.T, e env) error {
			return putURL(t, e.f.ts.URL+"/"+bucketA+"/"+key, nil, body)
		}},
	}
	for _, v := range authVariants {
		t.Run(v.name, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					f := newFixture(t, nil, 0)
					cred := f.issue(t, bucketA, "pid-1/", time.Hour)
					b := f.bucket(t, cred, v.opts...)
					err := c.do(t, env{f: f, cred: cred, b: b, opts: v.opts})
					if err == nil {
						t.Fatal("the request succeeded")
					}
					se := serviceError(t, err)
					if se.StatusCode != c.status || se.Code != c.code {
						t.Fatalf("got %d %s (%s), want %d %s", se.StatusCode, se.Code, se.Message, c.status, c.code)
					}
					if se.Message == "" || se.RequestID == "" {
						t.Fatalf("error without message or request id: %+v", se)
					}
					noSecrets(t, se.RawMessage+se.Message, cred)
					for _, k := range c.absent {
						f.mustBeAbsent(t, bucketA, k)
						f.mustBeAbsent(t, bucketB, k)
					}
				})
			}
		})
	}
}

func signed(t *testing.T, b *alioss.Bucket, key string) *url.URL {
	t.Helper()
	s, err := b.SignURL(key, alioss.HTTPPut, 600, alioss.ContentType("image/jpeg"))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func putURL(t *testing.T, u string, hdr http.Header, body []byte) error {
	t.Helper()
	if hdr == nil {
		hdr = http.Header{"Content-Type": {"image/jpeg"}}
	}
	status, se, raw := rawPut(t, u, hdr, body)
	if status == 200 {
		return nil
	}
	if !strings.Contains(raw, "<RequestId>") {
		t.Fatalf("error body is not an OSS error: %s", raw)
	}
	se.RequestID = "from body"
	return se
}
