package sandbox_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"altiup/server/sandbox"
	"altiup/server/sandbox/internal/gqltest"
)

func TestUploadImageURL(t *testing.T) {
	good := pngBytes(t, 25, 15)
	big := make([]byte, 5000)
	mux := http.NewServeMux()
	mux.HandleFunc("/photos/good.png", func(w http.ResponseWriter, r *http.Request) { w.Write(good) })
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/photos/good.png", http.StatusFound)
	})
	mux.HandleFunc("/to-ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://example.com/a.png", http.StatusFound)
	})
	mux.HandleFunc("/big.jpg", func(w http.ResponseWriter, r *http.Request) { w.Write(big) })
	mux.HandleFunc("/slow.jpg", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	src := httptest.NewServer(mux)
	defer src.Close()

	e := newEnv(t, func(c *sandbox.Config) {
		c.MaxFetchBytes = 4096
		c.FetchTimeout = 300 * time.Millisecond
	})
	pid := e.project("url")
	cases := []struct {
		name     string
		url      string
		filename *string
		checksum *string
		state    gqltest.IMAGE_STATE
		reason   string
	}{
		{"through a redirect", src.URL + "/redirect?sig=secret", ptr("mine.png"), ptr(sha(good)), gqltest.IMAGE_STATEReady, ""},
		{"missing", src.URL + "/photos/none.jpg?X-Amz-Signature=secret", nil, nil, gqltest.IMAGE_STATEInvalid, "answered 404 Not Found"},
		{"too large", src.URL + "/big.jpg", nil, nil, gqltest.IMAGE_STATEInvalid, "larger than the limit of 4096 bytes"},
		{"too slow", src.URL + "/slow.jpg", nil, nil, gqltest.IMAGE_STATEInvalid, "took longer than 300ms"},
		{"redirected off http", src.URL + "/to-ftp", nil, nil, gqltest.IMAGE_STATEInvalid, "only http and https"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := gqltest.UploadImageURL(ctx, e.demo, pid, c.url, c.filename, c.checksum)
			if err != nil {
				t.Fatal(err)
			}
			img := r.UploadImageURL
			final := e.waitFinal(pid, img.Id)
			t.Logf("%s %q", final.State, final.Error)
			if final.State != c.state {
				t.Fatalf("state %s %v, want %s", final.State, final.Error, c.state)
			}
			if c.reason != "" && !strings.Contains(strings.Join(final.Error, ""), c.reason) {
				t.Errorf("error %q, want %q", final.Error, c.reason)
			}
			if strings.Contains(strings.Join(final.Error, ""), "secret") {
				t.Errorf("the reason repeats the URL's query: %q", final.Error)
			}
			if c.state == gqltest.IMAGE_STATEReady {
				if final.Name != "mine.png" || *final.Type != gqltest.IMAGE_TYPEPng || *final.Cloud != "S3" || *final.Width != 25 {
					t.Errorf("image %+v", final)
				}
				put := e.s3.lastPut()
				if put.key != pid+"/"+final.Filename || put.contentType != "image/png" {
					t.Errorf("stored %+v", put)
				}
			}
		})
	}
	t.Run("name from the URL", func(t *testing.T) {
		r, err := gqltest.UploadImageURL(ctx, e.demo, pid, src.URL+"/photos/good.png", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.UploadImageURL.Name != "good.png" {
			t.Errorf("name %q", r.UploadImageURL.Name)
		}
		e.waitFinal(pid, r.UploadImageURL.Id)
	})
}

func TestNetworkTest(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hi")) }))
	defer ok.Close()
	missing := httptest.NewServer(http.NotFoundHandler())
	defer missing.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	e := newEnv(t)
	for url, want := range map[string]string{
		ok.URL + "/probe":      "Success",
		missing.URL + "/probe": "Failed",
		closed.URL:             "Failed",
		"ftp://example.com/":   "Invalid",
		"not a url":            "Invalid",
	} {
		r, err := gqltest.NetworkTest(ctx, e.anon, url)
		if err != nil {
			t.Fatal(err)
		}
		if r.Support.NetworkTest != want {
			t.Errorf("networkTest(%s) = %s, want %s", url, r.Support.NetworkTest, want)
		}
	}
}
