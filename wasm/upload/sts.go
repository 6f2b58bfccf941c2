package upload

import (
	"context"
	"sync"
	"time"
)

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

// ossClient is an STS and its signer. Its expiry is in the server's time:
// skew is how far the server's clock is ahead of the local one, learnt from
// the answer that brought the STS (OSSUpload.Issued).
type ossClient struct {
	sts    STS
	issued time.Time // the server's time when the STS was received
	skew   time.Duration
	signer OSSSigner
}

// serverNow is the server's time now, as the STS's answer told it.
func (c *stsCache) serverNow(cl *ossClient) time.Time {
	return c.u.deps.Now().Add(cl.skew)
}

// fresh reports whether cl may still be used: more than RenewBefore left,
// or, for credentials shorter-lived than that, more than a quarter of their
// lifetime (else every image would get a new client).
func (c *stsCache) fresh(cl *ossClient) bool {
	if cl == nil {
		return false
	}
	margin := min(c.u.opts.RenewBefore, cl.sts.Expire.Sub(cl.issued)/4)
	return c.serverNow(cl).Add(margin).Before(cl.sts.Expire)
}

// offer adopts the STS that came with an image registration when there is no
// usable one; otherwise it is dropped and the current client kept.
func (c *stsCache) offer(up *OSSUpload) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fresh(c.cur) || up.STS.ID == "" {
		return nil
	}
	cl, err := c.newClient(up)
	if err != nil {
		return err
	}
	if !c.fresh(c.cur) {
		c.cur = cl
	}
	return nil
}

func (c *stsCache) newClient(up *OSSUpload) (*ossClient, error) {
	now := c.u.deps.Now()
	cl := &ossClient{sts: up.STS, issued: now}
	if !up.Issued.IsZero() {
		cl.issued, cl.skew = up.Issued, up.Issued.Sub(now)
	}
	s, err := c.u.deps.OSS(up.STS)
	if err != nil {
		return nil, &Error{Code: CodeInternal, Message: "The storage client could not be made.", Err: err}
	}
	cl.signer = s
	return cl, nil
}

// dropIfExpired forgets cl when err is the storage refusing it as expired.
func (c *stsCache) dropIfExpired(cl *ossClient, err error) {
	if e := AsError(err); e == nil || e.Code != CodeExpired {
		return
	}
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
	serverNow := up.Issued
	if serverNow.IsZero() {
		serverNow = u.deps.Now()
	}
	if !up.STS.Expire.After(serverNow) {
		return nil, Errorf(CodeExpired, "Renewing the storage credentials: the service returned expired ones.")
	}
	return c.newClient(up)
}
