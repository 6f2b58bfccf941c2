package sandbox_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/Khan/genqlient/graphql"

	"altiup/server/sandbox"
	"altiup/server/sandbox/internal/gqltest"
)

func TestAuth(t *testing.T) {
	e := newEnv(t)
	pid := e.project("auth")
	noKey := e.client(map[string]string{"altitoken": demoToken})
	badKey := e.client(map[string]string{"key": "wrong", "altitoken": demoToken})
	badToken := e.client(map[string]string{"key": appKey, "altitoken": "stolen"})

	t.Run("key only is enough for", func(t *testing.T) {
		if _, err := gqltest.GeoIP(ctx, e.anon); err != nil {
			t.Error("getGeoIPInfo:", err)
		}
		if _, err := gqltest.Support(ctx, e.anon, nil); err != nil {
			t.Error("support:", err)
		}
		if _, err := gqltest.EnumValues(ctx, e.anon, "BucketOSS"); err != nil {
			t.Error("__type:", err)
		}
		if _, err := gqltest.CoinsToMoney(ctx, e.anon, ptr(1.0), nil); err != nil {
			t.Error("bank:", err)
		}
	})

	jpg := gqltest.IMAGE_TYPEJpeg
	sum := sha([]byte("x"))
	ops := map[string]func(graphql.Client) error{
		"getGeoIPInfo": func(c graphql.Client) error { _, err := gqltest.GeoIP(ctx, c); return err },
		"project":      func(c graphql.Client) error { _, err := gqltest.Project(ctx, c, pid); return err },
		"my":           func(c graphql.Client) error { _, err := gqltest.Me(ctx, c); return err },
		"search":       func(c graphql.Client) error { _, err := gqltest.SearchProjects(ctx, c, nil, nil, nil); return err },
		"createProject": func(c graphql.Client) error {
			_, err := gqltest.CreateProject(ctx, c, "intruder", nil, nil, nil, nil)
			return err
		},
		"hasImage": func(c graphql.Client) error { _, err := gqltest.HasImage(ctx, c, pid, sum); return err },
		"uploadImageOSS": func(c graphql.Client) error {
			_, err := gqltest.UploadImageOSS(ctx, c, pid, gqltest.BucketOSSHangzhou, "a.jpg", &jpg, &sum)
			return err
		},
		"uploadImageS3": func(c graphql.Client) error {
			_, err := gqltest.UploadImageS3(ctx, c, pid, gqltest.BucketS3Tokyo, "a.jpg", &jpg, &sum)
			return err
		},
		"startReconstructionWithError": func(c graphql.Client) error {
			_, err := gqltest.StartReconstruction(ctx, c, pid, nil, nil)
			return err
		},
	}
	cases := []struct {
		name   string
		client graphql.Client
		skip   string // an operation this client may call
		want   string
	}{
		{"no key", noKey, "", "missing app key"},
		{"wrong key", badKey, "", "app key in the header key is not known"},
		{"no token", e.anon, "getGeoIPInfo", "needs a user token"},
		{"unknown token", badToken, "getGeoIPInfo", "user token in the header altitoken is not known"},
	}
	for _, c := range cases {
		for name, op := range ops {
			if name == c.skip {
				continue
			}
			t.Run(c.name+"/"+name, func(t *testing.T) {
				before := e.snapshot()
				before += strings.Repeat("x", e.oss.issuedCount())
				msg, code := errInfo(op(c.client))
				if !strings.Contains(msg, c.want) || code != "UNAUTHENTICATED" {
					t.Errorf("error %q (%s), want %q", msg, code, c.want)
				}
				if after := e.snapshot() + strings.Repeat("x", e.oss.issuedCount()); after != before {
					t.Error("the state changed")
				}
			})
		}
	}
}

