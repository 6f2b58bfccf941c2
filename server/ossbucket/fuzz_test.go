package ossbucket

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"
)

// FuzzVerify feeds raw HTTP requests and a server clock to the signature
// and token check. It must never panic, and whatever it accepts must carry
// a security token this server issued for that access key, unexpired, and a
// signature that the reference signer below (written from the SDK's
// algorithm, separately from the server's code) computes with that key's
// secret: the fuzzer cannot forge either without the signing key.
//
// The committed corpus in testdata/fuzz/FuzzVerify holds requests signed by
// aliyun-oss-go-sdk (V1 and V4, header and signed URL, path and
// virtual-hosted style) with the times they were signed at.
func FuzzVerify(f *testing.F) {
	t0 := time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC)
	for _, s := range fuzzSeeds(f, t0) {
		f.Add(s, t0.Unix())
	}
	var now time.Time
	s, err := New(Config{
		Buckets:    []string{bucketA, bucketB},
		Endpoint:   "http://127.0.0.1:8081",
		Store:      NewMemStore(),
		SigningKey: testKey,
		Now:        func() time.Time { return now },
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte, unix int64) {
		r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			return
		}
		now = time.Unix(unix, 0)
		bucket, key, e := s.target(r)
		var p *principal
		if e == nil {
			p, e = s.authenticate(r, bucket, key)
		}
		if e == nil && p == nil || e != nil && p != nil {
			t.Fatalf("authenticate returned principal %v and error %v", p, e)
		}
		if e != nil {
			if e.Status != 400 && e.Status != 403 || e.Code == "" || e.Message == "" {
				t.Fatalf("bad error %+v", e)
			}
			for _, secretish := range []string{r.Header.Get("X-Oss-Security-Token"), r.URL.Query().Get("security-token"), r.URL.Query().Get("x-oss-security-token")} {
				if len(secretish) > 8 && strings.Contains(e.Message, secretish) {
					t.Fatalf("error message leaks the token: %q", e.Message)
				}
			}
			return
		}
		id, token, ok := refVerify(r, bucket, key, func(id string) string { return s.keys.secretFor(id) })
		if !ok {
			t.Fatalf("accepted a request the reference signer rejects:\n%s", raw)
		}
		c, ok := s.keys.parse(token)
		if !ok || c != p.claims || c.AccessKeyID != id || now.Unix() >= c.Expires {
			t.Fatalf("accepted a request without a valid token of its own access key:\n%s", raw)
		}
	})
}

// refVerify recomputes the request's signature the way aliyun-oss-go-sdk
// v3.0.2 makes it (oss/auth.go, oss/conn.go) and reports the access key id
// and token used.
func refVerify(r *http.Request, bucket, key string, secretFor func(string) string) (string, string, bool) {
	q := r.URL.Query()
	auth := r.Header.Get("Authorization")
	ossHeaders := func(trim bool, extra ...string) (string, []string) {
		m := map[string]string{}
		for k, v := range r.Header {
			lk := strings.ToLower(k)
			if strings.HasPrefix(lk, "x-oss-") || (trim && (lk == "content-type" || lk == "content-md5")) {
				m[lk] = v[0]
				if trim {
					m[lk] = strings.Trim(v[0], " ")
				}
			}
		}
		for _, h := range extra {
			if h == "host" {
				m[h] = r.Host
			} else {
				m[h] = strings.Trim(r.Header.Get(h), " ")
			}
		}
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		var out string
		for _, k := range ks {
			out += k + ":" + m[k] + "\n"
		}
		return out, ks
	}
	v1 := func(id, secret, date, sig string) bool {
		var subs []string
		for k := range q {
			if v1SubResources[k] {
				subs = append(subs, k)
			}
		}
		sort.Strings(subs)
		res := fmt.Sprintf("/%s/%s", bucket, key)
		for i, k := range subs {
			sep := "&"
			if i == 0 {
				sep = "?"
			}
			res += sep + k
			if q.Get(k) != "" {
				res += "=" + q.Get(k)
			}
		}
		hdrs, _ := ossHeaders(false)
		str := r.Method + "\n" + r.Header.Get("Content-MD5") + "\n" + r.Header.Get("Content-Type") + "\n" + date + "\n" + hdrs + res
		h := hmac.New(sha1.New, []byte(secret))
		h.Write([]byte(str))
		return base64.StdEncoding.EncodeToString(h.Sum(nil)) == sig
	}
	v4 := func(cred, additional, signDate, sig, skip string) (string, bool) {
		parts := strings.Split(cred, "/")
		if len(parts) != 5 {
			return "", false
		}
		id, day, region, product := parts[0], parts[1], parts[2], parts[3]
		var add []string
		for _, a := range strings.Split(additional, ";") {
			a = strings.ToLower(strings.TrimSpace(a))
			if a != "" && a != "content-type" && a != "content-md5" {
				add = append(add, a)
			}
		}
		sort.Strings(add)
		add = compactStrings(add)
		esc := func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
		var ks []string
		vals := map[string]string{}
		for k := range q {
			if k != skip {
				ks = append(ks, url.QueryEscape(k))
				vals[url.QueryEscape(k)] = esc(q.Get(k))
			}
		}
		sort.Strings(ks)
		var sub []string
		for _, k := range ks {
			if vals[k] != "" {
				sub = append(sub, k+"="+vals[k])
			} else {
				sub = append(sub, k)
			}
		}
		hdrs, _ := ossHeaders(true, add...)
		payload := r.Header.Get("X-Oss-Content-Sha256")
		if payload == "" {
			payload = "UNSIGNED-PAYLOAD"
		}
		canon := r.Method + "\n/" + bucket + "/" + strings.ReplaceAll(esc(key), "%2F", "/") + "\n" + strings.Join(sub, "&") + "\n" +
			hdrs + "\n" + strings.Join(add, ";") + "\n" + payload
		sum := sha256.Sum256([]byte(canon))
		sts := "OSS4-HMAC-SHA256\n" + signDate + "\n" + day + "/" + region + "/" + product + "/aliyun_v4_request\n" + hex.EncodeToString(sum[:])
		mac := func(k []byte, s string) []byte { h := hmac.New(sha256.New, k); h.Write([]byte(s)); return h.Sum(nil) }
		k := mac(mac(mac(mac([]byte("aliyun_v4"+secretFor(id)), day), region), product), "aliyun_v4_request")
		return id, hex.EncodeToString(mac(k, sts)) == sig
	}
	switch {
	case strings.HasPrefix(auth, "OSS "):
		id, sig, _ := strings.Cut(auth[4:], ":")
		ok := v1(id, secretFor(id), r.Header.Get("Date"), sig) ||
			r.Header.Get("X-Oss-Date") != "" && v1(id, secretFor(id), r.Header.Get("X-Oss-Date"), sig)
		return id, r.Header.Get("X-Oss-Security-Token"), ok
	case strings.HasPrefix(auth, "OSS4-HMAC-SHA256 "):
		fields := map[string]string{}
		for _, f := range strings.Split(auth[len("OSS4-HMAC-SHA256 "):], ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(f), "=")
			fields[k] = v
		}
		date := r.Header.Get("X-Oss-Date")
		if date == "" {
			date = r.Header.Get("Date")
		}
		id, ok := v4(fields["Credential"], fields["AdditionalHeaders"], date, fields["Signature"], "")
		return id, r.Header.Get("X-Oss-Security-Token"), ok
	case auth == "" && q.Has("OSSAccessKeyId"):
		id := q.Get("OSSAccessKeyId")
		return id, q.Get("security-token"), v1(id, secretFor(id), q.Get("Expires"), q.Get("Signature"))
	case auth == "" && q.Get("x-oss-signature-version") == "OSS4-HMAC-SHA256":
		id, ok := v4(q.Get("x-oss-credential"), q.Get("x-oss-additional-headers"), q.Get("x-oss-date"), q.Get("x-oss-signature"), "x-oss-signature")
		return id, q.Get("x-oss-security-token"), ok
	}
	return "", "", false
}

