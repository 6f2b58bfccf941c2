package main

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// fetched records the paths the browser asks of origin.
type fetched struct {
	mu    sync.Mutex
	paths []string
}

func listenFetched(t *testing.T, ctx context.Context, origin string) *fetched {
	t.Helper()
	f := &fetched{}
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok && strings.HasPrefix(e.Request.URL, origin+"/") {
			u, err := url.Parse(e.Request.URL)
			if err != nil {
				return
			}
			f.mu.Lock()
			f.paths = append(f.paths, u.Path)
			f.mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	return f
}

// uploader is how many of the uploader's own files (the wasm, Go's glue,
// the hash and head workers) were asked for, and every path asked for.
func (f *fetched) uploader() (int, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, p := range f.paths {
		if strings.HasSuffix(p, "/altiup.wasm") || strings.HasSuffix(p, "/wasm_exec.js") || strings.HasSuffix(p, "/hash-worker.js") || strings.HasSuffix(p, "/head-worker.js") {
			n++
		}
	}
	return n, append([]string(nil), f.paths...)
}

// versioned is a path in the tree of one content version (server/static).
var versioned = regexp.MustCompile(`^/v/[A-Za-z0-9_-]{12}/`)

// TestEmbedLazy puts the element below the fold of a partner page: its
// interface is drawn, but the wasm, Go's glue and the workers are fetched
// only once it is scrolled into view or used, or at once with
// loading="eager". Everything but altiup.js itself comes by a URL of the
// content version.
func TestEmbedLazy(t *testing.T) {
	p := startServer(t)
	pick := func(t *testing.T, ctx context.Context) {
		if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.JSPath(embedEl+`.shadowRoot.querySelector('#files')`), imagePaths(t, "street.jpg"))); err != nil {
			t.Fatal(err)
		}
	}
	run := func(js string) func(*testing.T, context.Context) {
		return func(t *testing.T, ctx context.Context) { pgEval[bool](t, ctx, `(`+js+`, true)`) }
	}
	for _, tc := range []struct {
		name, attrs string
		use         func(*testing.T, context.Context)
	}{
		{"scrolled into view", "", run(embedEl + `.scrollIntoView()`)},
		{"a method called", "", run(embedEl + `.add([])`)},
		{"files picked", "", pick},
		{"loading=eager", `loading="eager"`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := browser(t)
			got := listenFetched(t, ctx, pg(p))
			srv := hostPage{
				css:  `.tall { height: 300vh; }`,
				body: fmt.Sprintf(`<div class="tall"></div><altiup-uploader api="%s" key="%s" project="%s" token="%s" cloud="s3" %s></altiup-uploader>`, p.api, p.key, p.project, p.token, tc.attrs),
			}.serve(t, p)
			pgConsole(t, ctx)
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
				t.Fatal(err)
			}
			// The interface is there, with its texts, below the fold.
			pgWait(t, ctx, embedEl+`.shadowRoot.querySelector('#start').textContent !== '' && document.readyState === 'complete'`, 30*time.Second)
			if below := pgEval[bool](t, ctx, embedEl+`.getBoundingClientRect().top > innerHeight`); !below {
				t.Fatal("the element is not below the fold")
			}
			if tc.use != nil {
				if n, paths := got.uploader(); n != 0 {
					t.Fatalf("before use, the uploader's files were fetched: %v", paths)
				}
				if v := pgEval[bool](t, ctx, `altiup.version === undefined && `+embedEl+`.shadowRoot.querySelector('#start').disabled`); !v {
					t.Error("the uploader is loaded before use")
				}
				tc.use(t, ctx)
			}
			pgWait(t, ctx, embedEl+`.shadowRoot.querySelector('#start:not([disabled])')`, 60*time.Second)
			n, paths := got.uploader()
			if n < 2 {
				t.Errorf("once used, the wasm and Go's glue were not both fetched: %v", paths)
			}
			for _, path := range paths {
				if path != "/altiup.js" && !versioned.MatchString(path) {
					t.Errorf("%s was fetched by a URL without the content version", path)
				}
			}
		})
	}
}
