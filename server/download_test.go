package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"altiup/server/s3bucket/versitytest"
)

const qImageURL = `query ($pid: ID!, $iid: ID!) { project(id: $pid) { image(id: $iid) { url } } }`

// imageURL asks the API for an image's download link.
func imageURL(t *testing.T, p *sandboxProc, pid, iid string) string {
	t.Helper()
	var r struct {
		Project struct{ Image struct{ URL *string } }
	}
	mustGQL(t, p, qImageURL, map[string]any{"pid": pid, "iid": iid}, &r)
	if r.Project.Image.URL == nil {
		t.Fatalf("image %s has no url", iid)
	}
	return *r.Project.Image.URL
}

// fetchLink GETs a link as the page would, from another origin.
func fetchLink(t *testing.T, link string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, link, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", "http://page.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// TestImageURLDownload downloads every stored image through its Image.url,
// served by the storage endpoint that holds it, and holds the links to
// their signature.
func TestImageURLDownload(t *testing.T) {
	vgw := func(t *testing.T) []string {
		ep, ak, sk := versitytest.Start(t)
		return []string{"-s3-endpoint", ep, "-s3-access-key", ak, "-s3-secret-key", sk, "-s3-bucket", "altiup-test"}
	}
	types := map[string]string{"street.jpg": "image/jpeg", "roof.png": "image/png", "wall.tif": "image/tiff"}
	for _, tc := range []struct {
		name, cloud, sigParam string
		args                  func(*testing.T) []string
	}{
		{"oss", "oss", "Signature", nil},
		{"s3-in-process", "s3", "X-Amz-Signature", nil},
		{"s3-versitygw", "s3", "X-Amz-Signature", vgw},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var args []string
			if tc.args != nil {
				args = tc.args(t)
			}
			p := startServer(t, args...)
			ids := importFolder(t, p, tc.cloud, []string{"street.jpg", "roof.png", "wall.tif"})
			if tc.cloud == "s3" {
				// A URL import is stored in S3 and downloaded from there.
				src := httptest.NewServer(http.FileServer(http.Dir(filepath.Join("..", "testdata", "images"))))
				defer src.Close()
				var r struct{ UploadImageURL struct{ ID string } }
				mustGQL(t, p, `mutation ($pid: ID!, $url: String!, $filename: String) { uploadImageURL(pid: $pid, url: $url, filename: $filename) { id } }`,
					map[string]any{"pid": p.project, "url": src.URL + "/tower.jpg", "filename": "fetched.jpg"}, &r)
				ids["fetched.jpg"] = r.UploadImageURL.ID
				types["fetched.jpg"] = "image/jpeg"
			}
			for name, id := range ids {
				if state, errs := waitFinal(t, p, p.project, id); state != "Ready" {
					t.Fatalf("%s: %s %v", name, state, errs)
				}
				link := imageURL(t, p, p.project, id)
				if !strings.HasPrefix(link, p.storage) && tc.args == nil {
					t.Errorf("%s: link %s is not on the storage endpoint %s", name, link, p.storage)
				}
				if !mustParseURL(t, link).Query().Has(tc.sigParam) {
					t.Errorf("%s: link has no %s", name, tc.sigParam)
				}
				resp, body := fetchLink(t, link)
				want, _ := readImage(t, strings.Replace(name, "fetched", "tower", 1))
				if resp.StatusCode != http.StatusOK || !bytes.Equal(body, want) {
					t.Fatalf("%s: GET %d, %d bytes; want 200 and the %d bytes uploaded", name, resp.StatusCode, len(body), len(want))
				}
				if ct := resp.Header.Get("Content-Type"); ct != types[name] {
					t.Errorf("%s: Content-Type %q, want %s", name, ct, types[name])
				}
				if tc.args == nil && resp.Header.Get("Access-Control-Allow-Origin") == "" {
					t.Errorf("%s: the download is not readable cross-origin", name)
				}
				u := mustParseURL(t, link)
				q := u.Query()
				sig := []byte(q.Get(tc.sigParam))
				sig[0] = map[bool]byte{true: 'a', false: 'B'}[sig[0] != 'a']
				q.Set(tc.sigParam, string(sig))
				u.RawQuery = q.Encode()
				if resp, body := fetchLink(t, u.String()); resp.StatusCode != http.StatusForbidden || !bytes.Contains(body, []byte("<Code>SignatureDoesNotMatch</Code>")) {
					t.Errorf("%s: tampered link answered %d %s, want 403 SignatureDoesNotMatch", name, resp.StatusCode, body)
				}
			}
		})
	}
}

func mustParseURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
