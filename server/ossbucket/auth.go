package ossbucket

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxSkew is how far a request's date may be from the server's clock, as on OSS.
const maxSkew = 15 * time.Minute

const (
	v4Algorithm     = "OSS4-HMAC-SHA256"
	v4TimeFormat    = "20060102T150405Z"
	v4DayFormat     = "20060102"
	unsignedPayload = "UNSIGNED-PAYLOAD"
	maxV4Expires    = 7 * 24 * 3600
)

// v1SubResources are the query parameters signature V1 signs, exactly the
// list aliyun-oss-go-sdk v3 uses (signKeyList in oss/conn.go).
var v1SubResources = map[string]bool{}

func init() {
	for _, k := range []string{"acl", "uploads", "location", "cors",
		"logging", "website", "referer", "lifecycle",
		"delete", "append", "tagging", "objectMeta",
		"uploadId", "partNumber", "security-token",
		"position", "img", "style", "styleName",
		"replication", "replicationProgress",
		"replicationLocation", "cname", "bucketInfo",
		"comp", "qos", "live", "status", "vod",
		"startTime", "endTime", "symlink",
		"x-oss-process", "response-content-type", "x-oss-traffic-limit",
		"response-content-language", "response-expires",
		"response-cache-control", "response-content-disposition",
		"response-content-encoding", "udf", "udfName", "udfImage",
		"udfId", "udfImageDesc", "udfApplication",
		"udfApplicationLog", "restore", "callback", "callback-var", "qosInfo",
		"policy", "stat", "encryption", "versions", "versioning", "versionId", "requestPayment",
		"x-oss-request-payer", "sequential",
		"inventory", "inventoryId", "continuation-token", "asyncFetch",
		"worm", "wormId", "wormExtend", "withHashContext",
		"x-oss-enable-md5", "x-oss-enable-sha1", "x-oss-enable-sha256",
		"x-oss-hash-ctx", "x-oss-md5-ctx", "transferAcceleration",
		"regionList", "cloudboxes", "x-oss-ac-source-ip", "x-oss-ac-subnet-mask", "x-oss-ac-vpc-id", "x-oss-ac-forward-allow",
		"metaQuery", "resourceGroup", "rtc", "x-oss-async-process", "responseHeader",
	} {
		v1SubResources[k] = true
	}
}

// principal is an authenticated request's credential scope.
type principal struct {
	claims
	// payloadSHA256 is the hex SHA-256 a V4 request declared for its body,
	// or "" when the payload is unsigned.
	payloadSHA256 string
}

// authenticate verifies the request's signature and security token. bucket
// and key are the request's target, as parsed from its URL.
func (s *Server) authenticate(r *http.Request, bucket, key string) (*principal, *Error) {
	now := s.now()
	q := r.URL.Query()
	authz := r.Header.Get("Authorization")
	switch {
	case strings.HasPrefix(authz, "OSS "):
		return s.authV1(r, q, bucket, key, authz[len("OSS "):], now)
	case strings.HasPrefix(authz, v4Algorithm+" "):
		return s.authV4Header(r, q, bucket, key, authz[len(v4Algorithm)+1:], now)
	case authz != "":
		return nil, invalidArgument("The Authorization header uses a scheme this endpoint does not support; sign with OSS signature V1 or V4.")
	case q.Has("OSSAccessKeyId") || q.Has("Signature"):
		return s.authV1Query(r, q, bucket, key, now)
	case q.Has("x-oss-signature-version") || q.Has("x-oss-signature"):
		if q.Get("x-oss-signature-version") != v4Algorithm {
			return nil, invalidArgument("The signed URL uses a signature version this endpoint does not support; sign with OSS signature V1 or V4.")
		}
		return s.authV4Query(r, q, bucket, key, now)
	default:
		return nil, accessDenied("Anonymous access is not allowed: sign the request with STS credentials.")
	}
}

