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

// uploadOSS registers f, starts it, PUTs it with the shared STS and says done.
func (u *Uploader) uploadOSS(ctx context.Context, f *file) error {
	var up *OSSUpload
	err := u.retryCall(ctx, func(ctx context.Context) error {
		var err error
		up, err = u.deps.API.UploadImageOSS(ctx, u.opts.Project, u.bucket, f.name, f.kind.Type, f.checksum)
		return err
	})
	if err != nil {
		return stepError("Registering the image", err)
	}
	if up == nil || up.Image == nil || up.Image.ID == "" || up.Image.Filename == "" {
		return Errorf(CodeAPI, "Registering the image: the service returned no image.")
	}
	if err := u.creds.offer(up.STS); err != nil {
		return stepError("Preparing the storage client", err)
	}
	img := up.Image
	u.setImage(f, img.ID)
	u.noteRegistered(ctx, f, img.ID)
	release, err := u.sendSlot(ctx)
	if err != nil {
		return err
	}
	defer release()
	if err := u.startImage(ctx, img.ID); err != nil {
		return err
	}
	key := u.opts.Project + "/" + img.Filename
	if f.size >= u.opts.MultipartFrom {
		if ok, err := u.putParts(ctx, f, key); ok {
			release()
			if err != nil {
				return err
			}
			return u.doneImage(ctx, img.ID)
		}
	}
	err = u.retry(ctx, 0, func(ctx context.Context) error {
		cl, err := u.creds.get(ctx)
		if err != nil {
			return err
		}
		url, err := cl.signer.SignPut(key, f.kind.ContentType, u.opts.SignExpiry)
		if err != nil {
			return &Error{Code: CodeInternal, Message: "The upload could not be signed.", Err: err}
		}
		err = u.put(ctx, f, url)
		if e := AsError(err); e != nil && e.Code == CodeExpired {
			u.creds.drop(cl)
		}
		return err
	})
	release()
	if err != nil {
		return stepError("Sending the file to the storage", err)
	}
	return u.doneImage(ctx, img.ID)
}

