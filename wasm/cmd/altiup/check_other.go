//go:build !(js && wasm)

package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"altiup/wasm/altizure"
	"altiup/wasm/inspect"
	"altiup/wasm/localfile"
	"altiup/wasm/upload"
)

// checkFlags are the flags of altiup check.
type checkFlags struct {
	conn
	json         bool
	csv, geojson string
	online       bool // -api, -key and -token (or their variables) given
}

func checkFlagSet(stderr io.Writer) (*flag.FlagSet, *checkFlags) {
	f := &checkFlags{}
	fs := flag.NewFlagSet("altiup check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f.registerAPI(fs)
	fs.BoolVar(&f.json, "json", false, "print the summary as JSON, as the page's inspect() gives it")
	fs.StringVar(&f.csv, "csv", "", "write the photos' positions to FILE as CSV (index,name,lat,lon,alt)")
	fs.StringVar(&f.geojson, "geojson", "", "write the photos' positions to FILE as GeoJSON")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: altiup check [-json] [-csv FILE] [-geojson FILE] DIR|FILE...\n\n"+
			"Checks the photos before an upload, as the page does: how many, their\n"+
			"gigapixels, cameras, GPS positions and capture times, and what is wrong\n"+
			"(no_gps, zero_gps, mixed_cameras, mixed_resolutions, duplicate_content,\n"+
			"too_few_images, not_image, unreadable_metadata, far_outlier), each warning\n"+
			"with the files it names. Only the first bytes of each photo are read\n"+
			"(and the whole of the possible duplicates, to compare them). With -api,\n"+
			"-key and -token (or ALTIUP_API, ALTIUP_KEY, ALTIUP_TOKEN) it also prices\n"+
			"the batch for that user; without them it calls no service.\n"+
			"Exit code 0 when there is no warning, 1 when there are warnings (or the\n"+
			"check failed), 2 for a mistake on the command line.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	return fs, f
}

// runCheck is altiup check.
func runCheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs, f := checkFlagSet(stderr)
	w, code, done := walkArgs(fs, args, func(paths []string) error { return f.check(paths, getenv) }, stderr)
	if done {
		return code
	}
	if len(w.files) == 0 {
		return fail(stderr, errors.New("no image to check in "+strings.Join(w.paths, ", ")))
	}

	s, err := f.inspect(ctx, w)
	if err != nil {
		return fail(stderr, err)
	}
	if f.csv != "" || f.geojson != "" {
		if err := f.export(w.files); err != nil {
			return fail(stderr, err)
		}
	}
	if f.json {
		b, err := json.Marshal(s)
		if err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintf(stdout, "%s\n", b)
	} else {
		printSummary(stdout, s, w.files, w.skipped, f.online)
	}
	if len(s.Warnings) > 0 {
		return exitFailed
	}
	return exitOK
}

// check checks the flags and arguments beyond what flag does.
func (f *checkFlags) check(paths []string, getenv func(string) string) error {
	if len(paths) == 0 {
		return usageErrorf("name the folders or files to check: altiup check DIR|FILE...")
	}
	for _, v := range []struct{ flag, path string }{{"-csv", f.csv}, {"-geojson", f.geojson}} {
		if v.path != "" && strings.TrimSpace(v.path) == "" {
			return usageErrorf("%s needs a file name", v.flag)
		}
	}
	if f.csv != "" && f.csv == f.geojson {
		return usageErrorf("-csv and -geojson name the same file %q", f.csv)
	}
	// The service is asked only when it is named: all three or none.
	if f.online = f.fromEnv(getenv); f.online {
		return f.checkAPI()
	}
	return nil
}

// checkProject stands for the project upload.New wants: Inspect names none.
const checkProject = "check"

// inspect sums the files up through the core, as the page's inspect() does:
// the signed-in user's account prices them when the API is given; without
// it, noAPI refuses every call and the cost stays nil.
func (f *checkFlags) inspect(ctx context.Context, w walked) (inspect.Summary, error) {
	var api upload.API = noAPI{}
	if f.online {
		api = altizure.New(f.api, f.key, f.token, httpClient())
	}
	up, err := upload.New(upload.Options{Project: checkProject}, upload.Deps{
		API:    api,
		Putter: upload.HTTPPutter{}, // never called: nothing is sent
		Hasher: upload.StreamHasher{},
	})
	if err != nil {
		return inspect.Summary{}, err
	}
	up.Add(w.sources()...)
	return up.Inspect(ctx)
}

// export writes the positions to the -csv and -geojson files. The uploader
// keeps the metadata it read to itself, so the first bytes are read again
// here (little, and from the system's cache).
func (f *checkFlags) export(files []*localfile.File) error {
	read := make([]inspect.File, len(files))
	for i, file := range files {
		read[i] = inspect.Read(i, file.Path(), file)
	}
	ps := inspect.Positions(read)
	if f.csv != "" {
		if err := writeFile(f.csv, func(w io.Writer) error { return inspect.WriteCSV(w, ps) }); err != nil {
			return err
		}
	}
	if f.geojson != "" {
		b, err := inspect.GeoJSON(ps)
		if err != nil {
			return err
		}
		return writeFile(f.geojson, func(w io.Writer) error { _, err := w.Write(b); return err })
	}
	return nil
}

// writeFile creates name and writes it with write.
func writeFile(name string, write func(io.Writer) error) error {
	out, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := write(out); err != nil {
		out.Close()
		return fmt.Errorf("writing %s: %w", name, err)
	}
	return out.Close()
}
