package ossstore

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"altiup/wasm/upload"
)

// v1Server accepts PUTs presigned with signature V1 for one credential and
// bucket (path style, as for an IP endpoint), and keeps the bodies.
type v1Server struct {
	id, secret, token, bucket string
	objects                   map[string][]byte
	types                     map[string]string
}

func (s *v1Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	exp, _ := strconv.ParseInt(q.Get("Expires"), 10, 64)
	resource := r.URL.Path
	if tok := q.Get("security-token"); tok != "" {
		resource += "?security-token=" + tok
	}
	toSign := r.Method + "\n" + r.Header.Get("Content-MD5") + "\n" + r.Header.Get("Content-Type") + "\n" + q.Get("Expires") + "\n" + resource
	mac := hmac.New(sha1.New, []byte(s.secret))
	mac.Write([]byte(toSign))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	switch {
	case q.Get("OSSAccessKeyId") != s.id:
		http.Error(w, "<Error><Code>InvalidAccessKeyId</Code></Error>", http.StatusForbidden)
	case q.Get("security-token") != s.token:
		http.Error(w, "<Error><Code>InvalidSecurityToken</Code></Error>", http.StatusForbidden)
	case !hmac.Equal([]byte(q.Get("Signature")), []byte(want)):
		http.Error(w, "<Error><Code>SignatureDoesNotMatch</Code></Error>", http.StatusForbidden)
	case time.Now().Unix() > exp:
		http.Error(w, "<Error><Code>AccessDenied</Code><Message>Request has expired.</Message></Error>", http.StatusForbidden)
	case !strings.HasPrefix(r.URL.Path, "/"+s.bucket+"/"):
		http.Error(w, "<Error><Code>NoSuchBucket</Code></Error>", http.StatusNotFound)
	default:
		body, _ := io.ReadAll(r.Body)
		key := strings.TrimPrefix(r.URL.Path, "/"+s.bucket+"/")
		s.objects[key] = body
		s.types[key] = r.Header.Get("Content-Type")
	}
}

type memSource struct {
	name string
	data []byte
}

func (m memSource) Name() string { return m.name }
func (m memSource) Size() int64  { return int64(len(m.data)) }
func (m memSource) Type() string { return "image/jpeg" }
func (m memSource) ReadAt(p []byte, off int64) (int, error) {
	return bytes.NewReader(m.data).ReadAt(p, off)
}

func TestSignedPutAccepted(t *testing.T) {
	srv := &v1Server{id: "STS.id", secret: "s3cr3t", token: "tok+en/=", bucket: "altizure-hz", objects: map[string][]byte{}, types: map[string]string{}}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	sts := upload.STS{ID: srv.id, Secret: srv.secret, Token: srv.token, Bucket: srv.bucket, Endpoint: ts.URL, Expire: time.Now().Add(time.Hour)}
	signer, err := New(sts)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte("\xff\xd8\xff image bytes")
	tests := []struct {
		name       string
		signType   string
		sendType   string
		secret     string
		wantStatus int
		wantStored bool
	}{
		{"matching content type", "image/jpeg", "image/jpeg", srv.secret, http.StatusOK, true},
		{"other content type sent", "image/jpeg", "image/png", srv.secret, http.StatusForbidden, false},
		{"wrong secret", "image/png", "image/png", "nope", http.StatusForbidden, false},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := signer
			if tc.secret != srv.secret {
				bad := sts
				bad.Secret = tc.secret
				if s, err = New(bad); err != nil {
					t.Fatal(err)
				}
			}
			key := "pid1/img" + strconv.Itoa(i) + ".jpg"
			u, err := s.SignPut(key, tc.signType, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(u, srv.secret) {
				t.Fatal("the signed URL contains the secret")
			}
			resp, err := upload.HTTPPutter{}.Put(context.Background(), upload.PutRequest{
				Method: http.MethodPut, URL: u, Header: http.Header{"Content-Type": {tc.sendType}}, Length: -1,
			}, memSource{"a.jpg", body}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d (%s)", resp.StatusCode, tc.wantStatus, resp.Body)
			}
			got, ok := srv.objects[key]
			if ok != tc.wantStored {
				t.Fatalf("stored %v, want %v", ok, tc.wantStored)
			}
			if ok && !bytes.Equal(got, body) {
				t.Fatalf("stored %q, want %q", got, body)
			}
		})
	}
}

func TestNewRefusesIncompleteSTS(t *testing.T) {
	for _, sts := range []upload.STS{
		{},
		{ID: "a", Secret: "b", Bucket: "c"},
		{ID: "a", Secret: "b", Endpoint: "http://127.0.0.1:1"},
	} {
		t.Run(sts.ID+sts.Endpoint, func(t *testing.T) {
			if _, err := New(sts); err == nil {
				t.Fatal("no error")
			}
		})
	}
}
