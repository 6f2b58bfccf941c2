package ossbucket

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// The HTTP side: CORS, finding a request's bucket, key and operation, and
// the OSS error bodies.

func newRequestID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

const (
	corsMethods = "PUT, POST, GET, DELETE, HEAD"
	corsHeaders = "Authorization, Content-Type, Content-MD5, Content-Length, Content-Disposition, Content-Encoding, Cache-Control, Expires, " +
		"x-oss-date, x-oss-security-token, x-oss-content-sha256, x-oss-user-agent, x-oss-hash-crc64ecma, x-oss-forbid-overwrite, x-oss-object-acl, x-oss-storage-class, x-oss-meta-*"
	corsExpose = "ETag, Date, Retry-After, x-oss-request-id, x-oss-hash-crc64ecma, Content-MD5, x-oss-version-id"
)

// setCORS allows every origin: like a bucket whose CORS rule is "*", as the
// upload page is always on another origin than the bucket.
func setCORS(h http.Header, r *http.Request) {
	if o := r.Header.Get("Origin"); o != "" {
		h.Set("Access-Control-Allow-Origin", o)
		h.Add("Vary", "Origin")
	} else {
		h.Set("Access-Control-Allow-Origin", "*")
	}
	h.Set("Access-Control-Expose-Headers", corsExpose)
}

// ServeHTTP answers OSS requests, path style (/<bucket>/<key>) or
// virtual-hosted (<bucket>.<host>/<key>).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := newRequestID()
	h := w.Header()
	h.Set("X-Oss-Request-Id", reqID)
	h.Set("Server", "AliyunOSS")
	setCORS(h, r)
	if r.Method == http.MethodOptions {
		h.Set("Access-Control-Allow-Methods", corsMethods)
		if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
			h.Set("Access-Control-Allow-Headers", req)
		} else {
			h.Set("Access-Control-Allow-Headers", corsHeaders)
		}
		h.Set("Access-Control-Max-Age", "3600")
		h.Add("Vary", "Access-Control-Request-Method")
		h.Add("Vary", "Access-Control-Request-Headers")
		w.WriteHeader(http.StatusOK)
		return
	}
	bucket, key, e := s.target(r)
	if e == nil {
		e = s.handle(w, r, bucket, key)
	}
	if e != nil {
		// Read what is left of a refused body (up to a bound) before
		// answering: a client still sending, such as a browser, may
		// otherwise see a reset connection instead of the error.
		io.CopyN(io.Discard, r.Body, maxDrain)
		writeError(w, r, e, reqID)
	}
}

// maxDrain bounds how much of a refused request body is read and dropped.
const maxDrain = 16 << 20

// target splits the request into bucket and key, or says why it cannot.
func (s *Server) target(r *http.Request) (string, string, *Error) {
	host := strings.ToLower(r.Host)
	if hh, _, err := net.SplitHostPort(host); err == nil {
		host = hh
	}
	if i := strings.IndexByte(host, '.'); i > 0 && s.buckets[host[:i]] {
		return host[:i], strings.TrimPrefix(r.URL.Path, "/"), nil
	}
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	if path == "" || s.buckets[bucket] {
		return bucket, key, nil
	}
	// Aliyun's JS SDK given an IP endpoint sends /<key> with no bucket: it
	// means to name the bucket in the Host header, which a browser will not
	// let it set. The bucket is then the one the request's security token
	// was issued for (the token is verified with the signature later).
	tok := requestToken(r)
	if tok == "" {
		return "", "", accessDenied("The address names no bucket this endpoint serves, and the request carries no security token to take the bucket from; sign the request with STS credentials.")
	}
	c, ok := s.keys.parse(tok)
	if !ok {
		return "", "", errInvalidToken()
	}
	if !s.buckets[c.Bucket] {
		return "", "", errNoSuchBucket()
	}
	if !strings.HasPrefix(path, c.Prefix) {
		return "", "", accessDenied(fmt.Sprintf("These credentials may only write objects under %q in bucket %q, and the address names no other bucket this endpoint serves.", c.Prefix, c.Bucket))
	}
	return c.Bucket, path, nil
}