// sendSlot waits for one of the Concurrency slots of files being sent. The
// release it returns may be called more than once.
func (u *Uploader) sendSlot(ctx context.Context) (release func(), err error) {
	select {
	case u.sending <- struct{}{}:
		return sync.OnceFunc(func() { <-u.sending }), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (u *Uploader) doneImage(ctx context.Context, id string) error {
	err := u.retryCall(ctx, func(ctx context.Context) error {
		_, err := u.deps.API.DoneImageUpload(ctx, id)
		return err
	})
	if err != nil {
		return stepError("Telling the service the upload is done", err)
	}
	return nil
}

// noteRegistered journals the image id of f, keeping a multipart upload
// under way.
func (u *Uploader) noteRegistered(ctx context.Context, f *file, id string) {
	u.note(ctx, f, func(e *JournalEntry) {
		e.Checksum, e.ImageID = f.checksum, id
		if e.State != JournalUploading {
			e.State = JournalRegistered
		}
	})
}

// uploadS3 registers f, starts it and PUTs it to the presigned URL, asking
// for a new URL when the storage says it expired. S3 has no done call.
func (u *Uploader) uploadS3(ctx context.Context, f *file) error {
	var url string
	register := func(ctx context.Context) error {
		return u.retryCall(ctx, func(ctx context.Context) error {
			up, err := u.deps.API.UploadImageS3(ctx, u.opts.Project, u.bucket, f.name, f.kind.Type, f.checksum)
			if err != nil {
				return err
			}
			if up == nil || up.Image == nil || up.Image.ID == "" || up.URL == "" {
				return Errorf(CodeAPI, "the service returned no image or no upload URL.")
			}
			url = up.URL
			u.setImage(f, up.Image.ID)
			u.noteRegistered(ctx, f, up.Image.ID)
			return nil
		})
	}
	if err := register(ctx); err != nil {
		return stepError("Registering the image", err)
	}
	u.mu.Lock()
	id := f.imageID
	u.mu.Unlock()
	release, err := u.sendSlot(ctx)
	if err != nil {
		return err
	}
	defer release()
	if err := u.startImage(ctx, id); err != nil {
		return err
	}
	stale := false
	err = u.retry(ctx, 0, func(ctx context.Context) error {
		if stale {
			if err := register(ctx); err != nil {
				return err
			}
			stale = false
		}
		err := u.put(ctx, f, url)
		if e := AsError(err); e != nil && e.Code == CodeExpired {
			stale = true
		}
		return err
	})
	if err != nil {
		return stepError("Sending the file to the storage", err)
	}
	return nil
}

func (u *Uploader) setImage(f *file, id string) {
	u.mu.Lock()
	f.imageID = id
	u.mu.Unlock()
}

func (u *Uploader) startImage(ctx context.Context, id string) error {
	err := u.retryCall(ctx, func(ctx context.Context) error {
		_, err := u.deps.API.StartImageUpload(ctx, id)
		return err
	})
	if err != nil {
		return stepError("Starting the upload", err)
	}
	return nil
}

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
		u.prog.sent(f.idx, delta, sent)
		u.mu.Lock()
		e := f.event()
		e.Sent = sent
		u.events.file(e)
		u.emitProgressLocked()
		u.mu.Unlock()
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
	return storageError(resp)
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
// document (Code and Message only: other fields may echo signatures).
func storageError(resp *PutResponse) *Error {
	var doc struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	_ = xml.Unmarshal(resp.Body, &doc)
	return StorageRefusal(resp.StatusCode, doc.Code, doc.Message)
}

// StorageRefusal describes in words an error answer of the storage from its
// status and the Code and Message of its error document.
func StorageRefusal(status int, code, message string) *Error {
	doc := struct{ Code, Message string }{code, message}
	resp := struct{ StatusCode int }{status}
	msg := strings.TrimSpace(doc.Message)
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	detail := fmt.Sprintf("status %d", resp.StatusCode)
	if doc.Code != "" {
		detail += " " + doc.Code
	}
	if msg != "" {
		detail += ": " + msg
	}
	e := &Error{Status: resp.StatusCode}
	lowCode, lowMsg := strings.ToLower(doc.Code), strings.ToLower(msg)
	switch {
	case resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusBadRequest:
		if strings.Contains(lowCode, "expired") || strings.Contains(lowMsg, "expired") {
			e.Code, e.Message = CodeExpired, "The storage credentials expired ("+detail+")."
		} else if resp.StatusCode == http.StatusForbidden {
			e.Code, e.Message = CodeStorageDenied, "The storage refused the file ("+detail+")."
		} else {
			e.Code, e.Message = CodeStorage, "The storage refused the file ("+detail+")."
		}
	case resp.StatusCode == http.StatusNotFound:
		e.Code, e.Message = CodeNotFound, "The storage does not know it ("+detail+")."
	case resp.StatusCode == http.StatusTooManyRequests:
		e.Code, e.Message = CodeRateLimited, "The storage asked to slow down ("+detail+")."
	case resp.StatusCode == http.StatusRequestTimeout:
		e.Code, e.Message = CodeTimeout, "The storage timed out ("+detail+")."
	case resp.StatusCode >= 500:
		e.Code, e.Message = CodeServer, "The storage failed ("+detail+")."
	default:
		e.Code, e.Message = CodeStorage, "The storage refused the file ("+detail+")."
	}
	return e
}

// stsCache holds the one STS and OSS signer shared by every image, renewing
// them when they near expiry or the storage says they expired. Concurrent
// renewals share one call.
type stsCache struct {
	u        *Uploader
	mu       sync.Mutex
	cur      *ossClient
	renewing chan struct{} // closed when the renewal under way ends
	renewErr error
}

type ossClient struct {
	sts    STS
	got    time.Time // when the STS was received
	signer OSSSigner
}

// fresh reports whether cl may still be used: more than RenewBefore left,
// or, for credentials shorter-lived than that, more than a quarter of their
// lifetime (else every image would get a new client).
func (c *stsCache) fresh(cl *ossClient) bool {
	if cl == nil {
		return false
	}
	margin := min(c.u.opts.RenewBefore, cl.sts.Expire.Sub(cl.got)/4)
	return c.u.deps.Now().Add(margin).Before(cl.sts.Expire)
}

// offer adopts the STS that came with an image registration when there is no
// usable one; otherwise it is dropped and the current client kept.
func (c *stsCache) offer(sts STS) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fresh(c.cur) || sts.ID == "" {
		return nil
	}
	cl, err := c.newClient(sts)
	if err != nil {
		return err
	}
	if !c.fresh(c.cur) {
		c.cur = cl
	}
	return nil
}

func (c *stsCache) newClient(sts STS) (*ossClient, error) {
	s, err := c.u.deps.OSS(sts)
	if err != nil {
		return nil, &Error{Code: CodeInternal, Message: "The storage client could not be made.", Err: err}
	}
	return &ossClient{sts: sts, got: c.u.deps.Now(), signer: s}, nil
}

// drop forgets cl after the storage refused it as expired.
func (c *stsCache) drop(cl *ossClient) {
	c.mu.Lock()
	if c.cur == cl {
		c.cur = nil
	}
	c.mu.Unlock()
}

// get returns a usable client, renewing it (uploadImageOSS with filename "")
// when needed; callers arriving during a renewal wait for it.
func (c *stsCache) get(ctx context.Context) (*ossClient, error) {
	for {
		c.mu.Lock()
		if c.fresh(c.cur) {
			cl := c.cur
			c.mu.Unlock()
			return cl, nil
		}
		if ch := c.renewing; ch != nil {
			c.mu.Unlock()
			select {
			case <-ch:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			c.mu.Lock()
			err := c.renewErr
			c.mu.Unlock()
			if err != nil {
				return nil, err
			}
			continue
		}
		ch := make(chan struct{})
		c.renewing = ch
		c.mu.Unlock()

		cl, err := c.renew(ctx)
		c.mu.Lock()
		c.renewing, c.renewErr = nil, err
		if err == nil {
			c.cur = cl
		}
		c.mu.Unlock()
		close(ch)
		if err != nil {
			return nil, err
		}
		return cl, nil
	}
}

func (c *stsCache) renew(ctx context.Context) (*ossClient, error) {
	u := c.u
	ctx, cancel := context.WithTimeout(ctx, u.opts.CallTimeout)
	defer cancel()
	up, err := u.deps.API.UploadImageOSS(ctx, u.opts.Project, u.bucket, "", "", "")
	if err != nil {
		return nil, stepError("Renewing the storage credentials", err)
	}
	if up == nil || up.STS.ID == "" {
		return nil, Errorf(CodeAPI, "Renewing the storage credentials: the service returned none.")
	}
	if !up.STS.Expire.After(u.deps.Now()) {
		return nil, Errorf(CodeExpired, "Renewing the storage credentials: the service returned expired ones.")
	}
	return c.newClient(up.STS)
}
