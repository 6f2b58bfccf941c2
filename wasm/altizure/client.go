package altizure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/Khan/genqlient/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"altiup/wasm/upload"
)

// Client calls the Altizure GraphQL API with an app key and a user token.
type Client struct {
	gql graphql.Client
}

var _ upload.API = (*Client)(nil)

// New makes a Client for endpoint (e.g. https://api.altizure.com/graphql).
// hc nil means a plain &http.Client{}, which in the browser goes through fetch.
func New(endpoint, key, token string, hc *http.Client) *Client {
	if hc == nil {
		hc = &http.Client{}
	}
	return &Client{gql: newBatcher(graphql.NewClient(endpoint, &authDoer{hc: hc, key: key, token: token}))}
}

// authDoer sets the key and altitoken headers on every request.
type authDoer struct {
	hc         *http.Client
	key, token string
}

func (d *authDoer) Do(r *http.Request) (*http.Response, error) {
	if d.key != "" {
		r.Header.Set("key", d.key)
	}
	if d.token != "" {
		r.Header.Set("altitoken", d.token)
	}
	return d.hc.Do(r)
}

// NearestBuckets returns getGeoIPInfo.nearestBuckets.
func (c *Client) NearestBuckets(ctx context.Context) ([]upload.Bucket, error) {
	resp, err := NearestBuckets(ctx, c.gql)
	if err != nil {
		return nil, mapError(err)
	}
	var out []upload.Bucket
	for _, b := range resp.GetGeoIPInfo.NearestBuckets {
		out = append(out, upload.Bucket{Bucket: b.Bucket, Display: b.Display, Cloud: b.Cloud})
	}
	return out, nil
}

// HasImage returns the project's image with that checksum, or nil.
func (c *Client) HasImage(ctx context.Context, pid, checksum string) (*upload.Image, error) {
	resp, err := HasImage(ctx, c.gql, pid, checksum)
	if err != nil {
		return nil, mapError(err)
	}
	if resp.HasImage == nil || resp.HasImage.Id == "" {
		return nil, nil
	}
	return image(resp.HasImage.ImageFields), nil
}

// UploadImageOSS registers an image for an OSS bucket (or, with filename "",
// only fetches a fresh STS).
func (c *Client) UploadImageOSS(ctx context.Context, pid, bucket, filename, imageType, checksum string) (*upload.OSSUpload, error) {
	resp, err := UploadImageOSS(ctx, c.gql, pid, BucketOSS(bucket), filename, IMAGE_TYPE(imageType), checksum)
	if err != nil {
		return nil, mapError(err)
	}
	info := resp.UploadImageOSS
	if info == nil {
		return nil, &upload.Error{Code: upload.CodeAPI, Message: "The service returned no upload credentials."}
	}
	exp, err := time.Parse(time.RFC3339, info.Sts.Expire)
	if err != nil {
		return nil, &upload.Error{Code: upload.CodeAPI, Message: fmt.Sprintf("The service returned an STS expiry that is not a time: %q.", info.Sts.Expire)}
	}
	out := &upload.OSSUpload{STS: upload.STS{
		ID: info.Sts.Id, Secret: info.Sts.Secret, Token: info.Sts.Token,
		Bucket: info.Sts.Bucket, Endpoint: info.Sts.Endpoint, Expire: exp,
	}}
	if info.Image != nil {
		out.Image = image(info.Image.ImageFields)
	}
	return out, nil
}

// UploadImageS3 registers an image for an S3 bucket.
func (c *Client) UploadImageS3(ctx context.Context, pid, bucket, filename, imageType, checksum string) (*upload.S3Upload, error) {
	resp, err := UploadImageS3(ctx, c.gql, pid, BucketS3(bucket), filename, IMAGE_TYPE(imageType), checksum)
	if err != nil {
		return nil, mapError(err)
	}
	info := resp.UploadImageS3
	if info == nil {
		return nil, &upload.Error{Code: upload.CodeAPI, Message: "The service returned no upload URL."}
	}
	out := &upload.S3Upload{URL: info.Url}
	if info.Image != nil {
		out.Image = image(info.Image.ImageFields)
	}
	return out, nil
}

