package sandbox

import (
	"context"
	"fmt"

	"altiup/server/sandbox/internal/graph"
)

func (m mutationResolver) uploadModel(ctx context.Context, cloud Cloud, pid, bucket, filename string, checksum *string) (*graph.ModelUploadInfo, error) {
	u, err := m.s.user(ctx)
	if err != nil {
		return nil, err
	}
	f, url, err := m.s.registerFile(ctx, u, fileRegistration{pid: pid, kind: kindModel, name: filename, cloud: cloud, bucket: bucket, checksum: checksum})
	if err != nil {
		return nil, err
	}
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	return &graph.ModelUploadInfo{URL: url, File: modelView(f)}, nil
}

func (m mutationResolver) UploadModelS3(ctx context.Context, id string, bucket graph.BucketS3Model, filename string, checksum *string) (*graph.ModelUploadInfo, error) {
	return m.uploadModel(ctx, CloudS3, id, string(bucket), filename, checksum)
}

func (m mutationResolver) UploadModelMinio(ctx context.Context, id string, bucket graph.BucketMinioModel, filename string, checksum *string) (*graph.ModelUploadInfo, error) {
	return m.uploadModel(ctx, CloudMinIO, id, string(bucket), filename, checksum)
}

func (m mutationResolver) UploadModelURL(ctx context.Context, pid, url string, filename, checksum *string) (*graph.ImportedModel, error) {
	u, err := m.s.user(ctx)
	if err != nil {
		return nil, err
	}
	f, err := m.s.registerFileURL(ctx, u, kindModel, pid, url, filename, checksum)
	if err != nil {
		return nil, err
	}
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	return modelView(f), nil
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
