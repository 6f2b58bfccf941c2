package main

import (
	"bytes"
	"encoding/json"
	"net/url"
	"sort"
	"strings"

	"altiup/wasm/upload"
)

// Version is the uploader's version, shown as altiup.version.
const Version = "0.1.0"

// connection is where the API is and who calls it: what connect(options)
// was asked for, checked.
type connection struct {
	Endpoint string // the GraphQL URL
	Key      string // the app key
	Token    string // the user token (a secret: never in messages); "" when getToken gives it
}

// config is what create(options) was asked for, checked.
type config struct {
	connection
	Upload upload.Options
	// Journal keeps checksums, image ids and multipart state in IndexedDB
	// so that a reload resumes; default on (it holds no secrets).
	Journal bool
}

// jsOptions are the options of altiup.create and altiup.connect, as
// JSON.stringify gives them (getToken, a function, is taken apart before).
type jsOptions struct {
	API         string `json:"api"`
	Key         string `json:"key"`
	Token       string `json:"token"`
	Project     string `json:"project"`
	Cloud       string `json:"cloud"`
	Bucket      string `json:"bucket"`
	Concurrency int    `json:"concurrency"`
	Journal     *bool  `json:"journal"`
}

// The options each call takes, with their kind.
var (
	connectKinds = map[string]string{"api": "text", "key": "text", "token": "text", "getToken": "function"}
	createKinds  = map[string]string{
		"api": "text", "key": "text", "token": "text", "getToken": "function", "project": "text",
		"cloud": "text", "bucket": "text", "concurrency": "number", "journal": "boolean",
	}
)

func invalid(format string, args ...any) error {
	return upload.Errorf(upload.CodeInvalidInput, format, args...)
}

// parseOptions checks the JSON text of the create options; getToken says
// whether a getToken function came with them. Every problem is an
// invalid_input error in words; the token is never quoted. The upload
// options themselves (cloud, bucket, concurrency ranges) are checked again
// by upload.New.
func parseOptions(text string, getToken bool) (config, error) {
	o, err := readJSONOptions(text, createKinds, "{api, key, token, project}")
	if err != nil {
		return config{}, err
	}
	conn, err := checkConnection(o, getToken)
	if err != nil {
		return config{}, err
	}
	if strings.TrimSpace(o.Project) == "" {
		return config{}, invalid("The project id (project) is missing.")
	}
	if o.Concurrency < 0 {
		return config{}, invalid("concurrency must be between 1 and 64, not %d.", o.Concurrency)
	}
	return config{
		connection: conn,
		Journal:    o.Journal == nil || *o.Journal,
		Upload: upload.Options{
			Project:     strings.TrimSpace(o.Project),
			Cloud:       o.Cloud,
			Bucket:      o.Bucket,
			Concurrency: o.Concurrency,
		},
	}, nil
}

// parseConnectOptions checks the JSON text of the connect options.
func parseConnectOptions(text string, getToken bool) (connection, error) {
	o, err := readJSONOptions(text, connectKinds, "{api, key, token}")
	if err != nil {
		return connection{}, err
	}
	return checkConnection(o, getToken)
}

// readJSONOptions reads options of the kinds given; null stands for an
// option not given. A function is not in the text (JSON.stringify drops
// it), so one there is of another kind.
func readJSONOptions(text string, kinds map[string]string, example string) (jsOptions, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(text), &raw); err != nil || raw == nil {
		return jsOptions{}, invalid("The options must be an object such as %s.", example)
	}
	var unknown []string
	for name, v := range raw {
		kind, ok := kinds[name]
		if !ok {
			unknown = append(unknown, name)
			continue
		}
		v = bytes.TrimSpace(v)
		if string(v) == "null" {
			delete(raw, name)
			continue
		}
		switch kind {
		case "function": // functions are taken apart before; a value here is none
			return jsOptions{}, invalid("The option %s must be a function.", name)
		case "text":
			if len(v) == 0 || v[0] != '"' {
				return jsOptions{}, invalid("The option %s must be text.", name)
			}
		case "boolean":
			if string(v) != "true" && string(v) != "false" {
				return jsOptions{}, invalid("The option %s must be true or false.", name)
			}
		case "number":
			var n float64
			if json.Unmarshal(v, &n) != nil || n != float64(int(n)) {
				return jsOptions{}, invalid("The option %s must be a whole number.", name)
			}
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		known := make([]string, 0, len(kinds))
		for k := range kinds {
			known = append(known, k)
		}
		sort.Strings(known)
		return jsOptions{}, invalid("Unknown option %s; the options are %s.", strings.Join(unknown, ", "), strings.Join(known, ", "))
	}
	b, _ := json.Marshal(raw)
	var o jsOptions
	if err := json.Unmarshal(b, &o); err != nil {
		return jsOptions{}, invalid("The options could not be read: %v.", err)
	}
	return o, nil
}

// checkConnection checks the options every call takes: api, key, and token
// unless getToken gives it.
func checkConnection(o jsOptions, getToken bool) (connection, error) {
	endpoint, err := endpointURL(o.API)
	if err != nil {
		return connection{}, err
	}
	key := strings.TrimSpace(o.Key)
	if key == "" {
		return connection{}, invalid("The app key (key) is missing.")
	}
	token := strings.TrimSpace(o.Token)
	if token == "" && !getToken {
		return connection{}, invalid("The user token (token) is missing; give it, or a function getToken that returns it.")
	}
	return connection{Endpoint: endpoint, Key: key, Token: token}, nil
}

// endpointURL checks the API endpoint. A bare server address gets the
// GraphQL path /graphql that the service and the sandbox both use.
func endpointURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", invalid("The API endpoint (api) is missing, e.g. https://api.altizure.com/graphql.")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", invalid("The API endpoint (api) must be an http or https URL, e.g. https://api.altizure.com/graphql.")
	}
	if u.User != nil {
		return "", invalid("The API endpoint (api) must not hold a user name or password.")
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/graphql"
	}
	u.Fragment = ""
	return u.String(), nil
}
