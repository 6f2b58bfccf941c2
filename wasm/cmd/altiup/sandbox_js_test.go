//go:build js && wasm

package main

import (
	"os"
	"strings"
	"syscall/js"
	"testing"
)

// sandboxAPI returns the test sandbox's endpoint, app key and user token
// (see wasm/browser's TestInBrowser), or skips.
func sandboxAPI(t *testing.T) (api, key, token string) {
	t.Helper()
	api, key, token = os.Getenv("ALTIUP_TEST_API"), os.Getenv("ALTIUP_TEST_KEY"), os.Getenv("ALTIUP_TEST_TOKEN")
	if api == "" {
		t.Skip("ALTIUP_TEST_API is not set: no sandbox")
	}
	return api, key, token
}

// object makes a JS object of the fields given.
func object(fields map[string]any) js.Value {
	o := js.Global().Get("Object").New()
	for k, v := range fields {
		o.Set(k, v)
	}
	return o
}

// tokenGiver is a JS getToken that answers the tokens given, one per call
// (the last one again after them), through a Promise; calls counts its calls.
func tokenGiver(tokens ...string) (getToken js.Value, calls func() int) {
	state := object(map[string]any{"n": 0, "tokens": js.ValueOf(toAny(tokens))})
	fn := js.Global().Get("Function").New("s", `return () => {
		const t = s.tokens[Math.min(s.n, s.tokens.length - 1)];
		s.n++;
		if (t === "!throw") throw new Error("no sign-in");
		return Promise.resolve(t);
	};`).Invoke(state)
	return fn, func() int { return state.Get("n").Int() }
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// newProject makes a project in the sandbox through connect.
func newProject(t *testing.T, name string) string {
	t.Helper()
	api, key, token := sandboxAPI(t)
	conn, err := await(t, connect(js.Undefined(), []js.Value{object(map[string]any{"api": api, "key": key, "token": token})}))
	if err != nil {
		t.Fatal(err)
	}
	p, err := await(t, conn.Call("createProject", object(map[string]any{"name": name})))
	if err != nil {
		t.Fatal(err)
	}
	return p.Get("id").String()
}

func TestConnect(t *testing.T) {
	api, key, token := sandboxAPI(t)
	conn, err := await(t, connect(js.Undefined(), []js.Value{object(map[string]any{"api": api, "key": key, "token": token})}))
	if err != nil {
		t.Fatal(err)
	}
	p, err := await(t, conn.Call("createProject", object(map[string]any{"name": "Hall"})))
	if err != nil {
		t.Fatal(err)
	}
	id := p.Get("id").String()
	if id == "" || p.Get("name").String() != "Hall" || p.Get("task").Type() != js.TypeNull {
		t.Fatalf("created %s", js.Global().Get("JSON").Call("stringify", p).String())
	}
	got, err := await(t, conn.Call("project", id))
	if err != nil {
		t.Fatal(err)
	}
	if got.Get("id").String() != id || got.Get("numImage").Int() != 0 || got.Get("taskState").Type() != js.TypeString {
		t.Fatalf("project %s", js.Global().Get("JSON").Call("stringify", got).String())
	}
	if none, err := await(t, conn.Call("project", "no-such-project")); err != nil || none.Type() != js.TypeNull {
		t.Fatalf("an unknown project: %v, %v", none, err)
	}
	_, err = await(t, conn.Call("project", 5))
	wantCode(t, err, "invalid_input", "project(id)")
	_, err = await(t, conn.Call("createProject", object(map[string]any{"name": " "})))
	wantCode(t, err, "invalid_input", "needs a name")

	// The same through a token source, and with a token the API refuses.
	tests := []struct {
		name      string
		token     string
		answers   []string
		wantCalls int
		wantCode  string
	}{
		{"getToken alone", "", []string{token}, 1, ""},
		{"refused token renewed", "secret-token-expired", []string{token}, 1, ""},
		{"getToken throws", "", []string{"!throw"}, 1, "unauthorized"},
		{"getToken gives a refused token", "secret-token-expired", []string{"secret-token-also-bad"}, 1, "unauthorized"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getToken, calls := tokenGiver(tt.answers...)
			opts := object(map[string]any{"api": api, "key": key, "getToken": getToken})
			if tt.token != "" {
				opts.Set("token", tt.token)
			}
			conn, err := await(t, connect(js.Undefined(), []js.Value{opts}))
			if err != nil {
				t.Fatal(err)
			}
			got, err := await(t, conn.Call("project", id))
			if tt.wantCode == "" && (err != nil || got.Get("id").String() != id) {
				t.Fatalf("project: %v, %v", got, err)
			}
			if tt.wantCode != "" {
				wantCode(t, err, tt.wantCode, "")
				if strings.Contains(err.Error(), "secret-token") || strings.Contains(err.Error(), token) {
					t.Fatalf("the error shows a token: %v", err)
				}
			}
			if calls() != tt.wantCalls {
				t.Fatalf("getToken called %d times, want %d", calls(), tt.wantCalls)
			}
		})
	}
	_, err = await(t, connect(js.Undefined(), []js.Value{object(map[string]any{"api": api, "key": key, "getToken": "secret-token"})}))
	wantCode(t, err, "invalid_input", "getToken must be a function")
}