// StartImageUpload calls startImageUpload.
func (c *Client) StartImageUpload(ctx context.Context, id string) (*upload.Image, error) {
	resp, err := StartImageUpload(ctx, c.gql, id)
	if err != nil {
		return nil, mapError(err)
	}
	if resp.StartImageUpload == nil {
		return nil, notFound("image")
	}
	return image(resp.StartImageUpload.ImageFields), nil
}

// DoneImageUpload calls doneImageUpload.
func (c *Client) DoneImageUpload(ctx context.Context, id string) (*upload.Image, error) {
	resp, err := DoneImageUpload(ctx, c.gql, id)
	if err != nil {
		return nil, mapError(err)
	}
	if resp.DoneImageUpload == nil {
		return nil, notFound("image")
	}
	return image(resp.DoneImageUpload.ImageFields), nil
}

// Images returns one page of project.allImages.
func (c *Client) Images(ctx context.Context, pid string, first int, after string) (*upload.ImagePage, error) {
	resp, err := AllImages(ctx, c.gql, pid, first, after)
	if err != nil {
		return nil, mapError(err)
	}
	if resp.Project == nil {
		return nil, notFound("project")
	}
	conn := resp.Project.AllImages
	page := &upload.ImagePage{TotalCount: conn.TotalCount, HasNext: conn.PageInfo.HasNextPage, EndCursor: conn.PageInfo.EndCursor}
	for _, e := range conn.Edges {
		page.Images = append(page.Images, *image(e.Node.ImageFields))
	}
	return page, nil
}

// StartReconstruction calls startReconstructionWithError, or
// preStartReconstruction when pre is true.
func (c *Client) StartReconstruction(ctx context.Context, pid, taskType string, pre bool) (upload.Reconstruction, error) {
	opts := TaskOptionsInput{TaskType: TASK_TYPE(taskType)}
	var res *ReconstructionFields
	if pre {
		resp, err := PreStartReconstruction(ctx, c.gql, pid, opts)
		if err != nil {
			return upload.Reconstruction{}, mapError(err)
		}
		res = &resp.PreStartReconstruction.ReconstructionFields
	} else {
		resp, err := StartReconstructionWithError(ctx, c.gql, pid, opts)
		if err != nil {
			return upload.Reconstruction{}, mapError(err)
		}
		res = &resp.StartReconstructionWithError.ReconstructionFields
	}
	var out upload.Reconstruction
	if e := res.Error; e != nil {
		// The number is the service's own; only its message is shown.
		out.Error = &upload.Error{Code: upload.CodeAPI, Message: e.Message}
	}
	if t := res.Task; t != nil {
		out.Task = &upload.Task{ID: t.Id, TaskType: string(t.TaskType), State: t.State, StartDate: t.StartDate, Queueing: t.Queueing}
	}
	return out, nil
}

// ProjectTask returns project.task, or nil when the project has none.
func (c *Client) ProjectTask(ctx context.Context, pid string) (*upload.Task, error) {
	resp, err := ProjectTask(ctx, c.gql, pid)
	if err != nil {
		return nil, mapError(err)
	}
	if resp.Project == nil {
		return nil, notFound("project")
	}
	t := resp.Project.Task
	if t == nil {
		return nil, nil
	}
	return &upload.Task{ID: t.Id, TaskType: string(t.TaskType), State: t.State, StartDate: t.StartDate, Queueing: t.Queueing}, nil
}

func image(f ImageFields) *upload.Image {
	return &upload.Image{ID: f.Id, State: string(f.State), Name: f.Name, Filename: f.Filename, Checksum: f.Checksum, Errors: f.Error}
}

func notFound(what string) *upload.Error {
	if what == "project" {
		return &upload.Error{Code: upload.CodeNotFound, Message: "The project was not found, or it is not yours."}
	}
	return &upload.Error{Code: upload.CodeNotFound, Message: "The " + what + " was not found."}
}

