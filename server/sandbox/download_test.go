package sandbox_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"altiup/server/sandbox/internal/gqltest"
)

func TestImageURL(t *testing.T) {
	e := newEnv(t)
	pid := e.project("links")
	data := jpegBytes(t, 20, 10)
	img := e.uploadOSS(pid, "a.jpg", gqltest.IMAGE_TYPEJpeg, data, ptr(sha(data)))
	link := e.waitFinal(pid, img.Id).Url
	if link == nil {
		t.Fatal("a stored image has no url")
	}
	get := func(u string) (int, []byte) {
		t.Helper()
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	if status, b := get(*link); status != http.StatusOK || !bytes.Equal(b, data) {
		t.Errorf("GET the link: %d, %d bytes; want 200 and the image", status, len(b))
	}

	tamper := func(f func(u *url.URL)) string {
		u, _ := url.Parse(*link)
		f(u)
		return u.String()
	}
	other := e.uploadOSS(pid, "b.jpg", gqltest.IMAGE_TYPEJpeg, jpegBytes(t, 21, 10), nil)
	e.waitFinal(pid, other.Id)
	for name, u := range map[string]string{
		"later expiry": tamper(func(u *url.URL) {
			q := u.Query()
			q.Set("expires", "99999999999")
			u.RawQuery = q.Encode()
		}),
		"other image": tamper(func(u *url.URL) { u.Path = strings.Replace(u.Path, img.Id, other.Id, 1) }),
		"no signature": tamper(func(u *url.URL) {
			q := u.Query()
			q.Del("signature")
			u.RawQuery = q.Encode()
		}),
		"changed signature": tamper(func(u *url.URL) {
			q := u.Query()
			sig := []byte(q.Get("signature"))
			sig[0] ^= 1 // another letter or digit of base64url
			q.Set("signature", string(sig))
			u.RawQuery = q.Encode()
		}),
	} {
		if status, _ := get(u); status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", name, status)
		}
	}
	e.clock.Advance(16 * time.Minute)
	if status, _ := get(*link); status != http.StatusForbidden {
		t.Errorf("expired link: %d, want 403", status)
	}

	// An empty object is stored too: it has a link (and is Invalid).
	empty := e.uploadOSS(pid, "empty.jpg", gqltest.IMAGE_TYPEJpeg, nil, nil)
	if got := e.waitFinal(pid, empty.Id); got.State != gqltest.IMAGE_STATEInvalid || got.Url == nil {
		t.Errorf("empty image: %s, url %v", got.State, got.Url)
	}

	// An image whose object has not arrived has no link.
	r, err := gqltest.UploadImageOSS(ctx, e.demo, pid, gqltest.BucketOSSHangzhou, "c.jpg", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if u := e.image(pid, r.UploadImageOSS.Image.Id).Url; u != nil {
		t.Errorf("a pending image has url %s", *u)
	}
}
