package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestPageProjectList: the signed-in user's projects are listed with their
// images, gigapixels and task state, a search narrows the list, a project
// is chosen with the keyboard and takes the upload; the account's balance
// and free quota are shown beside it, the token nowhere in the DOM.
func TestPageProjectList(t *testing.T) {
	p := startServer(t)
	ctx := browser(t)
	cspChecked := watchCSP(t, ctx)
	east, west := badProject(t, p, "Bridge east"), badProject(t, p, "Bridge west")
	pgOpen(t, ctx, pg(p)+"/?cloud=s3")
	pgWait(t, ctx, `document.querySelectorAll('#projectlist .pick').length === 3`, 20*time.Second)
	names := pgEval[[]string](t, ctx, `[...document.querySelectorAll('#projectlist .pick')].map((b) => b.querySelector('.pname').textContent + '|' + b.querySelector('.pmeta').textContent)`)
	for _, want := range []string{"Bridge east|0 images · 0 GP · not reconstructed", "Bridge west|0 images · 0 GP · not reconstructed"} {
		if !strings.Contains(strings.Join(names, "\n"), want) {
			t.Errorf("the list %q lacks %q", names, want)
		}
	}
	if got := pgEval[string](t, ctx, `document.querySelector('#projectstatus').textContent`); got != "3 of 3 projects shown." {
		t.Errorf("list status %q", got)
	}
	if got := pgEval[string](t, ctx, `document.querySelector('#balance').textContent`); got != "Demo User: 500 coins, 1.00 GP free to reconstruct (plan Pro, 8 coins per GP)." {
		t.Errorf("balance %q", got)
	}

	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#projsearch"), "bridge")); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `document.querySelectorAll('#projectlist .pick').length === 2 && document.querySelector('#projectstatus').textContent === '2 of 2 projects shown.'`, 10*time.Second)
	// Chosen with the keyboard: Enter on the project's button.
	pgEval[bool](t, ctx, fmt.Sprintf(`(document.querySelector('#projectlist .pick[data-id=%q]').focus(), true)`, west))
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\r")); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, fmt.Sprintf(`document.querySelector('#project').value === %q`, west), 5*time.Second)
	if got := pgEval[string](t, ctx, `[...document.querySelectorAll('#projectlist .pick')].map((b) => b.querySelector('.pname').textContent + '=' + b.getAttribute('aria-pressed')).join(',')`); !strings.Contains(got, "Bridge west=true") || !strings.Contains(got, "Bridge east=false") {
		t.Errorf("pressed: %q", got)
	}
	if got := pgEval[string](t, ctx, `document.querySelector('#account-message').textContent`); got != fmt.Sprintf("Project “Bridge west” chosen: %s.", west) {
		t.Errorf("message %q", got)
	}
	if err := chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.CSS("#files"), imagePaths(t, "roof.png")),
		chromedp.Click(chromedp.CSS("#start")),
	); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `/Validation: 1 ready/.test(document.querySelector('#summary').textContent)`, 30*time.Second)
	for pid, want := range map[string]int{west: 1, east: 0} {
		var r struct{ Project struct{ NumImage int } }
		mustGQL(t, p, `query ($pid: ID!) { project(id: $pid) { numImage } }`, map[string]any{"pid": pid}, &r)
		if r.Project.NumImage != want {
			t.Errorf("project %s has %d images, want %d", pid, r.Project.NumImage, want)
		}
	}
	if pgEval[bool](t, ctx, fmt.Sprintf(`document.documentElement.outerHTML.replace(document.querySelector('#token').value, '').includes(%q)`, p.token)) {
		t.Error("the token is in the DOM outside its field")
	}
	// Chinese too.
	pgEval[bool](t, ctx, `(() => { const s = document.querySelector('#lang'); s.value = 'zh'; s.dispatchEvent(new Event('change')); return true; })()`)
	pgWait(t, ctx, `document.querySelector('#projectstatus').textContent === '已显示 2 个项目，共 2 个。' && /尚未重建/.test(document.querySelector('#projectlist').textContent) && /余额 500 币/.test(document.querySelector('#balance').textContent)`, 5*time.Second)
	cspChecked()
}

