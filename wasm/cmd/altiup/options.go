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

// config is what create(options) was asked for, checked.
type config struct {
	Endpoint string // the GraphQL URL
	Key      string // the app key
	Token    string // the user token (a secret: never in messages)
	Upload   upload.Options
	// Journal keeps checksums, image ids and multipart state in IndexedDB
	// so that a reload resumes; default on (it holds no secrets).
	Journal bool
}

// jsOptions are the options of altiup.create, as JSON.stringify gives them.
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

var optionKinds = map[string]string{
	"api": "text", "key": "text", "token": "text", "project": "text",
	"cloud": "text", "bucket": "text", "concurrency": "number", "journal": "boolean",
}

func invalid(format string, args ...any) error {
	return upload.Errorf(upload.CodeInvalidInput, format, args...)
}

// parseOptions checks the JSON text of the create options. Every problem is
// an invalid_input error in words; the token is never quoted. The upload
// options themselves (cloud, bucket, concurrency ranges) are checked again by
// upload.New.
func parseOptions(text string) (config, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(text), &raw); err != nil || raw == nil {
		return config{}, invalid("The options must be an object such as {api, key, token, project}.")
	}
	var unknown []string
	for name, v := range raw {
		kind, ok := optionKinds[name]
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
		case "text":
			if len(v) == 0 || v[0] != '"' {
				return config{}, invalid("The option %s must be text.", name)
			}
		case "boolean":
			if string(v) != "true" && string(v) != "false" {
				return config{}, invalid("The option %s must be true or false.", name)
			}
		case "number":
			var n float64
			if json.Unmarshal(v, &n) != nil || n != float64(int(n)) {
				return config{}, invalid("The option %s must be a whole number.", name)
			}
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		known := make([]string, 0, len(optionKinds))
		for k := range optionKinds {
			known = append(known, k)
		}
		sort.Strings(known)
		return config{}, invalid("Unknown option %s; the options are %s.", strings.Join(unknown, ", "), strings.Join(known, ", "))
	}
	b, _ := json.Marshal(raw)
	var o jsOptions
	if err := json.Unmarshal(b, &o); err != nil {
		return config{}, invalid("The options could not be read: %v.", err)
	}

	endpoint, err := endpointURL(o.API)
	if err != nil {
		return config{}, err
	}
	o.Key = strings.TrimSpace(o.Key)
	if o.Key == "" {
		return config{}, invalid("The app key (key) is missing.")
	}
	o.Token = strings.TrimSpace(o.Token)
	if o.Token == "" {
		return config{}, invalid("The user token (token) is missing.")
	}
	if strings.TrimSpace(o.Project) == "" {
		return config{}, invalid("The project id (project) is missing.")
	}
	if o.Concurrency < 0 {
		return config{}, invalid("concurrency must be between 1 and 64, not %d.", o.Concurrency)
	}
	return config{
		Endpoint: endpoint,
		Key:      o.Key,
		Token:    o.Token,
		Journal:  o.Journal == nil || *o.Journal,
		Upload: upload.Options{
			Project:     strings.TrimSpace(o.Project),
			Cloud:       o.Cloud,
			Bucket:      o.Bucket,
			Concurrency: o.Concurrency,
		},
	}, nil
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
