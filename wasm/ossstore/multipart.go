package ossstore

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"altiup/wasm/upload"
)

var _ upload.OSSMultipart = (*Signer)(nil)

// controlExpiry is how long the URL of one multipart control call is valid:
// it is sent at once.
const controlExpiry = 5 * time.Minute

// The control calls of a multipart upload (initiate, list, complete) are
// signed in the query by the SDK and sent by it as signed URLs: a browser
// drops the Date header that header signatures sign, but query signatures
// need none.

// InitiateMultipart starts a multipart upload of key.
func (s *Signer) InitiateMultipart(ctx context.Context, key, contentType string) (string, error) {
	u, err := s.sign(key, oss.HTTPPost, controlExpiry, oss.AddParam("uploads", ""), oss.ContentType(contentType))
	if err != nil {
		return "", err
	}
	var res oss.InitiateMultipartUploadResult
	if err := s.do(ctx, oss.HTTPPost, u, map[string]string{"Content-Type": contentType}, nil, &res); err != nil {
		return "", err
	}
	if res.UploadID == "" {
		return "", upload.Errorf(upload.CodeStorage, "The storage started a multipart upload without an id.")
	}
	return res.UploadID, nil
}

// SignPart signs the PUT of part number of the upload.
func (s *Signer) SignPart(key, uploadID string, number int, expires time.Duration) (string, error) {
	return s.sign(key, oss.HTTPPut, expires, oss.AddParam("partNumber", strconv.Itoa(number)), oss.AddParam("uploadId", uploadID))
}

// ListParts returns every stored part of the upload, in order.
func (s *Signer) ListParts(ctx context.Context, key, uploadID string) ([]upload.Part, error) {
	var parts []upload.Part
	marker := ""
	for range 100 { // 10,000 parts at 1,000 a page, with room
		opts := []oss.Option{oss.AddParam("uploadId", uploadID), oss.AddParam("max-parts", "1000")}
		if marker != "" {
			opts = append(opts, oss.AddParam("part-number-marker", marker))
		}
		u, err := s.sign(key, oss.HTTPGet, controlExpiry, opts...)
		if err != nil {
			return nil, err
		}
		var res oss.ListUploadedPartsResult
		if err := s.do(ctx, oss.HTTPGet, u, nil, nil, &res); err != nil {
			return nil, err
		}
		for _, p := range res.UploadedParts {
			parts = append(parts, upload.Part{Number: p.PartNumber, ETag: p.ETag, Size: int64(p.Size)})
		}
		if !res.IsTruncated || res.NextPartNumberMarker == "" || res.NextPartNumberMarker == marker {
			break
		}
		marker = res.NextPartNumberMarker
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i].Number < parts[j].Number })
	return parts, nil
}

// CompleteMultipart joins the parts into the object.
func (s *Signer) CompleteMultipart(ctx context.Context, key, uploadID string, parts []upload.Part) error {
	doc := completeXML{}
	for _, p := range parts {
		doc.Part = append(doc.Part, oss.UploadPart{PartNumber: p.Number, ETag: p.ETag})
	}
	sort.Slice(doc.Part, func(i, j int) bool { return doc.Part[i].PartNumber < doc.Part[j].PartNumber })
	body, err := xml.Marshal(doc)
	if err != nil {
		return &upload.Error{Code: upload.CodeInternal, Message: "The list of parts could not be written.", Err: err}
	}
	u, err := s.sign(key, oss.HTTPPost, controlExpiry, oss.AddParam("uploadId", uploadID))
	if err != nil {
		return err
	}
	return s.do(ctx, oss.HTTPPost, u, nil, body, nil)
}

// completeXML is the body of CompleteMultipartUpload.
type completeXML struct {
	XMLName xml.Name         `xml:"CompleteMultipartUpload"`
	Part    []oss.UploadPart `xml:"Part"`
}

func (s *Signer) sign(key string, method oss.HTTPMethod, expires time.Duration, opts ...oss.Option) (string, error) {
	u, err := s.bucket.SignURL(key, method, max(int64(expires/time.Second), 1), opts...)
	if err != nil {
		// The SDK's errors name the key only, never the secret.
		return "", &upload.Error{Code: upload.CodeInternal, Message: fmt.Sprintf("The request for %q could not be signed.", key), Err: err}
	}
	return u, nil
}

// do sends a signed URL through the SDK and decodes the XML answer into out
// (nil: none wanted). Errors are *upload.Error in words, without the URL.
func (s *Signer) do(ctx context.Context, method oss.HTTPMethod, signed string, headers map[string]string, body []byte, out any) error {
	var data io.Reader
	if body != nil {
		data = bytes.NewReader(body)
	}
	resp, err := s.bucket.Client.Conn.DoURLWithContext(ctx, method, signed, headers, data, 0, nil)
	if err != nil {
		return describe(ctx, err)
	}
	defer resp.Body.Close()
	if out == nil {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return describe(ctx, err)
	}
	if err := xml.Unmarshal(b, out); err != nil {
		return &upload.Error{Code: upload.CodeStorage, Message: "The storage answered with something other than the XML expected.", Err: err}
	}
	return nil
}

// describe turns an SDK or transport error into an *upload.Error.
func describe(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var se oss.ServiceError
	if errors.As(err, &se) {
		return upload.StorageRefusal(se.StatusCode, se.Code, se.Message)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // the URL holds the signature
	}
	msg := "The storage could not be reached; it may be down or refuse cross-origin requests (CORS)."
	if strings.Contains(strings.ToLower(err.Error()), "timeout") {
		return &upload.Error{Code: upload.CodeTimeout, Message: "The storage took too long to answer.", Err: err}
	}
	return &upload.Error{Code: upload.CodeNetwork, Message: msg, Err: err}
}
