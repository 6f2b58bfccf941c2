package upload

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// Part sizes follow tusd's calcOptimalPartSize: a preferred size unless the
// file would then need more parts than allowed.
const (
	minPartSize       = 5 << 20
	preferredPartSize = 8 << 20
	maxParts          = 10000
)

// partSizeFor picks the part size of a file of size bytes: want when given
// and it keeps the parts within maxParts, else the preferred size, else the
// smallest size that does (rounded up to a MiB).
func partSizeFor(size, want int64) int64 {
	fits := func(ps int64) bool { return ps > 0 && (size+ps-1)/ps <= maxParts }
	if want > 0 && fits(want) {
		return want
	}
	if fits(preferredPartSize) {
		return preferredPartSize
	}
	ps := (size + maxParts - 1) / maxParts
	ps = (ps + 1<<20 - 1) &^ (1<<20 - 1)
	return max(ps, minPartSize)
}

// putParts sends f to key as an OSS multipart upload: the upload's id and the
// parts stored are kept in the journal, so a reload resumes with the parts
// the storage does not have (checked with ListParts); each part is retried
// on its own. ok is false when the signer cannot do multipart uploads.
func (u *Uploader) putParts(ctx context.Context, f *file, key string) (ok bool, err error) {
	cl, err := u.creds.get(ctx)
	if err != nil {
		return true, err
	}
	if _, can := cl.signer.(OSSMultipart); !can {
		return false, nil
	}
	mp := func(ctx context.Context) (OSSMultipart, *ossClient, error) {
		cl, err := u.creds.get(ctx)
		if err != nil {
			return nil, nil, err
		}
		m, _ := cl.signer.(OSSMultipart)
		if m == nil {
			return nil, nil, Errorf(CodeInternal, "The storage client cannot upload in parts.")
		}
		return m, cl, nil
	}
	dropIfExpired := u.creds.dropIfExpired

	u.mu.Lock()
	j := f.journal
	j.Parts = slices.Clone(j.Parts)
	u.mu.Unlock()

	uploadID, partSize := "", int64(0)
	done := map[int]Part{}
	if j.UploadID != "" && j.Key == key && j.PartSize > 0 {
		// Resume: the storage says which parts it holds.
		var parts []Part
		err := u.retryCall(ctx, func(ctx context.Context) error {
			m, cl, err := mp(ctx)
			if err != nil {
				return err
			}
			parts, err = m.ListParts(ctx, key, j.UploadID)
			dropIfExpired(cl, err)
			return err
		})
		if err == nil {
			uploadID, partSize = j.UploadID, j.PartSize
			for _, p := range parts {
				if p.ETag != "" && p.Number >= 1 && p.Size == partLen(f.size, partSize, p.Number) {
					done[p.Number] = p
				}
			}
		} else if e := AsError(err); e.Code != CodeNotFound {
			return true, stepError("Looking up the parts already stored", err)
		}
	}
	if uploadID == "" {
		partSize = partSizeFor(f.size, u.opts.PartSize)
		err := u.retryCall(ctx, func(ctx context.Context) error {
			m, cl, err := mp(ctx)
			if err != nil {
				return err
			}
			uploadID, err = m.InitiateMultipart(ctx, key, f.kind.ContentType)
			dropIfExpired(cl, err)
			return err
		})
		if err != nil {
			return true, stepError("Starting the upload in parts", err)
		}
	}
	stored := func() []Part {
		out := make([]Part, 0, len(done))
		for _, p := range done {
			out = append(out, p)
		}
		slices.SortFunc(out, func(a, b Part) int { return a.Number - b.Number })
		return out
	}
	var mu sync.Mutex // guards done and the journal's copy of it
	u.note(f, func(e *JournalEntry) {
		e.State, e.Key, e.UploadID, e.PartSize, e.Parts = JournalUploading, key, uploadID, partSize, stored()
	})

	count := int((f.size + partSize - 1) / partSize)
	var todo []int
	var doneBytes int64
	for n := 1; n <= count; n++ {
		if _, ok := done[n]; ok {
			doneBytes += partLen(f.size, partSize, n)
		} else {
			todo = append(todo, n)
		}
	}

	// Progress of the file: the parts stored plus what the parts in flight sent.
	if err := u.gate(ctx); err != nil {
		return true, err
	}
	u.setState(f, StateUploading, nil)
	u.prog.begin()
	inflight := map[int]int64{}
	var reported int64
	report := func(n int, sent int64) {
		mu.Lock()
		delta := sent - inflight[n]
		inflight[n] = sent
		total := doneBytes
		for _, v := range inflight {
			total += v
		}
		total = min(total, f.size)
		reported = max(reported, total)
		total = reported
		mu.Unlock()
		u.reportSent(f, delta, total)
	}
	report(0, 0)

	sendPart := func(ctx context.Context, n int) error {
		return u.retry.do(ctx, 0, func(ctx context.Context) error {
			m, cl, err := mp(ctx)
			if err != nil {
				return inStep(err)
			}
			url, err := m.SignPart(key, uploadID, n, u.opts.SignExpiry)
			if err != nil {
				return &Error{Code: CodeInternal, Message: "The part could not be signed.", Err: err}
			}
			size := partLen(f.size, partSize, n)
			req := PutRequest{Method: "PUT", URL: url, Offset: int64(n-1) * partSize, Length: size}
			report(n, 0)
			resp, err := u.send(ctx, req, f.src, func(sent int64) { report(n, sent) })
			if err == nil && resp.StatusCode/100 != 2 {
				err = storageError(resp, u.deps.Now())
			}
			if err != nil {
				dropIfExpired(cl, err)
				return err
			}
			p := Part{Number: n, ETag: resp.Header.Get("ETag"), Size: size}
			mu.Lock()
			delete(inflight, n)
			doneBytes += size
			done[n] = p
			all := stored()
			mu.Unlock()
			if p.ETag != "" {
				u.note(f, func(e *JournalEntry) { e.Parts = all })
			}
			return nil
		})
	}

	// PartConcurrency workers take the parts in order; the first part to
	// fail for good stops the others.
	firstErr := eachAtMost(ctx, u.opts.PartConcurrency, todo, sendPart)
	if firstErr != nil {
		if ctx.Err() != nil {
			return true, ctx.Err()
		}
		return true, stepError(fmt.Sprintf("Sending the file to the storage in %d parts", count), firstErr)
	}
	if ctx.Err() != nil {
		return true, ctx.Err()
	}

	parts := stored()
	if slices.ContainsFunc(parts, func(p Part) bool { return p.ETag == "" }) {
		// The storage hid the ETag header (CORS ExposeHeaders): ask for it.
		var listed []Part
		err := u.retryCall(ctx, func(ctx context.Context) error {
			m, cl, err := mp(ctx)
			if err != nil {
				return err
			}
			listed, err = m.ListParts(ctx, key, uploadID)
			dropIfExpired(cl, err)
			return err
		})
		if err != nil {
			return true, stepError("Looking up the parts stored", err)
		}
		parts = listed
	}
	if len(parts) != count {
		return true, Errorf(CodeStorage, "The storage holds %d of the %d parts of the file.", len(parts), count)
	}
	tries := 0
	err = u.retryCall(ctx, func(ctx context.Context) error {
		tries++
		m, cl, err := mp(ctx)
		if err != nil {
			return err
		}
		err = m.CompleteMultipart(ctx, key, uploadID, parts)
		dropIfExpired(cl, err)
		return err
	})
	if err != nil {
		if e := AsError(err); e.Code == CodeNotFound && tries > 1 {
			// A retried complete whose first answer was lost: the upload
			// is gone because the object is whole.
			return true, nil
		}
		return true, stepError("Joining the parts", err)
	}
	report(0, 0)
	return true, nil
}

// partLen is the length of part n (from 1) of a file of size bytes.
func partLen(size, partSize int64, n int) int64 {
	off := int64(n-1) * partSize
	return max(min(partSize, size-off), 0)
}
