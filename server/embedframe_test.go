package main

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"altiup/server/static"
)

// TestFrameAncestorsFlag reads -frame-ancestors values: per key or for
// every key, repeated, and refuses what is not a list of origins.
func TestFrameAncestorsFlag(t *testing.T) {
	for _, tc := range []struct {
		name    string
		values  []string
		want    map[string][]string
		wantErr bool
	}{
		{"plain list", []string{"https://a.example, https://b.example:8443"}, map[string][]string{"": {"https://a.example", "https://b.example:8443"}}, false},
		{"per key", []string{"KEY1=https://a.example,https://b.example", "KEY2=http://127.0.0.1:9000"},
			map[string][]string{"KEY1": {"https://a.example", "https://b.example"}, "KEY2": {"http://127.0.0.1:9000"}}, false},
		{"both, once each", []string{"https://a.example", "K=https://b.example", "K=https://b.example/"},
			map[string][]string{"": {"https://a.example"}, "K": {"https://b.example"}}, false},
		{"a path", []string{"https://a.example/page"}, nil, true},
		{"no scheme", []string{"K=a.example"}, nil, true},
		{"empty key", []string{"=https://a.example"}, nil, true},
		{"no origin", []string{"K="}, nil, true},
		{"a CSP keyword", []string{"'self'"}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{}
			for _, v := range tc.values {
				args = append(args, "-frame-ancestors", v)
			}
			c, err := parseFlags(args, new(strings.Builder))
			if tc.wantErr {
				if err == nil {
					t.Fatalf("no error for %q", tc.values)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(c.frameAncestors) != len(tc.want) {
				t.Fatalf("got %v, want %v", c.frameAncestors, tc.want)
			}
			for k, v := range tc.want {
				if !slices.Equal(c.frameAncestors[k], v) {
					t.Errorf("%q: %v, want %v", k, c.frameAncestors[k], v)
				}
			}
		})
	}
}

// TestEmbedHeaders: /embed may be framed by the origins allowed for its
// ?key= (and those for every key), by none when nothing allows it; its
// policy.json names the same origins; other files stay unframable.
func TestEmbedHeaders(t *testing.T) {
	fsys := fstest.MapFS{"embed.html": {Data: []byte(`<!doctype html><title>embed</title>`)}, "index.html": {Data: []byte(`<!doctype html>`)}}
	fa := frameAncestors{}
	for _, v := range []string{"https://all.example", "K=https://k.example"} {
		if err := fa.Set(v); err != nil {
			t.Fatal(err)
		}
	}
	opt := static.Options{ConnectSrc: "*"}
	mux := http.NewServeMux()
	mux.Handle("/embed", newEmbedHandler(fsys, opt, fa))
	mux.Handle("/embed/policy.json", newEmbedHandler(fsys, opt, fa))
	mux.Handle("/", static.New(fsys, opt))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	none := httptest.NewServer(newEmbedHandler(fsys, opt, frameAncestors{}))
	defer none.Close()
	for _, tc := range []struct {
		url, ancestors string
		xfo            bool
	}{
		{srv.URL + "/embed?key=K", "frame-ancestors https://all.example https://k.example", false},
		{srv.URL + "/embed?key=OTHER", "frame-ancestors https://all.example", false},
		{srv.URL + "/embed", "frame-ancestors https://all.example", false},
		{srv.URL + "/", "frame-ancestors 'none'", true},
		{none.URL + "/embed?key=K", "frame-ancestors 'none'", true},
	} {
		t.Run(tc.url, func(t *testing.T) {
			resp, err := http.Get(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			csp := resp.Header.Get("Content-Security-Policy")
			if !strings.HasSuffix(csp, tc.ancestors) {
				t.Errorf("CSP %q, want it to end with %q", csp, tc.ancestors)
			}
			if got := resp.Header.Get("X-Frame-Options") != ""; got != tc.xfo {
				t.Errorf("X-Frame-Options %q", resp.Header.Get("X-Frame-Options"))
			}
		})
	}
	for key, want := range map[string][]string{"K": {"https://all.example", "https://k.example"}, "X": {"https://all.example"}} {
		resp, err := http.Get(srv.URL + "/embed/policy.json?key=" + key)
		if err != nil {
			t.Fatal(err)
		}
		var p struct{ FrameAncestors []string }
		err = json.NewDecoder(resp.Body).Decode(&p)
		resp.Body.Close()
		if err != nil || !slices.Equal(p.FrameAncestors, want) {
			t.Errorf("policy for %s: %v %v, want %v", key, p.FrameAncestors, err, want)
		}
	}
}

// TestPartnerSite: -partner-addr serves the demo partner page on its own
// origin, with both modes' snippets and CSP, and makes that origin the
// default -frame-ancestors of /embed.
func TestPartnerSite(t *testing.T) {
	p := startServer(t, "-partner-addr", "127.0.0.1:0")
	if p.partner == "" || strings.HasPrefix(p.partner, pg(p)) {
		t.Fatalf("partner site %q, page %q: want another origin", p.partner, p.page)
	}
	resp, err := http.Get(p.partner)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := html.UnescapeString(string(b))
	for _, want := range []string{
		`<script src="` + pg(p) + `/altiup.js"></script>`,
		`<altiup-uploader isolated api="` + p.api,
		"frame-src " + pg(p) + "; connect-src 'self'",
		"'wasm-unsafe-eval'",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the partner page lacks %q", want)
		}
	}
	if strings.Contains(page, p.token) {
		t.Error("the partner page shows the user token")
	}
	resp, err = http.Get(pg(p) + "/embed?key=" + p.key)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors "+strings.TrimSuffix(p.partner, "/")) {
		t.Errorf("/embed's CSP %q does not let the partner frame it", csp)
	}
}
