package sandbox

import (
	"context"
	"errors"
	"io/fs"
	"time"
)

// watchLoop notices S3 and MinIO objects arriving (those clouds have no
// doneImageUpload) and sweeps expired images.
func (s *Sandbox) watchLoop() {
	t := time.NewTicker(s.cfg.WatchInterval)
	defer t.Stop()
	for tick := 0; ; tick++ {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		s.sweep()
		// Clients call startImageUpload right before the PUT, so Uploading
		// images are looked for at every tick and Pending ones (which may
		// wait long for their turn) at every tenth.
		s.watchS3(tick%10 == 0)
		s.watchFiles()
	}
}

func (s *Sandbox) sweep() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	for _, p := range s.projects {
		s.refreshLocked(p, now)
	}
}

func (s *Sandbox) watchS3(pendingToo bool) {
	if s.cfg.S3 == nil {
		return
	}
	s.mu.Lock()
	var waiting []imageRec
	for _, img := range s.images {
		if img.Cloud != CloudOSS && img.SourceURL == "" && (img.State == stateUploading || pendingToo && img.State == statePending) {
			waiting = append(waiting, *img)
		}
	}
	s.mu.Unlock()
	for _, w := range waiting {
		ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
		size, err := s.cfg.S3.Stat(ctx, w.key())
		cancel()
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) && s.ctx.Err() == nil {
				s.log.Warn("sandbox: looking for an S3 object", "key", w.key(), "err", err)
			}
			continue
		}
		s.mu.Lock()
		if img := s.images[w.ID]; img != nil {
			s.arrivedLocked(img, w.Filename, size)
		}
		s.mu.Unlock()
	}
}
