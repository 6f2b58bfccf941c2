package upload

import (
	"context"
	"sync"
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
	if err := u.creds.offer(up); err != nil {
		return stepError("Preparing the storage client", err)
	}
	img := up.Image
	u.registered(f, img.ID)
	release, err := u.startAndSlot(ctx, f, img.ID)
	if err != nil {
		return err
	}
	defer release()
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
	err = u.retry.do(ctx, 0, func(ctx context.Context) error {
		cl, err := u.creds.get(ctx)
		if err != nil {
			return inStep(err)
		}
		url, err := cl.signer.SignPut(key, f.kind.ContentType, u.opts.SignExpiry)
		if err != nil {
			return &Error{Code: CodeInternal, Message: "The upload could not be signed.", Err: err}
		}
		err = u.put(ctx, f, url)
		u.creds.dropIfExpired(cl, err)
		return err
	})
	release()
	if err != nil {
		return stepError("Sending the file to the storage", err)
	}
	return u.doneImage(ctx, img.ID)
}

// uploadS3 registers f, starts it and PUTs it to the presigned URL. When the
// storage says the URL expired, the file is registered again for a new one
// and the upload of the image that registration names is started again
// before the PUT. S3 has no done call.
func (u *Uploader) uploadS3(ctx context.Context, f *file) error {
	var url, id string
	// register is one try of the registration.
	register := func(ctx context.Context) error {
		up, err := u.deps.API.UploadImageS3(ctx, u.opts.Project, u.bucket, f.name, f.kind.Type, f.checksum)
		if err != nil {
			return err
		}
		if up == nil || up.Image == nil || up.Image.ID == "" || up.URL == "" {
			return Errorf(CodeAPI, "the service returned no image or no upload URL.")
		}
		url, id = up.URL, up.Image.ID
		u.registered(f, id)
		return nil
	}
	if err := u.retryCall(ctx, register); err != nil {
		return stepError("Registering the image", err)
	}
	release, err := u.startAndSlot(ctx, f, id)
	if err != nil {
		return err
	}
	defer release()
	// The renewal's calls are single tries within the tries of the PUT
	// step, counted apart from the PUT's failures (retrier).
	stale, started := false, true
	err = u.retry.do(ctx, 0, func(ctx context.Context) error {
		if stale {
			if err := u.callOnce(ctx, register); err != nil {
				return inStep(err)
			}
			stale, started = false, false
		}
		if !started {
			if err := u.callOnce(ctx, u.startImage(id)); err != nil {
				return inStep(err)
			}
			started = true
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

// callOnce makes one try of an API call, bounded by CallTimeout.
func (u *Uploader) callOnce(ctx context.Context, op func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, u.opts.CallTimeout)
	defer cancel()
	return op(ctx)
}

// startAheadMax is the largest file whose upload is started
// (startImageUpload) as soon as it is registered, with the calls of the
// files going through the API ahead of their PUT (RegisterAhead): for small
// files the PUT takes about as long as that call. Larger files are started
// before they wait for their send slot too, so the slot holds the PUT alone
// and never waits on a round trip of the API, but at most Concurrency of
// them are started and not yet sending (startTokens), so an image is said
// to be uploading at most about one PUT before its bytes go out: the
// service forces images left in a transient state to Invalid after 65
// minutes. Files from MultipartFrom on, whose PUT may be that long, are
// started once they hold their slot.
const startAheadMax = 1 << 20

// startAndSlot starts the upload of image id of f and waits for a send
// slot, in the order startAheadMax gives.
func (u *Uploader) startAndSlot(ctx context.Context, f *file, id string) (release func(), err error) {
	if f.size >= u.opts.MultipartFrom {
		release, err := u.sendSlot(ctx)
		if err != nil {
			return nil, err
		}
		if err := u.retryCall(ctx, u.startImage(id)); err != nil {
			release()
			return nil, stepError("Starting the upload", err)
		}
		return release, nil
	}
	if f.size > startAheadMax {
		done, err := take(ctx, u.startTokens)
		if err != nil {
			return nil, err
		}
		defer done()
	}
	if err := u.retryCall(ctx, u.startImage(id)); err != nil {
		return nil, stepError("Starting the upload", err)
	}
	return u.sendSlot(ctx)
}

// sendSlot waits for one of the Concurrency slots of files being sent.
func (u *Uploader) sendSlot(ctx context.Context) (release func(), err error) {
	return take(ctx, u.sending)
}

// take waits for one of the places of ch (its capacity). The release it
// returns may be called more than once.
func take(ctx context.Context, ch chan struct{}) (release func(), err error) {
	select {
	case ch <- struct{}{}:
		return sync.OnceFunc(func() { <-ch }), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// startImage is one try of startImageUpload.
func (u *Uploader) startImage(id string) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := u.deps.API.StartImageUpload(ctx, id)
		return err
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

// registered records the image id of f. The journal is not told: a later
// run asks the service about the checksum whatever the journal says, and
// each write costs the page's main thread a few IndexedDB transactions.
func (u *Uploader) registered(f *file, id string) {
	u.mu.Lock()
	f.imageID = id
	u.mu.Unlock()
}
