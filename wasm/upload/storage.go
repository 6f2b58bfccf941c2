package upload

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// put sends the whole file to url, reporting bytes as they go, and turns the
// storage's answer into an *Error.
func (u *Uploader) put(ctx context.Context, f *file, url string) error {
	if err := u.gate(ctx); err != nil {
		return err
	}
	u.setState(f, StateUploading, nil)
	u.prog.begin()
	var mu sync.Mutex
	var last int64
	report := func(sent int64) {
		mu.Lock()
		delta := sent - last
		if sent > last {
			last = sent
		}
		mu.Unlock()
		u.reportSent(f, delta, sent)
	}
	req := PutRequest{
		Method: http.MethodPut,
		URL:    url,
		Header: http.Header{"Content-Type": {f.kind.ContentType}},
		Length: -1,
	}
	resp, err := u.send(ctx, req, f.src, report)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 == 2 {
		report(f.size)
		return nil
	}
	return storageError(resp, u.deps.Now())
}

// reportSent records that f sent delta more bytes, sent in all (the most
// any of its tries sent), and tells the listeners.
func (u *Uploader) reportSent(f *file, delta, sent int64) {
	u.prog.sent(f.idx, delta, sent)
	u.mu.Lock()
	e := f.event()
	e.Sent = sent
	u.events.file(e)
	u.emitProgressLocked()
	u.mu.Unlock()
}

// errStalled is the cause of a PUT stopped by the stall watchdog.
var errStalled = errors.New("upload stalled")

// send runs one Putter call under a watchdog: when no byte has gone out and no
// answer has come for StallTimeout, the request is aborted and the failure is
// a timeout, which the caller retries. Errors are *Error without the URL.
func (u *Uploader) send(ctx context.Context, req PutRequest, src Source, progress func(int64)) (*PutResponse, error) {
	pctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	watchdog := time.AfterFunc(u.opts.StallTimeout, func() { cancel(errStalled) })
	defer watchdog.Stop()
	resp, err := u.deps.Putter.Put(pctx, req, src, func(sent int64) {
		watchdog.Reset(u.opts.StallTimeout)
		if progress != nil {
			progress(sent)
		}
	})
	if err == nil {
		return resp, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if context.Cause(pctx) == errStalled {
		return nil, Errorf(CodeTimeout, "The upload stalled: nothing went out to the storage for %s.", u.opts.StallTimeout)
	}
	if e, ok := err.(*Error); ok {
		return nil, e
	}
	return nil, &Error{Code: CodeNetwork, Message: "The connection to the storage failed.", Err: err}
}

// storageError describes a refusal by OSS or S3 from its status and XML error
// document (Code and Message only: other fields may echo signatures), with
// the wait its Retry-After header asks for.
func storageError(resp *PutResponse, now time.Time) *Error {
	var doc struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	_ = xml.Unmarshal(resp.Body, &doc)
	e := StorageRefusal(resp.StatusCode, doc.Code, doc.Message)
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		e.RetryAfter = ParseRetryAfter(resp.Header.Get("Retry-After"), now)
	}
	return e
}

// StorageRefusal describes in words an error answer of the storage from its
// status and the Code and Message of its error document.
func StorageRefusal(status int, code, message string) *Error {
	msg := strings.TrimSpace(message)
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	detail := fmt.Sprintf("status %d", status)
	if code != "" {
		detail += " " + code
	}
	if msg != "" {
		detail += ": " + msg
	}
	e := &Error{Status: status}
	lowCode, lowMsg := strings.ToLower(code), strings.ToLower(msg)
	switch {
	case status == http.StatusForbidden || status == http.StatusBadRequest:
		if strings.Contains(lowCode, "expired") || strings.Contains(lowMsg, "expired") {
			e.Code, e.Message = CodeExpired, "The storage credentials expired ("+detail+")."
		} else if status == http.StatusForbidden {
			e.Code, e.Message = CodeStorageDenied, "The storage refused the file ("+detail+")."
		} else {
			e.Code, e.Message = CodeStorage, "The storage refused the file ("+detail+")."
		}
	case status == http.StatusNotFound:
		e.Code, e.Message = CodeNotFound, "The storage does not know it ("+detail+")."
	case status == http.StatusTooManyRequests:
		e.Code, e.Message = CodeRateLimited, "The storage asked to slow down ("+detail+")."
	case status == http.StatusRequestTimeout:
		e.Code, e.Message = CodeTimeout, "The storage timed out ("+detail+")."
	case status >= 500:
		e.Code, e.Message = CodeServer, "The storage failed ("+detail+")."
	default:
		e.Code, e.Message = CodeStorage, "The storage refused the file ("+detail+")."
	}
	return e
}
