package ossbucket

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"altiup/server/diskstore"
)

// The write operations an STS allows: PutObject and the multipart calls.

// minPartSize is the smallest size of every part but the last, as on OSS.
const minPartSize = 100 << 10

// maxCompleteBody bounds a CompleteMultipartUpload XML body (10,000 parts).
const maxCompleteBody = 2 << 20

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
	writeStored(w, info.MD5, body)
	return nil
}

// writeStored answers a PutObject or UploadPart that stored body, whose MD5
// is sum.
func writeStored(w http.ResponseWriter, sum [md5.Size]byte, body io.Reader) {
	h := w.Header()
	h.Set("ETag", etag(sum[:]))
	h.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	h.Set("X-Oss-Hash-Crc64ecma", strconv.FormatUint(body.(*checkedBody).crc.Sum64(), 10))
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
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
	writeStored(w, part.MD5, body)
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
