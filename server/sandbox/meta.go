package sandbox

import (
	"context"

	"altiup/server/sandbox/internal/graph"
)

func (m mutationResolver) uploadMeta(ctx context.Context, cloud Cloud, pid, bucket, filename string, checksum *string) (*graph.MetaUploadInfo, error) {
	u, err := m.s.user(ctx)
	if err != nil {
		return nil, err
	}
	f, url, err := m.s.registerFile(ctx, u, fileRegistration{pid: pid, kind: kindMeta, name: filename, cloud: cloud, bucket: bucket, checksum: checksum})
	if err != nil {
		return nil, err
	}
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	return &graph.MetaUploadInfo{URL: url, File: metaView(f)}, nil
}

func (m mutationResolver) UploadMetaFileS3(ctx context.Context, pid string, bucket graph.BucketS3, filename string, checksum *string) (*graph.MetaUploadInfo, error) {
	return m.uploadMeta(ctx, CloudS3, pid, string(bucket), filename, checksum)
}

func (m mutationResolver) UploadMetaFileMinio(ctx context.Context, pid string, bucket graph.BucketMinioMeta, filename string, checksum *string) (*graph.MetaUploadInfo, error) {
	return m.uploadMeta(ctx, CloudMinIO, pid, string(bucket), filename, checksum)
}

func (m mutationResolver) UploadMetaURL(ctx context.Context, pid, url string, filename, checksum *string) (*graph.MetaFile, error) {
	u, err := m.s.user(ctx)
	if err != nil {
		return nil, err
	}
	f, err := m.s.registerFileURL(ctx, u, kindMeta, pid, url, filename, checksum)
	if err != nil {
		return nil, err
	}
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	return metaView(f), nil
}

func (r projectResolver) HasMetaFile(ctx context.Context, obj *graph.Project, checksum string) (*graph.MetaFile, error) {
	if !isChecksum(checksum) {
		return nil, errorf(CodeBadInput, "checksum %s is not a SHA-1: it must be 40 lowercase hexadecimal characters", quote(checksum))
	}
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	var found *fileRec
	for _, f := range s.files {
		if f.PID == obj.ID && f.Kind == kindMeta && f.Checksum == checksum && (found == nil || f.Created.After(found.Created)) {
			found = f
		}
	}
	return metaView(found), nil
}

func (r projectResolver) MetaFile(ctx context.Context, obj *graph.Project, id string) (*graph.MetaFile, error) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.files[id]; f != nil && f.PID == obj.ID && f.Kind == kindMeta {
		return metaView(f), nil
	}
	return nil, nil
}
