//go:build !(js && wasm)

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"altiup/wasm/altizure"
	"altiup/wasm/upload"
)

// runStart is altiup start: the project's reconstruction, now or (with
// -prestart) as soon as every image is processed.
func runStart(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var c conn
	var taskType string
	var pre, asJSON bool
	fs := flag.NewFlagSet("altiup start", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.register(fs)
	fs.StringVar(&taskType, "type", "Native", "the task type, e.g. Native")
	fs.BoolVar(&pre, "prestart", false, "start it as soon as every image is processed (preStartReconstruction)")
	fs.BoolVar(&asJSON, "json", false, "print the answer as JSON")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: altiup start -project PID [-type Native] [-prestart] [flags]\n\nFlags:\n")
		fs.PrintDefaults()
	}
	rest, err := parseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return exitUsage
	}
	if len(rest) > 0 {
		return fail(stderr, usageErrorf("altiup start takes no arguments, only flags: %s", strings.Join(rest, " ")))
	}
	if err := c.resolve(getenv); err != nil {
		return fail(stderr, err)
	}
	up, err := upload.New(upload.Options{Project: c.project}, upload.Deps{
		API:    altizure.New(c.api, c.key, c.token, httpClient()),
		Putter: upload.HTTPPutter{},
	})
	if err != nil {
		return fail(stderr, err)
	}
	res, err := up.StartReconstruction(ctx, taskType, pre)
	if err != nil {
		return fail(stderr, err)
	}
	if asJSON {
		newOutput(modeJSON, stdout).event("reconstruction", res)
	}
	if res.Error != nil {
		if !asJSON {
			fmt.Fprintf(stderr, "altiup: the reconstruction did not start: %s\n", res.Error.Message)
		}
		return exitFailed
	}
	if !asJSON {
		what := "started"
		if pre {
			what = "will start once every image is processed"
		}
		if t := res.Task; t != nil {
			fmt.Fprintf(stdout, "The reconstruction %s: task %s (%s), %s.\n", what, t.ID, t.TaskType, t.State)
		} else {
			fmt.Fprintf(stdout, "The reconstruction %s.\n", what)
		}
	}
	return exitOK
}