// TestPageProjectListPaging: more than a page of projects comes a page at
// a time through "More projects".
func TestPageProjectListPaging(t *testing.T) {
	p := startServer(t)
	ctx := browser(t)
	for i := range 22 {
		badProject(t, p, fmt.Sprintf("Survey %02d", i))
	}
	pgOpen(t, ctx, pg(p)+"/")
	pgWait(t, ctx, `document.querySelectorAll('#projectlist .pick').length === 20 && !document.querySelector('#moreprojects').hidden`, 20*time.Second)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#moreprojects"))); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `document.querySelectorAll('#projectlist .pick').length === 23 && document.querySelector('#moreprojects').hidden`, 10*time.Second)
	// The next page's first project has the focus, for keyboard users.
	if got := pgEval[string](t, ctx, `document.activeElement.className + '|' + (document.activeElement === document.querySelectorAll('#projectlist .pick')[20])`); got != "pick|true" {
		t.Errorf("focus after more: %q", got)
	}
	if got := pgEval[int](t, ctx, `new Set([...document.querySelectorAll('#projectlist .pick')].map((b) => b.dataset.id)).size`); got != 23 {
		t.Errorf("%d distinct projects, want 23", got)
	}
}

// TestPageStopReconstruction starts a reconstruction on three Ready photos
// and stops it with the Stop button next to its state; started again, it
// is stopped from the project list.
func TestPageStopReconstruction(t *testing.T) {
	// Tasks that run for minutes: the test stops them while they run, however slow the machine.
	p := startServer(t, "-task-time", "5m")
	ctx := browser(t)
	pid := badProject(t, p, "Stop me")
	pgOpen(t, ctx, pg(p)+"/?cloud=oss&project="+pid)
	if got := pgEval[bool](t, ctx, `document.querySelector('#stoprecon').hidden`); !got {
		t.Error("Stop is shown with no task")
	}
	if err := chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.CSS("#files"), imagePaths(t, "street.jpg", "tower.jpg", "bridge.jpg")),
		chromedp.Click(chromedp.CSS("#start")),
	); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `/Validation: 3 ready/.test(document.querySelector('#summary').textContent)`, 30*time.Second)
	if err := chromedp.Do(ctx, chromedp.WaitEnabled(chromedp.CSS("#reconstruct")), chromedp.Click(chromedp.CSS("#reconstruct"))); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `!document.querySelector('#stoprecon').hidden`, 20*time.Second)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#stoprecon"))); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `document.querySelector('#reconstruction').dataset.state === 'Stopped' && /: stopped\.$/.test(document.querySelector('#reconstruction').textContent) && document.querySelector('#stoprecon').hidden`, 10*time.Second)
	var r struct{ Project struct{ TaskState string } }
	mustGQL(t, p, `query ($pid: ID!) { project(id: $pid) { taskState } }`, map[string]any{"pid": pid}, &r)
	if r.Project.TaskState != "Stopped" {
		t.Errorf("the project's task is %s, want Stopped", r.Project.TaskState)
	}

	if err := chromedp.Do(ctx, chromedp.WaitEnabled(chromedp.CSS("#reconstruct")), chromedp.Click(chromedp.CSS("#reconstruct"))); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `!document.querySelector('#stoprecon').hidden`, 20*time.Second)
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#projsearch"), "stop me")); err != nil {
		t.Fatal(err)
	}
	stop := fmt.Sprintf(`#projectlist .stop[data-id=%q]`, pid)
	pgWait(t, ctx, `!!document.querySelector('`+stop+`')`, 10*time.Second)
	if got := pgEval[string](t, ctx, `document.querySelector('`+stop+`').getAttribute('aria-label')`); got != "Stop the reconstruction of Stop me" {
		t.Errorf("the list's Stop is labelled %q", got)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(stop))); err != nil {
		t.Fatal(err)
	}
	pgWait(t, ctx, `!document.querySelector('`+stop+`') && /· stopped$/.test(document.querySelector('#projectlist .pmeta').textContent)`, 10*time.Second)
	if got := pgEval[string](t, ctx, `document.querySelector('#account-message').textContent`); got != "The reconstruction of “Stop me” is stopped." {
		t.Errorf("message %q", got)
	}
	mustGQL(t, p, `query ($pid: ID!) { project(id: $pid) { taskState } }`, map[string]any{"pid": pid}, &r)
	if r.Project.TaskState != "Stopped" {
		t.Errorf("the project's task is %s, want Stopped", r.Project.TaskState)
	}
}
