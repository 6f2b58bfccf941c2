package ossbucket

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"altiup/server/diskstore"
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

// minPartSize is the smallest size of every part but the last, as on OSS.
const minPartSize = 100 << 10

// maxCompleteBody bounds a CompleteMultipartUpload XML body (10,000 parts).
const maxCompleteBody = 2 << 20

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
)

// classify names the operation; only the upload operations are allowed.
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
	if op == opDenied {
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

// body wraps the request body with the checks of its length and digests.
func (s *Server) body(r *http.Request, p *principal) (io.Reader, *Error) {
	if r.ContentLength > s.max {
		return nil, errTooLarge(s.max)
	}
	var wantMD5, wantSHA []byte
	if v := r.Header.Get("Content-MD5"); v != "" {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(b) != md5.Size {
			return nil, newError(http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified is not a base64-encoded MD5.")
		}
		wantMD5 = b
	}
	if p.payloadSHA256 != "" {
		wantSHA, _ = hex.DecodeString(p.payloadSHA256)
	}
	return newCheckedBody(r.Body, r.ContentLength, s.max, wantMD5, wantSHA), nil
}

// storeError maps a Store error to an OSS error without leaking details.
func storeError(err error) *Error {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, ErrNoSuchUpload):
		return errNoSuchUpload()
	}
	return newError(http.StatusInternalServerError, "InternalError", "The object could not be stored; try again.")
}

func etag(sum []byte) string { return `"` + strings.ToUpper(hex.EncodeToString(sum)) + `"` }

func (s *Server) putObject(w http.ResponseWriter, r *http.Request, p *principal, bucket, key string) *Error {
	body, e := s.body(r, p)
	if e != nil {
		return e
	}
	info, err := s.store.PutObject(r.Context(), bucket, key, body)
	if err != nil {
		return storeError(err)
	}
	h := w.Header()
	h.Set("ETag", etag(info.MD5[:]))
	h.Set("Content-MD5", base64.StdEncoding.EncodeToString(info.MD5[:]))
	h.Set("X-Oss-Hash-Crc64ecma", strconv.FormatUint(body.(*checkedBody).crc.Sum64(), 10))
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return nil
}

// upload finds the multipart upload named in the query and checks it is for
// this bucket and key.
func (s *Server) upload(ctx context.Context, q url.Values, bucket, key string) (Upload, *Error) {
	id := q.Get("uploadId")
	if !diskstore.ValidUploadID(id) {
		return Upload{}, errNoSuchUpload()
	}
	u, err := s.store.GetUpload(ctx, id)
	if err != nil {
		return Upload{}, storeError(err)
	}
	if u.Bucket != bucket || u.Key != key {
		return Upload{}, errNoSuchUpload()
	}
	return u, nil
}

// outKey encodes a key as OSS does for encoding-type=url.
func outKey(q url.Values, key string) string {
	if q.Get("encoding-type") == "url" {
		return v4Escape(key)
	}
	return key
}

type initiateXML struct {
	XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	UploadID string   `xml:"UploadId"`
}

func (s *Server) initiate(w http.ResponseWriter, r *http.Request, q url.Values, bucket, key string) *Error {
	id, err := s.store.CreateUpload(r.Context(), bucket, key)
	if err != nil {
		return storeError(err)
	}
	writeXML(w, initiateXML{Bucket: bucket, Key: outKey(q, key), UploadID: id})
	return nil
}

func partNumber(q url.Values) (int, *Error) {
	n, err := strconv.Atoi(q.Get("partNumber"))
	if err != nil || n < 1 || n > diskstore.MaxPart {
		return 0, invalidArgument("Part number must be an integer between 1 and 10000, inclusive.")
	}
	return n, nil
}

func (s *Server) uploadPart(w http.ResponseWriter, r *http.Request, q url.Values, p *principal, bucket, key string) *Error {
	n, e := partNumber(q)
	if e != nil {
		return e
	}
	u, e := s.upload(r.Context(), q, bucket, key)
	if e != nil {
		return e
	}
	body, e := s.body(r, p)
	if e != nil {
		return e
	}
	part, err := s.store.PutPart(r.Context(), u.ID, n, body)
	if err != nil {
		return storeError(err)
	}
	h := w.Header()
	h.Set("ETag", etag(part.MD5[:]))
	h.Set("Content-MD5", base64.StdEncoding.EncodeToString(part.MD5[:]))
	h.Set("X-Oss-Hash-Crc64ecma", strconv.FormatUint(body.(*checkedBody).crc.Sum64(), 10))
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return nil
}

type completeRequestXML struct {
	XMLName xml.Name `xml:"CompleteMultipartUpload"`
	Parts   []struct {
		PartNumber int    `xml:"PartNumber"`
		ETag       string `xml:"ETag"`
	} `xml:"Part"`
}

type completeXML struct {
	XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
}

func normETag(s string) string { return strings.ToUpper(strings.Trim(strings.TrimSpace(s), `"`)) }

