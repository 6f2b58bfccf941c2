//go:build js && wasm

package main

import (
	"context"
	"net/http"
	"syscall/js"

	"altiup/wasm/altizure"
	"altiup/wasm/browser"
	"altiup/wasm/upload"
)

// readOptions reads the options object of create or connect: its getToken
// (a function, or undefined) and the rest, as JSON text checked by parse.
// The function is taken before the text is made, so no token it gives ever
// passes through the options' text.
func readOptions[T any](args []js.Value, example string, parse func(text string, getToken bool) (T, error)) (opts T, getToken js.Value, err error) {
	text, getToken, err := optionsText(args, example)
	if err != nil {
		return opts, getToken, err
	}
	opts, err = parse(text, getToken.Type() == js.TypeFunction)
	return opts, getToken, err
}

func optionsText(args []js.Value, example string) (text string, getToken js.Value, err error) {
	opts := js.Undefined()
	if len(args) > 0 {
		opts = args[0]
	}
	if opts.Type() != js.TypeObject {
		return "", js.Undefined(), upload.Errorf(upload.CodeInvalidInput, "The options must be an object such as %s.", example)
	}
	getToken = opts.Get("getToken")
	switch getToken.Type() {
	case js.TypeFunction, js.TypeUndefined, js.TypeNull:
	default:
		return "", js.Undefined(), upload.Errorf(upload.CodeInvalidInput, "The option getToken must be a function that returns the user token (or a Promise of it).")
	}
	rest := js.Global().Get("Object").Call("assign", js.Global().Get("Object").New(), opts)
	rest.Delete("getToken")
	text, err = browser.StringifyJSON(rest)
	if err != nil {
		return "", js.Undefined(), upload.Errorf(upload.CodeInvalidInput, "The options must be an object such as %s.", example)
	}
	return text, getToken, nil
}

// newClient makes the API client of a connection. A plain http.Client:
// with a Dial func Go would leave fetch. Its requests are paced so that
// bursts of them leave the page room, and go out from the API's worker
// once it has started (the page sends those before), which it starts.
func newClient(c connection, getToken js.Value) *altizure.Client {
	var opts []altizure.Option
	if getToken.Type() == js.TypeFunction {
		opts = append(opts, altizure.GetToken(tokenFunc(getToken)))
	}
	w := apiWorker()
	if w != nil {
		go w.Ready()
	}
	return altizure.New(c.Endpoint, c.Key, c.Token, &http.Client{Transport: browser.PacedTransport{Base: browser.FetchTransport{Workers: w}}}, opts...)
}

// tokenFunc calls the page's getToken and waits for its answer, a string
// or a Promise of one. What it throws or answers is never shown: the
// client says in words that no token came.
func tokenFunc(getToken js.Value) func(ctx context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		var v js.Value
		var thrown any
		func() {
			defer func() { thrown = recover() }()
			v = getToken.Invoke()
		}()
		if thrown != nil {
			return "", upload.Errorf(upload.CodeUnauthorized, "getToken threw an error.")
		}
		if v.Type() == js.TypeObject && v.Get("then").Type() == js.TypeFunction {
			var err error
			if v, err = browser.Await(ctx, v); err != nil {
				return "", upload.Errorf(upload.CodeUnauthorized, "getToken's promise was rejected.")
			}
		}
		if v.Type() != js.TypeString {
			return "", upload.Errorf(upload.CodeUnauthorized, "getToken gave no text.")
		}
		return v.String(), nil
	}
}

// conn is one connection object of the page (altiup.connect). It holds
// only its client, and stays for as long as the page.
type conn struct {
	api *altizure.Client
}

var conns registry[*conn]

// connMethods are the connection objects' functions.
var connMethods = map[string]js.Func{
	"createProject":      connMethod(createProject),
	"project":            connMethod(project),
	"projects":           connMethod(projects),
	"account":            connMethod(account),
	"stopReconstruction": connMethod(stopReconstruction),
	"errorCodes":         connMethod(errorCodes),
}

func connMethod(fn func(c *conn, this js.Value, args []js.Value) any) js.Func {
	return method(&conns, "This is not a connection made by altiup.connect.", fn)
}

// connect({api, key, token, getToken}) → Promise of a connection object,
// for the calls the page makes without a project or an uploader.
func connect(_ js.Value, args []js.Value) any {
	c, getToken, err := readOptions(args, "{api, key, token}", parseConnectOptions)
	if err != nil {
		return browser.Reject(err)
	}
	id := conns.add(&conn{api: newClient(c, getToken)})
	return js.Global().Get("Promise").Call("resolve", newObject(id, connMethods))
}

// createProject({name}) → Promise of {id, name, numImage, taskState, task}.
func createProject(c *conn, _ js.Value, args []js.Value) any {
	name := ""
	if len(args) > 0 && args[0].Type() == js.TypeObject {
		if n := args[0].Get("name"); n.Type() == js.TypeString {
			name = n.String()
		}
	}
	return answer(func(ctx context.Context) (any, error) { return c.api.CreateProject(ctx, name) })
}

// project(id) → Promise of {id, name, numImage, taskState, task: {…} | null},
// or null when the caller has no such project.
func project(c *conn, _ js.Value, args []js.Value) any {
	if len(args) == 0 || args[0].Type() != js.TypeString || args[0].String() == "" {
		return browser.Reject(upload.Errorf(upload.CodeInvalidInput, "project(id) takes the project's id, as text."))
	}
	id := args[0].String()
	return answer(func(ctx context.Context) (any, error) { return c.api.Project(ctx, id) })
}

// projects({search, first, after}) → Promise of {totalCount, hasNextPage,
// endCursor, projects: [{id, name, numImage, gigaPixel, taskState, date}]}.
func projects(c *conn, _ js.Value, args []js.Value) any {
	text := ""
	if len(args) > 0 && args[0].Type() != js.TypeUndefined {
		var err error
		if text, err = browser.StringifyJSON(args[0]); err != nil {
			return browser.Reject(invalid("projects takes an object such as {search, first, after}."))
		}
	}
	q, err := parseProjectQuery(text)
	if err != nil {
		return browser.Reject(err)
	}
	return answer(func(ctx context.Context) (any, error) { return c.api.Projects(ctx, q) })
}

// account() → Promise of {email, name, balance, freeGPQuota, coinPerGP,
// planName}: the signed-in user, never their token.
func account(c *conn, _ js.Value, _ []js.Value) any {
	return answer(func(ctx context.Context) (any, error) { return c.api.Profile(ctx) })
}

// stopReconstruction(projectId) → Promise of the task as stopped.
func stopReconstruction(c *conn, _ js.Value, args []js.Value) any {
	if len(args) == 0 || args[0].Type() != js.TypeString || args[0].String() == "" {
		return browser.Reject(invalid("stopReconstruction(id) takes the project's id, as text."))
	}
	id := args[0].String()
	return answer(func(ctx context.Context) (any, error) { return c.api.StopReconstruction(ctx, id) })
}

// answer is a Promise of what fn gives, as a JS value, or rejected with
// its error.
func answer(fn func(ctx context.Context) (any, error)) js.Value {
	return browser.NewPromise(func() (any, error) {
		v, err := fn(context.Background())
		if err != nil {
			return nil, err
		}
		return toJS(v)
	})
}
