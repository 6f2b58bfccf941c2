package ossbucket

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Credentials are temporary OSS credentials, as an STS AssumeRole returns
// them: they write under Prefix of Bucket until Expiration.
type Credentials struct {
	AccessKeyID, AccessKeySecret, SecurityToken string
	Bucket, Prefix                              string
	Expiration                                  time.Time
}

// tokenPrefix marks the format version of security tokens.
const tokenPrefix = "altiup1."

// maxSTSTTL bounds IssueSTS; real STS tokens last at most 12 hours.
const maxSTSTTL = 7 * 24 * time.Hour

// claims is what a security token carries.
type claims struct {
	AccessKeyID string `json:"k"`
	Bucket      string `json:"b"`
	Prefix      string `json:"p"`
	Expires     int64  `json:"e"` // unix seconds
	// Read marks a read-only credential: it may GET or HEAD the one
	// object whose key is Prefix, and nothing else. Upload credentials
	// never have it, so they never read.
	Read bool `json:"r,omitempty"`
}

// keys are derived from the signing key with distinct labels, so that a
// token MAC can never serve as an access key secret or the reverse.
type keys struct {
	token  []byte
	secret []byte
}

func deriveKeys(signingKey []byte) keys {
	return keys{
		token:  hmacSHA256(signingKey, "altiup ossbucket sts security token"),
		secret: hmacSHA256(signingKey, "altiup ossbucket sts access key secret"),
	}
}

func hmacSHA256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// secretFor derives the access key secret of an access key id.
func (k keys) secretFor(accessKeyID string) string {
	return base64.RawURLEncoding.EncodeToString(hmacSHA256(k.secret, accessKeyID))
}

func (k keys) issue(c claims) (string, error) {
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	p := base64.RawURLEncoding.EncodeToString(payload)
	mac := base64.RawURLEncoding.EncodeToString(hmacSHA256(k.token, p))
	return tokenPrefix + p + "." + mac, nil
}

// parse checks the token's MAC (in constant time) and returns its claims; it
// does not check expiry.
func (k keys) parse(token string) (claims, bool) {
	var c claims
	rest, ok := strings.CutPrefix(token, tokenPrefix)
	if !ok || len(token) > 4096 {
		return c, false
	}
	p, macText, ok := strings.Cut(rest, ".")
	if !ok {
		return c, false
	}
	mac, err := base64.RawURLEncoding.DecodeString(macText)
	if err != nil || !hmac.Equal(mac, hmacSHA256(k.token, p)) {
		return c, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil || json.Unmarshal(payload, &c) != nil || c.AccessKeyID == "" {
		return claims{}, false
	}
	return c, true
}

const idAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"

func newAccessKeyID() string {
	b := make([]byte, 24)
	rand.Read(b) // never fails (crypto/rand panics rather than return an error)
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return "STS." + string(b)
}

// IssueSTS issues credentials that may only write objects whose keys start
// with prefix in bucket, for ttl. prefix must be non-empty and end in "/",
// so that "p1/" never covers "p10/".
func (s *Server) IssueSTS(bucket, prefix string, ttl time.Duration) (Credentials, error) {
	if !s.HasBucket(bucket) {
		return Credentials{}, fmt.Errorf("ossbucket: cannot issue credentials for bucket %q: it is not served here", bucket)
	}
	if prefix == "" || !strings.HasSuffix(prefix, "/") {
		return Credentials{}, fmt.Errorf("ossbucket: credential prefix %q must be non-empty and end with \"/\"", prefix)
	}
	if err := checkKey(prefix + "x"); err != nil {
		return Credentials{}, fmt.Errorf("ossbucket: credential prefix %q is not a valid key prefix: %w", prefix, err)
	}
	if ttl <= 0 || ttl > maxSTSTTL {
		return Credentials{}, fmt.Errorf("ossbucket: credential lifetime %v must be positive and at most %v", ttl, maxSTSTTL)
	}
	exp := s.now().Add(ttl).Truncate(time.Second)
	c := claims{AccessKeyID: newAccessKeyID(), Bucket: bucket, Prefix: prefix, Expires: exp.Unix()}
	tok, err := s.keys.issue(c)
	if err != nil {
		return Credentials{}, err
	}
	return Credentials{
		AccessKeyID:     c.AccessKeyID,
		AccessKeySecret: s.keys.secretFor(c.AccessKeyID),
		SecurityToken:   tok,
		Bucket:          bucket,
		Prefix:          prefix,
		Expiration:      exp.UTC(),
	}, nil
}
