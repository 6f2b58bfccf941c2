package main

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"

	"altiup/wasm/altizure"
	"altiup/wasm/ossstore"
	"altiup/wasm/upload"
)

// badFile is an upload.Source in memory.
type badFile struct {
	name, typ string
	data      []byte
}

func (m badFile) Name() string { return m.name }
func (m badFile) Size() int64  { return int64(len(m.data)) }
func (m badFile) Type() string { return m.typ }
func (m badFile) ReadAt(p []byte, off int64) (int, error) {
	return bytes.NewReader(m.data).ReadAt(p, off)
}

func badImageFile(t *testing.T, file, as string) badFile {
	b, _ := readImage(t, file)
	return badFile{name: as, typ: "image/jpeg", data: b}
}

// quick are options that keep retries of hopeless calls short.
func badOptions(pid, cloud string) upload.Options {
	return upload.Options{Project: pid, Cloud: cloud, PollInterval: 100 * time.Millisecond, Retries: 1,
		RetryBase: 10 * time.Millisecond, RetryMax: 50 * time.Millisecond, CallTimeout: 5 * time.Second}
}

// TestBadInputAgainstSandbox runs the core natively against the sandbox with
// the files and settings a person gets wrong: each ends with a clear
// message in words, and the good files of the same batch are not disturbed.
func TestBadInputAgainstSandbox(t *testing.T) {
	p := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := altizure.New(p.api, p.key, p.token, nil)
	deps := upload.Deps{API: client, Putter: upload.HTTPPutter{}, OSS: ossstore.New}

	t.Run("files", func(t *testing.T) {
		for _, cloud := range []string{"oss", "s3"} {
			t.Run(cloud, func(t *testing.T) {
				pid := badProject(t, p, "bad input "+cloud)
				street := badImageFile(t, "street.jpg", "IMG 0001 街景 ../../etc/passwd.jpg")
				tower := badImageFile(t, "tower.jpg", "same name.jpg")
				bridge := badImageFile(t, "bridge.jpg", "same name.jpg") // same name, other content
				png, _ := readImage(t, "roof.png")
				tif, _ := readImage(t, "wall.tif")
				trunc, _ := readImage(t, "truncated.jpg")
				files := []upload.Source{
					street,
					badFile{name: "empty.jpg", typ: "image/jpeg"},
					badFile{name: "paper.jpg", typ: "image/jpeg", data: []byte("%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n")},
					badFile{name: "truncated.jpg", typ: "image/jpeg", data: trunc},
					badFile{name: "roof.png", typ: "image/png", data: png},
					badFile{name: "wall.tif", typ: "image/tiff", data: tif},
					tower, bridge,
					badFile{name: "street again.jpg", typ: "image/jpeg", data: street.data}, // the same image twice
				}
				u, err := upload.New(badOptions(pid, cloud), deps)
				if err != nil {
					t.Fatal(err)
				}
				u.Add(files...)
				rep, err := u.Start(ctx)
				if err != nil {
					t.Fatal(err)
				}
				res, err := u.WaitProcessed(ctx)
				if err != nil {
					t.Fatal(err)
				}
				want := []struct {
					state upload.State
					words string
				}{
					{upload.StateUploaded, ""},
					{upload.StateFailed, `"empty.jpg" is empty`},
					{upload.StateFailed, `"paper.jpg" is not a JPEG, PNG or TIFF image`},
					{upload.StateUploaded, ""},
					{upload.StateUploaded, ""},
					{upload.StateUploaded, ""},
					{upload.StateUploaded, ""},
					{upload.StateUploaded, ""},
					{upload.StateSkipped, ""},
				}
				for i, w := range want {
					f := rep.Files[i]
					if f.State != w.state || (w.words != "") != (f.Error != nil) || f.Error != nil && !strings.Contains(f.Error.Message, w.words) {
						t.Errorf("%s: %s %+v, want %s %q", f.Name, f.State, f.Error, w.state, w.words)
					}
				}
				if rep.Files[8].ImageID != rep.Files[0].ImageID {
					t.Errorf("the second copy got image %s, the first %s", rep.Files[8].ImageID, rep.Files[0].ImageID)
				}
				if res.Wanted != 6 || res.Ready != 5 || res.Invalid != 1 || res.Failed != 0 || res.InvalidFiles[0].Name != "truncated.jpg" || res.InvalidFiles[0].Index != 3 || len(res.InvalidFiles[0].Errors) == 0 {
					t.Fatalf("processed %+v", res)
				}
				t.Logf("truncated.jpg: %q", res.InvalidFiles[0].Errors)

				// The project holds each image once, under the names given.
				images := badImages(t, p, pid)
				if len(images) != 6 {
					t.Fatalf("the project has %d images, want 6: %+v", len(images), images)
				}
				names := map[string]int{}
				for _, img := range images {
					names[img.Name]++
				}
				if names["same name.jpg"] != 2 || names[street.name] != 1 {
					t.Errorf("names in the project: %v", names)
				}
			})
		}
	})

	t.Run("settings", func(t *testing.T) {
		pid := badProject(t, p, "settings")
		other := upload.Deps{API: altizure.New(p.api, p.key, p.token, nil), Putter: upload.HTTPPutter{}, OSS: ossstore.New}
		tests := []struct {
			name     string
			deps     upload.Deps
			pid      string
			cloud    string
			wantCode string
			words    string
		}{
			{"wrong token", upload.Deps{API: altizure.New(p.api, p.key, "not-the-token", nil), Putter: upload.HTTPPutter{}, OSS: ossstore.New}, pid, "oss", upload.CodeUnauthorized, ""},
			{"wrong app key", upload.Deps{API: altizure.New(p.api, "not-the-key", p.token, nil), Putter: upload.HTTPPutter{}, OSS: ossstore.New}, pid, "oss", upload.CodeUnauthorized, ""},
			{"project not yours", other, "5f00000000000000000000ff", "oss", upload.CodeNotFound, "not"},
			{"API unreachable", upload.Deps{API: altizure.New("http://127.0.0.1:1/graphql", p.key, p.token, nil), Putter: upload.HTTPPutter{}, OSS: ossstore.New}, pid, "oss", upload.CodeNetwork, "could not be reached"},
			{"storage refuses (403)", upload.Deps{API: client, Putter: upload.HTTPPutter{}, OSS: badSigner}, pid, "oss", "", "The storage refused the file (status 403"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				u, err := upload.New(badOptions(tc.pid, tc.cloud), tc.deps)
				if err != nil {
					t.Fatal(err)
				}
				u.Add(badImageFile(t, "tower.jpg", "tower.jpg"), badImageFile(t, "bridge.jpg", "bridge.jpg"))
				rep, err := u.Start(ctx)
				if rep.Failed != 2 {
					t.Fatalf("report %+v, %v: want both failed", rep, err)
				}
				e := rep.Files[0].Error
				if tc.wantCode != "" {
					// A refusal that holds for every file stops the batch.
					be := upload.AsError(err)
					if be == nil || be.Code != tc.wantCode || e.Code != tc.wantCode {
						t.Fatalf("batch error %+v, file error %+v, want code %s", be, e, tc.wantCode)
					}
				}
				if !strings.Contains(e.Message, tc.words) {
					t.Fatalf("message %q, want %q", e.Message, tc.words)
				}
				for _, secret := range []string{p.token, "Signature=", "security-token", "altiup1."} {
					if strings.Contains(e.Message, secret) {
						t.Fatalf("message %q shows a secret", e.Message)
					}
				}
				t.Logf("%s: %s", e.Code, e.Message)
			})
		}
		if n := len(badImages(t, p, pid)); n != 2 {
			// Only the storage refusal registered images; nothing else changed.
			t.Fatalf("the project has %d images, want the 2 registered before the storage refused them", n)
		}
	})
}

