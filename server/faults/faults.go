package faults

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Config says which faults to inject. The zero value injects none.
type Config struct {
	// PutRate is the share (0..1) of object PUTs on the storage endpoint
	// that fail: half answer 500 or 503 with a storage XML error after the
	// body is read, half have their connection cut mid-body.
	PutRate float64
	// GraphQLRate is the share (0..1) of GraphQL POSTs that fail: half
	// answer 502 with an HTML page, as a proxy does, half are held for
	// GraphQLHold (or until the client gives up) and then cut.
	GraphQLRate float64
	// GraphQLHold is how long a timed-out GraphQL call is held. Default 30 s.
	GraphQLHold time.Duration
	// GraphQLPath is the path whose POSTs GraphQLRate applies to. Default
	// "/graphql".
	GraphQLPath string
	// Latency is added before every storage and API response.
	Latency time.Duration
	// Bandwidth caps, in bytes per second, the storage endpoint's uploads
	// (request bodies) and downloads (response bodies), each direction
	// shared by every connection. 0 means no cap.
	Bandwidth int64
	// Seed makes the draws reproducible; 0 picks a random seed (see
	// Injector.Seed).
	Seed uint64
}

// ConfigError reports a Config field New refuses.
type ConfigError struct {
	Field  string
	Reason string
}

func (e *ConfigError) Error() string { return "faults: " + e.Field + " " + e.Reason }

// Validate reports the first field out of range, in words.
func (c *Config) Validate() error {
	switch {
	case math.IsNaN(c.PutRate) || c.PutRate < 0 || c.PutRate > 1:
		return &ConfigError{"PutRate", fmt.Sprintf("must be between 0 and 1, not %v", c.PutRate)}
	case math.IsNaN(c.GraphQLRate) || c.GraphQLRate < 0 || c.GraphQLRate > 1:
		return &ConfigError{"GraphQLRate", fmt.Sprintf("must be between 0 and 1, not %v", c.GraphQLRate)}
	case c.GraphQLHold < 0:
		return &ConfigError{"GraphQLHold", "must not be negative"}
	case c.Latency < 0:
		return &ConfigError{"Latency", "must not be negative"}
	case c.Bandwidth < 0:
		return &ConfigError{"Bandwidth", "must not be negative"}
	}
	return nil
}

// Enabled reports whether c injects anything at all.
func (c *Config) Enabled() bool {
	return c.PutRate > 0 || c.GraphQLRate > 0 || c.Latency > 0 || c.Bandwidth > 0
}

// Counts are the requests seen and the faults injected so far.
type Counts struct {
	Puts      int64 // object PUTs seen by the storage endpoint
	PutErrors int64 // answered 500 or 503
	PutCuts   int64 // connection cut mid-body

	GraphQLCalls       int64 // GraphQL POSTs seen
	GraphQLBadGateways int64 // answered 502
	GraphQLTimeouts    int64 // held, then cut
}

// String is a log line without any URL, header or secret.
func (c Counts) String() string {
	return fmt.Sprintf("faults injected: %d of %d object PUTs answered 5xx, %d cut mid-body; %d of %d GraphQL calls answered 502, %d timed out",
		c.PutErrors, c.Puts, c.PutCuts, c.GraphQLBadGateways, c.GraphQLCalls, c.GraphQLTimeouts)
}

// Injector wraps handlers with the faults of one Config. It is safe for
// concurrent use.
type Injector struct {
	cfg  Config
	seed uint64

	mu   sync.Mutex
	seen map[string]uint64 // kind+path → requests drawn so far

	up, down *rate.Limiter // nil without a bandwidth cap
	burst    int

	puts, putErrors, putCuts          atomic.Int64
	gqlCalls, gqlBadGateways, gqlHeld atomic.Int64
}

// New checks cfg and returns an Injector for it.
func New(cfg Config) (*Injector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.GraphQLHold == 0 {
		cfg.GraphQLHold = 30 * time.Second
	}
	if cfg.GraphQLPath == "" {
		cfg.GraphQLPath = "/graphql"
	}
	in := &Injector{cfg: cfg, seed: cfg.Seed, seen: map[string]uint64{}}
	for in.seed == 0 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		in.seed = binary.LittleEndian.Uint64(b[:])
	}
	if cfg.Bandwidth > 0 {
		// Bursts of a tenth of a second keep the flow smooth without
		// making every small read wait.
		in.burst = int(min(max(cfg.Bandwidth/10, 1), 64<<10))
		in.up = rate.NewLimiter(rate.Limit(cfg.Bandwidth), in.burst)
		in.down = rate.NewLimiter(rate.Limit(cfg.Bandwidth), in.burst)
	}
	return in, nil
}

// Seed is the seed in use: Config.Seed, or the random one picked by New.
func (in *Injector) Seed() uint64 { return in.seed }

// Counts is a snapshot of the counters.
func (in *Injector) Counts() Counts {
	return Counts{
		Puts: in.puts.Load(), PutErrors: in.putErrors.Load(), PutCuts: in.putCuts.Load(),
		GraphQLCalls: in.gqlCalls.Load(), GraphQLBadGateways: in.gqlBadGateways.Load(), GraphQLTimeouts: in.gqlHeld.Load(),
	}
}

// String describes the configuration, seed included, for a start-up line.
func (in *Injector) String() string {
	bw := "none"
	if in.cfg.Bandwidth > 0 {
		bw = fmt.Sprintf("%d B/s", in.cfg.Bandwidth)
	}
	return fmt.Sprintf("PUT %g, GraphQL %g (held %s), latency %s, bandwidth %s, seed %d",
		in.cfg.PutRate, in.cfg.GraphQLRate, in.cfg.GraphQLHold, in.cfg.Latency, bw, in.seed)
}

// draw returns a number in [0, 1) that depends only on the seed, kind, key
// and how many times kind+key was drawn before.
func (in *Injector) draw(kind, key string) float64 {
	in.mu.Lock()
	k := kind + "\x00" + key
	n := in.seen[k]
	in.seen[k] = n + 1
	in.mu.Unlock()
	h := sha256.New()
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], in.seed)
	binary.LittleEndian.PutUint64(b[8:], n)
	h.Write(b[:])
	h.Write([]byte(k))
	sum := h.Sum(nil)
	return float64(binary.LittleEndian.Uint64(sum)>>11) / (1 << 53)
}

// wait sleeps d or until r's client goes away.
func wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}
