package main

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// matrixBandwidth stretches a batch of twelve ~200 KB photos over more than
// ten seconds, so that a fault injected a few seconds in lands mid-batch.
const matrixBandwidth = 150000

// startBatch opens the page, gives it the files and starts the upload.
func startBatch(t *testing.T, ctx context.Context, p *sandboxProc, cloud string, paths []string) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(p.page+"/?cloud="+cloud),
		chromedp.WaitVisible(chromedp.CSS("#start:not([disabled])")),
		chromedp.SetValue(chromedp.CSS("#concurrency"), "4"),
		chromedp.SetUploadFiles(chromedp.CSS("#files"), paths),
		chromedp.Click(chromedp.CSS("#start")),
	); err != nil {
		t.Fatal(err)
	}
}

// waitRowsDone waits until at least n of the page's rows are uploaded or
// ready, and returns how many are.
func waitRowsDone(t *testing.T, ctx context.Context, n int) int {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		rows, err := pageRows(ctx)
		if err != nil {
			t.Fatal(err)
		}
		done := 0
		for _, r := range rows {
			if r.State == "uploaded" || r.State == "ready" {
				done++
			}
		}
		if done >= n {
			return done
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("fewer than %d files were uploaded within 60 s", n)
	return 0
}

// waitBatchEnd waits until the page reports validation or stops, and
// returns its summary.
func waitBatchEnd(t *testing.T, ctx context.Context, nl *netLog) string {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => {
		const s = document.querySelector('#summary').textContent, m = document.querySelector('#message').textContent;
		return /Validation:/.test(s) || /stopped/.test(m) || (/failed\./.test(s) && !/Waiting/.test(s)) || (m !== '' && document.querySelector('#start').disabled === false && s === '');
	})()`, chromedp.WithPollingTimeout(100*time.Second)))
	summary, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#summary")))
	if err != nil {
		rows, _ := pageRows(ctx)
		message, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#message")))
		t.Fatalf("the page did not finish within 100 s: %v\nsummary: %q\nmessage: %q\nrows: %+v\nnetwork: %s", err, summary, message, rows, nl)
	}
	return summary
}

// checkProject checks that every file is in the project exactly once,
// Ready, with the file's checksum, and that every page row is ready.
func checkProject(t *testing.T, ctx context.Context, p *sandboxProc, files []faultFile) {
	t.Helper()
	rows, err := pageRows(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(files) {
		t.Errorf("page shows %d rows, want %d", len(rows), len(files))
	}
	for _, r := range rows {
		if r.State != "ready" {
			t.Errorf("page row %s: %s (%s)", r.Name, r.State, r.Details)
		}
	}
	n, nodes := projectImages(t, p)
	if n != len(files) || len(nodes) != len(files) {
		t.Errorf("project has %d images (%d listed), want %d", n, len(nodes), len(files))
	}
	seen := map[string]int{}
	sums := map[string]string{}
	for _, nd := range nodes {
		seen[nd.Name]++
		sums[nd.Name] = nd.Checksum
		if nd.State != "Ready" {
			t.Errorf("image %s: %s, want Ready", nd.Name, nd.State)
		}
	}
	for _, f := range files {
		switch {
		case seen[f.name] != 1:
			t.Errorf("%s is in the project %d times, want once", f.name, seen[f.name])
		case sums[f.name] != f.sum:
			t.Errorf("%s: stored checksum %s, file's %s", f.name, sums[f.name], f.sum)
		}
	}
}

// failedRequests counts the browser's requests that ended in a network
// error (refused, cut).
func failedRequests(nl *netLog) int {
	nl.mu.Lock()
	defer nl.mu.Unlock()
	n := 0
	for k, c := range nl.outcome {
		if strings.Contains(k, "net::ERR_") {
			n += c
		}
	}
	return n
}

// setOffline cuts the page off the network, or gives it back, as DevTools'
// network conditions do.
func setOffline(t *testing.T, ctx context.Context, off bool) {
	t.Helper()
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{
		Offline: off, DownloadThroughput: -1, UploadThroughput: -1,
	}); err != nil {
		t.Fatal(err)
	}
}

// freePort returns a port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

var summaryRe = regexp.MustCompile(`^(\d+) files: (\d+) uploaded, (\d+) skipped, (\d+) failed\. Validation: (\d+) ready, (\d+) invalid\.$`)

// TestFaultMatrixMore: the sandbox restarts, or the page reloads, mid-batch;
// every photo still ends in the project exactly once, Ready, with the
// file's checksum.
func TestFaultMatrixMore(t *testing.T) {
	if testing.Short() {
		t.Skip("long end-to-end test")
	}
	files := makeJPEGs(t, 12)
	var paths []string
	for _, f := range files {
		paths = append(paths, f.path)
	}
	all := fmt.Sprintf("%d files: %d uploaded, 0 skipped, 0 failed. Validation: %d ready, 0 invalid.", len(files), len(files), len(files))
	slow := []string{"-bandwidth", fmt.Sprint(matrixBandwidth)}

	t.Run("sandbox restarts", func(t *testing.T) {
		args := append([]string{"-data", t.TempDir(),
			"-addr", "127.0.0.1:" + strconv.Itoa(freePort(t)), "-storage-addr", "127.0.0.1:" + strconv.Itoa(freePort(t))}, slow...)
		p1 := startServer(t, args...)
		ctx := browser(t)
		nl := listenNet(t, ctx, p1)
		startBatch(t, ctx, p1, "oss", paths)
		done := waitRowsDone(t, ctx, 2)
		if done == len(files) {
			t.Fatal("the batch ended before the sandbox stopped: the case tests nothing")
		}
		stopped := time.Now()
		p1.cancel()
		if err := <-p1.done; err != nil {
			t.Fatal(err)
		}
		p1.done <- nil // for the cleanup of p1
		time.Sleep(2 * time.Second)
		p2 := startServer(t, args...)
		down := time.Since(stopped)
		if p2.page != p1.page || p2.api != p1.api || p2.storage != p1.storage || p2.project != p1.project {
			t.Fatalf("the restarted sandbox moved: %s %s %s", p2.page, p2.api, p2.storage)
		}
		summary := waitBatchEnd(t, ctx, nl)
		t.Logf("%d files uploaded before the restart; down for %v; network: %s", done, down.Round(time.Millisecond), nl)
		if failedRequests(nl) == 0 {
			t.Error("no request failed while the sandbox was down: the case tests nothing")
		}
		if summary != all {
			t.Errorf("report: %q, want %q", summary, all)
		}
		checkProject(t, ctx, p2, files)
	})

	t.Run("browser offline", func(t *testing.T) {
		p := startServer(t, slow...)
		ctx := browser(t)
		nl := listenNet(t, ctx, p)
		startBatch(t, ctx, p, "oss", paths)
		done := waitRowsDone(t, ctx, 2)
		if done == len(files) {
			t.Fatal("the batch ended before the network went: the case tests nothing")
		}
		setOffline(t, ctx, true)
		time.Sleep(10 * time.Second)
		setOffline(t, ctx, false)
		summary := waitBatchEnd(t, ctx, nl)
		t.Logf("%d files uploaded before going offline; network: %s", done, nl)
		if failedRequests(nl) == 0 {
			t.Error("no request failed while offline: the case tests nothing")
		}
		if summary != all {
			t.Errorf("report: %q, want %q", summary, all)
		}
		checkProject(t, ctx, p, files)
	})

	t.Run("page reloads", func(t *testing.T) {
		p := startServer(t, slow...)
		ctx := browser(t)
		startBatch(t, ctx, p, "oss", paths)
		done := waitRowsDone(t, ctx, 3)
		if done == len(files) {
			t.Fatal("the batch ended before the reload: the case tests nothing")
		}
		if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
			t.Fatal(err)
		}
		// Only what the page sends after the reload counts.
		nl := listenNet(t, ctx, p)
		startBatch(t, ctx, p, "oss", paths)
		summary := waitBatchEnd(t, ctx, nl)
		t.Logf("%d files uploaded before the reload; after it: %q; network: %s", done, summary, nl)
		m := summaryRe.FindStringSubmatch(summary)
		if m == nil {
			t.Fatalf("report: %q, want the counts and validation", summary)
		}
		n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
		total, uploaded, skipped, failed, ready, invalid := n(1), n(2), n(3), n(4), n(5), n(6)
		if total != len(files) || uploaded+skipped != len(files) || failed != 0 || ready != len(files) || invalid != 0 {
			t.Errorf("report: %q, want %d files, all uploaded or skipped, all ready", summary, len(files))
		}
		if skipped < done {
			t.Errorf("report: %q: %d files were uploaded before the reload, yet only %d skipped", summary, done, skipped)
		}
		nl.mu.Lock()
		puts := nl.outcome["storage PUT 200"]
		nl.mu.Unlock()
		if puts != uploaded {
			t.Errorf("the page stored %d files after the reload and reports %d uploaded (network: %s)", puts, uploaded, nl)
		}
		checkProject(t, ctx, p, files)
	})
}
