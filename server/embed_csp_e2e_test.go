package main

import (
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"altiup/server/static"
	"altiup/web"
)

// readmeCSP is the partner's Content-Security-Policy that README.md gives
// for the in-page mode, its origins put for the sandbox's: altiup's host
// (serving the loader), the API, and the buckets.
func readmeCSP(t *testing.T, p *sandboxProc) string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const head = "Content-Security-Policy: "
	var csp string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, head) {
			csp = strings.TrimPrefix(line, head)
		}
	}
	if csp == "" {
		t.Fatal("README.md gives no Content-Security-Policy line")
	}
	origin := func(raw string) string {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		return u.Scheme + "://" + u.Host
	}
	for _, r := range []struct{ from, to string }{
		{"https://uploads.example.com", origin(p.page)},
		{"https://api.altizure.com", origin(p.api)},
		{"https://*.aliyuncs.com https://*.amazonaws.com", origin(p.storage)},
	} {
		if !strings.Contains(csp, r.from) {
			t.Fatalf("README's CSP has no %s: %s", r.from, csp)
		}
		csp = strings.ReplaceAll(csp, r.from, r.to)
	}
	return csp
}

// TestEmbedPartnerCSP serves a partner page with exactly the CSP the README
// gives for the in-page mode, and the loader's tag with the integrity hash
// ./build.sh prints: the element loads, uploads over OSS and S3 to Ready,
// and the browser reports no violation of the policy.
func TestEmbedPartnerCSP(t *testing.T) {
	p := startServer(t)
	csp := readmeCSP(t, p)
	sri, err := static.New(web.FS, static.Options{}).Integrity(static.LoaderName)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		cloud  string
		images []string // others for each cloud: the same would be skipped
	}{
		{"oss", []string{"street.jpg", "tower.jpg"}},
		{"s3", []string{"bridge.jpg", "roof.png"}},
	} {
		cloud := tc.cloud
		t.Run(cloud, func(t *testing.T) {
			ctx := browser(t)
			srv := hostPage{
				csp:         csp,
				loaderAttrs: `integrity="` + sri + `" crossorigin="anonymous"`,
				js: `window.violations = [];
document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective + ' ' + e.blockedURI));`,
				body: fmt.Sprintf(`<altiup-uploader api="%s" key="%s" project="%s" cloud="%s" lang="en"></altiup-uploader>`, p.api, p.key, p.project, cloud),
			}.serve(t, p)
			pgConsole(t, ctx)
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
				t.Fatal(err)
			}
			pgWait(t, ctx, embedEl+`.shadowRoot.querySelector('#start:not([disabled])')`, 60*time.Second)
			pgEval[bool](t, ctx, fmt.Sprintf(`(`+embedEl+`.token = %q, true)`, p.token))
			if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.JSPath(embedEl+`.shadowRoot.querySelector('#files')`), imagePaths(t, tc.images...))); err != nil {
				t.Fatal(err)
			}
			out := pgEval[map[string]any](t, ctx, embedEl+`.start().then((o) => ({counts: o.counts, processed: o.processed, styled: getComputedStyle(`+embedEl+`.shadowRoot.querySelector('#drop')).borderTopStyle}))`)
			counts, _ := out["counts"].(map[string]any)
			processed, _ := out["processed"].(map[string]any)
			if counts["uploaded"] != float64(2) || processed["ready"] != float64(2) {
				t.Errorf("start() gave %v, want 2 uploaded and Ready", out)
			}
			if out["styled"] != "dashed" {
				t.Errorf("the element's style sheet did not apply: drop zone border %v", out["styled"])
			}
			if v := pgEval[[]string](t, ctx, `violations`); len(v) != 0 {
				t.Errorf("the policy was violated: %v", v)
			}
		})
	}
}