func (s *Server) complete(w http.ResponseWriter, r *http.Request, q url.Values, bucket, key string) *Error {
	u, e := s.upload(r.Context(), q, bucket, key)
	if e != nil {
		return e
	}
	stored, err := s.store.ListParts(r.Context(), u.ID)
	if err != nil {
		return storeError(err)
	}
	byNum := map[int]Part{}
	for _, p := range stored {
		byNum[p.Number] = p
	}
	var numbers []int
	var given []string // ETags the client named, to compare
	if strings.EqualFold(r.Header.Get("X-Oss-Complete-All"), "yes") {
		for _, p := range stored {
			numbers = append(numbers, p.Number)
			given = append(given, normETag(etag(p.MD5[:])))
		}
	} else {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxCompleteBody+1))
		if err != nil {
			return errIncomplete()
		}
		if len(body) > maxCompleteBody {
			return newError(http.StatusBadRequest, "MalformedXML", "The CompleteMultipartUpload body is too large.")
		}
		var req completeRequestXML
		if err := xml.Unmarshal(body, &req); err != nil {
			return newError(http.StatusBadRequest, "MalformedXML",
				"The XML you provided was not well-formed or did not validate against the CompleteMultipartUpload schema.")
		}
		for _, p := range req.Parts {
			numbers = append(numbers, p.PartNumber)
			given = append(given, normETag(p.ETag))
		}
	}
	if len(numbers) == 0 {
		return newError(http.StatusBadRequest, "MalformedXML", "The CompleteMultipartUpload request names no part.")
	}
	var total int64
	digests := md5.New()
	for i, n := range numbers {
		if i > 0 && n <= numbers[i-1] {
			return newError(http.StatusBadRequest, "InvalidPartOrder",
				"The list of parts was not in ascending order. Parts must be ordered by part number.")
		}
		p, ok := byNum[n]
		if !ok || normETag(etag(p.MD5[:])) != given[i] {
			return newError(http.StatusBadRequest, "InvalidPart",
				fmt.Sprintf("Part %d was not uploaded, or its ETag does not match the one given.", n))
		}
		if i < len(numbers)-1 && p.Size < minPartSize {
			return newError(http.StatusBadRequest, "EntityTooSmall",
				fmt.Sprintf("Part %d is %d bytes; every part but the last must be at least %d bytes.", n, p.Size, minPartSize))
		}
		total += p.Size
		digests.Write(p.MD5[:])
	}
	if total > s.max {
		return errTooLarge(s.max)
	}
	if _, err := s.store.CompleteUpload(r.Context(), u.ID, numbers); err != nil {
		return storeError(err)
	}
	tag := `"` + strings.ToUpper(hex.EncodeToString(digests.Sum(nil))) + "-" + strconv.Itoa(len(numbers)) + `"`
	w.Header().Set("ETag", tag)
	loc := s.endpoint + "/" + bucket + "/" + strings.ReplaceAll(v4Escape(key), "%2F", "/")
	writeXML(w, completeXML{Location: loc, Bucket: bucket, Key: outKey(q, key), ETag: tag})
	return nil
}

func (s *Server) abort(w http.ResponseWriter, r *http.Request, q url.Values, bucket, key string) *Error {
	u, e := s.upload(r.Context(), q, bucket, key)
	if e != nil {
		return e
	}
	if err := s.store.AbortUpload(r.Context(), u.ID); err != nil {
		return storeError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type listPartsXML struct {
	XMLName              xml.Name      `xml:"ListPartsResult"`
	Bucket               string        `xml:"Bucket"`
	EncodingType         string        `xml:"EncodingType,omitempty"`
	Key                  string        `xml:"Key"`
	UploadID             string        `xml:"UploadId"`
	PartNumberMarker     int           `xml:"PartNumberMarker"`
	NextPartNumberMarker int           `xml:"NextPartNumberMarker"`
	MaxParts             int           `xml:"MaxParts"`
	IsTruncated          bool          `xml:"IsTruncated"`
	Parts                []listPartXML `xml:"Part"`
}

type listPartXML struct {
	PartNumber   int    `xml:"PartNumber"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
}

func (s *Server) listParts(w http.ResponseWriter, r *http.Request, q url.Values, bucket, key string) *Error {
	u, e := s.upload(r.Context(), q, bucket, key)
	if e != nil {
		return e
	}
	maxParts, marker := 1000, 0
	if v := q.Get("max-parts"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return invalidArgument("max-parts must be an integer between 1 and 1000.")
		}
		maxParts = n
	}
	if v := q.Get("part-number-marker"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return invalidArgument("part-number-marker must be a non-negative integer.")
		}
		marker = n
	}
	parts, err := s.store.ListParts(r.Context(), u.ID)
	if err != nil {
		return storeError(err)
	}
	out := listPartsXML{Bucket: bucket, Key: outKey(q, key), UploadID: u.ID, PartNumberMarker: marker, MaxParts: maxParts}
	if q.Get("encoding-type") == "url" {
		out.EncodingType = "url"
	}
	for _, p := range parts {
		if p.Number <= marker {
			continue
		}
		if len(out.Parts) == maxParts {
			out.IsTruncated = true
			break
		}
		out.Parts = append(out.Parts, listPartXML{
			PartNumber:   p.Number,
			LastModified: p.Modified.UTC().Format("2006-01-02T15:04:05.000Z"),
			ETag:         etag(p.MD5[:]),
			Size:         p.Size,
		})
		out.NextPartNumberMarker = p.Number
	}
	writeXML(w, out)
	return nil
}
