package sandbox_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestOAuth(t *testing.T) {
	e := newEnv(t)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	start := e.srv.URL + "/auth/start"
	good := url.Values{
		"client_id":     {appKey},
		"response_type": {"token"},
		"redirect_uri":  {"http://localhost:8080/callback?x=1#old"},
		"state":         {"s t&a=te"},
	}
	with := func(k, v string) url.Values {
		q := url.Values{}
		for kk, vv := range good {
			q[kk] = vv
		}
		q.Set(k, v)
		return q
	}

	t.Run("consent page", func(t *testing.T) {
		resp, err := http.Get(start + "?" + good.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		page := string(b)
		if resp.StatusCode != 200 || !strings.Contains(page, `method="post"`) || !strings.Contains(page, "Allow") || !strings.Contains(page, "http://localhost:8080") {
			t.Errorf("%d %s", resp.StatusCode, page)
		}
		if strings.Contains(page, demoToken) {
			t.Error("the consent page shows the token before consent")
		}
	})

	post := func(form url.Values) *http.Response {
		t.Helper()
		resp, err := noRedirect.PostForm(start, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	t.Run("allow", func(t *testing.T) {
		resp := post(with("decision", "allow"))
		loc := resp.Header.Get("Location")
		want := "http://localhost:8080/callback?x=1#access_token=" + demoToken + "&state=s+t%26a%3Dte"
		if resp.StatusCode != http.StatusSeeOther || loc != want {
			t.Errorf("%d Location %q, want %q", resp.StatusCode, loc, want)
		}
		frag, _ := url.ParseQuery(strings.SplitN(loc, "#", 2)[1])
		if frag.Get("access_token") != demoToken || frag.Get("state") != "s t&a=te" {
			t.Errorf("fragment %v", frag)
		}
	})
	t.Run("allow as another user", func(t *testing.T) {
		f := with("decision", "allow")
		f.Set("user", "other")
		loc := post(f).Header.Get("Location")
		if !strings.Contains(loc, "#access_token="+otherToken+"&") {
			t.Errorf("Location %q", loc)
		}
	})
	t.Run("deny", func(t *testing.T) {
		loc := post(with("decision", "deny")).Header.Get("Location")
		if !strings.HasSuffix(loc, "#error=access_denied&state=s+t%26a%3Dte") || strings.Contains(loc, demoToken) {
			t.Errorf("Location %q", loc)
		}
	})

	bad := []struct {
		name string
		q    url.Values
		want string
	}{
		{"wrong client_id", with("client_id", "someone-else"), "Unknown client_id"},
		{"code flow", with("response_type", "code"), "response_type must be token"},
		{"javascript redirect", with("redirect_uri", "javascript:alert(1)"), "redirect_uri must be an absolute http or https URL"},
		{"relative redirect", with("redirect_uri", "/callback"), "redirect_uri must be"},
		{"no redirect", with("redirect_uri", ""), "redirect_uri must be"},
	}
	for _, c := range bad {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			t.Run(c.name+" "+method, func(t *testing.T) {
				var resp *http.Response
				var err error
				if method == http.MethodGet {
					resp, err = noRedirect.Get(start + "?" + c.q.Encode())
				} else {
					q := url.Values{}
					for k, v := range c.q {
						q[k] = v
					}
					q.Set("decision", "allow")
					resp, err = noRedirect.PostForm(start, q)
				}
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), c.want) || resp.Header.Get("Location") != "" {
					t.Errorf("%d %q: %s", resp.StatusCode, resp.Header.Get("Location"), b)
				}
				if strings.Contains(string(b), demoToken) {
					t.Error("the error page shows the token")
				}
			})
		}
	}
}
