package sandbox

import (
	"context"
	"fmt"

	"altiup/server/sandbox/internal/graph"
)

func (m mutationResolver) uploadModel(ctx context.Context, r fileRegistration) (*graph.ModelUploadInfo, error) {
	r.kind = kindModel
	f, url, err := m.uploadFile(ctx, r)
	if err != nil {
		return nil, err
	}
	return &graph.ModelUploadInfo{URL: url, File: modelView(&f)}, nil
}

func (m mutationResolver) UploadModelS3(ctx context.Context, id string, bucket graph.BucketS3Model, filename string, checksum *string) (*graph.ModelUploadInfo, error) {
	return m.uploadModel(ctx, fileRegistration{pid: id, name: filename, cloud: CloudS3, bucket: string(bucket), checksum: checksum})
}

func (m mutationResolver) UploadModelMinio(ctx context.Context, id string, bucket graph.BucketMinioModel, filename string, checksum *string) (*graph.ModelUploadInfo, error) {
	return m.uploadModel(ctx, fileRegistration{pid: id, name: filename, cloud: CloudMinIO, bucket: string(bucket), checksum: checksum})
}

func (m mutationResolver) UploadModelURL(ctx context.Context, pid, url string, filename, checksum *string) (*graph.ImportedModel, error) {
	info, err := m.uploadModel(ctx, fileRegistration{pid: pid, name: deref(filename), url: url, checksum: checksum})
	if err != nil {
		return nil, err
	}
	return info.File, nil
}

// importedDone is the importedState of a project whose models are in.
const importedDone = "Done"

func (m mutationResolver) DoneModelUpload(ctx context.Context, id string, _ *bool) (*graph.Project, error) {
	u, err := m.s.user(ctx)
	if err != nil {
		return nil, err
	}
	s := m.s
	s.watchFiles() // an object that just arrived counts
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.projectFor(u, id)
	if err != nil {
		return nil, err
	}
	if !p.Imported {
		return nil, errorf(CodeBadInput, "project %s is not an imported project", quote(p.ID))
	}
	ready := 0
	for _, f := range s.files {
		if f.PID != p.ID || f.Kind != kindModel {
			continue
		}
		switch f.State {
		case filePending:
			return nil, errorf(CodeNotUploaded, "the model file %s has not arrived yet: upload it, then call doneModelUpload", quote(f.Name))
		case fileInvalid:
			return nil, errorf(CodeBadInput, "the model file %s is Invalid: %v", quote(f.Name), f.Errors)
		}
		ready++
	}
	if ready == 0 {
		return nil, errorf(CodeNotUploaded, "project %s has no model file: register one with uploadModelS3, uploadModelMinio or uploadModelURL", quote(p.ID))
	}
	if p.ImportedState != importedDone {
		p.ImportedState = importedDone
		s.changed()
	}
	s.log.Info("sandbox: imported model uploaded", "project", p.ID, "files", fmt.Sprint(ready))
	return s.projectView(p, s.clock.Now()), nil
}
