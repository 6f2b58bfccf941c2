package sandbox

import (
	"context"

	"altiup/server/sandbox/internal/graph"
)

func (m mutationResolver) uploadMeta(ctx context.Context, r fileRegistration) (*graph.MetaUploadInfo, error) {
	r.kind = kindMeta
	f, url, err := m.uploadFile(ctx, r)
	if err != nil {
		return nil, err
	}
	return &graph.MetaUploadInfo{URL: url, File: metaView(&f)}, nil
}

func (m mutationResolver) UploadMetaFileS3(ctx context.Context, pid string, bucket graph.BucketS3, filename string, checksum *string) (*graph.MetaUploadInfo, error) {
	return m.uploadMeta(ctx, fileRegistration{pid: pid, name: filename, cloud: CloudS3, bucket: string(bucket), checksum: checksum})
}

func (m mutationResolver) UploadMetaFileMinio(ctx context.Context, pid string, bucket graph.BucketMinioMeta, filename string, checksum *string) (*graph.MetaUploadInfo, error) {
	return m.uploadMeta(ctx, fileRegistration{pid: pid, name: filename, cloud: CloudMinIO, bucket: string(bucket), checksum: checksum})
}

func (m mutationResolver) UploadMetaURL(ctx context.Context, pid, url string, filename, checksum *string) (*graph.MetaFile, error) {
	info, err := m.uploadMeta(ctx, fileRegistration{pid: pid, name: deref(filename), url: url, checksum: checksum})
	if err != nil {
		return nil, err
	}
	return info.File, nil
}

func (r projectResolver) HasMetaFile(ctx context.Context, obj *graph.Project, checksum string) (*graph.MetaFile, error) {
	if !isChecksum(checksum) {
		return nil, notSHA1(checksum)
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