// badSigner signs OSS PUTs with a wrong signature, so the storage
// refuses them with 403.
func badSigner(sts upload.STS) (upload.OSSSigner, error) {
	s, err := ossstore.New(sts)
	if err != nil {
		return nil, err
	}
	return badTampered{s}, nil
}

type badTampered struct{ upload.OSSSigner }

func (t badTampered) SignPut(key, contentType string, expires time.Duration) (string, error) {
	s, err := t.OSSSigner.SignPut(key, contentType, expires)
	if err != nil {
		return "", err
	}
	u, _ := url.Parse(s)
	q := u.Query()
	q.Set("Signature", "AAAA"+q.Get("Signature")[4:])
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func badProject(t *testing.T, p *sandboxProc, name string) string {
	t.Helper()
	var r struct{ CreateProject struct{ ID string } }
	mustGQL(t, p, `mutation ($name: String!) { createProject(name: $name, type: free) { id } }`, map[string]any{"name": name}, &r)
	if r.CreateProject.ID == "" {
		t.Fatal("createProject returned no id")
	}
	return r.CreateProject.ID
}

type badImageRec struct{ Name, State, Checksum string }

func badImages(t *testing.T, p *sandboxProc, pid string) []badImageRec {
	t.Helper()
	var all struct {
		Project struct {
			AllImages struct {
				Edges []struct{ Node badImageRec }
			}
		}
	}
	mustGQL(t, p, `query ($pid: ID!) { project(id: $pid) { allImages(first: 500) { edges { node { name state checksum } } } } }`,
		map[string]any{"pid": pid}, &all)
	var out []badImageRec
	for _, e := range all.Project.AllImages.Edges {
		out = append(out, e.Node)
	}
	return out
}

func badSHA1(b []byte) string {
	s := sha1.Sum(b)
	return hex.EncodeToString(s[:])
}

// badLoggedServer is a server whose logs are kept (see startServerLogs).
type badLoggedServer struct {
	*sandboxProc
	logs logBuffer
}

func (s *badLoggedServer) text() string { return s.logs.String() }

func badStartLogged(t *testing.T, args ...string) *badLoggedServer {
	t.Helper()
	s := &badLoggedServer{}
	s.sandboxProc = startServerLogs(t, &s.logs, args...)
	return s
}

// badSecretPatterns match what must never be shown or kept: signatures of
// presigned URLs (S3, OSS V1 and V4), STS security tokens and access key
// ids as the sandbox issues them.
var badSecretPatterns = regexp.MustCompile(`(?i)X-Amz-Signature|X-Amz-Credential|[?&]Signature=|x-oss-signature|security-token=|OSSAccessKeyId|altiup1\.[A-Za-z0-9_-]{8}|STS\.[A-Za-z0-9]{24}`)

// badDumpStorage returns, as text, the page's DOM without the token input,
// its localStorage and sessionStorage, and every value in its IndexedDB
// databases (bytes decoded as UTF-8).
const badDumpStorage = `(async () => {
	const out = [];
	const doc = document.documentElement.cloneNode(true);
	const tok = doc.querySelector('#token');
	if (tok) tok.remove();
	out.push(doc.outerHTML);
	for (const st of [localStorage, sessionStorage]) {
		for (let i = 0; i < st.length; i++) out.push(st.key(i) + '=' + st.getItem(st.key(i)));
	}
	const text = async (v) => {
		if (v instanceof Blob) return await v.text();
		if (v instanceof ArrayBuffer) return new TextDecoder().decode(v);
		if (ArrayBuffer.isView(v)) return new TextDecoder().decode(v);
		return JSON.stringify(v);
	};
	let dbs = 0;
	for (const info of await indexedDB.databases()) {
		dbs++;
		const db = await new Promise((ok, no) => { const r = indexedDB.open(info.name); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
		for (const name of db.objectStoreNames) {
			const all = await new Promise((ok, no) => { const r = db.transaction(name).objectStore(name).getAll(); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
			for (const v of all) out.push(info.name + '/' + name + ': ' + await text(v));
		}
		db.close();
	}
	return JSON.stringify({dbs, text: out.join('\n')});
})()`

// TestPageKeepsSecretsOut uploads over OSS and S3 through the page and then
// looks for the user token, STS credentials and URL signatures in the
// server's logs, the page's DOM (outside the token input) and the page's
// storage (localStorage, sessionStorage, IndexedDB).
func TestPageKeepsSecretsOut(t *testing.T) {
	s := badStartLogged(t)
	ctx := browser(t)
	big, _ := largeJPEG(t, 2<<20) // large enough for the journal
	for _, run := range []struct {
		cloud string
		files []string
	}{{"oss", []string{"street.jpg", big}}, {"s3", []string{"bridge.jpg", "roof.png"}}} {
		var paths []string
		for _, f := range run.files {
			p, _ := filepath.Abs(filepath.Join("..", "testdata", "images", f))
			if filepath.IsAbs(f) {
				p = f
			}
			paths = append(paths, p)
		}
		if err := chromedp.Do(ctx,
			chromedp.Navigate(s.page+"/?cloud="+run.cloud),
			chromedp.WaitVisible(chromedp.CSS("#start:not([disabled])")),
			chromedp.SetUploadFiles(chromedp.CSS("#files"), paths),
			chromedp.Click(chromedp.CSS("#start")),
		); err != nil {
			t.Fatal(err)
		}
		for _, r := range waitRows(t, ctx, len(run.files), final) {
			if r.State != "ready" {
				t.Fatalf("%s over %s: %s (%s)", r.Name, run.cloud, r.State, r.Details)
			}
		}
	}
	var dump struct {
		DBs  int
		Text string
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](badDumpStorage, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(raw), &dump); err != nil {
		t.Fatal(err)
	}
	if dump.DBs == 0 || !strings.Contains(dump.Text, `"checksum":"`) {
		t.Fatalf("the page's IndexedDB holds no journal: the scan would see nothing (%d databases)", dump.DBs)
	}
	// The patterns recognise the secrets this sandbox hands out.
	var cred struct {
		UploadImageOSS struct {
			Sts struct{ ID, Secret, Token, Bucket, Endpoint string }
		}
	}
	mustGQL(t, s.sandboxProc, `mutation ($pid: ID!) { uploadImageOSS(pid: $pid, bucket: Hangzhou, filename: "") { sts { id secret token bucket endpoint } } }`,
		map[string]any{"pid": s.project}, &cred)
	sts := cred.UploadImageOSS.Sts
	signer, err := ossstore.New(upload.STS{ID: sts.ID, Secret: sts.Secret, Token: sts.Token, Bucket: sts.Bucket, Endpoint: sts.Endpoint})
	if err != nil {
		t.Fatal(err)
	}
	signed, err := signer.SignPut(s.project+"/x.jpg", "image/jpeg", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var s3 struct{ UploadImageS3 struct{ URL string } }
	mustGQL(t, s.sandboxProc, `mutation ($pid: ID!) { uploadImageS3(pid: $pid, bucket: Tokyo, filename: "probe.jpg") { url } }`,
		map[string]any{"pid": s.project}, &s3)
	for _, secret := range []string{sts.ID, sts.Token, signed, s3.UploadImageS3.URL} {
		if !badSecretPatterns.MatchString(secret) {
			t.Fatalf("the scan would miss a secret of the form %.12s…", secret)
		}
	}
	for where, text := range map[string]string{"the server's logs": s.text(), "the page and its storage": dump.Text} {
		if strings.Contains(text, s.token) {
			t.Errorf("%s show the user token", where)
		}
		if m := badSecretPatterns.FindAllString(text, 5); len(m) > 0 {
			t.Errorf("%s show secrets: %q", where, m)
		}
	}
}

// TestPageStorageWithoutCORS serves the storage's answers to the browser
// without their CORS headers (through the DevTools Fetch domain), as a bucket
// without CORS rules would: the page says that CORS may be the cause, in
// words, not "Failed to fetch", and nothing arrives in the project.
func TestPageStorageWithoutCORS(t *testing.T) {
	p := startServer(t)
	ctx := browser(t)
	evs := make(chan *fetch.EventRequestPaused, 64)
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*fetch.EventRequestPaused); ok {
			evs <- e
		}
	}); err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case e := <-evs:
				var keep []*fetch.HeaderEntry
				for _, h := range e.ResponseHeaders {
					if !strings.HasPrefix(strings.ToLower(h.Name), "access-control-") {
						keep = append(keep, h)
					}
				}
				_, _ = chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: e.RequestID, ResponseCode: e.ResponseStatusCode, ResponseHeaders: keep})
			}
		}
	}()
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: p.storage + "/*", RequestStage: fetch.RequestStageResponse}}}); err != nil {
		t.Fatal(err)
	}
	path, _ := filepath.Abs(filepath.Join("..", "testdata", "images", "street.jpg"))
	if err := chromedp.Do(ctx,
		chromedp.Navigate(p.page+"/?cloud=oss"),
		chromedp.WaitVisible(chromedp.CSS("#start:not([disabled])")),
		chromedp.SetUploadFiles(chromedp.CSS("#files"), []string{path}),
		chromedp.Click(chromedp.CSS("#start")),
	); err != nil {
		t.Fatal(err)
	}
	rows := waitRows(t, ctx, 1, final)
	if r := rows[0]; r.State != "failed" || !strings.Contains(r.Details, "CORS") || strings.Contains(r.Details, "Failed to fetch") {
		t.Fatalf("row %+v, want failed with CORS named as the likely cause", r)
	}
	t.Logf("shown: %s", rows[0].Details)
	for _, img := range badImages(t, p, p.project) {
		if img.State == "Ready" {
			t.Fatalf("an image arrived although the storage refused: %+v", img)
		}
	}
}
