package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"altiup/server/ossbucket"
	"altiup/server/s3bucket"
	"altiup/server/sandbox"
	"altiup/server/sandbox/ossbackend"
)

// newSandbox builds the sandbox's API and its storage endpoints. The storage
// handler sends requests for OSS buckets to the OSS endpoint and the rest to
// the in-process S3 server (when there is one).
func newSandbox(ctx context.Context, c *config, pageURL, storageURL string, stderr io.Writer) (*sandbox.Sandbox, http.Handler, error) {
	var ossStore ossbucket.Store = ossbucket.NewMemStore()
	s3Dir := ""
	sbDir := ""
	if c.data != "" {
		if err := os.MkdirAll(c.data, 0o700); err != nil {
			return nil, nil, err
		}
		ds, err := ossbucket.NewDirStore(filepath.Join(c.data, "oss"))
		if err != nil {
			return nil, nil, err
		}
		ossStore = ds
		s3Dir = filepath.Join(c.data, "s3")
		sbDir = filepath.Join(c.data, "sandbox")
		for _, d := range []string{s3Dir, sbDir} {
			if err := os.MkdirAll(d, 0o700); err != nil {
				return nil, nil, err
			}
		}
		if err := loadCredentials(c); err != nil {
			return nil, nil, err
		}
	}
	if c.appKey == "" {
		c.appKey = randomHex(16)
	}
	if c.userToken == "" {
		c.userToken = randomHex(24)
	}
	if c.data != "" {
		if err := saveCredentials(c); err != nil {
			return nil, nil, err
		}
	}
	key, err := signingKey(c.data)
	if err != nil {
		return nil, nil, err
	}
	oss, err := ossbucket.New(ossbucket.Config{
		Buckets:       sandbox.OSSBucketNames(),
		Endpoint:      storageURL,
		Store:         ossStore,
		SigningKey:    key,
		MaxObjectSize: c.maxObject,
	})
	if err != nil {
		return nil, nil, err
	}
	s3, err := s3bucket.New(ctx, s3bucket.Config{
		Endpoint:      c.s3Endpoint,
		AccessKey:     c.s3Access,
		SecretKey:     c.s3Secret,
		Region:        c.s3Region,
		Bucket:        c.s3Bucket,
		PublicURL:     storageURL,
		DataDir:       s3Dir,
		MaxObjectSize: c.maxObject,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("S3 backend: %w", err)
	}
	sb, err := sandbox.New(sandbox.Config{
		AppKey:          c.appKey,
		Users:           sandbox.DemoUsers(c.userToken),
		OSS:             ossbackend.New(oss),
		S3:              s3,
		APIURL:          pageURL,
		WebURL:          pageURL,
		RedirectOrigins: redirectOrigins(c.redirectOrigins, pageURL),
		STSTTL:          c.stsTTL,
		PresignTTL:      c.presignTTL,
		QueueDuration:   c.taskTime,
		ProcessDuration: c.taskTime,
		DataDir:         sbDir,
		MaxBodyBytes:    c.maxBody,
		Logger:          slog.New(slog.NewTextHandler(stderr, nil)),
	})
	if err != nil {
		return nil, nil, err
	}
	return sb, storageMux(oss, s3.Handler()), nil
}

// redirectOrigins are the origins the sign-in may send a token to: those
// given, or else the page's own, under both loopback names when it is on
// loopback (the page printed as 127.0.0.1 is often opened as localhost).
func redirectOrigins(given []string, pageURL string) []string {
	if len(given) > 0 {
		return given
	}
	out := []string{pageURL}
	u, err := url.Parse(pageURL)
	if err != nil {
		return out
	}
	switch u.Hostname() {
	case "127.0.0.1", "::1":
		out = append(out, "http://localhost:"+u.Port())
	case "localhost":
		out = append(out, "http://127.0.0.1:"+u.Port())
	}
	return out
}

// apiExposeHeaders are the API's response headers a page on another origin
// may read: the server's clock (STS expiry is judged in server time) and
// how long to wait after a 429 or 503.
const apiExposeHeaders = "Date, Retry-After"

// exposeAPIHeaders marks every API response, the injected faults' too, with
// apiExposeHeaders.
func exposeAPIHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Expose-Headers", apiExposeHeaders)
		next.ServeHTTP(w, r)
	})
}

// storageMux routes by bucket: path style (/<bucket>/<key>) or virtual-hosted
// (<bucket>.<host>); requests signed the OSS way go to the OSS endpoint even
// without a bucket in the path (ali-oss given an IP endpoint sends /<key>).
func storageMux(oss *ossbucket.Server, s3 http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s3 == nil || isOSS(oss, r) {
			oss.ServeHTTP(w, r)
			return
		}
		s3.ServeHTTP(w, r)
	})
}

func isOSS(oss *ossbucket.Server, r *http.Request) bool {
	if i := strings.IndexByte(r.Host, '.'); i > 0 && oss.HasBucket(r.Host[:i]) {
		return true
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if oss.HasBucket(first) {
		return true
	}
	if r.Header.Get("X-Oss-Security-Token") != "" || strings.HasPrefix(r.Header.Get("Authorization"), "OSS") {
		return true
	}
	q := r.URL.Query()
	if q.Has("OSSAccessKeyId") || q.Has("security-token") || q.Has("x-oss-credential") {
		return true
	}
	// A preflight names the headers the real request will carry.
	return strings.Contains(strings.ToLower(r.Header.Get("Access-Control-Request-Headers")), "x-oss-")
}

type savedCredentials struct {
	AppKey    string `json:"appKey"`
	UserToken string `json:"userToken"`
}

// loadCredentials fills the app key and user token left empty on the command
// line from the data directory, so a restarted sandbox accepts the pages that
// were open before.
func loadCredentials(c *config) error {
	b, err := os.ReadFile(filepath.Join(c.data, "credentials.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var s savedCredentials
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(c.data, "credentials.json"), err)
	}
	if c.appKey == "" {
		c.appKey = s.AppKey
	}
	if c.userToken == "" {
		c.userToken = s.UserToken
	}
	return nil
}

func saveCredentials(c *config) error {
	b, _ := json.Marshal(savedCredentials{AppKey: c.appKey, UserToken: c.userToken})
	return os.WriteFile(filepath.Join(c.data, "credentials.json"), b, 0o600)
}
