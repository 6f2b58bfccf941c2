package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"altiup/server/faults"
	"altiup/server/sandbox"
	"altiup/server/static"
	"altiup/web"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "altiup:", err)
		os.Exit(1)
	}
}

type config struct {
	addr, storageAddr, api         string
	appKey, userToken, data        string
	s3Endpoint, s3Access, s3Secret string
	s3Region, s3Bucket             string
	stsTTL, presignTTL             time.Duration
	taskTime                       time.Duration
	maxObject                      int64
	maxBody                        int64
	frameAncestors                 frameAncestors
	partnerAddr                    string
	redirectOrigins                []string
	faults                         *faults.Config
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{frameAncestors: frameAncestors{}}
	fs := flag.NewFlagSet("altiup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "address of the page and the sandbox's API")
	fs.StringVar(&c.storageAddr, "storage-addr", "", "address of the sandbox's OSS and S3 endpoints (default: the port after -addr's)")
	fs.StringVar(&c.api, "api", "", "an Altizure-compatible GraphQL endpoint for the page (e.g. https://api.altizure.com/graphql); turns the sandbox off")
	fs.StringVar(&c.appKey, "app-key", "", "the sandbox's app key (random when empty)")
	fs.StringVar(&c.userToken, "user-token", "", "the sandbox's demo user token (random when empty)")
	fs.StringVar(&c.data, "data", "", "directory where the sandbox keeps its state and objects (in memory when empty)")
	fs.StringVar(&c.s3Endpoint, "s3-endpoint", "", "a real S3 server for the S3 buckets (default: in-process)")
	fs.StringVar(&c.s3Access, "s3-access-key", "", "access key of -s3-endpoint")
	fs.StringVar(&c.s3Secret, "s3-secret-key", "", "secret key of -s3-endpoint")
	fs.StringVar(&c.s3Region, "s3-region", "us-east-1", "region of -s3-endpoint")
	fs.StringVar(&c.s3Bucket, "s3-bucket", "altiup", "bucket behind every S3 and MinIO bucket name")
	fs.DurationVar(&c.stsTTL, "sts-ttl", time.Hour, "lifetime of the OSS STS credentials the sandbox issues")
	fs.DurationVar(&c.presignTTL, "presign-ttl", 3*time.Hour, "lifetime of the presigned S3 PUT URLs")
	fs.DurationVar(&c.taskTime, "task-time", 2*time.Second, "how long a sandbox reconstruction stays Queueing, then as long Processing, before it is Done")
	fs.Int64Var(&c.maxObject, "max-object-size", 1<<30, "largest object the sandbox's storage accepts, in bytes")
	fs.Int64Var(&c.maxBody, "max-request-size", 1<<20, "largest GraphQL request body, in bytes")
	fs.Var(c.frameAncestors, "frame-ancestors", "[KEY=]ORIGIN[,ORIGIN...]: origins whose pages may frame /embed (the isolated uploader), for app key KEY or for every key; repeatable (default: the demo partner page's origin when -partner-addr is given, else none)")
	fs.StringVar(&c.partnerAddr, "partner-addr", "", "address of a demo partner site, another origin that embeds the uploader both ways (off when empty)")
	fs.Func("redirect-origins", "comma-separated origins (scheme://host:port) the sandbox's sign-in may send a token to (default: the page's own)", func(v string) error {
		origins, err := parseOrigins(v)
		c.redirectOrigins = append(c.redirectOrigins, origins...)
		return err
	})
	c.faults = faultFlags(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch {
	case c.stsTTL < time.Second:
		return nil, errors.New("-sts-ttl must be at least 1s")
	case c.presignTTL < time.Second || c.presignTTL > 7*24*time.Hour:
		return nil, errors.New("-presign-ttl must be between 1s and 168h")
	case c.taskTime < 10*time.Millisecond || c.taskTime > 24*time.Hour:
		return nil, errors.New("-task-time must be between 10ms and 24h")
	case c.maxObject <= 0 || c.maxBody <= 0:
		return nil, errors.New("-max-object-size and -max-request-size must be positive")
	case c.s3Endpoint != "" && (c.s3Access == "" || c.s3Secret == ""):
		return nil, errors.New("-s3-endpoint needs -s3-access-key and -s3-secret-key")
	}
	if err := checkFaultFlags(c.faults); err != nil {
		return nil, err
	}
	if c.api != "" {
		if !strings.HasPrefix(c.api, "http://") && !strings.HasPrefix(c.api, "https://") {
			return nil, errors.New("-api must be an http(s) URL")
		}
	}
	return c, nil
}

// parseOrigins reads a comma-separated list of http(s) origins.
func parseOrigins(v string) ([]string, error) {
	var out []string
	for _, o := range strings.Split(v, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.TrimSuffix(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("%q is not an origin such as https://example.com:8443", o)
		}
		out = append(out, u.Scheme+"://"+u.Host)
	}
	return out, nil
}

// run is main without the process: tests start it with -addr 127.0.0.1:0 and
// read the addresses it prints.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	pageURL := "http://" + ln.Addr().String()
	partner, err := listenPartner(c)
	if err != nil {
		return err
	}
	if partner != nil {
		defer partner.ln.Close()
	}

	mux := http.NewServeMux()
	var servers []*http.Server
	var cfgJSON []byte
	staticOpt := static.Options{ConnectSrc: "*"}

	var sb *sandbox.Sandbox
	if c.api == "" {
		storageAddr := c.storageAddr
		if storageAddr == "" {
			storageAddr, err = nextPort(c.addr, ln.Addr().(*net.TCPAddr))
			if err != nil {
				return err
			}
		}
		sln, err := net.Listen("tcp", storageAddr)
		if err != nil {
			return fmt.Errorf("storage endpoint: %w", err)
		}
		defer sln.Close()
		storageURL := "http://" + sln.Addr().String()

		var sb2 *sandbox.Sandbox
		var storage http.Handler
		sb2, storage, err = newSandbox(ctx, c, pageURL, storageURL, stderr)
		if err != nil {
			return err
		}
		sb = sb2
		defer sb.Close()
		api, storage, faultsDone, err := wrapFaults(c.faults, sb.Handler(), storage, stdout, stderr)
		if err != nil {
			return err
		}
		defer faultsDone()
		api = exposeAPIHeaders(api)
		mux.Handle("/graphql", api)
		mux.Handle("/auth/", api)
		servers = append(servers, &http.Server{Handler: storage, ReadHeaderTimeout: 10 * time.Second})
		go serve(servers[len(servers)-1], sln, stderr)

		pid, err := sb.EnsureProject(c.userToken, "Demo project")
		if err != nil {
			return fmt.Errorf("demo project: %w", err)
		}
		cfgJSON, _ = json.Marshal(map[string]string{
			"api": pageURL + "/graphql", "key": c.appKey, "token": c.userToken, "project": pid,
		})
		fmt.Fprintf(stdout, "page:         %s/\n", pageURL)
		fmt.Fprintf(stdout, "api:          %s/graphql\n", pageURL)
		fmt.Fprintf(stdout, "storage:      %s\n", storageURL)
		fmt.Fprintf(stdout, "app key:      %s\n", c.appKey)
		fmt.Fprintf(stdout, "user token:   %s\n", c.userToken)
		fmt.Fprintf(stdout, "demo project: %s\n", pid)
		partner.start(&servers, pageURL, storageURL, c, pid, stdout, stderr)
		fmt.Fprintf(stdout, "open:         %s/?project=%s\n", pageURL, pid)
	} else {
		cfgJSON, _ = json.Marshal(map[string]string{"api": c.api})
		fmt.Fprintf(stdout, "page:         %s/\n", pageURL)
		fmt.Fprintf(stdout, "api:          %s\n", c.api)
		partner.start(&servers, pageURL, "", c, "", stdout, stderr)
	}
	// The page reads its defaults from here; the sandbox's credentials are
	// the sandbox's own, made for this run.
	mux.HandleFunc("/config.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(cfgJSON)
	})
	embed := newEmbedHandler(web.FS, staticOpt, c.frameAncestors)
	mux.Handle("/embed", embed)
	mux.Handle("/embed/policy.json", embed)
	mux.Handle("/", static.New(web.FS, staticOpt))

	main := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	servers = append(servers, main)
	errc := make(chan error, 1)
	go func() { errc <- main.Serve(ln) }()

	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, s := range servers {
		_ = s.Shutdown(shutdownCtx)
	}
	return nil
}

func serve(s *http.Server, ln net.Listener, stderr io.Writer) {
	if err := s.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(stderr, "altiup: storage endpoint:", err)
	}
}

// nextPort is the port after the page's, or any free port when the page's
// was asked as 0 (tests).
func nextPort(asked string, a *net.TCPAddr) (string, error) {
	_, port, err := net.SplitHostPort(asked)
	if err != nil {
		return "", fmt.Errorf("-addr: %w", err)
	}
	if port == "0" {
		return net.JoinHostPort(a.IP.String(), "0"), nil
	}
	return net.JoinHostPort(a.IP.String(), strconv.Itoa(a.Port+1)), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}

// signingKey returns the key that signs STS tokens: kept in the data
// directory so tokens issued before a restart stay valid.
func signingKey(dataDir string) ([]byte, error) {
	if dataDir == "" {
		b := make([]byte, 32)
		_, err := rand.Read(b)
		return b, err
	}
	p := filepath.Join(dataDir, "sts.key")
	if b, err := os.ReadFile(p); err == nil && len(b) >= 32 {
		return b, nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	if err := os.WriteFile(p, b, 0o600); err != nil {
		return nil, err
	}
	return b, nil
}
