package ossbucket

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"errors"
	"fmt"
	"hash/crc64"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	alioss "github.com/aliyun/aliyun-oss-go-sdk/oss"
)

func TestCORS(t *testing.T) {
	f := newFixture(t, nil, 0)
	cases := []struct {
		name       string
		reqHeaders string
		wantAllow  string
	}{
		{"requested headers echoed", "authorization,content-type,x-oss-date,x-oss-security-token,x-oss-user-agent", "authorization,content-type,x-oss-date,x-oss-security-token,x-oss-user-agent"},
		{"no requested headers", "", corsHeaders},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodOptions, f.ts.URL+"/"+bucketA+"/pid-1/a.jpg?uploads", nil)
			req.Header.Set("Origin", "http://localhost:8080")
			req.Header.Set("Access-Control-Request-Method", "PUT")
			if c.reqHeaders != "" {
				req.Header.Set("Access-Control-Request-Headers", c.reqHeaders)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			h := resp.Header
			if resp.StatusCode != 200 || h.Get("Access-Control-Allow-Origin") != "http://localhost:8080" ||
				h.Get("Access-Control-Allow-Headers") != c.wantAllow || !strings.Contains(h.Get("Access-Control-Expose-Headers"), "ETag") {
				t.Fatalf("preflight: %d %v", resp.StatusCode, h)
			}
			for _, m := range []string{"PUT", "POST", "GET", "DELETE", "HEAD"} {
				if !strings.Contains(h.Get("Access-Control-Allow-Methods"), m) {
					t.Fatalf("method %s not allowed: %v", m, h)
				}
			}
		})
	}
	t.Run("error responses carry CORS headers", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPut, f.ts.URL+"/"+bucketA+"/pid-1/a.jpg", strings.NewReader("x"))
		req.Header.Set("Origin", "https://example.org")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 403 || resp.Header.Get("Access-Control-Allow-Origin") != "https://example.org" {
			t.Fatalf("got %d %v", resp.StatusCode, resp.Header)
		}
		for _, h := range []string{"x-oss-request-id", "ETag", "Date", "Retry-After"} {
			if !strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), h) {
				t.Errorf("Access-Control-Expose-Headers %q lacks %s", resp.Header.Get("Access-Control-Expose-Headers"), h)
			}
		}
	})
}

