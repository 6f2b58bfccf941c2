package sandbox

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"altiup/server/sandbox/internal/graph"
)

// OSSBackend is the part of the OSS-compatible object store the API uses.
// Stat and Open return an error matching fs.ErrNotExist for a missing object.
type OSSBackend interface {
	// IssueSTS issues temporary credentials that may write under prefix of bucket.
	IssueSTS(bucket, prefix string, ttl time.Duration) (STS, error)
	// Endpoint is the URL clients send OSS requests to.
	Endpoint() string
	Stat(ctx context.Context, bucket, key string) (size int64, err error)
	Open(ctx context.Context, bucket, key string) (io.ReadCloser, error)
	// SignGetURL returns a URL, signed with a read-only credential, that
	// GETs key of bucket, answered with contentType, until ttl passes.
	SignGetURL(bucket, key, contentType string, ttl time.Duration) (string, error)
}

// S3Backend is the part of the S3-compatible object store the API uses. One
// real bucket stands behind every BucketS3 and BucketMinio value. Stat and
// Open return an error matching fs.ErrNotExist for a missing object.
type S3Backend interface {
	// PresignPut returns a URL that lets anyone PUT key with that Content-Type until ttl passes.
	PresignPut(ctx context.Context, key, contentType string, ttl time.Duration) (string, error)
	// PresignGet returns a URL that lets anyone GET key, answered with
	// contentType, until ttl passes.
	PresignGet(ctx context.Context, key, contentType string, ttl time.Duration) (string, error)
	Stat(ctx context.Context, key string) (int64, error)
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Put stores an object; uploadImageURL stores what it fetched with it.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
}

// STS is a set of temporary OSS credentials.
type STS struct {
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
	Expiration      time.Time
}

// User is an account of the sandbox. Projects belong to a user by Username,
// so a user keeps their projects across restarts even when the token changes.
type User struct {
	Token    string
	Username string
	Name     string
	Email    string
	// Password lets getUserToken sign the user in; "" refuses it.
	Password string
	// Phone lets requestLoginCode sign the user in; "" refuses it.
	Phone string
	// Account is what my.self says about the user.
	Account Account
}

// Cloud names a kind of storage as nearestBuckets and supportedCloud spell it.
type Cloud string

// The clouds.
const (
	CloudOSS   Cloud = "OSS"
	CloudS3    Cloud = "S3"
	CloudMinIO Cloud = "MINIO"
)

// Bucket is an entry of nearestBuckets: an enum value of BucketOSS,
// BucketS3 or BucketMinio (by Cloud), and a name for people.
type Bucket struct {
	Cloud   Cloud
	Name    string
	Display string
}

// DefaultBuckets is the nearestBuckets order used when Config.Buckets is
// empty: OSS first (the browser examples take the first entry), then S3,
// then MinIO.
func DefaultBuckets() []Bucket {
	return []Bucket{
		{Cloud: CloudOSS, Name: string(graph.BucketOssHangzhou), Display: "Hangzhou (Aliyun OSS)"},
		{Cloud: CloudS3, Name: string(graph.BucketS3Tokyo), Display: "Tokyo (AWS S3)"},
		{Cloud: CloudMinIO, Name: string(graph.BucketMinioLocal), Display: "Local (MinIO)"},
	}
}

// OSSBucketNames lists the real OSS bucket behind every BucketOSS value,
// so that the server can create them all.
func OSSBucketNames() []string {
	names := make([]string, 0, len(graph.AllBucketOss))
	for _, b := range graph.AllBucketOss {
		names = append(names, ossBucketName(string(b)))
	}
	return names
}

// ossBucketName is the real OSS bucket behind a BucketOSS value.
func ossBucketName(enum string) string {
	return "altiup-oss-" + strings.ToLower(enum)
}

// Clock tells the time; tests pass a fake one to make time pass.
type Clock interface {
	Now() time.Time
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Config configures a Sandbox. Only AppKey and Users are required; OSS and
// S3 may be nil, and then the operations needing them fail in words.
type Config struct {
	// AppKey is the value every request must send in the header "key"; it is
	// also the OAuth client_id.
	AppKey string
	// Users are the accounts; the first is the demo user whose token the
	// OAuth consent page hands out by default.
	Users []User
	OSS   OSSBackend
	S3    S3Backend
	// APIURL and WebURL are what support { endpoints { api web } } says.
	APIURL, WebURL string
	// RedirectOrigins are the origins ("https://host:port") an OAuth
	// redirect_uri may be under (default: those of WebURL and APIURL).
	RedirectOrigins []string
	// STSTTL is how long issued STS credentials last (default 1h).
	STSTTL time.Duration
	// PresignTTL is how long presigned PUT URLs last (default 3h).
	PresignTTL time.Duration
	// LinkTTL is how long an Image.url download link lasts (default 15m).
	LinkTTL time.Duration
	// DataDir, when set, keeps the state in DataDir/sandbox.json across restarts.
	DataDir string
	// MaxBodyBytes bounds a GraphQL request body (default 1 MiB).
	MaxBodyBytes int64
	// Buckets is nearestBuckets in order (default DefaultBuckets()).
	Buckets []Bucket

	// Clock defaults to the real time.
	Clock Clock
	// ImageTimeout is how long an image may stay non-final (default 65m).
	ImageTimeout time.Duration
	// WatchInterval is how often S3 and MinIO images waiting for their
	// object are looked for, and expiry is swept (default 300ms).
	WatchInterval time.Duration
	// QueueDuration and ProcessDuration are how long a task stays Queueing
	// and Processing (default 2s each).
	QueueDuration, ProcessDuration time.Duration
	// MaxImageBytes bounds an object that validation reads (default 256 MiB).
	MaxImageBytes int64
	// MaxDecodePixels bounds the images fully decoded to find truncation;
	// larger ones are checked from their header only (default 100 megapixels).
	MaxDecodePixels int64
	// MaxFetchBytes and FetchTimeout bound uploadImageURL and networkTest
	// fetches (defaults 100 MiB and 2m).
	MaxFetchBytes int64
	FetchTimeout  time.Duration
	// HTTPClient fetches for uploadImageURL and networkTest (default: a
	// client following up to 10 http(s) redirects).
	HTTPClient *http.Client
	// SaveDelay gathers changes before the state file is written (default 50ms).
	SaveDelay time.Duration
	// Validators is how many images are validated at once (default 2).
	Validators int
	// Logger defaults to slog.Default(). Nothing secret is logged.
	Logger *slog.Logger
}

func (c *Config) setDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.STSTTL, time.Hour)
	def(&c.PresignTTL, 3*time.Hour)
	def(&c.LinkTTL, 15*time.Minute)
	def(&c.ImageTimeout, 65*time.Minute)
	def(&c.WatchInterval, 300*time.Millisecond)
	def(&c.QueueDuration, 2*time.Second)
	def(&c.ProcessDuration, 2*time.Second)
	def(&c.FetchTimeout, 2*time.Minute)
	def(&c.SaveDelay, 50*time.Millisecond)
	defInt := func(d *int64, v int64) {
		if *d <= 0 {
			*d = v
		}
	}
	defInt(&c.MaxBodyBytes, 1<<20)
	defInt(&c.MaxImageBytes, 256<<20)
	defInt(&c.MaxDecodePixels, 100_000_000)
	defInt(&c.MaxFetchBytes, 100<<20)
	if c.Validators <= 0 {
		c.Validators = 2
	}
	if len(c.Buckets) == 0 {
		c.Buckets = DefaultBuckets()
	}
	if c.Clock == nil {
		c.Clock = realClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{CheckRedirect: checkRedirect}
	}
}
