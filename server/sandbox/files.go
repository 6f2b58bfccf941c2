package sandbox

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"path"
	"strings"
	"time"

	"altiup/server/sandbox/internal/graph"
)

// Meta files and imported model files: registered, then PUT to the S3
// storage with a presigned URL (or fetched by the server from a URL); the
// watcher notices the object, checks its SHA-1, and makes the file Ready or
// Invalid.

// fileRegistration is what uploadMeta* and uploadModel* ask for.
type fileRegistration struct {
	pid, kind, name string
	cloud           Cloud
	bucket          string
	checksum        *string
	url             string // the source of a fetched file
}

// fileContentType is the Content-Type a file's presigned PUT is signed for.
func fileContentType(name string) string {
	if ct := mime.TypeByExtension(strings.ToLower(path.Ext(name))); ct != "" {
		return ct
	}
	return "application/octet-stream"
}

// registerFile registers a meta or model file and, unless the server
// fetches it (r.url), presigns its PUT.
func (s *Sandbox) registerFile(ctx context.Context, u *User, r fileRegistration) (*fileRec, string, error) {
	if s.cfg.S3 == nil {
		return nil, "", s.noS3()
	}
	if r.url != "" {
		src, err := parseFetchURL(r.url)
		if err != nil {
			return nil, "", err
		}
		if r.name == "" {
			r.name = path.Base(src.Path)
		}
		if r.name == "." || r.name == "/" {
			r.name = r.kind
		}
		b := s.buckets(graph.UploadType(r.kind))[0]
		r.url, r.cloud, r.bucket = src.String(), b.Cloud, b.Name
	}
	r.name = strings.TrimSpace(r.name)
	if r.name == "" {
		return nil, "", errorf(CodeBadInput, "filename is empty: give the file's name")
	}
	sum, err := checkChecksum(r.checksum)
	if err != nil {
		return nil, "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.projectFor(u, r.pid)
	if err != nil {
		return nil, "", err
	}
	if r.kind == kindModel && !p.Imported {
		return nil, "", errorf(CodeBadInput, "project %s is not an imported project: create one with createProject(imported: true, modelType: ...)", quote(p.ID))
	}
	now := s.clock.Now()
	ext := strings.ToLower(path.Ext(r.name))
	if len(ext) > 16 || strings.ContainsAny(ext, "/\\ ") {
		ext = ""
	}
	f := &fileRec{
		ID: newID(now), PID: p.ID, Kind: r.kind, Name: r.name, Filename: objectName(p.ID, sum, ext),
		Checksum: sum, ChecksumGiven: sum != "", Cloud: r.cloud, Bucket: r.bucket,
		State: filePending, Created: now, SourceURL: r.url,
	}
	var put string
	if r.url == "" {
		put, err = s.cfg.S3.PresignPut(ctx, f.key(), fileContentType(r.name), s.cfg.PresignTTL)
		if err != nil {
			s.log.Error("sandbox: presigning a PUT", "key", f.key(), "err", err)
			return nil, "", errorf(CodeUnavailable, "could not presign an upload URL")
		}
	}
	s.files[f.ID] = f
	if r.url != "" {
		s.startFileFetchLocked(f)
	}
	s.changed()
	return f, put, nil
}

// uploadFile registers a file for the caller and returns a copy of it, and
// the presigned PUT URL unless the server fetches the file.
func (m mutationResolver) uploadFile(ctx context.Context, r fileRegistration) (fileRec, string, error) {
	u, err := m.s.user(ctx)
	if err != nil {
		return fileRec{}, "", err
	}
	f, url, err := m.s.registerFile(ctx, u, r)
	if err != nil {
		return fileRec{}, "", err
	}
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	return *f, url, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (s *Sandbox) startFileFetchLocked(f *fileRec) {
	if s.fetching[f.ID] || s.ctx == nil || s.ctx.Err() != nil {
		return
	}
	s.fetching[f.ID] = true
	id, key, rawURL := f.ID, f.key(), f.SourceURL
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		err := s.fetchFile(key, rawURL)
		s.mu.Lock()
		delete(s.fetching, id)
		f := s.files[id]
		if err != nil && f != nil && f.State == filePending && s.ctx.Err() == nil {
			f.State, f.Errors = fileInvalid, append(f.Errors, err.Error())
			s.changed()
		}
		s.mu.Unlock()
		if err == nil {
			s.settleFile(id)
		}
	}()
}

func (s *Sandbox) fetchFile(key, rawURL string) error {
	src, err := parseFetchURL(rawURL)
	if err != nil {
		return err
	}
	body, err := s.get(s.ctx, src, s.cfg.FetchTimeout, s.cfg.MaxFetchBytes)
	if err != nil {
		return err
	}
	if err := s.cfg.S3.Put(s.ctx, key, bytes.NewReader(body), int64(len(body)), fileContentType(key)); err != nil {
		s.log.Error("sandbox: storing a fetched file", "key", key, "err", err)
		return fmt.Errorf("the file fetched from %s could not be stored", redact(src))
	}
	return nil
}

// watchFiles looks for the objects of Pending files sent with a PUT.
func (s *Sandbox) watchFiles() {
	if s.cfg.S3 == nil {
		return
	}
	s.mu.Lock()
	var ids []string
	for id, f := range s.files {
		if f.State == filePending && f.SourceURL == "" {
			ids = append(ids, id)
		}
	}
	s.mu.Unlock()
	for _, id := range ids {
		s.settleFile(id)
	}
}

// settleFile reads a Pending file's object, if it is there, and makes the
// file Ready, or Invalid when its SHA-1 is not the one registered.
func (s *Sandbox) settleFile(id string) {
	s.mu.Lock()
	f := s.files[id]
	if f == nil || f.State != filePending {
		s.mu.Unlock()
		return
	}
	key := f.key()
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(s.ctx, time.Minute)
	defer cancel()
	rc, err := s.cfg.S3.Open(ctx, key)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) && s.ctx.Err() == nil {
			s.log.Warn("sandbox: looking for a file's object", "key", key, "err", err)
		}
		return
	}
	h := sha1.New()
	size, err := io.Copy(h, rc)
	rc.Close()
	if err != nil {
		return // read again at the next tick
	}
	sum := hex.EncodeToString(h.Sum(nil))
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.files[id] != f || f.State != filePending {
		return
	}
	f.Size = size
	if f.ChecksumGiven && f.Checksum != sum {
		f.State = fileInvalid
		f.Errors = append(f.Errors, mismatch(sum, f.Checksum))
	} else {
		f.State, f.Checksum = fileReady, sum
	}
	s.changed()
}

func metaView(f *fileRec) *graph.MetaFile {
	if f == nil {
		return nil
	}
	return &graph.MetaFile{
		ID: f.ID, State: f.State, Name: f.Name, Filename: f.Filename, Filesize: float64(f.Size),
		Date: utc(f.Created), Checksum: strPtr(f.Checksum), Error: append([]string{}, f.Errors...),
	}
}

func modelView(f *fileRec) *graph.ImportedModel {
	if f == nil {
		return nil
	}
	m := graph.ImportedModel(*metaView(f))
	return &m
}