// requestToken is the security token a request carries, in a header (the
// SDKs' header signing) or in the query (V1 and V4 signed URLs).
func requestToken(r *http.Request) string {
	if tok := r.Header.Get("X-Oss-Security-Token"); tok != "" {
		return tok
	}
	q := r.URL.Query()
	if tok := q.Get("security-token"); tok != "" {
		return tok
	}
	return q.Get("x-oss-security-token")
}

type errorXML struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	RequestID string   `xml:"RequestId"`
	HostID    string   `xml:"HostId"`
}

func writeError(w http.ResponseWriter, r *http.Request, e *Error, reqID string) {
	body, _ := xml.Marshal(errorXML{Code: e.Code, Message: e.Message, RequestID: reqID, HostID: r.Host})
	body = append([]byte(xml.Header), body...)
	h := w.Header()
	h.Del("ETag")
	h.Set("Content-Type", "application/xml")
	if r.Method == http.MethodHead {
		h.Set("X-Oss-Err", base64.StdEncoding.EncodeToString(body))
		w.WriteHeader(e.Status)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.Status)
	w.Write(body)
}

func writeXML(w http.ResponseWriter, v any) {
	body, err := xml.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	body = append([]byte(xml.Header), body...)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

type operation int

const (
	opDenied operation = iota
	opPutObject
	opInitiate
	opUploadPart
	opComplete
	opAbort
	opListParts
	opGetObject
)

// classify names the operation; only the upload operations, and reading an
// object with a read-only credential, are allowed.
func classify(r *http.Request, q url.Values, key string) operation {
	if key == "" {
		return opDenied
	}
	var subs []string
	for k := range q {
		if v1SubResources[k] && k != "security-token" {
			subs = append(subs, k)
		}
	}
	slices.Sort(subs)
	sub := strings.Join(subs, "&")
	copying := r.Header.Get("X-Oss-Copy-Source") != ""
	switch {
	case r.Method == http.MethodPut && sub == "" && !copying:
		return opPutObject
	case r.Method == http.MethodPut && sub == "partNumber&uploadId" && !copying:
		return opUploadPart
	case r.Method == http.MethodPost && sub == "uploads":
		return opInitiate
	case r.Method == http.MethodPost && sub == "uploadId":
		return opComplete
	case r.Method == http.MethodDelete && sub == "uploadId":
		return opAbort
	case r.Method == http.MethodGet && sub == "uploadId":
		return opListParts
	case (r.Method == http.MethodGet || r.Method == http.MethodHead) && (sub == "" || sub == "response-content-type"):
		return opGetObject
	}
	return opDenied
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request, bucket, key string) *Error {
	if bucket == "" {
		return accessDenied("Listing buckets is not allowed; address a bucket and an object key.")
	}
	if !s.HasBucket(bucket) {
		return errNoSuchBucket()
	}
	p, e := s.authenticate(r, bucket, key)
	if e != nil {
		return e
	}
	q := r.URL.Query()
	op := classify(r, q, key)
	if p.Read {
		return s.readObject(w, r, q, p, bucket, key, op)
	}
	if op == opDenied || op == opGetObject {
		if key == "" {
			return accessDenied("These credentials only upload objects; listing and other bucket operations are not allowed.")
		}
		return accessDenied("These credentials only upload objects (PutObject and multipart upload); reading, deleting, copying and other operations are not allowed.")
	}
	if p.Bucket != bucket || !strings.HasPrefix(key, p.Prefix) {
		return accessDenied(fmt.Sprintf("These credentials may only write objects under %q in bucket %q.", p.Prefix, p.Bucket))
	}
	if err := checkKey(key); err != nil {
		return invalidObjectName(err)
	}
	switch op {
	case opPutObject:
		return s.putObject(w, r, p, bucket, key)
	case opInitiate:
		return s.initiate(w, r, q, bucket, key)
	case opUploadPart:
		return s.uploadPart(w, r, q, p, bucket, key)
	case opComplete:
		return s.complete(w, r, q, bucket, key)
	case opAbort:
		return s.abort(w, r, q, bucket, key)
	default:
		return s.listParts(w, r, q, bucket, key)
	}
}