// credential checks a security token against the access key id and returns
// its claims and the access key secret.
func (s *Server) credential(accessKeyID, token string, now time.Time) (claims, string, *Error) {
	if accessKeyID == "" {
		return claims{}, "", errInvalidAccessKey()
	}
	if token == "" {
		return claims{}, "", accessDenied("The request carries no security token; send the STS security token with the request.")
	}
	c, ok := s.keys.parse(token)
	if !ok {
		return claims{}, "", errInvalidToken()
	}
	if c.AccessKeyID != accessKeyID {
		return claims{}, "", errInvalidAccessKey()
	}
	if now.Unix() >= c.Expires {
		return claims{}, "", errTokenExpired()
	}
	return c, s.keys.secretFor(accessKeyID), nil
}

func equalSig(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// checkSkew parses a request date (HTTP or V4 format) and checks it is
// within maxSkew of now.
func checkSkew(date string, now time.Time) (time.Time, *Error) {
	if date == "" {
		return time.Time{}, accessDenied("The request has no Date or x-oss-date header, which a signed request needs.")
	}
	t, err := time.Parse(v4TimeFormat, date)
	if err != nil {
		t, err = http.ParseTime(date)
	}
	if err != nil {
		return time.Time{}, accessDenied("The request's date is not in a format this endpoint understands; use the HTTP date format.")
	}
	if d := t.Sub(now); d > maxSkew || d < -maxSkew {
		return time.Time{}, newError(http.StatusForbidden, "RequestTimeTooSkewed",
			"The difference between the request time and the current time is too large (more than 15 minutes).")
	}
	return t, nil
}

// v1Resource is the canonicalized resource of signature V1.
func v1Resource(bucket, key string, q url.Values) string {
	var names []string
	for k := range q {
		if v1SubResources[k] {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	var b strings.Builder
	b.WriteString("/" + bucket + "/" + key)
	for i, k := range names {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(k)
		if v := q.Get(k); v != "" {
			b.WriteString("=" + v)
		}
	}
	return b.String()
}

// v1StringToSign builds the V1 string to sign; date is the Date header, or
// Expires for a signed URL.
func v1StringToSign(r *http.Request, date, resource string) string {
	m := map[string]string{}
	for k, v := range r.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-oss-") && len(v) > 0 {
			m[lk] = v[0]
		}
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	var b strings.Builder
	b.WriteString(r.Method + "\n" + r.Header.Get("Content-MD5") + "\n" + r.Header.Get("Content-Type") + "\n" + date + "\n")
	for _, k := range names {
		b.WriteString(k + ":" + m[k] + "\n")
	}
	b.WriteString(resource)
	return b.String()
}

func v1Sign(secret, stringToSign string) string {
	h := hmac.New(sha1.New, []byte(secret))
	h.Write([]byte(stringToSign))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func (s *Server) authV1(r *http.Request, q url.Values, bucket, key, cred string, now time.Time) (*principal, *Error) {
	id, sig, ok := strings.Cut(cred, ":")
	if !ok {
		return nil, invalidArgument("The Authorization header is malformed; expected \"OSS AccessKeyId:Signature\".")
	}
	c, secret, e := s.credential(id, r.Header.Get("X-Oss-Security-Token"), now)
	if e != nil {
		return nil, e
	}
	date := r.Header.Get("X-Oss-Date")
	if date == "" {
		date = r.Header.Get("Date")
	}
	if _, e := checkSkew(date, now); e != nil {
		return nil, e
	}
	// aliyun-oss-go-sdk signs the Date header; ali-oss (browsers cannot set
	// Date) signs x-oss-date in its place. Either is signed by the key holder.
	resource := v1Resource(bucket, key, q)
	ok = equalSig(v1Sign(secret, v1StringToSign(r, r.Header.Get("Date"), resource)), sig)
	if xd := r.Header.Get("X-Oss-Date"); !ok && xd != "" {
		ok = equalSig(v1Sign(secret, v1StringToSign(r, xd, resource)), sig)
	}
	if !ok {
		return nil, errSignature()
	}
	return &principal{claims: c}, nil
}

func (s *Server) authV1Query(r *http.Request, q url.Values, bucket, key string, now time.Time) (*principal, *Error) {
	expires := q.Get("Expires")
	exp, err := strconv.ParseInt(expires, 10, 64)
	if err != nil {
		return nil, accessDenied("The signed URL has no valid Expires parameter.")
	}
	c, secret, e := s.credential(q.Get("OSSAccessKeyId"), q.Get("security-token"), now)
	if e != nil {
		return nil, e
	}
	if now.Unix() > exp {
		return nil, accessDenied("Request has expired: the signed URL is past its Expires time.")
	}
	want := v1Sign(secret, v1StringToSign(r, expires, v1Resource(bucket, key, q)))
	if !equalSig(want, q.Get("Signature")) {
		return nil, errSignature()
	}
	return &principal{claims: c}, nil
}

// v4Scope is the parsed Credential of signature V4.
type v4Scope struct {
	id, day, region, product string
}

func parseV4Credential(s string) (v4Scope, bool) {
	p := strings.Split(s, "/")
	if len(p) != 5 || p[4] != "aliyun_v4_request" || p[3] != "oss" || p[2] == "" || len(p[1]) != 8 {
		return v4Scope{}, false
	}
	return v4Scope{id: p[0], day: p[1], region: p[2], product: p[3]}, true
}

// v4Additional normalises an additional-headers list as the SDK signs it:
// lower case, sorted, without content-type and content-md5.
func v4Additional(list string) []string {
	var out []string
	for _, h := range strings.Split(list, ";") {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" || h == "content-type" || h == "content-md5" || slices.Contains(out, h) {
			continue
		}
		out = append(out, h)
	}
	slices.Sort(out)
	return out
}

func v4Escape(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }

// v4CanonicalRequest builds the V4 canonical request; skip names a query
// parameter left out (the signature itself, in a signed URL).
func v4CanonicalRequest(r *http.Request, bucket, key string, q url.Values, skip string, additional []string, payload string) string {
	resource := "/" + bucket + "/" + strings.ReplaceAll(v4Escape(key), "%2F", "/")

	type kv struct{ k, v string }
	var params []kv
	for k := range q {
		if k == skip {
			continue
		}
		params = append(params, kv{url.QueryEscape(k), v4Escape(q.Get(k))})
	}
	slices.SortFunc(params, func(a, b kv) int { return strings.Compare(a.k, b.k) })
	var sub strings.Builder
	for i, p := range params {
		if i > 0 {
			sub.WriteByte('&')
		}
		sub.WriteString(p.k)
		if p.v != "" {
			sub.WriteString("=" + p.v)
		}
	}

	m := map[string]string{}
	for k, v := range r.Header {
		lk := strings.ToLower(k)
		if (lk == "content-type" || lk == "content-md5" || strings.HasPrefix(lk, "x-oss-")) && len(v) > 0 {
			m[lk] = strings.Trim(v[0], " ")
		}
	}
	for _, h := range additional {
		if h == "host" {
			m[h] = r.Host
		} else {
			m[h] = strings.Trim(r.Header.Get(h), " ")
		}
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	var hdr strings.Builder
	for _, k := range names {
		hdr.WriteString(k + ":" + m[k] + "\n")
	}
	return r.Method + "\n" + resource + "\n" + sub.String() + "\n" + hdr.String() + "\n" +
		strings.Join(additional, ";") + "\n" + payload
}

func v4Sign(secret string, sc v4Scope, signDate, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	sts := v4Algorithm + "\n" + signDate + "\n" + sc.day + "/" + sc.region + "/" + sc.product + "/aliyun_v4_request\n" + hex.EncodeToString(sum[:])
	k := []byte("aliyun_v4" + secret)
	for _, part := range []string{sc.day, sc.region, sc.product, "aliyun_v4_request", sts} {
		h := hmac.New(sha256.New, k)
		h.Write([]byte(part))
		k = h.Sum(nil)
	}
	return hex.EncodeToString(k)
}

func (s *Server) authV4Header(r *http.Request, q url.Values, bucket, key, rest string, now time.Time) (*principal, *Error) {
	var credText, addText, sig string
	for _, f := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(f), "=")
		switch k {
		case "Credential":
			credText = v
		case "AdditionalHeaders":
			addText = v
		case "Signature":
			sig = v
		}
	}
	sc, ok := parseV4Credential(credText)
	if !ok || sig == "" {
		return nil, invalidArgument("The Authorization header is malformed; expected \"OSS4-HMAC-SHA256 Credential=AccessKeyId/date/region/oss/aliyun_v4_request,Signature=...\".")
	}
	c, secret, e := s.credential(sc.id, r.Header.Get("X-Oss-Security-Token"), now)
	if e != nil {
		return nil, e
	}
	signDate := r.Header.Get("X-Oss-Date")
	if signDate == "" {
		signDate = r.Header.Get("Date")
	}
	t, e := checkSkew(signDate, now)
	if e != nil {
		return nil, e
	}
	if t.UTC().Format(v4DayFormat) != sc.day {
		return nil, errSignature()
	}
	payload, p, e := v4Payload(r, c)
	if e != nil {
		return nil, e
	}
	want := v4Sign(secret, sc, signDate, v4CanonicalRequest(r, bucket, key, q, "", v4Additional(addText), payload))
	if !equalSig(want, sig) {
		return nil, errSignature()
	}
	return p, nil
}

func (s *Server) authV4Query(r *http.Request, q url.Values, bucket, key string, now time.Time) (*principal, *Error) {
	sc, ok := parseV4Credential(q.Get("x-oss-credential"))
	if !ok {
		return nil, invalidArgument("The signed URL has no valid x-oss-credential parameter.")
	}
	signDate := q.Get("x-oss-date")
	t, err := time.Parse(v4TimeFormat, signDate)
	if err != nil {
		return nil, invalidArgument("The signed URL has no valid x-oss-date parameter.")
	}
	expires, err := strconv.ParseInt(q.Get("x-oss-expires"), 10, 64)
	if err != nil || expires <= 0 || expires > maxV4Expires {
		return nil, invalidArgument("The signed URL's x-oss-expires must be a number of seconds between 1 and 604800.")
	}
	c, secret, e := s.credential(sc.id, q.Get("x-oss-security-token"), now)
	if e != nil {
		return nil, e
	}
	if t.Sub(now) > maxSkew {
		return nil, newError(http.StatusForbidden, "RequestTimeTooSkewed",
			"The signed URL's date is more than 15 minutes in the future.")
	}
	if now.Unix() > t.Unix()+expires {
		return nil, accessDenied("Request has expired: the signed URL is past its expiry.")
	}
	if t.Format(v4DayFormat) != sc.day {
		return nil, errSignature()
	}
	payload, p, e := v4Payload(r, c)
	if e != nil {
		return nil, e
	}
	want := v4Sign(secret, sc, signDate, v4CanonicalRequest(r, bucket, key, q, "x-oss-signature",
		v4Additional(q.Get("x-oss-additional-headers")), payload))
	if !equalSig(want, q.Get("x-oss-signature")) {
		return nil, errSignature()
	}
	return p, nil
}

// v4Payload reads a V4 request's x-oss-content-sha256 (UNSIGNED-PAYLOAD
// when absent) and the principal that must match the body to it.
func v4Payload(r *http.Request, c claims) (string, *principal, *Error) {
	payload := r.Header.Get("X-Oss-Content-Sha256")
	if payload == "" {
		payload = unsignedPayload
	}
	p := &principal{claims: c}
	if payload != unsignedPayload {
		if b, err := hex.DecodeString(payload); err != nil || len(b) != sha256.Size || strings.ToLower(payload) != payload {
			return "", nil, invalidArgument("The x-oss-content-sha256 header must be UNSIGNED-PAYLOAD or a lower-case hex SHA-256.")
		}
		p.payloadSHA256 = payload
	}
	return payload, p, nil
}
