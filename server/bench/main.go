package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

const (
	mib = 1 << 20
	kb  = 1000
)

// groups are the parts of the table, in the order they run.
var groups = []string{"start", "hash", "link", "loopback", "small", "memory", "many", "inspect", "sandbox"}

type options struct {
	out, server, chromium, cache, work string
	profileDir                         string
	keep, quick, profile, peers        bool
	scale                              float64
	repeats, concurrency               int
	linkFiles, loopFiles, smallFiles   int
	manyFiles                          int
	fileMiB                            int
	smallKB                            int
	memGiB                             float64
	rates                              []float64 // MB/s
	only                               map[string]bool
	brotliQuality                      int
	benchtime                          string
	settle                             time.Duration
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache")
	}
	fs.StringVar(&o.out, "out", "", "also write the table to this Markdown file (e.g. BENCHMARKS.md)")
	fs.StringVar(&o.server, "server", "server/altiup-server", "the server binary (./build.sh build makes it)")
	fs.StringVar(&o.chromium, "chromium", "", "Chromium's path (default: chromium on PATH)")
	fs.StringVar(&o.cache, "cache", filepath.Join(cache, "altiup-bench"), "where npm packages and compressed sizes are kept between runs")
	fs.StringVar(&o.work, "work", "", "where the synthetic images are written (default: a new directory in -cache, removed at the end)")
	fs.BoolVar(&o.keep, "keep", false, "keep the synthetic images")
	fs.BoolVar(&o.profile, "profile", true, "profile the page's main thread in one extra loopback upload (off with -quick)")
	fs.StringVar(&o.profileDir, "profile-dir", "", "also keep each profile whole in this directory, as a .cpuprofile file DevTools opens")
	fs.BoolVar(&o.peers, "peers", true, "measure the peers (ali-oss, the crypto-js uploader) in the loopback group")
	fs.BoolVar(&o.quick, "quick", false, "a smoke run of about 2 minutes: every set scaled down (as -scale 0.08), one run each")
	fs.Float64Var(&o.scale, "scale", 1, "multiply every file count and the memory sizes by this")
	fs.IntVar(&o.repeats, "repeats", 3, "runs of each measurement (the median is shown)")
	fs.IntVar(&o.concurrency, "concurrency", 4, "files uploaded at once, by the uploader and the baselines alike")
	fs.IntVar(&o.linkFiles, "link-files", 40, "8 MiB files of the link-limited uploads (the full issue set is 200: about 35 minutes)")
	fs.IntVar(&o.loopFiles, "loop-files", 200, "8 MiB files of the loopback uploads, the peers and hashing")
	fs.IntVar(&o.smallFiles, "small-files", 2000, "100 KB files of the small-file uploads")
	fs.IntVar(&o.manyFiles, "many-files", 10000, "files added at once for the many-files figure (not scaled)")
	fs.IntVar(&o.fileMiB, "file-mib", 8, "size of the large files in MiB")
	fs.IntVar(&o.smallKB, "small-kb", 100, "size of the small files in KB")
	fs.Float64Var(&o.memGiB, "mem-gib", 1, "the smaller memory upload in GiB (the larger is twice it)")
	rates := fs.String("rates", "20,100", "upload caps of the link-limited figures, MB/s")
	only := fs.String("only", "", "run only these groups, comma separated: "+strings.Join(groups, ","))
	fs.IntVar(&o.brotliQuality, "brotli-quality", 11, "brotli quality of the size figure (sizes are cached by content)")
	fs.DurationVar(&o.settle, "settle", 3*time.Minute, "how long a group that starts with the load above 1.0 waits for it to fall (0: no wait; its figures are marked either way)")
	fs.StringVar(&o.benchtime, "benchtime", "3s", "go test -benchtime of the sandbox's hasImage benchmark")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, r := range strings.Split(*rates, ",") {
		if r = strings.TrimSpace(r); r == "" {
			continue
		}
		v, err := strconv.ParseFloat(r, 64)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("-rates: %q is not a positive number of MB/s", r)
		}
		o.rates = append(o.rates, v)
	}
	if *only != "" {
		o.only = map[string]bool{}
		for _, g := range strings.Split(*only, ",") {
			g = strings.TrimSpace(g)
			if !slices.Contains(groups, g) {
				return nil, fmt.Errorf("-only: unknown group %q; the groups are %s", g, strings.Join(groups, ","))
			}
			o.only[g] = true
		}
	}
	if o.quick {
		if !isSet(fs, "scale") {
			o.scale = 0.08
		}
		if !isSet(fs, "repeats") {
			o.repeats = 1
		}
		if !isSet(fs, "profile") {
			o.profile = false
		}
		if !isSet(fs, "benchtime") {
			o.benchtime = "1s"
		}
	}
	switch {
	case o.scale <= 0 || o.scale > 10:
		return nil, errors.New("-scale must be above 0 and at most 10")
	case o.repeats < 1 || o.repeats > 50:
		return nil, errors.New("-repeats must be between 1 and 50")
	case o.concurrency < 1 || o.concurrency > 64:
		return nil, errors.New("-concurrency must be between 1 and 64")
	case o.fileMiB < 1 || o.fileMiB > 512:
		return nil, errors.New("-file-mib must be between 1 and 512")
	case o.smallKB < 1 || o.smallKB > 100000:
		return nil, errors.New("-small-kb must be between 1 and 100000")
	case o.memGiB <= 0 || o.memGiB > 16:
		return nil, errors.New("-mem-gib must be above 0 and at most 16")
	case o.settle < 0:
		return nil, errors.New("-settle must not be negative")
	case o.brotliQuality < 0 || o.brotliQuality > 11:
		return nil, errors.New("-brotli-quality must be between 0 and 11")
	case o.linkFiles < 1 || o.loopFiles < 1 || o.smallFiles < 1 || o.manyFiles < 1:
		return nil, errors.New("the file counts must be positive")
	}
	scale := func(n *int, least int) { *n = max(least, int(math.Round(float64(*n)*o.scale))) }
	scale(&o.linkFiles, 4)
	scale(&o.loopFiles, 8)
	scale(&o.smallFiles, 50)
	// The many-files figure is not scaled: its target is about 10,000 files.
	o.memGiB *= o.scale
	return o, nil
}

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func (o *options) runs(group string) bool { return o.only == nil || o.only[group] }

// memFiles is how many large files make gib GiB.
func (o *options) memFiles(gib float64) int {
	return max(2, int(math.Round(gib*1024/float64(o.fileMiB))))
}

// run is main without the process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	logf := func(format string, a ...any) {
		fmt.Fprintf(stderr, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, a...))
	}
	b, err := setup(ctx, o, logf)
	if err != nil {
		return err
	}
	defer b.cleanup()
	started := time.Now()
	for _, g := range groups {
		if !o.runs(g) || ctx.Err() != nil {
			continue
		}
		logf("== %s", g)
		b.runGroup(ctx, g)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	rep := b.report(time.Since(started))
	fmt.Fprint(stdout, rep)
	if o.out != "" {
		if err := os.WriteFile(o.out, []byte(rep), 0o644); err != nil {
			return err
		}
		logf("wrote %s", o.out)
	}
	return nil
}

// moduleRoot finds the directory of go.mod from the working directory.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	p := strings.TrimSpace(string(out))
	if p == "" || p == os.DevNull {
		return "", errors.New("run the benchmark from inside the altiup module")
	}
	return filepath.Dir(p), nil
}