// TestTask: up.task() of a new project is null; the uploader's token
// comes from getToken.
func TestTask(t *testing.T) {
	api, key, token := sandboxAPI(t)
	pid := newProject(t, "tasks")
	getToken, _ := tokenGiver(token)
	up, err := await(t, create(js.Undefined(), []js.Value{object(map[string]any{"api": api, "key": key, "getToken": getToken, "project": pid, "cloud": "s3"})}))
	if err != nil {
		t.Fatal(err)
	}
	defer up.Call("dispose")
	task, err := await(t, up.Call("task"))
	if err != nil || task.Type() != js.TypeNull {
		t.Fatalf("task of a new project: %v, %v", task, err)
	}
}

// TestConnectProjects: the project list with its search, the account and
// stopReconstruction, as the page calls them.
func TestConnectProjects(t *testing.T) {
	api, key, token := sandboxAPI(t)
	conn, err := await(t, connect(js.Undefined(), []js.Value{object(map[string]any{"api": api, "key": key, "token": token})}))
	if err != nil {
		t.Fatal(err)
	}
	name := "Listed " + t.Name()
	id := newProject(t, name)
	got, err := await(t, conn.Call("projects", object(map[string]any{"search": name, "first": 5})))
	if err != nil {
		t.Fatal(err)
	}
	list := got.Get("projects")
	if got.Get("totalCount").Int() != 1 || got.Get("hasNextPage").Bool() || list.Length() != 1 ||
		list.Index(0).Get("id").String() != id || list.Index(0).Get("gigaPixel").Type() != js.TypeNumber || list.Index(0).Get("taskState").String() != "Idle" {
		t.Fatalf("projects %s", js.Global().Get("JSON").Call("stringify", got).String())
	}
	if all, err := await(t, conn.Call("projects")); err != nil || all.Get("totalCount").Int() < 1 {
		t.Fatalf("projects(): %v, %v", all, err)
	}
	_, err = await(t, conn.Call("projects", object(map[string]any{"first": "5"})))
	wantCode(t, err, "invalid_input", "whole number")

	me, err := await(t, conn.Call("account"))
	if err != nil {
		t.Fatal(err)
	}
	text := js.Global().Get("JSON").Call("stringify", me).String()
	if me.Get("balance").Type() != js.TypeNumber || me.Get("freeGPQuota").Type() != js.TypeNumber || me.Get("email").Type() != js.TypeString || strings.Contains(text, token) {
		t.Fatalf("account %s", text)
	}

	if _, err = await(t, conn.Call("stopReconstruction", id)); err == nil || !strings.Contains(err.Error(), "no reconstruction") {
		t.Fatalf("stopping a project with no task: %v", err)
	}
	_, err = await(t, conn.Call("stopReconstruction"))
	wantCode(t, err, "invalid_input", "project's id")
}

// TestConnectErrorCodes: every project error code explained, in English
// and in Chinese, and a language the service has no texts in refused.
func TestConnectErrorCodes(t *testing.T) {
	api, key, token := sandboxAPI(t)
	conn, err := await(t, connect(js.Undefined(), []js.Value{object(map[string]any{"api": api, "key": key, "token": token})}))
	if err != nil {
		t.Fatal(err)
	}
	first := map[string]string{}
	for _, lang := range []any{js.Undefined(), "en", "zh"} {
		got, err := await(t, conn.Call("errorCodes", lang))
		if err != nil {
			t.Fatal(err)
		}
		text := js.Global().Get("JSON").Call("stringify", got).String()
		if got.Length() != 5 || got.Index(4).Get("code").String() != "TOO_FEW_IMAGES" || strings.Contains(text, token) {
			t.Fatalf("errorCodes(%v): %s", lang, text)
		}
		d := got.Index(4).Get("description").String()
		if s, ok := lang.(string); ok {
			first[s] = d
		} else {
			first["default"] = d
		}
	}
	if first["default"] != first["en"] || first["en"] == first["zh"] || !strings.Contains(first["zh"], "张") {
		t.Fatalf("the texts by language: %q", first)
	}
	_, err = await(t, conn.Call("errorCodes", "fr"))
	wantCode(t, err, "invalid_input", "en or zh")
	_, err = await(t, conn.Call("errorCodes", 3))
	wantCode(t, err, "invalid_input", "as text")
}