// mapError turns what genqlient returns into an *upload.Error whose Err is
// the original (*graphql.HTTPError, gqlerror.List, a net error), so callers
// can match either. Context errors pass through unchanged.
func mapError(err error) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var httpErr *graphql.HTTPError
	if errors.As(err, &httpErr) {
		msg := firstMessage(httpErr.Response.Errors)
		e := &upload.Error{Status: httpErr.StatusCode, Err: err}
		switch s := httpErr.StatusCode; {
		case s == http.StatusUnauthorized || s == http.StatusForbidden:
			e.Code, e.Message = upload.CodeUnauthorized, "The API refused the key or token"
		case s == http.StatusTooManyRequests:
			e.Code, e.Message = upload.CodeRateLimited, "The API asked to slow down"
		case s == http.StatusRequestTimeout || s == http.StatusGatewayTimeout:
			e.Code, e.Message = upload.CodeTimeout, "The API timed out"
		case s >= 500:
			e.Code, e.Message = upload.CodeServer, "The API failed"
		case s == http.StatusNotFound:
			e.Code, e.Message = upload.CodeNotFound, "The API endpoint was not found"
		default:
			e.Code, e.Message = upload.CodeAPI, "The API refused the request"
		}
		e.Message += fmt.Sprintf(" (status %d", httpErr.StatusCode)
		if msg != "" && !strings.HasPrefix(msg, "<") {
			e.Message += ": " + msg
		}
		e.Message += ")."
		return e
	}
	var list gqlerror.List
	if errors.As(err, &list) && len(list) > 0 {
		return &upload.Error{Code: gqlCode(list[0]), Message: sentence(firstMessage(list)), Err: err}
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if errors.As(err, &syn) || errors.As(err, &typ) {
		return &upload.Error{Code: upload.CodeAPI, Message: "The API answered with something other than GraphQL JSON.", Err: err}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // the URL is the endpoint: harmless, but the message is clearer without it
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return &upload.Error{Code: upload.CodeTimeout, Message: "The API did not answer in time.", Err: err}
	}
	if strings.Contains(err.Error(), "Failed to fetch") || strings.Contains(err.Error(), "NetworkError") {
		// A browser's fetch says no more: the server may be down or refuse
		// requests from this page's origin.
		return &upload.Error{Code: upload.CodeNetwork, Message: "The API could not be reached; it may be down, or refuse requests from this page (CORS).", Err: err}
	}
	return &upload.Error{Code: upload.CodeNetwork, Message: "The API could not be reached (" + err.Error() + ").", Err: err}
}

// firstMessage is the first GraphQL error's message, bounded in length.
func firstMessage(list gqlerror.List) string {
	if len(list) == 0 || list[0] == nil {
		return ""
	}
	m := strings.TrimSpace(list[0].Message)
	if len(m) > 300 {
		m = m[:300] + "…"
	}
	return m
}

// sentence starts msg with a capital and ends it with a full stop.
func sentence(msg string) string {
	if msg == "" {
		return "The API reported an error without words."
	}
	r := []rune(msg)
	r[0] = unicode.ToUpper(r[0])
	msg = string(r)
	if !strings.HasSuffix(msg, ".") && !strings.HasSuffix(msg, "!") && !strings.HasSuffix(msg, "?") {
		msg += "."
	}
	return msg
}

// gqlCode picks an error code from a GraphQL error: its extensions.code when
// the server sets one, else words in its message.
func gqlCode(e *gqlerror.Error) string {
	if e == nil {
		return upload.CodeAPI
	}
	if c, ok := e.Extensions["code"].(string); ok {
		switch strings.ToUpper(c) {
		case "UNAUTHENTICATED", "UNAUTHORIZED", "FORBIDDEN":
			return upload.CodeUnauthorized
		case "NOT_FOUND":
			return upload.CodeNotFound
		case "BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED", "INVALID_INPUT":
			return upload.CodeInvalidInput
		case "RATE_LIMITED", "TOO_MANY_REQUESTS":
			return upload.CodeRateLimited
		case "INTERNAL_SERVER_ERROR", "UNAVAILABLE":
			return upload.CodeServer
		}
	}
	m := strings.ToLower(e.Message)
	switch {
	case strings.Contains(m, "unauthori"), strings.Contains(m, "token"), strings.Contains(m, "not logged"),
		strings.Contains(m, "login"), strings.Contains(m, "authenticat"), strings.Contains(m, "app key"), strings.Contains(m, "permission"):
		return upload.CodeUnauthorized
	case strings.Contains(m, "not found"), strings.Contains(m, "no such"), strings.Contains(m, "does not exist"):
		return upload.CodeNotFound
	case strings.Contains(m, "invalid"), strings.Contains(m, "must"), strings.Contains(m, "expected"):
		return upload.CodeInvalidInput
	}
	return upload.CodeAPI
}
