package main

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/andybalholm/brotli"
)

//go:embed pages
var pagesFS embed.FS

// fixtures serves the benchmark's own pages, the peers' npm bundles and the
// hashing wasm on an origin of its own (a partner page, as far as the
// uploader's server is concerned).
type fixtures struct {
	url string
	srv *http.Server
}

// npmFiles are the only files of node_modules the pages load.
var npmFiles = map[string]string{
	"/npm/aliyun-oss-sdk.min.js": "ali-oss/dist/aliyun-oss-sdk.min.js",
	"/npm/crypto-js.js":          "crypto-js/crypto-js.js",
	"/npm/sha1.umd.min.js":       "hash-wasm/dist/sha1.umd.min.js",
}

func startFixtures(nodeModules, hashDir string) (*fixtures, error) {
	sub, _ := fs.Sub(pagesFS, "pages")
	pages := http.FileServerFS(sub)
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		switch name := r.URL.Path; {
		case npmFiles[name] != "":
			if nodeModules == "" {
				http.NotFound(w, r)
				return
			}
			http.ServeFile(w, r, filepath.Join(nodeModules, filepath.FromSlash(npmFiles[name])))
		case name == "/hash-worker.js":
			// altiup's own worker script, for its hasher as the uploader runs it.
			http.ServeFile(w, r, filepath.Join("web", "hash-worker.js"))
		case name == "/wasm_exec.js" || name == "/hashwasm.wasm":
			if hashDir == "" {
				http.NotFound(w, r)
				return
			}
			if strings.HasSuffix(name, ".wasm") {
				w.Header().Set("Content-Type", "application/wasm")
			}
			http.ServeFile(w, r, filepath.Join(hashDir, name[1:]))
		default:
			pages.ServeHTTP(w, r)
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &fixtures{url: "http://" + ln.Addr().String(), srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}}
	go func() { _ = f.srv.Serve(ln) }()
	return f, nil
}

func (f *fixtures) close() { _ = f.srv.Close() }

// npmPackages are the peers' packages, installed at bench time outside the
// repository.
var npmPackages = []string{"ali-oss@6.23.0", "crypto-js@4.2.0", "hash-wasm@4.13.0"}

// ensureNPM installs the npm packages into dir (once) and returns its
// node_modules.
func ensureNPM(ctx context.Context, dir string, log func(string, ...any)) (string, error) {
	nm := filepath.Join(dir, "node_modules")
	have := true
	for _, p := range npmFiles {
		if _, err := os.Stat(filepath.Join(nm, filepath.FromSlash(p))); err != nil {
			have = false
		}
	}
	if have {
		return nm, nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", errors.New("npm is not installed (the peers ali-oss, crypto-js and hash-wasm come from npm)")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	log("installing %s into %s", strings.Join(npmPackages, " "), dir)
	args := append([]string{"install", "--prefix", dir, "--no-audit", "--no-fund", "--loglevel=error"}, npmPackages...)
	cmd := exec.CommandContext(ctx, npm, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("npm install: %v: %s", err, lastLines(string(out), 5))
	}
	return nm, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// buildHashWasm compiles hashwasm into dir with the wasm_exec.js of the same Go.
func buildHashWasm(ctx context.Context, moduleDir, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", filepath.Join(dir, "hashwasm.wasm"), "./server/bench/hashwasm")
	cmd.Dir = moduleDir
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build hashwasm: %v: %s", err, lastLines(string(out), 5))
	}
	root, err := exec.CommandContext(ctx, "go", "env", "GOROOT").Output()
	if err != nil {
		return fmt.Errorf("go env GOROOT: %w", err)
	}
	b, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(root)), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "wasm_exec.js"), b, 0o644)
}

// compressor gives the brotli size of a body at the given quality, with
// the Go encoder the build's precompress step also uses (a fresh machine has
// no brotli command), cached by content in dir: quality 11 takes seconds on
// the wasm.
type compressor struct {
	dir     string
	quality int
}

func newCompressor(dir string, quality int) *compressor {
	return &compressor{dir: dir, quality: quality}
}

func (c *compressor) name() string { return "brotli -q " + strconv.Itoa(c.quality) }

func (c *compressor) size(ctx context.Context, body []byte) (int64, error) {
	sum := sha256.Sum256(body)
	cache := filepath.Join(c.dir, fmt.Sprintf("%s.go.q%d", hex.EncodeToString(sum[:16]), c.quality))
	if b, err := os.ReadFile(cache); err == nil {
		if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil {
			return n, nil
		}
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n, err := brotliSize(body, c.quality)
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(c.dir, 0o755); err == nil {
		_ = os.WriteFile(cache, []byte(strconv.FormatInt(n, 10)), 0o644)
	}
	return n, nil
}

// brotliSize is the length of body compressed with brotli at quality.
func brotliSize(body []byte, quality int) (int64, error) {
	var n countWriter
	w := brotli.NewWriterLevel(&n, quality)
	if _, err := w.Write(body); err != nil {
		return 0, fmt.Errorf("brotli: %w", err)
	}
	if err := w.Close(); err != nil {
		return 0, fmt.Errorf("brotli: %w", err)
	}
	return int64(n), nil
}

// countWriter counts what is written to it.
type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}