func TestOversize(t *testing.T) {
	const max = 64 << 10
	f := newFixture(t, nil, max)
	cred := f.issue(t, bucketA, "pid-1/", time.Hour)
	b := f.bucket(t, cred)

	t.Run("PutObject with Content-Length", func(t *testing.T) {
		err := b.PutObject("pid-1/big.jpg", bytes.NewReader(randBytes(max+1, 1)))
		se := serviceError(t, err)
		if se.StatusCode != 400 || se.Code != "EntityTooLarge" || !strings.Contains(se.Message, "65536 bytes") {
			t.Fatalf("got %d %s %q", se.StatusCode, se.Code, se.Message)
		}
		f.mustBeAbsent(t, bucketA, "pid-1/big.jpg")
	})
	t.Run("chunked body", func(t *testing.T) {
		u := signedPlain(t, b, "pid-1/chunked.jpg")
		// A reader of unknown length makes the client send it chunked.
		req, _ := http.NewRequest(http.MethodPut, u, io.MultiReader(bytes.NewReader(randBytes(max+10, 2))))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		f.mustBeAbsent(t, bucketA, "pid-1/chunked.jpg")
	})
	t.Run("exactly the limit", func(t *testing.T) {
		data := randBytes(max, 3)
		if err := b.PutObject("pid-1/limit.jpg", bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		f.mustEqual(t, bucketA, "pid-1/limit.jpg", data)
	})
	t.Run("Server.Put", func(t *testing.T) {
		err := f.s.Put(context.Background(), bucketA, "pid-1/import.jpg", bytes.NewReader(randBytes(max+1, 4)), -1)
		var e *Error
		if !errors.As(err, &e) || e.Code != "EntityTooLarge" {
			t.Fatalf("got %v", err)
		}
		f.mustBeAbsent(t, bucketA, "pid-1/import.jpg")
	})
}

func signedPlain(t *testing.T, b *alioss.Bucket, key string) string {
	t.Helper()
	u, err := b.SignURL(key, alioss.HTTPPut, 600)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestCutBody sends fewer bytes than announced and drops the connection:
// nothing may be stored, and an earlier object stays as it was.
func TestCutBody(t *testing.T) {
	for _, st := range []struct {
		name  string
		store func(t *testing.T) Store
	}{
		{"mem", func(t *testing.T) Store { return NewMemStore() }},
		{"dir", func(t *testing.T) Store {
			d, err := NewDirStore(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return d
		}},
	} {
		t.Run(st.name, func(t *testing.T) {
			f := newFixture(t, st.store(t), 0)
			cred := f.issue(t, bucketA, "pid-1/", time.Hour)
			b := f.bucket(t, cred)
			old := []byte("earlier version")
			if err := b.PutObject("pid-1/cut.jpg", bytes.NewReader(old)); err != nil {
				t.Fatal(err)
			}
			<-f.served
			for _, key := range []string{"pid-1/cut.jpg", "pid-1/never.jpg"} {
				u := signedPlain(t, b, key)
				conn, err := net.Dial("tcp", f.ts.Listener.Addr().String())
				if err != nil {
					t.Fatal(err)
				}
				path := u[len(f.ts.URL):]
				fmt.Fprintf(conn, "PUT %s HTTP/1.1\r\nHost: %s\r\nContent-Length: 100000\r\n\r\n", path, f.ts.Listener.Addr())
				conn.Write(randBytes(50000, 9))
				conn.Close()
				<-f.served
			}
			f.mustEqual(t, bucketA, "pid-1/cut.jpg", old)
			f.mustBeAbsent(t, bucketA, "pid-1/never.jpg")
		})
	}
}

func TestPutResponseHeaders(t *testing.T) {
	f := newFixture(t, nil, 0)
	cred := f.issue(t, bucketA, "pid-1/", time.Hour)
	b := f.bucket(t, cred)
	data := randBytes(4321, 5)
	req, _ := http.NewRequest(http.MethodPut, signedPlain(t, b, "pid-1/h.jpg"), bytes.NewReader(data))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	sum := md5.Sum(data)
	want := map[string]string{
		"ETag":                 quotedMD5(data),
		"Content-MD5":          base64Std(sum[:]),
		"X-Oss-Hash-Crc64ecma": strconv.FormatUint(crc64.Checksum(data, crc64.MakeTable(crc64.ECMA)), 10),
	}
	for k, v := range want {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if resp.StatusCode != 200 || len(resp.Header.Get("X-Oss-Request-Id")) != 24 {
		t.Fatalf("status %d, headers %v", resp.StatusCode, resp.Header)
	}
}

// TestBrowserStyleV1 signs as ali-oss does in a browser, which cannot set
// the Date header: x-oss-date takes its place in the string to sign.
func TestBrowserStyleV1(t *testing.T) {
	f := newFixture(t, nil, 0)
	cred := f.issue(t, bucketA, "pid-1/", time.Hour)
	xdate := f.clock.Now().UTC().Format(http.TimeFormat)
	key := "pid-1/浏览器 上传.jpg"
	sts := "PUT\n\nimage/jpeg\n" + xdate + "\nx-oss-date:" + xdate + "\nx-oss-security-token:" + cred.SecurityToken + "\n/" + bucketA + "/" + key
	mac := hmac.New(sha1.New, []byte(cred.AccessKeySecret))
	mac.Write([]byte(sts))
	sig := base64Std(mac.Sum(nil))
	for _, c := range []struct {
		name   string
		sig    string
		status int
	}{
		{"signed", sig, 200},
		{"tampered", tamper(sig), 403},
	} {
		t.Run(c.name, func(t *testing.T) {
			hdr := http.Header{
				"Content-Type":         {"image/jpeg"},
				"X-Oss-Date":           {xdate},
				"X-Oss-Security-Token": {cred.SecurityToken},
				"Authorization":        {"OSS " + cred.AccessKeyID + ":" + c.sig},
				"Origin":               {"http://127.0.0.1:8080"},
			}
			status, _, body := rawPut(t, f.ts.URL+"/"+bucketA+"/"+url.PathEscape(key), hdr, []byte("jpeg"))
			if status != c.status {
				t.Fatalf("status %d: %s", status, body)
			}
		})
	}
	f.mustEqual(t, bucketA, key, []byte("jpeg"))
}
