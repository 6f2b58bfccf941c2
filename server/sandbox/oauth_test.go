package sandbox_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"altiup/server/sandbox"
)

// consentForm opens the consent page for q and returns the form it shows
// with the given decision, as the browser would submit it.
func consentForm(t *testing.T, e *env, q url.Values, decision string) url.Values {
	t.Helper()
	resp, err := http.Get(e.srv.URL + "/auth/start?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("consent page: %d %s", resp.StatusCode, b)
	}
	form := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="(\w+)" value="([^"]*)">`).FindAllStringSubmatch(string(b), -1) {
		form.Set(m[1], oauthUnescape(m[2]))
	}
	form.Set("decision", decision)
	return form
}

func oauthUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(s)
}

var oauthClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// postAuth posts form to /auth/start and returns the status, Location and body.
func postAuth(t *testing.T, e *env, form url.Values) (int, string, string) {
	t.Helper()
	resp, err := oauthClient.PostForm(e.srv.URL+"/auth/start", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

func oauthWith(q url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

func TestOAuth(t *testing.T) {
	e := newEnv(t, func(c *sandbox.Config) { c.RedirectOrigins = []string{"http://localhost:8080", "https://partner.test"} })
	start := e.srv.URL + "/auth/start"
	good := url.Values{
		"client_id":     {appKey},
		"response_type": {"token"},
		"redirect_uri":  {"http://localhost:8080/callback?x=1#old"},
		"state":         {"s t&a=te"},
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

	t.Run("allow", func(t *testing.T) {
		status, loc, _ := postAuth(t, e, consentForm(t, e, good, "allow"))
		want := "http://localhost:8080/callback?x=1#access_token=" + demoToken + "&state=s+t%26a%3Dte"
		if status != http.StatusSeeOther || loc != want {
			t.Errorf("%d Location %q, want %q", status, loc, want)
		}
		frag, _ := url.ParseQuery(strings.SplitN(loc, "#", 2)[1])
		if frag.Get("access_token") != demoToken || frag.Get("state") != "s t&a=te" {
			t.Errorf("fragment %v", frag)
		}
	})
	t.Run("allow as another user", func(t *testing.T) {
		_, loc, _ := postAuth(t, e, oauthWith(consentForm(t, e, good, "allow"), "user", "other"))
		if !strings.Contains(loc, "#access_token="+otherToken+"&") {
			t.Errorf("Location %q", loc)
		}
	})
	t.Run("another allowed origin", func(t *testing.T) {
		q := oauthWith(good, "redirect_uri", "https://PARTNER.test/cb")
		_, loc, _ := postAuth(t, e, consentForm(t, e, q, "allow"))
		if !strings.HasPrefix(loc, "https://PARTNER.test/cb#access_token="+demoToken) {
			t.Errorf("Location %q", loc)
		}
	})
	t.Run("deny", func(t *testing.T) {
		_, loc, _ := postAuth(t, e, consentForm(t, e, good, "deny"))
		if !strings.HasSuffix(loc, "#error=access_denied&state=s+t%26a%3Dte") || strings.Contains(loc, demoToken) {
			t.Errorf("Location %q", loc)
		}
	})

	// A page elsewhere that submits the form itself (auto-submitted POST)
	// gets no token: it cannot read the consent token of a form shown to
	// the person, and a form for other parameters does not fit.
	forged := []struct {
		name string
		form func() url.Values
		want string
	}{
		{"no consent token", func() url.Values { return oauthWith(good, "decision", "allow") }, "did not come from the consent form"},
		{"made-up token", func() url.Values { return oauthWith(good, "decision", "allow", "consent", "9999999999.AAAA") }, "does not match"},
		{"token of another state", func() url.Values {
			return oauthWith(consentForm(t, e, oauthWith(good, "state", "other"), "allow"), "state", "s t&a=te")
		}, "does not match"},
		{"token of another redirect_uri", func() url.Values {
			return oauthWith(consentForm(t, e, oauthWith(good, "redirect_uri", "https://partner.test/cb"), "allow"), "redirect_uri", "http://localhost:8080/elsewhere")
		}, "does not match"},
		{"expired form", func() url.Values {
			f := consentForm(t, e, good, "allow")
			e.clock.Advance(11 * time.Minute)
			return f
		}, "expired"},
	}
	for _, c := range forged {
		t.Run("forged: "+c.name, func(t *testing.T) {
			status, loc, body := postAuth(t, e, c.form())
			if status != http.StatusForbidden || loc != "" || !strings.Contains(body, c.want) || strings.Contains(body, demoToken) {
				t.Errorf("%d %q: %s", status, loc, body)
			}
		})
	}

	bad := []struct {
		name string
		q    url.Values
		want string
	}{
		{"wrong client_id", oauthWith(good, "client_id", "someone-else"), "Unknown client_id"},
		{"code flow", oauthWith(good, "response_type", "code"), "response_type must be token"},
		{"javascript redirect", oauthWith(good, "redirect_uri", "javascript:alert(1)"), "redirect_uri must be an absolute http or https URL"},
		{"relative redirect", oauthWith(good, "redirect_uri", "/callback"), "redirect_uri must be"},
		{"no redirect", oauthWith(good, "redirect_uri", ""), "redirect_uri must be"},
		{"foreign redirect", oauthWith(good, "redirect_uri", "https://evil.test/steal"), "redirect_uri is under https://evil.test, which this app key does not allow; allowed origins: http://localhost:8080, https://partner.test."},
		{"other port", oauthWith(good, "redirect_uri", "http://localhost:9090/callback"), "does not allow"},
		{"other scheme", oauthWith(good, "redirect_uri", "https://localhost:8080/callback"), "does not allow"},
	}
	for _, c := range bad {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			t.Run(c.name+" "+method, func(t *testing.T) {
				var status int
				var loc, body string
				if method == http.MethodGet {
					resp, err := oauthClient.Get(start + "?" + c.q.Encode())
					if err != nil {
						t.Fatal(err)
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					status, loc, body = resp.StatusCode, resp.Header.Get("Location"), string(b)
				} else {
					status, loc, body = postAuth(t, e, oauthWith(c.q, "decision", "allow"))
				}
				if status != http.StatusBadRequest || !strings.Contains(body, c.want) || loc != "" {
					t.Errorf("%d %q: %s", status, loc, body)
				}
				if strings.Contains(body, demoToken) {
					t.Error("the error page shows the token")
				}
			})
		}
	}
}

// TestOAuthDefaultOrigins: without RedirectOrigins, the sandbox's own page
// (WebURL) and API (APIURL) are the allowed origins.
func TestOAuthDefaultOrigins(t *testing.T) {
	e := newEnv(t)
	q := url.Values{"client_id": {appKey}, "response_type": {"token"}, "state": {"s"}}
	for _, uri := range []string{"http://web.test/?cloud=s3", "http://api.test/cb"} {
		_, loc, _ := postAuth(t, e, consentForm(t, e, oauthWith(q, "redirect_uri", uri), "allow"))
		if !strings.HasPrefix(loc, uri+"#access_token="+demoToken) {
			t.Errorf("%s: Location %q", uri, loc)
		}
	}
	status, _, body := postAuth(t, e, oauthWith(q, "redirect_uri", "http://localhost:8080/", "decision", "allow"))
	if status != http.StatusBadRequest || !strings.Contains(body, "allowed origins: http://web.test, http://api.test.") {
		t.Errorf("%d %s", status, body)
	}
}
