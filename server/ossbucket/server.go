package ossbucket

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Config configures a Server.
type Config struct {
	Buckets       []string         // bucket names served, e.g. "altiup-oss-hangzhou"
	Endpoint      string           // public base URL clients use, e.g. "http://127.0.0.1:8081"
	Store         Store            // where objects live: NewMemStore() or NewDirStore(dir)
	SigningKey    []byte           // secret for stateless STS tokens, at least 16 bytes
	MaxObjectSize int64            // largest object or part body; 0 means DefaultMaxObjectSize
	Now           func() time.Time // nil means time.Now
}

// DefaultMaxObjectSize is the body size limit when Config.MaxObjectSize is 0.
const DefaultMaxObjectSize = 5 << 30

// Server is an OSS-compatible object endpoint; see the package doc.
type Server struct {
	buckets  map[string]bool
	endpoint string
	store    Store
	keys     keys
	max      int64
	now      func() time.Time
}

var _ http.Handler = (*Server)(nil)

// New checks cfg and returns a Server.
func New(cfg Config) (*Server, error) {
	if len(cfg.Buckets) == 0 {
		return nil, errors.New("ossbucket: no bucket to serve")
	}
	s := &Server{buckets: map[string]bool{}, store: cfg.Store, max: cfg.MaxObjectSize, now: cfg.Now}
	for _, b := range cfg.Buckets {
		if err := checkBucket(b); err != nil {
			return nil, fmt.Errorf("ossbucket: %w", err)
		}
		s.buckets[b] = true
	}
	if cfg.Store == nil {
		return nil, errors.New("ossbucket: no store given")
	}
	if len(cfg.SigningKey) < 16 {
		return nil, errors.New("ossbucket: the signing key must be at least 16 bytes")
	}
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("ossbucket: endpoint %q is not an http(s) URL", cfg.Endpoint)
	}
	s.endpoint = strings.TrimSuffix(cfg.Endpoint, "/")
	s.keys = deriveKeys(cfg.SigningKey)
	if s.max <= 0 {
		s.max = DefaultMaxObjectSize
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// Endpoint is the public base URL of the server.
func (s *Server) Endpoint() string { return s.endpoint }

// HasBucket reports whether the bucket is served.
func (s *Server) HasBucket(name string) bool { return s.buckets[name] }

func (s *Server) checkTarget(bucket, key string) *Error {
	if !s.HasBucket(bucket) {
		return errNoSuchBucket()
	}
	if err := checkKey(key); err != nil {
		return invalidObjectName(err)
	}
	return nil
}

func invalidObjectName(err error) *Error {
	return newError(http.StatusBadRequest, "InvalidObjectName", "The object name is not valid: "+err.Error()+".")
}

// Stat returns an object's size; absent objects give an error matching
// fs.ErrNotExist.
func (s *Server) Stat(ctx context.Context, bucket, key string) (int64, error) {
	if e := s.checkTarget(bucket, key); e != nil {
		if e.Code == "NoSuchBucket" {
			return 0, fmt.Errorf("%w: %w", e, fs.ErrNotExist)
		}
		return 0, e
	}
	info, err := s.store.StatObject(ctx, bucket, key)
	return info.Size, err
}

// Open opens an object for reading.
func (s *Server) Open(ctx context.Context, bucket, key string) (io.ReadCloser, error) {
	if e := s.checkTarget(bucket, key); e != nil {
		if e.Code == "NoSuchBucket" {
			return nil, fmt.Errorf("%w: %w", e, fs.ErrNotExist)
		}
		return nil, e
	}
	return s.store.OpenObject(ctx, bucket, key)
}

// Put stores an object without any authentication, for server-side imports.
// size is the exact length of r, or negative when unknown; the object is
// stored only if r yields exactly that many bytes without error.
func (s *Server) Put(ctx context.Context, bucket, key string, r io.Reader, size int64) error {
	if e := s.checkTarget(bucket, key); e != nil {
		return e
	}
	if size > s.max {
		return errTooLarge(s.max)
	}
	if size < 0 {
		size = -1
	}
	_, err := s.store.PutObject(ctx, bucket, key, newCheckedBody(r, size, s.max, nil, nil))
	return err
}