func compactStrings(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// fuzzSeeds signs a few requests at t0 with the server's own signer, so the
// fuzzer starts from accepted requests even without the committed corpus.
func fuzzSeeds(f testing.TB, t0 time.Time) [][]byte {
	k := deriveKeys(testKey)
	c := claims{AccessKeyID: "STS.FuzzSeedAccessKey00000", Bucket: bucketA, Prefix: "pid-1/", Expires: t0.Add(time.Hour).Unix()}
	token, err := k.issue(c)
	if err != nil {
		f.Fatal(err)
	}
	secret := k.secretFor(c.AccessKeyID)
	date := t0.Format(http.TimeFormat)
	var out [][]byte
	add := func(r *http.Request) {
		var b bytes.Buffer
		if err := r.Write(&b); err != nil {
			f.Fatal(err)
		}
		out = append(out, b.Bytes())
	}
	newReq := func(method, target string) *http.Request {
		r, err := http.NewRequest(method, "http://127.0.0.1:8081"+target, strings.NewReader("body"))
		if err != nil {
			f.Fatal(err)
		}
		r.Header.Set("Content-Type", "image/jpeg")
		return r
	}
	for _, target := range []string{"/" + bucketA + "/pid-1/a%20b.jpg", "/" + bucketA + "/pid-1/big.tif?partNumber=2&uploadId=0123456789ABCDEF0123456789ABCDEF"} {
		// V1 header.
		r := newReq(http.MethodPut, target)
		r.Header.Set("Date", date)
		r.Header.Set("X-Oss-Security-Token", token)
		bkt, key := bucketA, strings.TrimPrefix(r.URL.Path, "/"+bucketA+"/")
		r.Header.Set("Authorization", "OSS "+c.AccessKeyID+":"+v1Sign(secret, v1StringToSign(r, date, v1Resource(bkt, key, r.URL.Query()))))
		add(r)
		// V4 header.
		r = newReq(http.MethodPut, target)
		r.Header.Set("Date", date)
		r.Header.Set("X-Oss-Security-Token", token)
		r.Header.Set("X-Oss-Content-Sha256", unsignedPayload)
		sc := v4Scope{id: c.AccessKeyID, day: t0.Format(v4DayFormat), region: "cn-hangzhou", product: "oss"}
		sig := v4Sign(secret, sc, date, v4CanonicalRequest(r, bkt, key, r.URL.Query(), "", nil, unsignedPayload))
		r.Header.Set("Authorization", "OSS4-HMAC-SHA256 Credential="+c.AccessKeyID+"/"+sc.day+"/cn-hangzhou/oss/aliyun_v4_request,Signature="+sig)
		add(r)
	}
	// V1 signed URL.
	q := url.Values{"security-token": {token}, "Expires": {fmt.Sprint(t0.Unix() + 600)}, "OSSAccessKeyId": {c.AccessKeyID}}
	r := newReq(http.MethodPut, "/"+bucketA+"/pid-1/u.jpg?"+q.Encode())
	q.Set("Signature", v1Sign(secret, v1StringToSign(r, q.Get("Expires"), v1Resource(bucketA, "pid-1/u.jpg", r.URL.Query()))))
	add(newReq(http.MethodPut, "/"+bucketA+"/pid-1/u.jpg?"+q.Encode()))
	return out
}