func TestHTTP(t *testing.T) {
	e := newEnv(t, func(c *sandbox.Config) { c.MaxBodyBytes = 2048 })
	h := map[string]string{"key": appKey, "altitoken": demoToken}
	cases := []struct {
		name   string
		body   string
		status int
		want   string
	}{
		{"oversized", `{"query":"{ support { systemMode } }","variables":{"x":"` + strings.Repeat("a", 3000) + `"}}`, 413, "larger than the limit of 2048 bytes"},
		{"not JSON", `{"query": "{ support { systemMode } }"`, 400, "not valid JSON"},
		{"empty", ``, 400, "request body is empty"},
		{"not an object", `["query"]`, 400, "must be a JSON object"},
		{"no query", `{"variables":{}}`, 400, `has no "query"`},
		{"variables not an object", `{"query":"{ support { systemMode } }","variables":[1]}`, 400, `"variables" must be a JSON object`},
		{"malformed GraphQL", `{"query":"{ support { systemMode }"}`, 422, "Expected Name, found <EOF>"},
		{"unknown field", `{"query":"{ support { mood } }"}`, 422, `Cannot query field "mood"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.snapshot()
			r := e.post(c.body, h)
			if r.Status != c.status || len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, c.want) {
				t.Errorf("status %d, errors %+v; want %d %q", r.Status, r.Errors, c.status, c.want)
			}
			if e.snapshot() != before {
				t.Error("the state changed")
			}
		})
	}

	t.Run("CORS preflight", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodOptions, e.srv.URL+"/graphql", nil)
		req.Header.Set("Origin", "http://elsewhere.example")
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "key, altitoken, content-type")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Errorf("status %d", resp.StatusCode)
		}
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("Allow-Origin %q", got)
		}
		allowed := strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers"))
		for _, want := range []string{"key", "altitoken", "content-type"} {
			if !strings.Contains(allowed, want) {
				t.Errorf("Allow-Headers %q lacks %s", allowed, want)
			}
		}
		if !strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "POST") {
			t.Errorf("Allow-Methods %q", resp.Header.Get("Access-Control-Allow-Methods"))
		}
	})
	t.Run("CORS on answers, errors included", func(t *testing.T) {
		for _, key := range []string{appKey, ""} {
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", strings.NewReader(`{"query":"{ support { systemMode } }"}`))
			req.Header.Set("key", key)
			req.Header.Set("Origin", "http://elsewhere.example")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("key %q: no Allow-Origin", key)
			}
			// The client reads the server's clock and Retry-After cross-origin.
			exposed := strings.ToLower(resp.Header.Get("Access-Control-Expose-Headers"))
			if !strings.Contains(exposed, "date") || !strings.Contains(exposed, "retry-after") {
				t.Errorf("key %q: Expose-Headers %q, want Date and Retry-After", key, exposed)
			}
		}
	})
	t.Run("text/plain bodies are JSON too", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", strings.NewReader(`{"query":"{ support { systemMode } }"}`))
		req.Header.Set("key", appKey)
		req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if !strings.Contains(string(b), `"systemMode":"Normal"`) {
			t.Errorf("answer %s", b)
		}
	})
	t.Run("GET queries", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/graphql?query="+url.QueryEscape("{ support { systemMode } }"), nil)
		req.Header.Set("key", appKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			Data struct{ Support struct{ SystemMode string } }
		}
		json.NewDecoder(resp.Body).Decode(&out)
		if out.Data.Support.SystemMode != "Normal" {
			t.Errorf("GET answered %+v", out)
		}
	})
	t.Run("other methods", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodDelete, e.srv.URL+"/graphql", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(string(b), "use POST") {
			t.Errorf("DELETE: %d %s", resp.StatusCode, b)
		}
	})
}

func TestEnumVariablesIgnoreCase(t *testing.T) {
	e := newEnv(t)
	// The CLI's query, with the CLI's lower-case kind.
	const q = `
		query ($kind: UPLOAD_TYPE) {
			support {
				supportedCloud(kind: $kind)
			}
		}
	`
	for kind, want := range map[string]string{"image": `["OSS","S3","MINIO"]`, "model": `["S3","MINIO"]`, "Image": `["OSS","S3","MINIO"]`} {
		r := e.query(q, map[string]any{"kind": kind})
		if len(r.Errors) > 0 {
			t.Fatalf("kind %q: %v", kind, r.Errors)
		}
		got, _ := json.Marshal(r.Data["support"].(map[string]any)["supportedCloud"])
		if string(got) != want {
			t.Errorf("kind %q: %s, want %s", kind, got, want)
		}
	}
	r := e.query(q, map[string]any{"kind": "video"})
	if len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, "video") {
		t.Errorf("kind video: %+v", r)
	}
}
