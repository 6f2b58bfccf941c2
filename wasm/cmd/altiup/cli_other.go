//go:build !(js && wasm)

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"altiup/wasm/localfile"
	"altiup/wasm/upload"
)

// Exit codes of the command.
const (
	exitOK          = 0
	exitFailed      = 1   // a file failed or is invalid, or the service refused
	exitUsage       = 2   // bad flags or arguments
	exitInterrupted = 130 // stopped by Ctrl-C or SIGTERM
)

const usage = `altiup uploads photos into an Altizure project, as the web page does.

Usage:
  altiup upload -project PID [flags] DIR|FILE...
  altiup start  -project PID [-type Native] [-prestart] [flags]
  altiup check  [-json] [-csv FILE] [-geojson FILE] DIR|FILE...
  altiup version

Every command takes -api URL, -key KEY and -token TOKEN (check only to
price the photos); the key and the token may come from ALTIUP_KEY and
ALTIUP_TOKEN instead (better: a flag's value is seen by other users of the
machine), the endpoint from ALTIUP_API. Run 'altiup upload -h', 'altiup
start -h' or 'altiup check -h' for their flags.
`

// run runs the command line args and returns the exit code. Secrets (the
// token, the key) appear in nothing it writes.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "upload":
		return runUpload(ctx, args[1:], getenv, stdout, stderr)
	case "start":
		return runStart(ctx, args[1:], getenv, stdout, stderr)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "altiup", Version)
		return exitOK
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	case "check":
		return runCheck(ctx, args[1:], getenv, stdout, stderr)
	}
	return fail(stderr, usageErrorf("unknown command %q: use upload, start, check or version", args[0]))
}

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// fail prints err and returns its exit code.
func fail(stderr io.Writer, err error) int {
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "altiup: %s\n", ue.msg)
		return exitUsage
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "altiup: stopped")
		return exitInterrupted
	}
	fmt.Fprintf(stderr, "altiup: %s\n", err)
	return exitFailed
}

// conn are the flags every command takes to reach the API.
type conn struct {
	api, key, token, project string
}

func (c *conn) register(fs *flag.FlagSet) {
	c.registerAPI(fs)
	fs.StringVar(&c.project, "project", "", "the project's id")
}

// registerAPI registers the flags that reach the API, without the project.
func (c *conn) registerAPI(fs *flag.FlagSet) {
	// No default from the environment: flag's usage text would print it.
	fs.StringVar(&c.api, "api", "", "the Altizure GraphQL endpoint, e.g. https://api.altizure.com/graphql (or $ALTIUP_API)")
	fs.StringVar(&c.key, "key", "", "the app key (or $ALTIUP_KEY)")
	fs.StringVar(&c.token, "token", "", "the user token (or $ALTIUP_TOKEN)")
}

// fromEnv fills what the flags left empty from the environment and reports
// whether any of the endpoint, key and token is given.
func (c *conn) fromEnv(getenv func(string) string) bool {
	for _, v := range []struct {
		p   *string
		env string
	}{{&c.api, "ALTIUP_API"}, {&c.key, "ALTIUP_KEY"}, {&c.token, "ALTIUP_TOKEN"}} {
		if strings.TrimSpace(*v.p) == "" {
			*v.p = getenv(v.env)
		}
		*v.p = strings.TrimSpace(*v.p)
	}
	return c.api != "" || c.key != "" || c.token != ""
}

// resolve fills what the flags left empty from the environment and checks
// that nothing is missing; the endpoint gets /graphql when it has no path.
func (c *conn) resolve(getenv func(string) string) error {
	c.fromEnv(getenv)
	if err := c.checkAPI(); err != nil {
		return err
	}
	if strings.TrimSpace(c.project) == "" {
		return usageErrorf("the project is missing: give -project PID")
	}
	c.project = strings.TrimSpace(c.project)
	return nil
}

// checkAPI checks that the endpoint, key and token are there, and gives the
// endpoint /graphql when it has no path.
func (c *conn) checkAPI() error {
	switch {
	case c.api == "":
		return usageErrorf("the API endpoint is missing: give -api URL or set ALTIUP_API")
	case c.key == "":
		return usageErrorf("the app key is missing: give -key KEY or set ALTIUP_KEY")
	case c.token == "":
		return usageErrorf("the user token is missing: set ALTIUP_TOKEN or give -token TOKEN")
	}
	endpoint, err := endpointURL(c.api)
	if err != nil {
		return usageErrorf("-api: %s", strings.TrimPrefix(err.Error(), "The API endpoint (api) "))
	}
	c.api = endpoint
	return nil
}

// httpClient is the client of the API and the storage: no overall timeout
// (the uploader bounds each call and notices stalled transfers itself), and
// enough idle connections per host for the uploads in parallel.
func httpClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	return &http.Client{Transport: t}
}

// parseArgs parses flags that may come before, between and after the
// positional arguments (altiup upload DIR -wait), which flag alone does not
// allow; everything after "--" is positional.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var after []string
	if i := slices.Index(args, "--"); i >= 0 {
		args, after = args[:i], args[i+1:]
	}
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return append(rest, after...), nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

// walked is what a command line names: the paths given and the files found.
type walked struct {
	paths   []string
	files   []*localfile.File
	skipped []localfile.Skipped
}

// walkArgs parses args with fs, checks the paths and flags with check, and
// walks the paths. When the command ends there, done is true and code is
// its exit code (flag printed its reason, or fail did).
func walkArgs(fs *flag.FlagSet, args []string, check func(paths []string) error, stderr io.Writer) (w walked, code int, done bool) {
	paths, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return w, exitOK, true
	}
	if err != nil {
		return w, exitUsage, true // flag printed the reason and the usage
	}
	if err := check(paths); err != nil {
		return w, fail(stderr, err), true
	}
	w.paths = paths
	if w.files, w.skipped, err = localfile.Walk(paths); err != nil {
		return w, fail(stderr, usageErrorf("%s", err)), true
	}
	return w, exitOK, false
}

// sources are the files as the uploader takes them.
func (w walked) sources() []upload.Source {
	srcs := make([]upload.Source, len(w.files))
	for i, f := range w.files {
		srcs[i] = f
	}
	return srcs
}
