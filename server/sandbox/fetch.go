package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"time"

	"altiup/server/sandbox/internal/graph"
)

// checkRedirect lets fetches follow up to 10 redirects, to http(s) only.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("redirected to a %s: URL; only http and https are fetched", req.URL.Scheme)
	}
	return nil
}

// parseFetchURL accepts absolute http(s) URLs only.
func parseFetchURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errorf(CodeBadInput, "url must be an absolute http or https URL")
	}
	return u, nil
}

// redact keeps a URL's scheme, host and path: queries may hold signatures.
func redact(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}

// uploadImageURL registers an image the server fetches itself from rawURL
// and stores in the S3 storage.
func (s *Sandbox) uploadImageURL(u *User, pid, rawURL string, filename, checksum *string) (*imageRec, error) {
	src, err := parseFetchURL(rawURL)
	if err != nil {
		return nil, err
	}
	if s.cfg.S3 == nil {
		return nil, s.noS3()
	}
	name := path.Base(src.Path)
	if filename != nil && *filename != "" {
		name = *filename
	}
	if name == "." || name == "/" || name == "" {
		name = "image"
	}
	cloud, bucket := CloudS3, string(graph.BucketS3Tokyo)
	for _, b := range s.cfg.Buckets {
		if b.Cloud == CloudS3 || b.Cloud == CloudMinIO {
			cloud, bucket = b.Cloud, b.Name
			break
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.registerLocked(u, registration{
		pid: pid, cloud: cloud, bucket: bucket, name: name, checksum: checksum, url: src.String(),
	}, func(*imageRec) error { return nil })
}

// startFetchLocked starts fetching an image's SourceURL in the background.
func (s *Sandbox) startFetchLocked(img *imageRec, now time.Time) {
	if s.fetching[img.ID] || s.ctx.Err() != nil {
		return // already fetching, or closing: the next start fetches
	}
	s.fetching[img.ID] = true
	if img.State == statePending {
		img.State = stateUploading
	}
	id, filename, src := img.ID, img.Filename, img.SourceURL
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.fetch(id, filename, src)
	}()
}

func (s *Sandbox) fetch(id, filename, rawURL string) {
	ctx := s.ctx
	size, typ, err := s.fetchAndStore(ctx, id, filename, rawURL)
	s.mu.Lock()
	defer s.mu.Unlock()
	img := s.images[id]
	if img == nil || img.Filename != filename || !s.fetching[id] {
		return
	}
	delete(s.fetching, id)
	if ctx.Err() != nil {
		return // shutting down: the next start fetches again
	}
	if err != nil {
		if img.State == stateUploading {
			img.State = stateInvalid
			img.Errors = append(img.Errors, err.Error())
			s.changed()
			s.imagesSettledLocked(s.projects[img.PID], s.clock.Now())
		}
		return
	}
	if img.Type == "" {
		img.Type = typ
	}
	s.arrivedLocked(img, filename, size)
}

func (s *Sandbox) fetchAndStore(ctx context.Context, id, filename, rawURL string) (int64, string, error) {
	src, err := url.Parse(rawURL)
	if err != nil {
		return 0, "", errors.New("the image URL is not valid")
	}
	body, err := s.get(ctx, src, s.cfg.FetchTimeout, s.cfg.MaxFetchBytes)
	if err != nil {
		return 0, "", err
	}
	typ := sniffType(body)
	ct := contentTypes[typ]
	if ct == "" {
		ct = "application/octet-stream"
	}
	s.mu.Lock()
	img := s.images[id]
	var key string
	if img != nil {
		key = img.key()
	}
	s.mu.Unlock()
	if img == nil {
		return 0, "", errors.New("the image was removed")
	}
	if err := s.cfg.S3.Put(ctx, key, bytes.NewReader(body), int64(len(body)), ct); err != nil {
		s.log.Error("sandbox: storing a fetched image", "key", key, "err", err)
		return 0, "", fmt.Errorf("the image fetched from %s could not be stored", redact(src))
	}
	return int64(len(body)), typ, nil
}

// get fetches a URL within a time and size limit; its errors say what went
// wrong in words, without the URL's query.
func (s *Sandbox) get(ctx context.Context, src *url.URL, timeout time.Duration, max int64) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("the URL %s cannot be fetched", redact(src))
	}
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text repeats the URL
		}
		if ctx.Err() == context.DeadlineExceeded {
			return nil, fmt.Errorf("fetching %s took longer than %s", redact(src), timeout)
		}
		return nil, fmt.Errorf("fetching %s failed: %v", redact(src), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("fetching %s answered %s", redact(src), resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			return nil, fmt.Errorf("fetching %s took longer than %s", redact(src), timeout)
		}
		return nil, fmt.Errorf("fetching %s failed while reading: %v", redact(src), err)
	}
	if int64(len(body)) > max {
		return nil, &tooLargeError{fmt.Sprintf("the file at %s is larger than the limit of %d bytes", redact(src), max)}
	}
	return body, nil
}

// sniffType tells the image type from the first bytes; "" when unknown.
func sniffType(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xff, 0xd8, 0xff}):
		return string(graph.ImageTypeJpeg)
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return string(graph.ImageTypePng)
	case bytes.HasPrefix(b, []byte("II*\x00")), bytes.HasPrefix(b, []byte("MM\x00*")):
		return string(graph.ImageTypeTiff)
	}
	return ""
}

// networkTest says whether the server can fetch a URL.
func (s *Sandbox) networkTest(ctx context.Context, raw string) string {
	src, err := parseFetchURL(raw)
	if err != nil {
		return "Invalid"
	}
	timeout := min(s.cfg.FetchTimeout, 10*time.Second)
	if _, err := s.get(ctx, src, timeout, 1<<20); err != nil {
		// A body over 1 MiB still proves the server is reachable.
		if !errors.Is(err, errBodyLimit) {
			return "Failed"
		}
	}
	return "Success"
}

var errBodyLimit = errors.New("body over limit")

// tooLargeError is a fetch that went over its size limit.
type tooLargeError struct{ msg string }

func (e *tooLargeError) Error() string        { return e.msg }
func (e *tooLargeError) Is(target error) bool { return target == errBodyLimit }
