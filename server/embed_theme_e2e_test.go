package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// hostPage is a partner's page on another origin than altiup's: it
// loads altiup.js from the server under test (its <script> tag with
// loaderAttrs) and holds body, with its own style sheet (css) and script
// (js) as files, and the CSP csp when given.
type hostPage struct {
	csp, css, js, body, loaderAttrs string
}

func (s hostPage) serve(t *testing.T, p *sandboxProc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.csp != "" {
			w.Header().Set("Content-Security-Policy", s.csp)
		}
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner</title>
<link rel="stylesheet" href="/partner.css">
<script src="%s/altiup.js" %s></script>
</head><body><h1>Partner site</h1>
%s
<script src="/partner.js"></script></body></html>`, pg(p), s.loaderAttrs, s.body)
		case "/partner.css":
			w.Header().Set("Content-Type", "text/css")
			fmt.Fprint(w, s.css)
		case "/partner.js":
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, s.js)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	if strings.HasPrefix(srv.URL, pg(p)) {
		t.Fatal("the partner page must be on another origin")
	}
	return srv
}

// TestEmbedTheme: a host style sheet restyles the element through its
// custom properties (on the element, or inherited from an ancestor) and
// its parts; theme="dark"|"light" choose, and without it the element
// follows prefers-color-scheme.
func TestEmbedTheme(t *testing.T) {
	p := startServer(t)
	ctx := browser(t)
	srv := hostPage{
		css: `body { --altiup-good: rgb(4, 5, 6); }
altiup-uploader.styled { --altiup-accent: rgb(1, 2, 3); --altiup-radius: 0px; --altiup-font: monospace; }
altiup-uploader.styled::part(dropzone) { border-style: solid; }`,
		body: `<altiup-uploader id="plain"></altiup-uploader>
<altiup-uploader id="styled" class="styled"></altiup-uploader>
<altiup-uploader id="dark" theme="dark"></altiup-uploader>
<altiup-uploader id="light" theme="light"></altiup-uploader>`,
	}.serve(t, p)
	pgConsole(t, ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `[...document.querySelectorAll('altiup-uploader')].every((e) => e.shadowRoot && e.shadowRoot.querySelector('#drop') && getComputedStyle(e.shadowRoot.querySelector('.altiup')).display === 'block')`, 30*time.Second)
	look := func() map[string]map[string]string {
		t.Helper()
		return pgEval[map[string]map[string]string](t, ctx, `Object.fromEntries([...document.querySelectorAll('altiup-uploader')].map((e) => {
			const s = e.shadowRoot, css = (sel) => getComputedStyle(s.querySelector(sel));
			return [e.id, {
				bg: css('.altiup').backgroundColor, font: css('.altiup').fontFamily, good: css('.altiup').getPropertyValue('--a-good').trim(),
				start: css('#start').backgroundColor, radius: css('#start').borderTopLeftRadius, drop: css('#drop').borderTopStyle,
			}];
		}))`)
	}
	const lightBg, darkBg, lightAccent = "rgb(251, 252, 253)", "rgb(21, 25, 30)", "rgb(26, 95, 200)"
	for _, tc := range []struct {
		scheme string
		want   map[string]map[string]string
	}{
		{"light", map[string]map[string]string{
			"plain":  {"bg": lightBg, "start": lightAccent, "radius": "4px", "drop": "dashed", "good": "rgb(4, 5, 6)"},
			"styled": {"bg": lightBg, "start": "rgb(1, 2, 3)", "radius": "0px", "drop": "solid", "font": "monospace"},
			"dark":   {"bg": darkBg},
			"light":  {"bg": lightBg},
		}},
		{"dark", map[string]map[string]string{
			"plain":  {"bg": darkBg, "drop": "dashed"},
			"styled": {"bg": darkBg, "start": "rgb(1, 2, 3)", "drop": "solid"},
			"dark":   {"bg": darkBg},
			"light":  {"bg": lightBg, "start": lightAccent},
		}},
	} {
		t.Run("prefers "+tc.scheme, func(t *testing.T) {
			if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: tc.scheme}}}); err != nil {
				t.Fatal(err)
			}
			got := look()
			for id, props := range tc.want {
				for k, want := range props {
					if got[id][k] != want {
						t.Errorf("%s %s: %q, want %q", id, k, got[id][k], want)
					}
				}
			}
		})
	}
}
